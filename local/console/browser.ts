// Debian's Chromium driven by playwright-core, for the console's browser tests and screenshots. No browser
// is downloaded: `.ci/run` installs the distribution's `chromium` where it is missing.
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * As root (CI) Chromium needs --no-sandbox; without the background-networking flags it keeps calling home
 * and logging refused connections.
 */
const flags = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: flags });
}
