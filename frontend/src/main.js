// Site-wide behaviour: Leaflet maps drawn from GeoJSON in the page.
import L from "leaflet";
import "leaflet/dist/leaflet.css";
import "./maps.css";

const meta = document.querySelector('meta[name="map-tiles"]');
const tileUrl = meta ? meta.content : "";
const tileAttribution = document.querySelector('meta[name="map-attribution"]')?.content || "";

function drawMap(element) {
  const source = document.getElementById(element.dataset.geojson);
  if (!source) return;
  const data = JSON.parse(source.textContent);
  if (!data.features || data.features.length === 0) return;
  const map = L.map(element, { scrollWheelZoom: false, attributionControl: !!tileUrl });
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: tileAttribution, maxZoom: 19 }).addTo(map);
  }
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
      // A string given to Leaflet is inserted as HTML: names are text, so give it a text node.
      if (label) lyr.bindTooltip(document.createTextNode(label));
    },
  }).addTo(map);
  map.fitBounds(layer.getBounds(), { padding: [12, 12] });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-geojson]").forEach(drawMap);
});
