// The report on a real ledger with a real hedged arbitrage pair: its edge counts as locked in while both legs are
// held, and becomes realised, to the micro-dollar, when the market resolves.
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerReport } from '../../src/app/report.js';
import { executeArb } from '../../src/engine/arb/executor.js';
import { Engine } from '../../src/engine/engine.js';
import { A, A_MARKET, arbHarness, B, B_MARKET, usd, type ArbHarness } from '../fixtures/arb.js';

const T0_MS = Date.UTC(2026, 0, 1);
const harnesses: ArbHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) await h.close();
});

describe('report of a hedged pair', () => {
  it('locks in the edge while both legs are held, and realises exactly that edge at resolution', async () => {
    const h = await arbHarness();
    harnesses.push(h);
    const before = ledgerReport(h.ledger, h.config);
    const result = await executeArb(h.deps, await h.best());
    if (result.status !== 'settled' || result.settlement.trade.outcome !== 'hedged') throw new Error(`not hedged: ${JSON.stringify(result)}`);

    // Leg A kalshi YES 100 @ 0.42 (fee 0.84), leg B poly NO 100 @ 0.55 (fee 1.10): one side pays $100.
    const held = ledgerReport(h.ledger, h.config);
    expect(held.lockedEdge).toBe(usd('1.06'));
    expect(held.pairs).toEqual([expect.objectContaining({ pair: 'fed-dec', trades: 1, hedged: 1, held: 1, lockedEdge: usd('1.06') })]);
    expect(held.pnl - before.pnl).toBe(usd('1.06'));

    const engine = new Engine({ ledger: h.ledger, config: h.config, venues: h.venueSet.venues, listener: () => undefined });
    await engine.start();
    await engine.handle({ type: 'resolve', venue: A, market: A_MARKET, outcome: 'yes', timestampMs: T0_MS });
    // One venue has resolved: what is left is one open position, not a hedge, valued at its own market's price.
    const half = ledgerReport(h.ledger, h.config);
    expect(half.lockedEdge).toBe(0);
    expect(half.pairs[0]).toMatchObject({ held: 0 });

    await engine.handle({ type: 'resolve', venue: B, market: B_MARKET, outcome: 'yes', timestampMs: T0_MS + 1000 });
    const done = ledgerReport(h.ledger, h.config);
    expect(done).toMatchObject({ lockedEdge: 0, unrealised: 0, realised: usd('1.06'), pnl: before.pnl + usd('1.06') });
    expect(done.pairs[0]).toMatchObject({ realisedNet: usd('1.06'), held: 0 });
    expect(done.equity - done.netDeposits).toBe(done.pnl);
  });
});
