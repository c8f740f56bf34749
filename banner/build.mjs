// Builds the banner from banner/src with esbuild: static/consentkit.js (the core), static/consentkit-ui.js
// (the view it loads) and static/consentkit-stub.js (the inline stub of the snippet).
//
//   npm run build     write both
//   npm run check     exit 1 when a committed file differs from a fresh build (CI and the tests)
//
// The sources are ES modules, one concern each (banner/README.md). Each output is one classic script (an
// IIFE): the core defines window.ConsentKit and does not start by itself; the view hands its functions
// to the core. The stylesheets are imported as text, minified by esbuild's CSS minifier first.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// The stub is pasted inline into the page's <head> (consentkit/snippet.py) and installs what must come
// first; the core follows `async`; the view is loaded by the core when it must show (banner/README.md).
const OUTPUTS = { "main.js": "consentkit.js", "view.js": "consentkit-ui.js", "stub.js": "consentkit-stub.js" };

/** Imports of .css files become their minified text. */
const minifiedCss = {
  name: "minified-css",
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const { code } = await esbuild.transform(source, { loader: "css", minify: true });
      return { contents: code.trim(), loader: "text" };
    });
  },
};

/** @returns {Promise<string>} the text of the bundle of one entry point */
async function build(entry) {
  const constants = await readFile(join(ROOT, "banner", "src", "constants.js"), "utf8");
  const version = /VERSION = "([^"]+)"/.exec(constants)[1];
  const result = await esbuild.build({
    entryPoints: [join(ROOT, "banner", "src", entry)],
    bundle: true,
    format: "iife",
    minify: true,
    target: "es2020",
    charset: "utf8",
    legalComments: "none",
    banner: { js: `/*! consentkit ${version} Apache-2.0 */` },
    plugins: [minifiedCss],
    write: false,
  });
  return result.outputFiles[0].text;
}

let stale = false;
for (const [entry, name] of Object.entries(OUTPUTS)) {
  const out = join(ROOT, "static", name);
  const code = await build(entry);
  if (process.argv.includes("--check")) {
    if ((await readFile(out, "utf8").catch(() => "")) !== code) {
      console.error(`static/${name} is not a fresh build of banner/src: run \`npm run build\``);
      stale = true;
    }
  } else {
    await writeFile(out, code);
    console.log(`wrote static/${name} (${Buffer.byteLength(code)} bytes)`);
  }
}
if (stale) process.exit(1);
