// The console's page: one HTML shell, one script and one stylesheet, bundled by esbuild from console/
// (Preact, dagre and uPlot included) into out/console/, so the page needs nothing from the network.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const ASSETS_DIRECTORY = fileURLToPath(new URL("../../out/console/", import.meta.url));
const entry = fileURLToPath(new URL("../../console/main.tsx", import.meta.url));

export const indexHtml = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Engine console</title>
<link rel="stylesheet" href="/assets/console.css">
<script type="module" src="/assets/console.js"></script>
</head>
<body><div id="app"></div></body>
</html>
`;

/** Builds the page into `directory`; resolves once every file is written. */
export async function buildConsoleAssets(directory = ASSETS_DIRECTORY): Promise<void> {
  mkdirSync(directory, { recursive: true });
  await build({
    entryPoints: { console: entry },
    outdir: directory,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "linked",
    logLevel: "warning",
  });
  writeFileSync(`${directory}/index.html`, indexHtml);
}
