// `npm run console:build`: bundles the console's page into out/console/ (npm start runs it first).
import { ASSETS_DIRECTORY, buildConsoleAssets } from "./assets.ts";

const started = Date.now();
await buildConsoleAssets();
console.log(`console page built into ${ASSETS_DIRECTORY} in ${Date.now() - started} ms`);
