// The exposition writer: the exact text of each metric type, label values escaped so that any text round-trips
// through a strict reader, and what the format forbids refused.
import { describe, expect, it } from 'vitest';
import { escapeLabelValue, exposition, formatValue, Histogram, type MetricFamily } from '../../../src/app/metrics/exposition.js';
import { parseExposition, sampleValue } from '../../fixtures/exposition.js';

describe('exposition', () => {
  it('writes HELP and TYPE before the samples of counters and gauges', () => {
    const text = exposition([
      { type: 'counter', name: 'x_events_total', help: 'Events seen.', samples: [{ labels: {}, value: 3 }] },
      { type: 'gauge', name: 'x_wallet_dollars', help: 'Money.', samples: [{ labels: { venue: 'a' }, value: 12.5 }, { labels: { venue: 'b' }, value: 0 }] },
    ]);
    expect(text).toBe(
      [
        '# HELP x_events_total Events seen.',
        '# TYPE x_events_total counter',
        'x_events_total 3',
        '# HELP x_wallet_dollars Money.',
        '# TYPE x_wallet_dollars gauge',
        'x_wallet_dollars{venue="a"} 12.5',
        'x_wallet_dollars{venue="b"} 0',
        '',
      ].join('\n'),
    );
  });

  it('escapes backslash, double quote and line feed in label values, and backslash and line feed in HELP', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const nasty = 'C:\\path "quoted"\nsecond line } , x="y"';
    const text = exposition([{ type: 'counter', name: 'x_total', help: 'Help with \\ and\nnewline "as is".', samples: [{ labels: { reason: nasty }, value: 1 }] }]);
    expect(text).toContain('x_total{reason="C:\\\\path \\"quoted\\"\\nsecond line } , x=\\"y\\""} 1\n');
    expect(text).toContain('# HELP x_total Help with \\\\ and\\nnewline "as is".\n');
    const parsed = parseExposition(text);
    expect(parsed.samples).toEqual([{ name: 'x_total', labels: { reason: nasty }, value: 1 }]);
    expect(parsed.help.get('x_total')).toBe('Help with \\ and\nnewline "as is".');
  });

  it('writes a histogram with cumulative buckets up to +Inf, its sum and count', () => {
    const histogram = new Histogram([0.001, 0.01, 0.1]);
    for (const seconds of [0.0005, 0.001, 0.005, 0.05, 0.05, 3]) histogram.observe(seconds);
    histogram.observe(-1); // a clock that stepped back: not an observation
    histogram.observe(NaN);
    const text = exposition([{ type: 'histogram', name: 'x_latency_seconds', help: 'Latency.', series: [histogram.series({ pair: 'p' })] }]);
    expect(text).toBe(
      [
        '# HELP x_latency_seconds Latency.',
        '# TYPE x_latency_seconds histogram',
        'x_latency_seconds_bucket{pair="p",le="0.001"} 2',
        'x_latency_seconds_bucket{pair="p",le="0.01"} 3',
        'x_latency_seconds_bucket{pair="p",le="0.1"} 5',
        'x_latency_seconds_bucket{pair="p",le="+Inf"} 6',
        'x_latency_seconds_sum{pair="p"} 3.1065',
        'x_latency_seconds_count{pair="p"} 6',
        '',
      ].join('\n'),
    );
    expect(sampleValue(parseExposition(text), 'x_latency_seconds_bucket', { le: '+Inf' })).toBe(6);
  });

  it('an empty histogram still has every bucket, at zero', () => {
    const text = exposition([{ type: 'histogram', name: 'h_seconds', help: 'H.', series: [new Histogram([1]).series()] }]);
    expect(text).toBe('# HELP h_seconds H.\n# TYPE h_seconds histogram\nh_seconds_bucket{le="1"} 0\nh_seconds_bucket{le="+Inf"} 0\nh_seconds_sum 0\nh_seconds_count 0\n');
  });

  it('spells out infinities and NaN', () => {
    expect([Infinity, -Infinity, NaN, 0.1, 1e21, -2].map(formatValue)).toEqual(['+Inf', '-Inf', 'NaN', '0.1', '1e+21', '-2']);
    expect(parseExposition(exposition([{ type: 'gauge', name: 'g', help: 'g', samples: [{ labels: {}, value: 1e21 }] }])).samples[0]?.value).toBe(1e21);
  });

  it('refuses what the format forbids', () => {
    const counter = (name: string, value = 1, labels: Record<string, string> = {}): MetricFamily => ({ type: 'counter', name, help: 'h', samples: [{ labels, value }] });
    expect(() => exposition([counter('x_events')])).toThrow(/must end in _total/);
    expect(() => exposition([counter('x-bad_total')])).toThrow(/invalid metric name/);
    expect(() => exposition([counter('x_total', 1, { 'bad-label': 'v' })])).toThrow(/invalid label name/);
    expect(() => exposition([counter('x_total', -1)])).toThrow(/negative/);
    expect(() => exposition([counter('x_total'), counter('x_total')])).toThrow(/twice/);
    const bounds = (boundsLe: number[]): MetricFamily => ({ type: 'histogram', name: 'h', help: 'h', series: [{ labels: {}, boundsLe, bucketCounts: boundsLe.map(() => 0), overflowCount: 0, sum: 0 }] });
    expect(() => exposition([bounds([1, 1])])).toThrow(/bounds must increase/);
    expect(() => exposition([bounds([1, Infinity])])).toThrow(/bounds must increase/);
    expect(() => exposition([{ type: 'histogram', name: 'h', help: 'h', series: [{ ...new Histogram([1]).series(), labels: { le: '2' } }] }])).toThrow(/"le"/);
    // Controls: the same families written properly pass.
    expect(() => exposition([counter('x_events_total'), bounds([1, 2])])).not.toThrow();
  });

  it('the test reader refuses a sample without a TYPE line, and broken escapes', () => {
    expect(() => parseExposition('x_total 1\n')).toThrow(/no TYPE/);
    expect(() => parseExposition('# TYPE x_total counter\nx_total{a="unterminated} 1\n')).toThrow();
    expect(parseExposition('# TYPE x_total counter\nx_total{a="b"} 1\n').samples).toHaveLength(1);
  });
});
