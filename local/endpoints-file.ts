// Reading the running engine's endpoints (written by `npm start` to <dir>/endpoints.json; the state
// directory is ENGINE_STATE_DIR, default .local).
import { readFileSync } from "node:fs";
import type { LocalEndpoints } from "./engine.ts";
import { stateDirectoryFrom, statePaths } from "./state-directory.ts";

/** Where the default engine describes its endpoints, relative to the repository root. */
export const ENDPOINTS_FILE = ".local/endpoints.json";

export function readEndpoints(file = statePaths(stateDirectoryFrom(undefined)).endpoints): LocalEndpoints {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LocalEndpoints;
  } catch {
    throw new Error(`no running engine found (${file} is missing): start one with \`npm start\``);
  }
}
