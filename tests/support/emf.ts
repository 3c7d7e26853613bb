// Captures the EMF lines Powertools Metrics writes to stdout, as CloudWatch would ingest them.
import { afterEach, beforeEach, vi } from "vitest";

export interface EmfRecord {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [field: string]: unknown;
}

export interface EmfCapture {
  records: EmfRecord[];
  /** The sum of the metric's values: a count's total. */
  count(metricName: string): number;
  /** How many values of the metric were written, as CloudWatch's SampleCount would show them. */
  datapoints(metricName: string): number;
}

const declares = (record: EmfRecord, metricName: string) =>
  record._aws.CloudWatchMetrics.some((m) => m.Metrics.some((metric) => metric.Name === metricName));

export function captureEmf(): EmfCapture {
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
        .filter((record) => declares(record, metricName))
        .flatMap((record) => valuesOf(record[metricName]))
        .reduce((sum, value) => sum + value, 0),
    datapoints: (metricName) =>
      records.filter((record) => declares(record, metricName)).flatMap((record) => valuesOf(record[metricName])).length,
  };
}

/** An EMF metric member is one number, or a list of them when the line carries several datapoints. */
function valuesOf(member: unknown): number[] {
  if (Array.isArray(member)) return member.map(Number);
  return member === undefined ? [] : [Number(member)];
}
