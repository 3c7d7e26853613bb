// The EMF lines Powertools Metrics wrote during the current test, as CloudWatch would ingest them.
import { functionOutput } from "./function-output.ts";

export interface EmfRecord {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [field: string]: unknown;
}

export interface EmfCapture {
  readonly records: EmfRecord[];
  /** The sum of the metric's values: a count's total. */
  count(metricName: string): number;
  /** How many values of the metric were written, as CloudWatch's SampleCount would show them. */
  datapoints(metricName: string): number;
}

const declares = (record: EmfRecord, metricName: string) =>
  record._aws.CloudWatchMetrics.some((m) => m.Metrics.some((metric) => metric.Name === metricName));

const emfRecords = () => functionOutput().filter((line) => "_aws" in line) as EmfRecord[];

const valuesOfMetric = (metricName: string) =>
  emfRecords()
    .filter((record) => declares(record, metricName))
    .flatMap((record) => valuesOf(record[metricName]));

/** Reads the current test's EMF lines, which the setup file keeps (tests/support/function-output.ts). */
export function captureEmf(): EmfCapture {
  return {
    get records() {
      return emfRecords();
    },
    count: (metricName) => valuesOfMetric(metricName).reduce((sum, value) => sum + value, 0),
    datapoints: (metricName) => valuesOfMetric(metricName).length,
  };
}

/** An EMF metric member is one number, or a list of them when the line carries several datapoints. */
function valuesOf(member: unknown): number[] {
  if (Array.isArray(member)) return member.map(Number);
  return member === undefined ? [] : [Number(member)];
}
