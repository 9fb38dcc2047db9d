// Field capture for agents (/concertations/<slug>/terrain/): works offline. Each contribution
// gets a UUID made here, is kept in IndexedDB, and is sent in batches when the network is
// there; the server records each UUID once, so sending again after a failure is always safe.
import { format, newUuid, openOutbox, registerServiceWorker, sendWaiting } from "./outbox.js";

const BATCH = 50;
const RETRY_MS = 30000;

const app = document.getElementById("field-app");
const config = JSON.parse(document.getElementById(app.dataset.config).textContent);
const strings = JSON.parse(document.getElementById(app.dataset.strings).textContent);
const form = document.getElementById("capture-form");
const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
const siteNames = Object.fromEntries(config.sites.map((s) => [String(s.id), s.name]));
let syncing = false;

// --- IndexedDB -------------------------------------------------------------------------------

const outbox = openOutbox("maillage-field", "campaign");
const putRecord = outbox.put;
const allRecords = () => outbox.all(config.campaign);

// --- Capture ---------------------------------------------------------------------------------

function closedAnswers() {
  const answers = {};
  for (const block of form.querySelectorAll("[data-question]")) {
    const id = block.dataset.question;
    if (block.dataset.kind === "multiple") {
      const values = [...block.querySelectorAll("input:checked")].map((i) => i.value);
      if (values.length) answers[id] = values;
    } else {
      const value = block.querySelector("select").value;
      if (value) answers[id] = block.dataset.kind === "scale" ? Number(value) : value;
    }
  }
  return answers;
}

async function capture(event) {
  event.preventDefault();
  const error = document.getElementById("form-error");
  const site = form.site.value;
  const text = form.text.value.trim();
  error.textContent = !site ? strings.needSite : !text ? strings.needText : text.length > 5000 ? strings.tooLong : "";
  if (error.textContent) {
    (!site ? form.site : form.text).focus();
    return;
  }
  const photo = form.photo.files[0] || null;
  // Exactly what is sent to the server, built once: a replay must carry the same payload.
  const payload = {
    uuid: newUuid(),
    campaign: config.campaign,
    site: Number(site),
    text,
    answers: closedAnswers(),
    age_band: form.age_band.value,
    relation: form.relation.value,
    consent: form.consent.checked,
    captured_at: new Date().toISOString(),
    contact_email: form.contact_email.value.trim(),
  };
  try {
    await putRecord({
      ...payload,
      payload,
      state: "waiting",
      photo,
      photoState: photo ? "waiting" : "none",
      message: "",
    });
  } catch {
    error.textContent = strings.storageError;
    return;
  }
  form.reset();
  form.site.value = site; // the agent usually stays on the same place
  document.getElementById("sync-status").textContent = strings.saved;
  form.text.focus();
  await render();
  sync();
}

// --- Sync ------------------------------------------------------------------------------------

function setNetwork() {
  const network = document.getElementById("network");
  network.dataset.online = String(navigator.onLine);
  network.textContent = navigator.onLine ? strings.online : strings.offline;
}

async function uploadPhoto(record) {
  const body = new FormData();
  body.append("photo", record.photo, "photo.jpg");
  const url = config.photoUrl.replace("00000000-0000-0000-0000-000000000000", record.uuid);
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken },
    body,
  });
  if (response.ok) return { ...record, photo: null, photoState: "done" };
  if ([413, 422].includes(response.status)) {
    const detail = await response.json().catch(() => ({}));
    return { ...record, photo: null, photoState: "refused", message: JSON.stringify(detail.detail ?? detail) };
  }
  if (response.status === 401) throw new Error("login");
  throw new Error(`HTTP ${response.status}`);
}

async function sync() {
  if (syncing || !navigator.onLine) return;
  syncing = true;
  const status = document.getElementById("sync-status");
  try {
    let records = await allRecords();
    const waiting = records.filter((r) => r.state === "waiting");
    if (waiting.length) status.textContent = strings.syncing;
    const synced = await sendWaiting(outbox, waiting, config.syncUrl, csrfToken, BATCH);
    records = await allRecords();
    for (const record of records.filter((r) => r.state === "synced" && r.photoState === "waiting")) {
      await putRecord(await uploadPhoto(record));
    }
    status.textContent = format(strings.synced, { n: synced });
  } catch (error) {
    status.textContent = error.message === "login" ? strings.login : format(strings.retry, { message: error.message });
  } finally {
    syncing = false;
    await render();
  }
}

// --- Lists -----------------------------------------------------------------------------------

function item(record) {
  const li = document.createElement("li");
  const when = new Date(record.captured_at).toLocaleString();
  const photo = record.photoState !== "none" ? ` · ${strings.photo}${record.photoState === "waiting" ? " ⏳" : ""}` : "";
  li.textContent = `${siteNames[String(record.site)] || record.site} · ${when}${photo} — ${record.text.slice(0, 80)}`;
  if (record.state === "refused") {
    const why = document.createElement("strong");
    why.textContent = ` ${format(strings.failed, { message: record.message })}`;
    li.append(why);
  }
  return li;
}

async function render() {
  const records = (await allRecords()).sort((a, b) => b.captured_at.localeCompare(a.captured_at));
  const waiting = records.filter((r) => r.state !== "synced" || r.photoState === "waiting");
  const synced = records.filter((r) => r.state === "synced" && r.photoState !== "waiting");
  document.getElementById("waiting").replaceChildren(...waiting.map(item));
  document.getElementById("synced").replaceChildren(...synced.slice(0, 100).map(item));
  document.getElementById("waiting-count").textContent = String(waiting.length);
  document.getElementById("synced-count").textContent = String(synced.length);
}

// --- Nearest places first --------------------------------------------------------------------

function distanceKm(lat1, lon1, lat2, lon2) {
  // Haversine formula on a sphere of radius 6371 km.
  const rad = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(a));
}

function sortSites(position) {
  const { latitude, longitude } = position.coords;
  const select = form.site;
  const chosen = select.value;
  const sites = config.sites
    .filter((s) => s.lat != null)
    .map((s) => ({ ...s, km: distanceKm(latitude, longitude, s.lat, s.lon) }))
    .sort((a, b) => a.km - b.km);
  const others = config.sites.filter((s) => s.lat == null);
  const placeholder = select.options[0];
  const options = [...sites, ...others].map((s) => {
    const option = new Option(s.km == null ? s.name : `${s.name} (${format(strings.distance, { km: s.km.toFixed(1) })})`, String(s.id));
    return option;
  });
  select.replaceChildren(placeholder, ...options);
  select.value = chosen || (sites[0] ? String(sites[0].id) : "");
  document.getElementById("locate-status").textContent = strings.located;
}

function locate() {
  if (!navigator.geolocation) return;
  // The position stays on the phone: only the chosen site is ever sent.
  navigator.geolocation.getCurrentPosition(sortSites, () => {
    document.getElementById("locate-status").textContent = strings.noLocation;
  }, { enableHighAccuracy: false, timeout: 10000, maximumAge: 60000 });
}

// --- Start -----------------------------------------------------------------------------------

form.addEventListener("submit", capture);
document.getElementById("sync-now").addEventListener("click", sync);
document.getElementById("locate").addEventListener("click", locate);
window.addEventListener("online", () => {
  setNetwork();
  sync();
});
window.addEventListener("offline", setNetwork);
setNetwork();
navigator.storage?.persist?.();
navigator.permissions
  ?.query({ name: "geolocation" })
  .then((p) => p.state === "granted" && locate())
  .catch(() => undefined);
registerServiceWorker(config.serviceWorker, config.scope);
render().then(sync);
setInterval(sync, RETRY_MS);
