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
      for (const line of String(chunk).split("\n")) {
        if (line.includes('"_aws"')) records.push(JSON.parse(line) as EmfRecord);
      }
      return write(chunk, ...(rest as []));
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
