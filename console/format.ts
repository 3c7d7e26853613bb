// How the console writes times, durations and values.

export const clockTime = (epochMs: number) => new Date(epochMs).toISOString().slice(11, 23);

export const dateTime = (epochMs: number) => new Date(epochMs).toISOString().replace("T", " ").slice(0, 19);

export function duration(ms: number | undefined): string {
  if (ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);
