// Builds the served banner bundle static/consentkit.js from banner/src with esbuild.
//
//   npm run build     write static/consentkit.js
//   npm run check     exit 1 when the committed bundle differs from a fresh build (CI and the tests)
//
// The sources are ES modules, one concern each (banner/README.md); the bundle is one classic script
// (an IIFE) that defines window.ConsentKit and does not start by itself. The two stylesheets are
// imported as text, minified by esbuild's CSS minifier first.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(ROOT, "static", "consentkit.js");

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

/** @returns {Promise<string>} the bundle's text */
async function build() {
  const constants = await readFile(join(ROOT, "banner", "src", "constants.js"), "utf8");
  const version = /VERSION = "([^"]+)"/.exec(constants)[1];
  const result = await esbuild.build({
    entryPoints: [join(ROOT, "banner", "src", "main.js")],
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

const code = await build();
if (process.argv.includes("--check")) {
  const committed = await readFile(OUT, "utf8").catch(() => "");
  if (committed !== code) {
    console.error("static/consentkit.js is not a fresh build of banner/src: run `npm run build`");
    process.exit(1);
  }
} else {
  await writeFile(OUT, code);
  console.log(`wrote ${OUT} (${Buffer.byteLength(code)} bytes)`);
}
