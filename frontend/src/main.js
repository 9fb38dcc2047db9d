// Site-wide behaviour: Leaflet maps drawn from GeoJSON in the page.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import "./maps.css";

const meta = document.querySelector('meta[name="map-tiles"]');
const tileUrl = meta ? meta.content : "";
const tileAttribution = document.querySelector('meta[name="map-attribution"]')?.content || "";
const tilesFailed = document.querySelector('meta[name="map-tiles-failed"]')?.content || "";

// Offline, or when the tile server is down or blocked, the first failed tile removes the
// background layer: the shapes stay, a note says why, and no more tiles are requested.
function addTiles(map, element) {
  const tiles = L.tileLayer(tileUrl, { attribution: tileAttribution, maxZoom: 19 });
  tiles.once("tileerror", () => {
    map.removeLayer(tiles);
    element.classList.add("map-without-tiles");
    if (tilesFailed) {
      const note = document.createElement("p");
      note.className = "map-note";
      note.textContent = tilesFailed;
      element.insertAdjacentElement("afterend", note);
    }
  });
  tiles.addTo(map);
}

function drawMap(element) {
  const source = document.getElementById(element.dataset.geojson);
  if (!source) return;
  const data = JSON.parse(source.textContent);
  if (!data.features || data.features.length === 0) return;
  const map = L.map(element, { scrollWheelZoom: false, attributionControl: !!tileUrl });
  const pickName = element.dataset.pick;
  if (tileUrl && navigator.onLine !== false) addTiles(map, element);
  // Without tiles the shapes alone still show where things are.
  const picks = [];
  const layer = L.geoJSON(data, {
    style: (feature) => ({
      color: feature.properties.color || "#1d4ed8",
      weight: feature.properties.kind === "site" ? 2 : 1.5,
      fillOpacity: feature.properties.fillOpacity ?? 0.15,
    }),
    pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: feature.properties.radius || 6 }),
    onEachFeature: (feature, lyr) => {
      const p = feature.properties;
      const label = p.label || p.name || "";
      if (pickName && p.pick) {
        pickable(lyr, pickName, p.pick);
        picks.push(lyr);
      } else if (p.url) {
        const link = document.createElement("a");
        link.href = p.url;
        link.textContent = label;
        lyr.bindPopup(link);
      } else if (label) {
        lyr.bindPopup(document.createTextNode(label));
      }
      // A string given to Leaflet is inserted as HTML: names are text, so give it a text node.
      if (label) lyr.bindTooltip(document.createTextNode(label));
    },
  }).addTo(map);
  // A map to pick from shows the shapes to pick, large enough to click; the rest is context.
  const bounds = picks.length ? L.featureGroup(picks).getBounds() : layer.getBounds();
  map.fitBounds(bounds, { padding: [24, 24], maxZoom: 18 });
  placeLabels(map, layer);
}

// Place names written on the map where they fit: an area's name at its centre when the name is
// not much wider than the area on screen (LABEL_OVERHANG), a place's name beside its point from POINT_LABEL_ZOOM on.
// Labels are placed smallest area first and one that would overlap a placed label is left out;
// they are redrawn after each zoom. Names stay in the tables beside the map for screen readers,
// so the labels are hidden from them.
const POINT_LABEL_ZOOM = 14;
const LABEL_GAP = 4;
const LABEL_OVERHANG = 1.4;

function placeLabels(map, layer) {
  const candidates = [];
  layer.eachLayer((lyr) => {
    const name = lyr.feature?.properties?.name;
    if (!name) return;
    const isPoint = typeof lyr.getLatLng === "function";
    const tooltip = L.tooltip({
      permanent: true,
      interactive: false,
      direction: isPoint ? "right" : "center",
      offset: isPoint ? [8, 0] : [0, 0],
      className: "map-label",
    }).setContent(document.createTextNode(name));
    candidates.push({ lyr, isPoint, tooltip });
  });
  if (candidates.length === 0) return;
  const redraw = () => {
    candidates.forEach((c) => map.removeLayer(c.tooltip));
    const placed = [];
    const ordered = candidates
      .map((c) => ({ ...c, size: c.isPoint ? 0 : areaOnScreen(map, c.lyr) }))
      .sort((a, b) => (a.isPoint === b.isPoint ? a.size - b.size : a.isPoint ? 1 : -1));
    for (const c of ordered) {
      if (c.isPoint && map.getZoom() < POINT_LABEL_ZOOM) continue;
      c.tooltip.setLatLng(labelPoint(c));
      map.addLayer(c.tooltip);
      const element = c.tooltip.getElement();
      element.setAttribute("aria-hidden", "true");
      const box = element.getBoundingClientRect();
      const fits = c.isPoint || box.width <= LABEL_OVERHANG * widthOnScreen(map, c.lyr);
      if (!fits || placed.some((other) => overlaps(box, other))) {
        map.removeLayer(c.tooltip);
      } else {
        placed.push(box);
      }
    }
  };
  redraw();
  map.on("zoomend", redraw);
}

// Multi-part shapes (MultiPoint, GeometryCollection) are layer groups with no centre of their own.
function labelPoint(c) {
  if (c.isPoint) return c.lyr.getLatLng();
  return typeof c.lyr.getCenter === "function" ? c.lyr.getCenter() : c.lyr.getBounds().getCenter();
}

function widthOnScreen(map, lyr) {
  const bounds = lyr.getBounds();
  return map.latLngToContainerPoint(bounds.getNorthEast()).x - map.latLngToContainerPoint(bounds.getSouthWest()).x;
}

function areaOnScreen(map, lyr) {
  const bounds = lyr.getBounds();
  const ne = map.latLngToContainerPoint(bounds.getNorthEast());
  const sw = map.latLngToContainerPoint(bounds.getSouthWest());
  return Math.abs((ne.x - sw.x) * (sw.y - ne.y));
}

function overlaps(a, b) {
  return !(a.right + LABEL_GAP < b.left || b.right + LABEL_GAP < a.left || a.bottom + LABEL_GAP < b.top || b.bottom + LABEL_GAP < a.top);
}

// A map that picks: clicking a shape ticks its box in the form beside the map (the form stays
// the accessible way to choose), and ticking a box recolours its shape.
function pickable(layer, name, value) {
  const box = document.querySelector(`input[name="${name}"][value="${value}"]`);
  if (!box) return;
  const paint = () => layer.setStyle({ color: box.checked ? "#1d4ed8" : "#6b7280", weight: box.checked ? 3 : 2 });
  layer.on("click", () => {
    box.checked = !box.checked;
    paint();
  });
  box.addEventListener("change", paint);
}

// "Select all": ticks every box of the named group on the page (the boxes stay usable alone).
function selectAll(master) {
  const boxes = () => document.querySelectorAll(`input[type=checkbox][name="${master.dataset.selectAll}"]`);
  master.addEventListener("change", () => boxes().forEach((box) => { box.checked = master.checked; }));
}

// A long select gets a text filter above it: typing keeps the options (and groups) whose text,
// or group name, holds every word typed. Without JavaScript the plain select stays. Options are
// removed rather than hidden, since hidden options still show in some phones' pickers.
function filterable(select) {
  const fold = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const original = [...select.children].map((child) => child.cloneNode(true));
  const input = document.createElement("input");
  input.type = "search";
  input.id = `${select.id}-filter`;
  input.setAttribute("aria-controls", select.id);
  const label = document.createElement("label");
  label.htmlFor = input.id;
  label.textContent = select.dataset.filterLabel;
  const count = document.createElement("p");
  count.className = "help";
  count.setAttribute("role", "status");
  select.before(label, input, count);
  input.addEventListener("input", () => {
    const words = fold(input.value).split(/\s+/).filter(Boolean);
    const keeps = (text) => words.every((word) => text.includes(word));
    const chosen = select.value;
    let shown = 0;
    select.replaceChildren(
      ...original.flatMap((child) => {
        if (child.tagName !== "OPTGROUP") {
          const keep = !child.value || child.value === chosen || keeps(fold(child.textContent));
          shown += keep && child.value ? 1 : 0;
          return keep ? [child.cloneNode(true)] : [];
        }
        const group = fold(child.label);
        const options = [...child.children].filter(
          (option) => option.value === chosen || keeps(`${group} ${fold(option.textContent)}`),
        );
        shown += options.length;
        if (!options.length) return [];
        const copy = child.cloneNode(false);
        copy.append(...options.map((option) => option.cloneNode(true)));
        return [copy];
      }),
    );
    select.value = chosen;
    count.textContent = words.length ? select.dataset.filterCount.replace("%(count)s", shown) : "";
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("select[data-filter-label]").forEach(filterable);
  document.querySelectorAll("[data-geojson]").forEach(drawMap);
  document.querySelectorAll("[data-select-all]").forEach(selectAll);
  document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
});
