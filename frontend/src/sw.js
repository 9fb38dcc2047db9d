// Service worker of the capture pages (/concertations/<slug>/terrain/, and the encounters of
// journeys, /itinerances/<slug>/rencontres/nouvelle/): the page and its
// assets open without network. Captured records live in IndexedDB (see field.js), never here;
// POSTs always go to the network so that the page knows what the server acknowledged.
const CACHE = "maillage-field-v1";

self.addEventListener("install", () => {
  self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("maillage-field-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// The page sends the addresses it needs (itself, its scripts, styles, manifest, icons).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type !== "precache" || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((u) => new URL(u, self.location.origin).origin === self.location.origin);
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      Promise.all(urls.map((u) => cache.add(new Request(u, { credentials: "same-origin" })).catch(() => undefined))),
    ),
  );
});

// The capture pages: consultations' field page (and its manifest), journeys' encounter form.
function isFieldPage(url) {
  return /\/terrain\/(manifest\.webmanifest)?$/.test(url.pathname) || /\/rencontres\/nouvelle\/$/.test(url.pathname);
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    // A redirect to the login page must not replace the cached field page.
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    // Django answers "Vary: Cookie, Accept-Language": a navigation never matches the request
    // the page precached itself with, so the stored page is looked up by its address alone.
    const cached = await cache.match(request, { ignoreSearch: true, ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(event.request, { ignoreVary: true });
  const refresh = fetch(event.request)
    .then((response) => {
      if (response.ok) cache.put(event.request, response.clone());
      return response;
    })
    .catch(() => undefined);
  if (cached) {
    event.waitUntil(refresh);
    return cached;
  }
  const response = await refresh;
  return response || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (isFieldPage(url)) {
    event.respondWith(networkFirst(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staleWhileRevalidate(event));
  }
});
