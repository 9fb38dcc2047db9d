// Encounters of a journey (/itinerances/<slug>/rencontres/nouvelle/) on a walker's phone: the
// form works without network. Without JavaScript it posts as any form; with it, each encounter
// is kept on the phone (see outbox.js) and synced by UUID when the network is there.
import { newUuid, openOutbox, outboxPage } from "./outbox.js";

const app = document.getElementById("encounter-app");
const config = JSON.parse(document.getElementById(app.dataset.config).textContent);
const strings = JSON.parse(document.getElementById(app.dataset.strings).textContent);
const form = document.getElementById("encounter-form");
const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
const outbox = openOutbox("maillage-encounters", "journey");

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
  field("who").focus();
  await page.saved();
}

function label(record) {
  const place = record.place_name || config.places[String(record.territory)] || "";
  return `${record.met_on} · ${place} — ${record.who}`;
}

app.hidden = false;
document.getElementById("encounter-queue").hidden = false;
const page = outboxPage({
  outbox,
  key: config.journey,
  config,
  strings,
  csrfToken,
  label,
  newest: "saved_at",
});
form.addEventListener("submit", capture);
