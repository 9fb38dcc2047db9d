// An outbox of records captured on a phone: each gets a UUID made here, is kept in IndexedDB,
// and is sent in batches when the network is there. The server records each UUID once, so
// sending again after a failure is always safe. Used by the field capture of consultations and
// by the encounters of journeys, whose pages share outboxPage below.

const BATCH = 50;
const RETRY_MS = 30000;

export function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_, key) => String(values[key] ?? ""));
}

export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // crypto.randomUUID needs a secure context; an RFC 4122 version 4 UUID from random bytes.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// A store of records keyed by UUID, with one index (the campaign, the journey) to list them.
export function openOutbox(dbName, indexName) {
  const STORE = "records";
  const dbPromise = new Promise((resolve, reject) => {
    const request = indexedDB.open(dbName, 1);
    request.onupgradeneeded = () => {
      const store = request.result.createObjectStore(STORE, { keyPath: "uuid" });
      store.createIndex(indexName, indexName);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  async function tx(mode, work) {
    const db = await dbPromise;
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const result = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }
  return {
    put: (record) => tx("readwrite", (store) => store.put(record)),
    all: (key) => tx("readonly", (store) => store.index(indexName).getAll(key)),
  };
}

// POST {records: [payload…]}; return the server's per-record results. "login" when the session
// has gone (the records stay on the phone), "HTTP <status>" for anything else to retry later.
export async function postRecords(url, csrfToken, payloads) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
    body: JSON.stringify({ records: payloads }),
  });
  if (response.status === 401 || response.status === 403) throw new Error("login");
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

// Send the ``waiting`` records in batches; store each as synced (the server has it, now or from
// an earlier try) or refused (with the server's message). Return how many were synced.
export async function sendWaiting(outbox, waiting, url, csrfToken, batchSize) {
  let synced = 0;
  for (let start = 0; start < waiting.length; start += batchSize) {
    const batch = waiting.slice(start, start + batchSize);
    const body = await postRecords(url, csrfToken, batch.map((r) => r.payload));
    const byUuid = Object.fromEntries(body.results.map((r) => [r.uuid, r]));
    for (const record of batch) {
      const result = byUuid[record.uuid];
      if (!result) continue;
      if (result.result === "created" || result.result === "duplicate") {
        synced += 1;
        await outbox.put({ ...record, state: "synced", serverId: result.id, message: "" });
      } else {
        await outbox.put({ ...record, state: "refused", message: result.message, photo: null });
      }
    }
  }
  return synced;
}

export async function registerServiceWorker(script, scope) {
  if (!("serviceWorker" in navigator)) return;
  try {
    await navigator.serviceWorker.register(script, { scope });
    const registration = await navigator.serviceWorker.ready;
    const urls = [
      location.pathname,
      ...[...document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=manifest], link[rel=apple-touch-icon]")].map(
        (el) => el.src || el.href,
      ),
    ];
    registration.active?.postMessage({ type: "precache", urls });
  } catch {
    // Without a service worker the page still captures and syncs while it stays open.
  }
}

// The part of a capture page around its outbox: the network state, the status line, the lists
// of records waiting and synced with their counts, and the sync (at start, on "Sync now", when
// the network returns, every RETRY_MS). The page marks its elements with data-outbox="network",
// "status", "sync-now", "waiting", "synced", "waiting-count" and "synced-count". ``key`` is the
// outbox index's value (the campaign, the journey); ``label`` gives a record's line, ``newest``
// the field the lists are sorted on, ``isWaiting`` whether a record is still to send (default:
// not synced), ``afterSend`` what else to send once the records are synced (photos). Return
// ``saved``, to call once a new record is in the outbox.
export function outboxPage({ outbox, key, config, strings, csrfToken, label, newest, isWaiting, afterSend }) {
  const element = (name) => document.querySelector(`[data-outbox="${name}"]`);
  const waitingRecord = isWaiting || ((record) => record.state !== "synced");
  const allRecords = () => outbox.all(key);
  let syncing = false;

  function setNetwork() {
    const network = element("network");
    network.dataset.online = String(navigator.onLine);
    network.textContent = navigator.onLine ? strings.online : strings.offline;
  }

  function item(record) {
    const li = document.createElement("li");
    li.textContent = label(record);
    if (record.state === "refused") {
      const why = document.createElement("strong");
      why.textContent = ` ${format(strings.failed, { message: record.message })}`;
      li.append(why);
    }
    return li;
  }

  async function render() {
    const records = (await allRecords()).sort((a, b) => b[newest].localeCompare(a[newest]));
    const waiting = records.filter(waitingRecord);
    const synced = records.filter((r) => !waitingRecord(r));
    element("waiting").replaceChildren(...waiting.map(item));
    element("synced").replaceChildren(...synced.slice(0, 100).map(item));
    element("waiting-count").textContent = String(waiting.length);
    element("synced-count").textContent = String(synced.length);
  }

  async function sync() {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    const status = element("status");
    try {
      const waiting = (await allRecords()).filter((r) => r.state === "waiting");
      if (waiting.length) status.textContent = strings.syncing;
      const synced = await sendWaiting(outbox, waiting, config.syncUrl, csrfToken, BATCH);
      if (afterSend) await afterSend(await allRecords());
      status.textContent = format(strings.synced, { n: synced });
    } catch (error) {
      status.textContent = error.message === "login" ? strings.login : format(strings.retry, { message: error.message });
    } finally {
      syncing = false;
      await render();
    }
  }

  element("sync-now").addEventListener("click", sync);
  window.addEventListener("online", () => {
    setNetwork();
    sync();
  });
  window.addEventListener("offline", setNetwork);
  setNetwork();
  navigator.storage?.persist?.();
  registerServiceWorker(config.serviceWorker, config.scope);
  render().then(sync);
  setInterval(sync, RETRY_MS);

  return {
    async saved() {
      element("status").textContent = strings.saved;
      await render();
      sync();
    },
  };
}
