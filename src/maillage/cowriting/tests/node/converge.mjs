// A stock Yjs client (npm yjs + y-websocket) against a live Maillage server.
// Usage: node converge.mjs ws://127.0.0.1:PORT/ws/cowriting WORK_ID "sessionid=…" ORIGIN TEXT
// Inserts TEXT at the start once synced, waits, prints the final text as JSON.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import WebSocket from "ws";

const [base, workId, cookie, origin, text, waitMs = "2000"] = process.argv.slice(2);

class CookieWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, { headers: { cookie, origin } });
  }
}

const doc = new Y.Doc();
const provider = new WebsocketProvider(base, `${workId}/`, doc, { WebSocketPolyfill: CookieWebSocket });
provider.awareness.setLocalStateField("user", { name: "spoofed name", color: "#1e40af" });
let done = false;
provider.on("sync", (synced) => {
  if (!synced || done) return;
  done = true;
  doc.getText("content").insert(0, text);
  setTimeout(() => {
    const names = [...provider.awareness.getStates().values()].map((s) => s.user?.name).filter(Boolean);
    console.log(JSON.stringify({ text: doc.getText("content").toString(), names }));
    provider.destroy();
    process.exit(0);
  }, Number(waitMs));
});
setTimeout(() => { console.error("no sync"); process.exit(1); }, 15000);
