// A stock Yjs client (npm yjs + y-websocket) typing against a live Maillage server.
// Usage: node typist.mjs ws://127.0.0.1:PORT/ws/cowriting WORK_ID "sessionid=…" ORIGIN TEXT LENGTH
// Once synced, types TEXT one character every 20 ms at pseudo-random positions, then waits
// until the shared text holds LENGTH characters and has been quiet for 500 ms, and prints
// {"text": …} as JSON. Exits 1 (with what it has) if that does not happen within 30 s.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import WebSocket from "ws";

const [base, workId, cookie, origin, text, length] = process.argv.slice(2);

class CookieWebSocket extends WebSocket {
  constructor(url, protocols) {
    super(url, protocols, { headers: { cookie, origin } });
  }
}

const doc = new Y.Doc();
const shared = doc.getText("content");
const provider = new WebsocketProvider(base, `${workId}/`, doc, { WebSocketPolyfill: CookieWebSocket });
let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
let lastChange = Date.now();
doc.on("update", () => { lastChange = Date.now(); });

function finish(code) {
  console.log(JSON.stringify({ text: shared.toString() }));
  provider.destroy();
  process.exit(code);
}

let started = false;
provider.on("sync", (synced) => {
  if (!synced || started) return;
  started = true;
  let typed = 0;
  const timer = setInterval(() => {
    if (typed === text.length) {
      clearInterval(timer);
      const check = setInterval(() => {
        if (shared.length === Number(length) && Date.now() - lastChange > 500) {
          clearInterval(check);
          finish(0);
        }
      }, 50);
      return;
    }
    shared.insert(Math.floor(random() * (shared.length + 1)), text[typed]);
    typed += 1;
  }, 20);
});
setTimeout(() => finish(1), 30000);
