// The tick-to-order latency an arbitrage reports: measured on the engine's wall clock from the quote's arrival to
// the moment both orders are in the venues' hands — after both placeOrder calls, before either answer.
import { describe, expect, it } from 'vitest';
import { ArbTrader, type ArbStats } from '../../../src/engine/arb/trader.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { A, A_MARKET, arbHarness, arbConfigJson } from '../../fixtures/arb.js';

function stats(): ArbStats {
  return { arbsFound: 0, arbsExecuted: 0, arbsFailed: 0, arbsNeedingAttention: 0, arbOutcomes: new Map(), unhedgedLegs: 0, unhedgedResolved: new Map() };
}

async function tradeOnce(armAhead: boolean, arrivedMs: number | null): Promise<{ events: EngineEvent[]; steps: string[] }> {
  const h = await arbHarness({ config: { ...arbConfigJson(), arbitrage: { armAhead } } });
  const steps: string[] = [];
  for (const venue of [h.a, h.b]) {
    const place = venue.placeOrder.bind(venue);
    venue.placeOrder = (request) => {
      steps.push(`sent ${venue.name}`);
      return place(request).then((report) => {
        steps.push(`answered ${venue.name}`);
        return report;
      });
    };
  }
  let clockMs = 1_000;
  const clock = () => {
    steps.push('clock');
    clockMs += 0.25;
    return clockMs;
  };
  const events: EngineEvent[] = [];
  const trader = new ArbTrader(h.deps, stats(), (event) => events.push(event), { risk: null, fundsMoved: () => undefined, wallClockMs: clock });
  await trader.armAll();
  await trader.onQuote(A, A_MARKET, () => false, arrivedMs);
  return { events, steps };
}

describe('tick-to-order latency', () => {
  for (const armAhead of [false, true]) {
    it(`is read once both orders are handed over and before any answer (armAhead ${armAhead})`, async () => {
      const { events, steps } = await tradeOnce(armAhead, 1_000);
      const arb = events.find((event) => event.kind === 'arb');
      expect(arb).toMatchObject({ result: { status: 'settled' }, latencyMs: 0.25 });
      const sent = steps.filter((step) => step.startsWith('sent'));
      expect(sent).toHaveLength(2);
      const clockAt = steps.indexOf('clock');
      expect(steps.slice(0, clockAt)).toEqual(sent);
      expect(steps.slice(clockAt + 1).filter((step) => step.startsWith('answered'))).toHaveLength(2);
    });
  }

  it('is null when the quote\'s arrival was not given', async () => {
    const { events } = await tradeOnce(false, null);
    expect(events.find((event) => event.kind === 'arb')).toMatchObject({ result: { status: 'settled' }, latencyMs: null });
  });
});
