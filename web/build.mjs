// Build the explorer's page into the Python package: src/bmdsim/web/static/
//   index.html, style.css, app.js (our code + lz-string, bundled by esbuild)
//   cesium/ (CesiumJS's prebuilt release: Cesium.js, Workers, Assets incl. NaturalEarthII imagery, Widgets)
// Nothing is fetched at run time: every file the page loads is in that folder.
import { build } from "esbuild";
import { cpSync, mkdirSync, rmSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "src", "bmdsim", "web", "static");
const cesiumBuild = join(here, "node_modules", "cesium", "Build", "Cesium");
if (!existsSync(cesiumBuild)) {
  console.error("web/build.mjs: node_modules/cesium is missing: run `npm ci` in web/ first (make web does)");
  process.exit(2);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// CesiumJS: the prebuilt, minified release (no source maps, no the ESM copies we do not load)
for (const part of ["Cesium.js", "Workers", "Assets", "ThirdParty", "Widgets"]) {
  cpSync(join(cesiumBuild, part), join(out, "cesium", part), { recursive: true });
}

await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: join(out, "app.js"),
  legalComments: "none",
  logLevel: "warning",
});

const version = JSON.parse(readFileSync(join(here, "node_modules", "cesium", "package.json"), "utf8")).version;
const html = readFileSync(join(here, "src", "index.html"), "utf8").replaceAll("{{CESIUM_VERSION}}", version);
writeFileSync(join(out, "index.html"), html);
cpSync(join(here, "src", "style.css"), join(out, "style.css"));
cpSync(join(here, "src", "boot.js"), join(out, "boot.js"));
console.log(`built ${out} (CesiumJS ${version})`);
