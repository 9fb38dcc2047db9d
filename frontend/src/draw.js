// Draw or redraw one shape on a map (Leaflet-Geoman); the shape is written as GeoJSON into the
// form field named by data-draw, which stays the accessible, editable source of truth.
import L from "leaflet";
import "./leaflet-global.js";
import "@geoman-io/leaflet-geoman-free";
import "@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css";

const meta = document.querySelector('meta[name="map-tiles"]');
const tileUrl = meta ? meta.content : "";
const tileAttribution = document.querySelector('meta[name="map-attribution"]')?.content || "";

function readJSON(id) {
  const node = document.getElementById(id);
  if (!node) return null;
  try {
    return JSON.parse(node.textContent || node.value);
  } catch {
    return null;
  }
}

function setUp(element) {
  const field = document.getElementById(element.dataset.draw);
  if (!field) return;
  const map = L.map(element, { scrollWheelZoom: false, attributionControl: !!tileUrl });
  if (tileUrl) L.tileLayer(tileUrl, { attribution: tileAttribution, maxZoom: 19 }).addTo(map);
  const outline = readJSON(element.dataset.outline);
  let bounds = null;
  let context = null;
  if (outline && outline.features && outline.features.length) {
    context = L.geoJSON(outline, {
      pmIgnore: true,
      interactive: false,
      style: { color: "#555555", weight: 1, fillOpacity: 0.03 },
      pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 4 }),
    });
    bounds = context.getBounds();
  }
  let shape = null;
  const current = field.value.trim() ? readJSON(field.id) : null;
  if (current) {
    shape = L.geoJSON(current).getLayers()[0] || null;
    if (shape) bounds = shape.getBounds ? shape.getBounds() : L.latLngBounds([shape.getLatLng()]);
  }
  // The view is set before any layer is added: a shape drawn on a map without one fails.
  if (bounds && bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
  else map.setView([46.6, 2.4], 5);
  if (context) context.addTo(map);
  if (shape) shape.addTo(map);

  const write = () => {
    field.value = shape ? JSON.stringify(shape.toGeoJSON().geometry) : "";
  };
  const watch = (layer) => {
    layer.on("pm:edit pm:dragend", write);
  };
  if (shape) watch(shape);
  map.pm.setLang(document.documentElement.lang === "fr" ? "fr" : "en");
  map.pm.addControls({
    position: "topleft",
    drawCircle: false,
    drawCircleMarker: false,
    drawText: false,
    cutPolygon: false,
    rotateMode: false,
  });
  // Geoman's buttons are links with an icon and a title on their container: give each the
  // container's title as its accessible name.
  element.querySelectorAll(".leaflet-buttons-control-button").forEach((button) => {
    const title = button.closest("[title]")?.getAttribute("title");
    if (title && !button.getAttribute("aria-label")) button.setAttribute("aria-label", title);
  });
  map.on("pm:create", (event) => {
    if (shape) map.removeLayer(shape);
    shape = event.layer;
    watch(shape);
    write();
  });
  map.on("pm:remove", () => {
    shape = null;
    write();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  // main.js, run after this bundle, carries its own Leaflet and makes it the global L;
  // Geoman reads the global L at work, so this bundle's Leaflet (the one it extended) is put back.
  window.L = L;
  document.querySelectorAll("[data-draw]").forEach(setUp);
});
