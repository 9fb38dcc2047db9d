// Encounters of a journey (/itinerances/<slug>/rencontres/nouvelle/) on a walker's phone: the
// form works without network. Without JavaScript it posts as any form; with it, each encounter
// is kept on the phone (see outbox.js) and synced by UUID when the network is there.
import { format, newUuid, openOutbox, registerServiceWorker, sendWaiting } from "./outbox.js";

const BATCH = 50;
const RETRY_MS = 30000;

const app = document.getElementById("encounter-app");
const config = JSON.parse(document.getElementById(app.dataset.config).textContent);
const strings = JSON.parse(document.getElementById(app.dataset.strings).textContent);
const form = document.getElementById("encounter-form");
const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
const outbox = openOutbox("maillage-encounters", "journey");
const allRecords = () => outbox.all(config.journey);
let syncing = false;

function field(name) {
  return form.elements[name];
}

async function capture(event) {
  event.preventDefault();
  const error = document.getElementById("encounter-error");
  const metOn = field("met_on").value;
  const who = field("who").value.trim();
  const notes = field("notes").value.trim();
  const consent = field("consent").checked;
  error.textContent = !metOn ? strings.needDay : !who ? strings.needWho : notes && !consent ? strings.needConsent : "";
  if (error.textContent) {
    (!metOn ? field("met_on") : !who ? field("who") : field("consent")).focus();
    return;
  }
  const territory = field("territory").value;
  const payload = {
    uuid: newUuid(),
    journey: config.journey,
    territory: territory ? Number(territory) : null,
    place_name: field("place_name").value.trim(),
    met_on: metOn,
    who,
    consent,
    notes: consent ? notes : "",
    themes: field("themes").value.split(",").map((t) => t.trim()).filter(Boolean),
  };
  try {
    await outbox.put({ ...payload, payload, state: "waiting", message: "", saved_at: new Date().toISOString() });
  } catch {
    error.textContent = strings.storageError;
    return;
  }
  form.reset();
  field("met_on").value = metOn; // the same day, most often
  document.getElementById("encounter-status").textContent = strings.saved;
  field("who").focus();
  await render();
  sync();
}

async function sync() {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  const status = document.getElementById("encounter-status");
  try {
    const waiting = (await allRecords()).filter((r) => r.state === "waiting");
    if (waiting.length) status.textContent = strings.syncing;
    const synced = await sendWaiting(outbox, waiting, config.syncUrl, csrfToken, BATCH);
    status.textContent = format(strings.synced, { n: synced });
  } catch (error) {
    status.textContent = error.message === "login" ? strings.login : format(strings.retry, { message: error.message });
  } finally {
    syncing = false;
    await render();
  }
}

function item(record) {
  const li = document.createElement("li");
  const place = record.place_name || config.places[String(record.territory)] || "";
  li.textContent = `${record.met_on} · ${place} — ${record.who}`;
  if (record.state === "refused") {
    const why = document.createElement("strong");
    why.textContent = ` ${format(strings.failed, { message: record.message })}`;
    li.append(why);
  }
  return li;
}

async function render() {
  const records = (await allRecords()).sort((a, b) => b.saved_at.localeCompare(a.saved_at));
  const waiting = records.filter((r) => r.state !== "synced");
  const synced = records.filter((r) => r.state === "synced");
  document.getElementById("encounters-waiting").replaceChildren(...waiting.map(item));
  document.getElementById("encounters-synced").replaceChildren(...synced.slice(0, 100).map(item));
  document.getElementById("encounters-waiting-count").textContent = String(waiting.length);
  document.getElementById("encounters-synced-count").textContent = String(synced.length);
}

function setNetwork() {
  const network = document.getElementById("encounter-network");
  network.dataset.online = String(navigator.onLine);
  network.textContent = navigator.onLine ? strings.online : strings.offline;
}

app.hidden = false;
document.getElementById("encounter-queue").hidden = false;
form.addEventListener("submit", capture);
document.getElementById("encounters-sync-now").addEventListener("click", sync);
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
