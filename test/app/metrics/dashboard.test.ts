// docs/grafana-dashboard.json queries only metrics the endpoint writes: a renamed metric fails here, not on a
// dashboard that silently shows nothing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MetricsCollector } from '../../../src/app/metrics/collector.js';
import { exposition } from '../../../src/app/metrics/exposition.js';
import { parseExposition } from '../../fixtures/exposition.js';

const DASHBOARD = new URL('../../../docs/grafana-dashboard.json', import.meta.url);

describe('the Grafana dashboard', () => {
  it('is JSON whose every query names a metric the collector writes', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const queried = new Set(dashboard.panels.flatMap((panel) => panel.targets.flatMap((target) => target.expr.match(/arbbot_[a-z_]+/g) ?? [])));
    const written = parseExposition(exposition(new MetricsCollector(['a'], () => ({ sent: 0, dropped: 0 })).families())).types;
    const family = (name: string) => (written.has(name) ? name : name.replace(/_(bucket|sum|count)$/, ''));
    expect([...queried].filter((name) => !written.has(family(name)))).toEqual([]);
    expect(queried.size).toBeGreaterThanOrEqual(written.size);
    // The control: a name the collector does not write is caught.
    expect(written.has(family('arbbot_no_such_metric_total'))).toBe(false);
  });
});
