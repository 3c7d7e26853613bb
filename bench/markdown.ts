// Markdown pieces the benchmark's report sections share.

export const table = (headers: string[], rows: (string | number)[][]) =>
  [
    `| ${headers.join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");

export const dollars = (value: number) => `$${value.toFixed(2)}`;
