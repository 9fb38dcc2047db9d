// The mesh observatory's network drawing: Cytoscape.js on the nodes and links of the page.
// The page holds the same data in tables; this drawing is a visual aid, keyboard users skip it.
import cytoscape from "cytoscape";

const SECTOR_COLOURS = {
  academic: "#7c3aed",
  business: "#b45309",
  public_body: "#1e40af",
  association: "#15803d",
  citizens: "#be185d",
  "": "#6b7280",
};
const SHAPES = { person: "ellipse", organization: "round-rectangle", territory: "diamond" };

function draw(container) {
  const source = document.getElementById(container.dataset.network);
  if (!source) return;
  const data = JSON.parse(source.textContent);
  if (!data.nodes || data.nodes.length === 0) return;
  const top = Math.max(...data.nodes.map((n) => n.weight), 1);
  const elements = [
    ...data.nodes.map((n) => ({
      data: {
        id: n.id,
        label: n.label,
        kind: n.kind,
        colour: SECTOR_COLOURS[n.sector] || SECTOR_COLOURS[""],
        shape: SHAPES[n.kind] || "ellipse",
        size: 14 + 26 * Math.sqrt(n.weight / top),
      },
    })),
    ...data.edges.map((e, i) => ({
      data: { id: `e${i}`, source: e.source, target: e.target, kind: e.kind, weight: e.weight },
    })),
  ];
  cytoscape({
    container,
    elements,
    wheelSensitivity: 0.2,
    layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 8000, idealEdgeLength: 80 },
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)",
          shape: "data(shape)",
          width: "data(size)",
          height: "data(size)",
          label: "data(label)",
          "font-size": 9,
          color: "#111827",
          "text-outline-color": "#ffffff",
          "text-outline-width": 2,
          "min-zoomed-font-size": 7,
        },
      },
      {
        selector: "edge",
        style: {
          width: (edge) => 1 + Math.min(4, Math.log1p(edge.data("weight"))),
          "line-color": "#4b5563",
          "line-style": "dotted",
          "curve-style": "bezier",
          opacity: 0.7,
        },
      },
      { selector: 'edge[kind = "co-production"]', style: { "line-color": "#1e40af", "line-style": "solid" } },
      {
        selector: 'edge[kind = "pooling"]',
        style: {
          "line-color": "#9a3412",
          "line-style": "dashed",
          "target-arrow-shape": "triangle",
          "target-arrow-color": "#9a3412",
        },
      },
      { selector: 'edge[kind = "invitation"]', style: { "target-arrow-shape": "vee" } },
    ],
  });
}

document.querySelectorAll("[data-network]").forEach(draw);
