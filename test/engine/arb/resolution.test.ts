// A hedged pair is held to resolution: the TP/SL ladder leaves it alone, and when both venues resolve the market
// the winning side pays 1 per contract, the realised PnL is exactly payout − costs − fees, and all capital is freed.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src/engine/engine.js';
import { executeArb } from '../../../src/engine/arb/executor.js';
import { A, A_MARKET, arbHarness, B, B_MARKET, usd, type ArbHarness } from '../../fixtures/arb.js';

const T0 = Date.UTC(2026, 0, 1);

async function hedgedPair(h: ArbHarness) {
  const result = await executeArb(h.deps, await h.best());
  if (result.status !== 'settled' || result.settlement.trade.outcome !== 'hedged') throw new Error(`not hedged: ${JSON.stringify(result)}`);
  return result;
}

function engineOn(h: ArbHarness): Engine {
  return new Engine({ ledger: h.ledger, config: h.config, venues: h.venueSet.venues, listener: () => undefined });
}

describe('resolution of a hedged pair', () => {
  for (const winner of ['yes', 'no'] as const) {
    it(`pays 1 per contract on the winning side (${winner.toUpperCase()}), realises exactly the expected edge and frees all capital`, async () => {
      const h = await arbHarness();
      await hedgedPair(h);
      const engine = engineOn(h);
      await engine.start();
      // A quote that would stop out a single long position does not touch a hedged pair.
      await engine.handle({ type: 'quote', venue: A, market: A_MARKET, bid: '0.20', ask: '0.80', timestampMs: T0 });
      expect(h.ledger.listPositions('open')).toHaveLength(2);
      await engine.handle({ type: 'resolve', venue: A, market: A_MARKET, outcome: winner, timestampMs: T0 + 1000 });
      await engine.handle({ type: 'resolve', venue: B, market: B_MARKET, outcome: winner, timestampMs: T0 + 2000 });
      const positions = h.ledger.listPositions('all');
      expect(positions.map((p) => p.status)).toEqual(['closed', 'closed']);
      // Leg A is kalshi YES (cost 42, fee 0.84), leg B poly NO (cost 55, fee 1.10); one of them pays $100.
      const payout = (p: (typeof positions)[number]) => (p.exitPrice ?? 0) === 1_000_000;
      expect(positions.map(payout)).toEqual(winner === 'yes' ? [true, false] : [false, true]);
      const realised = positions.reduce((sum, p) => sum + (p.netPnl ?? 0), 0);
      expect(realised).toBe(usd('100') - usd('42') - usd('55') - usd('0.84') - usd('1.1'));
      expect(realised).toBe(usd('1.06'));
      expect(engine.stats.realisedNetPnl).toBe(usd('1.06'));
      // The engine holds the pair's next trade armed until it stops.
      engine.stop();
      for (const venue of [A, B]) expect(h.wallet(venue).locked).toBe(0);
      expect(h.wallet(A).total + h.wallet(B).total).toBe(usd('2001.06'));
      // The venues paid exactly what the ledger booked.
      const checks = await h.venueBalances();
      expect(checks.map((check) => [check.venue, check.agrees])).toEqual([
        [A, true],
        [B, true],
      ]);
      expect(checks.map((check) => check.venueCash)).toEqual(
        winner === 'yes' ? ['1057.160000', '943.900000'] : ['957.160000', '1043.900000'],
      );
    });
  }

  it('resolving one venue settles only that leg; resolving it again changes nothing', async () => {
    const h = await arbHarness();
    await hedgedPair(h);
    const engine = engineOn(h);
    await engine.handle({ type: 'resolve', venue: A, market: A_MARKET, outcome: 'yes', timestampMs: T0 });
    expect(h.ledger.listPositions('open').map((p) => p.venue)).toEqual([B]);
    const transactions = h.transactionCount();
    await engine.handle({ type: 'resolve', venue: A, market: A_MARKET, outcome: 'yes', timestampMs: T0 + 1000 });
    expect(h.transactionCount()).toBe(transactions);
    expect((await h.venueBalances()).every((check) => check.agrees)).toBe(true);
  });
});
