// Co-writing editor: CodeMirror 6 (Markdown) bound to a Yjs text shared over the y-websocket
// protocol; y-indexeddb keeps a local copy so a writer can keep typing offline and merge later.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { IndexeddbPersistence } from "y-indexeddb";
import { EditorView, drawSelection, dropCursor, highlightSpecialChars, keymap } from "@codemirror/view";
import { EditorState } from "@codemirror/state";
import { defaultKeymap } from "@codemirror/commands";
import { syntaxHighlighting, defaultHighlightStyle } from "@codemirror/language";
import { markdown, markdownLanguage } from "@codemirror/lang-markdown";
import { yCollab } from "y-codemirror.next";

// Colours with at least 4.5:1 contrast against white text (cursor labels).
const COLORS = ["#1e40af", "#166534", "#9d174d", "#92400e", "#5b21b6", "#155e75", "#b91c1c"];

function toBase64(bytes) {
  let binary = "";
  bytes.forEach((byte) => { binary += String.fromCharCode(byte); });
  return btoa(binary);
}

function start(host) {
  const config = JSON.parse(document.getElementById("cowriting-config").textContent);
  const [connectedLabel, offlineLabel, readOnlyLabel] = (host.dataset.labels || "").split("|");
  const status = document.getElementById("editor-status");
  const ydoc = new Y.Doc();
  const ytext = ydoc.getText("content");
  if (!config.readOnly) {
    // Only writers keep a local copy: a reader has nothing of their own to merge.
    new IndexeddbPersistence(config.room, ydoc);
  }
  const match = config.websocket.match(/^\/(.*)\/(\d+)\/$/);
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const provider = new WebsocketProvider(`${scheme}${window.location.host}/${match[1]}`, `${match[2]}/`, ydoc);
  if (config.userName) {
    const color = COLORS[ydoc.clientID % COLORS.length];
    // The server rewrites the name to the logged-in user's public name anyway.
    provider.awareness.setLocalStateField("user", { name: config.userName, color, colorLight: `${color}33` });
  }
  provider.on("status", ({ status: state }) => {
    if (!status) return;
    if (state === "connected") status.textContent = config.readOnly ? `${connectedLabel} · ${readOnlyLabel}` : connectedLabel;
    else status.textContent = offlineLabel;
  });

  const commentForm = document.getElementById("comment-form");
  const selectionHelp = document.getElementById("comment-selection");
  const onSelection = EditorView.updateListener.of((update) => {
    if (!commentForm || !update.selectionSet) return;
    const { from, to } = update.state.selection.main;
    if (from === to) return;
    const encode = (index, assoc) => toBase64(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(ytext, index, assoc)));
    commentForm.elements.anchor_start.value = encode(from, 0);
    commentForm.elements.anchor_end.value = encode(to, -1);
    if (selectionHelp) selectionHelp.textContent = `« ${update.state.sliceDoc(from, Math.min(to, from + 120))} »`;
  });

  const view = new EditorView({
    parent: host,
    state: EditorState.create({
      doc: ytext.toString(),
      // A prose editor, not a code editor: no line numbers, gutters or bracket helpers. Undo is
      // Yjs's (yCollab), so that one writer's undo never takes back another's words.
      extensions: [
        highlightSpecialChars(),
        drawSelection(),
        dropCursor(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        // Enter continues a list ("1." then "2.") and Backspace ends it: the Markdown keymap.
        markdown({ base: markdownLanguage }),
        keymap.of(defaultKeymap),
        EditorView.lineWrapping,
        EditorState.readOnly.of(Boolean(config.readOnly)),
        EditorView.editable.of(true), // readers can still move the cursor and select to comment
        EditorView.contentAttributes.of({ "aria-label": document.getElementById("editor-title")?.textContent || "Text" }),
        yCollab(ytext, provider.awareness, { undoManager: config.readOnly ? false : new Y.UndoManager(ytext) }),
        onSelection,
      ],
    }),
  });
  window.addEventListener("beforeunload", () => provider.disconnect());
  return { ydoc, provider, view };
}

const host = document.getElementById("cowriting-editor");
if (host) window.maillageCowriting = start(host);
