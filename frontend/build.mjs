// Bundle the front-end into src/maillage/static/dist (run by `make assets`).
import { build } from "esbuild";

await build({
  entryPoints: {
    main: "frontend/src/main.js",
    field: "frontend/src/field.js",
    encounters: "frontend/src/encounters.js",
    sw: "frontend/src/sw.js",
    cowriting: "frontend/src/cowriting.js",
    mesh: "frontend/src/mesh.js",
    draw: "frontend/src/draw.js",
  },
  bundle: true,
  minify: true,
  sourcemap: false,
  target: ["es2020"],
  outdir: "src/maillage/static/dist",
  loader: { ".png": "file", ".svg": "file" },
  assetNames: "assets/[name]-[hash]",
  logLevel: "info",
});
