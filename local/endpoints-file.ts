// Reading the running engine's endpoints (written by `npm start` to .local/endpoints.json).
import { readFileSync } from "node:fs";
import type { LocalEndpoints } from "./engine.ts";

/** Where the running engine describes its endpoints, relative to the repository root. */
export const ENDPOINTS_FILE = ".local/endpoints.json";

export function readEndpoints(file = ENDPOINTS_FILE): LocalEndpoints {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as LocalEndpoints;
  } catch {
    throw new Error(`no running engine found (${file} is missing): start one with \`npm start\``);
  }
}
