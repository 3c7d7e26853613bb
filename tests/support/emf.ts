// Captures the EMF lines Powertools Metrics writes to stdout, as CloudWatch would ingest them.
import { afterEach, beforeEach, vi } from "vitest";

export interface EmfRecord {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [field: string]: unknown;
}

export function captureEmf(): { records: EmfRecord[]; count(metricName: string): number } {
  const records: EmfRecord[] = [];
  beforeEach(() => {
    records.length = 0;
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, "write").mockImplementation((chunk, ...rest) => {
      const lines = String(chunk).split("\n");
      for (const line of lines) {
        if (line.includes('"_aws"')) records.push(JSON.parse(line) as EmfRecord);
      }
      // EMF lines are captured, not echoed; everything else still reaches the terminal.
      return lines.every((line) => line === "" || line.includes('"_aws"')) ? true : write(chunk, ...(rest as []));
    });
  });
  afterEach(() => vi.restoreAllMocks());
  return {
    records,
    count: (metricName) =>
      records
        .filter((record) =>
          record._aws.CloudWatchMetrics.some((m) => m.Metrics.some((metric) => metric.Name === metricName)),
        )
        .reduce((sum, record) => sum + Number(record[metricName] ?? 0), 0),
  };
}
