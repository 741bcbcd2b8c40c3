// The Prometheus text exposition format, version 0.0.4: a HELP and a TYPE line per metric family, then its samples.
// Written here rather than taken from a client library: the format is a page long, and the engine's figures are
// read at scrape time, not kept in a registry of their own.

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

/** One histogram series: `bucketCounts[i]` observations fell at or below `boundsLe[i]` and above the bound before it. */
export interface HistogramSeries {
  readonly labels: Labels;
  readonly boundsLe: readonly number[];
  readonly bucketCounts: readonly number[];
  /** Observations above the last bound (the +Inf bucket's own share). */
  readonly overflowCount: number;
  readonly sum: number;
}

export type MetricFamily =
  | { readonly type: 'counter' | 'gauge'; readonly name: string; readonly help: string; readonly samples: readonly Sample[] }
  | { readonly type: 'histogram'; readonly name: string; readonly help: string; readonly series: readonly HistogramSeries[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A label value inside double quotes: backslash, double quote and line feed escaped, as the format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes backslash and line feed only (a double quote stands as is there). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as the format writes it: +Inf, -Inf and NaN spelled out, other numbers in JavaScript's shortest form. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function labelText(labels: Labels, extra: readonly (readonly [string, string])[] = []): string {
  const pairs = [...Object.entries(labels), ...extra];
  if (pairs.length === 0) return '';
  for (const [name] of pairs) if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`metrics: invalid label name "${name}"`);
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

function assertFamily(family: MetricFamily): void {
  if (!METRIC_NAME.test(family.name)) throw new Error(`metrics: invalid metric name "${family.name}"`);
  // A counter's samples are named with _total (the family too, in 0.0.4's text form).
  if (family.type === 'counter' && !family.name.endsWith('_total')) throw new Error(`metrics: counter ${family.name} must end in _total`);
  if (family.type === 'counter') for (const sample of family.samples) if (!(sample.value >= 0)) throw new Error(`metrics: counter ${family.name} went negative`);
}

function histogramLines(name: string, series: HistogramSeries): string[] {
  const { boundsLe, bucketCounts, labels } = series;
  if (boundsLe.length !== bucketCounts.length) throw new Error(`metrics: histogram ${name} has ${boundsLe.length} bounds and ${bucketCounts.length} counts`);
  if ('le' in labels) throw new Error(`metrics: histogram ${name} may not carry its own "le" label`);
  const lines: string[] = [];
  let cumulative = 0;
  let previous = -Infinity;
  boundsLe.forEach((bound, index) => {
    if (!(bound > previous) || bound === Infinity) throw new Error(`metrics: histogram ${name} bounds must increase and stay finite`);
    previous = bound;
    cumulative += bucketCounts[index] ?? 0;
    lines.push(`${name}_bucket${labelText(labels, [['le', formatValue(bound)]])} ${cumulative}`);
  });
  const count = cumulative + series.overflowCount;
  lines.push(`${name}_bucket${labelText(labels, [['le', '+Inf']])} ${count}`);
  lines.push(`${name}_sum${labelText(labels)} ${formatValue(series.sum)}`);
  lines.push(`${name}_count${labelText(labels)} ${count}`);
  return lines;
}

/** The exposition text of `families`, in the order given; each family's name must be unique. */
export function exposition(families: readonly MetricFamily[]): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const family of families) {
    assertFamily(family);
    if (seen.has(family.name)) throw new Error(`metrics: ${family.name} written twice`);
    seen.add(family.name);
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    if (family.type === 'histogram') for (const series of family.series) lines.push(...histogramLines(family.name, series));
    else for (const sample of family.samples) lines.push(`${family.name}${labelText(sample.labels)} ${formatValue(sample.value)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** Observations counted into fixed buckets, with their sum: bounded memory however long the run. */
export class Histogram {
  private readonly bucketCounts: number[];
  private overflowCount = 0;
  private sum = 0;

  constructor(readonly boundsLe: readonly number[]) {
    this.bucketCounts = boundsLe.map(() => 0);
  }

  observe(value: number): void {
    if (!Number.isFinite(value) || value < 0) return; // a clock that stepped back measures nothing
    this.sum += value;
    const index = this.boundsLe.findIndex((bound) => value <= bound);
    if (index === -1) this.overflowCount += 1;
    else this.bucketCounts[index] = (this.bucketCounts[index] ?? 0) + 1;
  }

  series(labels: Labels = {}): HistogramSeries {
    return { labels, boundsLe: this.boundsLe, bucketCounts: [...this.bucketCounts], overflowCount: this.overflowCount, sum: this.sum };
  }
}
