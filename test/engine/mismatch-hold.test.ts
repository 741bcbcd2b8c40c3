// A venue held for books that disagree with the ledger still has sound prices: its open positions' stops fire, and
// only new entries and arbitrage wait. The control: a venue paused for a disconnect decides nothing on its prices.
import { afterEach, describe, expect, it } from 'vitest';
import { MismatchHold } from '../../src/engine/mismatch-hold.js';
import type { ReconcileReport } from '../../src/engine/reconcile.js';
import { at, startEngine, type Harness } from '../fixtures/engine.js';

const harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.shutdown();
});

const MISMATCH: ReconcileReport = {
  dryRun: false,
  consistent: false,
  actions: [],
  unresolved: [{ venue: 'paper', kind: 'venue_balance', detail: 'venue holds 1.000000, ledger expects 2.000000' }],
  venueBalances: [],
};

describe('a held venue', () => {
  for (const why of ['held', 'disconnected'] as const) {
    it(why === 'held' ? 'still closes a position whose stop is crossed' : 'the control: a disconnected venue closes nothing', async () => {
      const h = await startEngine();
      harnesses.push(h);
      await h.feed([{ ts: at(0), venue: 'paper', market: 'SOL-USD', price: '100' }]);
      const id = h.open({ side: 'long', price: '100' });
      if (why === 'held') h.engine.hold.update(MISMATCH, 0);
      else await h.feed([{ ts: at(1), type: 'disconnect', venue: 'paper' }]);
      expect(h.engine.hold.isHeld('paper')).toBe(why === 'held');
      await h.feed([{ ts: at(2), venue: 'paper', market: 'SOL-USD', price: '94' }]);
      expect(h.position(id).status).toBe(why === 'held' ? 'closed' : 'open');
    });
  }

  it('is released by a reconcile that finds it consistent, and asks for one every 30 s until then', () => {
    const hold = new MismatchHold(30_000);
    expect(hold.update(MISMATCH, 1_000)).toEqual({ held: ['paper'], released: [] });
    expect([hold.recheckDue(() => 30_999), hold.recheckDue(() => 31_000)]).toEqual([false, true]);
    expect(hold.update(MISMATCH, 31_000)).toEqual({ held: [], released: [] });
    expect(hold.update({ ...MISMATCH, consistent: true, unresolved: [] }, 61_000)).toEqual({ held: [], released: ['paper'] });
    expect([hold.isHeld('paper'), hold.recheckDue(() => 1e12)]).toEqual([false, false]);
  });
});
