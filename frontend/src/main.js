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
  if (tileUrl && navigator.onLine !== false) addTiles(map, element);
  // Without tiles the shapes alone still show where things are.
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
      if (p.url) {
        const link = document.createElement("a");
        link.href = p.url;
        link.textContent = label;
        lyr.bindPopup(link);
      } else if (label) {
        lyr.bindPopup(document.createTextNode(label));
      }
      if (label) lyr.bindTooltip(label);
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-geojson]").forEach(drawMap);
});
