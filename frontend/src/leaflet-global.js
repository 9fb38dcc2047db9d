// Leaflet-Geoman extends the global L: expose the bundled Leaflet before it loads.
import L from "leaflet";

window.L = L;
