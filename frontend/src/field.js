// Field capture for agents (/concertations/<slug>/terrain/): works offline. Each contribution
// gets a UUID made here, is kept in IndexedDB, and is sent in batches when the network is
// there; the server records each UUID once, so sending again after a failure is always safe.
import { format, newUuid, openOutbox, outboxPage } from "./outbox.js";

const app = document.getElementById("field-app");
const config = JSON.parse(document.getElementById(app.dataset.config).textContent);
const strings = JSON.parse(document.getElementById(app.dataset.strings).textContent);
const form = document.getElementById("capture-form");
const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
const siteNames = Object.fromEntries(config.sites.map((s) => [String(s.id), s.name]));
const outbox = openOutbox("maillage-field", "campaign");

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
    await outbox.put({
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
  form.text.focus();
  await page.saved();
}

// --- Photos, sent once their record is synced -------------------------------------------------

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

async function uploadPhotos(records) {
  for (const record of records.filter((r) => r.state === "synced" && r.photoState === "waiting")) {
    await outbox.put(await uploadPhoto(record));
  }
}

function label(record) {
  const when = new Date(record.captured_at).toLocaleString();
  const photo = record.photoState !== "none" ? ` · ${strings.photo}${record.photoState === "waiting" ? " ⏳" : ""}` : "";
  return `${siteNames[String(record.site)] || record.site} · ${when}${photo} — ${record.text.slice(0, 80)}`;
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

const page = outboxPage({
  outbox,
  key: config.campaign,
  config,
  strings,
  csrfToken,
  label,
  newest: "captured_at",
  // A record stays in the waiting list until its photo is sent too.
  isWaiting: (record) => record.state !== "synced" || record.photoState === "waiting",
  afterSend: uploadPhotos,
});
form.addEventListener("submit", capture);
document.getElementById("locate").addEventListener("click", locate);
navigator.permissions
  ?.query({ name: "geolocation" })
  .then((p) => p.state === "granted" && locate())
  .catch(() => undefined);
