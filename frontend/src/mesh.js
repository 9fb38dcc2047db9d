// The mesh observatory's network drawing: Cytoscape.js on the nodes and links of the page.
// The page holds the same data in tables; this drawing is a visual aid, keyboard users skip it.
import cytoscape from "cytoscape";

const SHAPES = { person: "ellipse", organization: "round-rectangle", territory: "diamond" };

function draw(container) {
  const source = document.getElementById(container.dataset.network);
  if (!source) return;
  const data = JSON.parse(source.textContent);
  if (!data.nodes || data.nodes.length === 0) return;
  const top = Math.max(...data.nodes.map((n) => n.weight), 1);
  const elements = [
    // Colours come with the data (mesh.presentation), so the legend and the drawing agree.
    ...data.nodes.map((n) => ({
      classes: n.number ? "numbered" : "",
      data: {
        id: n.id,
        label: n.label,
        number: n.number ? String(n.number) : "",
        kind: n.kind,
        colour: n.colour,
        shape: SHAPES[n.kind] || "ellipse",
        size: Math.max(n.number ? 24 : 0, 14 + 26 * Math.sqrt(n.weight / top)),
      },
    })),
    ...data.edges.map((e, i) => ({
      data: { id: `e${i}`, source: e.source, target: e.target, kind: e.kind, weight: e.weight },
    })),
  ];
  const cy = cytoscape({
    container,
    elements,
    wheelSensitivity: 0.2,
    layout: {
      name: "cose",
      animate: false,
      randomize: false,
      // Strong repulsion and long edges spread the dense centre, where the named nodes are.
      nodeRepulsion: 400000,
      idealEdgeLength: 120,
      edgeElasticity: 50,
      nodeOverlap: 40,
      gravity: 0.25,
      numIter: 2500,
      componentSpacing: 80,
    },
    style: [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)",
          shape: "data(shape)",
          width: "data(size)",
          height: "data(size)",
          label: "",
          "font-size": 11,
          color: "#111827",
          "text-outline-color": "#ffffff",
          "text-outline-width": 2,
        },
      },
      // A number on the most linked nodes, listed beside the drawing; a name on the one pointed at.
      { selector: "node.numbered", style: { label: "data(number)", "text-valign": "center", "font-weight": "bold" } },
      { selector: "node.hovered, node:selected", style: { label: "data(label)", "text-valign": "top", "z-index": 10 } },
      {
        selector: "node.hovered, node:selected",
        style: {
          "font-weight": "bold",
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.9,
          "text-background-padding": 2,
          "text-outline-width": 0,
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
  // The drawing is fitted to its box; names keep a readable size whatever the zoom.
  const readable = () => {
    const zoom = cy.zoom();
    cy.nodes().style({ "font-size": 12 / zoom, "text-wrap": "wrap", "text-max-width": 140 / zoom });
  };
  readable();
  cy.on("zoom", readable);
  cy.on("mouseover", "node", (event) => event.target.addClass("hovered"));
  cy.on("mouseout", "node", (event) => event.target.removeClass("hovered"));
}

document.querySelectorAll("[data-network]").forEach(draw);
