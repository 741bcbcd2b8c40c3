// Which engine events become alerts, in what words; and a pause alerted only once it has lasted.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { alertOf, PauseAlerts } from '../../../src/app/notify/alerts.js';
import type { Alert } from '../../../src/app/notify/channels.js';
import type { EngineEvent } from '../../../src/engine/events.js';

const AT = new Date(0);
const event = (value: unknown) => value as EngineEvent;
const report = (unresolved: { venue: string | null; detail: string }[]) => ({ dryRun: false, consistent: unresolved.length === 0, actions: [], unresolved: unresolved.map((u) => ({ ...u, kind: 'x' })), venueBalances: [] });

describe('alertOf', () => {
  it('words each alerting event', () => {
    const cases: [unknown, string | null][] = [
      [{ kind: 'unhedged', tradeId: 4, positionId: 9, outcome: 'held' }, 'unhedged_leg: arbbot: unhedged leg: position 9 of arb #4, held'],
      [{ kind: 'attention', positionId: 3, market: 'FED', reason: 'close refused' }, 'attention: arbbot: position 3 (FED) needs attention: close refused'],
      [{ kind: 'arb', opportunity: { pair: 'fed' }, result: { status: 'needs_attention', tradeId: 7, reason: 'overfill' }, latencyMs: 1 }, 'attention: arbbot: arb #7 (fed) needs attention: overfill'],
      [{ kind: 'closed', result: { deficitBooked: 1_234_500, position: { id: 2, venue: 'ka', market: 'FED' } } }, 'deficit: arbbot: deficit booked on ka: $1.2345 owed after closing position 2 (FED)'],
      [{ kind: 'risk_limit', state: 'reached', breach: { message: 'risk.maxOpenPositions 2 reached' }, reason: null }, 'risk_limit: arbbot: risk limit reached: risk.maxOpenPositions 2 reached'],
      [{ kind: 'reconciled', report: report([{ venue: 'ka', detail: 'order unknown' }, { venue: null, detail: 'b' }]), openPositions: 0, locked: 0 }, 'reconcile: arbbot: start-up reconcile left 2 unresolved: [ka] order unknown'],
      [{ kind: 'resumed', venue: 'po', report: report([{ venue: null, detail: 'balance differs' }]) }, 'reconcile: arbbot: po resume reconcile left 1 unresolved: balance differs'],
      [{ kind: 'utilization', state: 'above', venue: 'ka', utilizationPpm: 900_000, warnPpm: 800_000, locked: 90_000_000, total: 100_000_000 }, 'utilization: arbbot: ka utilisation 90.00% is above the 80.00% warning (locked $90.00 of $100.00)'],
      // Controls: the same kinds when nothing is wrong, and events that are not alerts.
      [{ kind: 'arb', opportunity: { pair: 'fed' }, result: { status: 'settled', tradeId: 7 }, latencyMs: 1 }, null],
      [{ kind: 'closed', result: { deficitBooked: 0, position: { id: 2, venue: 'ka', market: 'FED' } } }, null],
      [{ kind: 'risk_limit', state: 'lifted', breach: { message: 'm' }, reason: 'midnight' }, null],
      [{ kind: 'reconciled', report: report([]), openPositions: 0, locked: 0 }, null],
      [{ kind: 'utilization', state: 'below', venue: 'ka', utilizationPpm: 0, warnPpm: 800_000, locked: 0, total: 1 }, null],
      [{ kind: 'quote_rejected', venue: 'ka', market: 'FED', reason: 'crossed', detail: '' }, null],
      [{ kind: 'paused', venue: 'ka', reason: 'stale' }, null],
    ];
    for (const [input, expected] of cases) {
      const alert = alertOf(event(input), AT);
      expect(alert === null ? null : `${alert.kind}: ${alert.text}`).toBe(expected);
    }
  });
});

describe('PauseAlerts', () => {
  afterEach(() => vi.useRealTimers());

  it('alerts once a pause outlasts the bound, not when it ends before', () => {
    vi.useFakeTimers();
    const raised: Alert[] = [];
    const pauses = new PauseAlerts(60_000, (alert) => raised.push(alert));
    pauses.observe(event({ kind: 'paused', venue: 'ka', reason: 'stale' }));
    pauses.observe(event({ kind: 'paused', venue: 'po', reason: 'disconnect' }));
    vi.advanceTimersByTime(59_000);
    pauses.observe(event({ kind: 'resumed', venue: 'po', report: report([]) }));
    expect(raised).toEqual([]);
    vi.advanceTimersByTime(1_001);
    expect(raised.map((alert) => alert.text)).toEqual(['arbbot: ka paused (stale) for over 60 s: no trading on it']);
    vi.advanceTimersByTime(600_000);
    expect(raised).toHaveLength(1);
    pauses.observe(event({ kind: 'paused', venue: 'po', reason: 'disconnect' }));
    pauses.stop();
    vi.advanceTimersByTime(600_000);
    expect(raised).toHaveLength(1);
  });
});
