// A venue that can read books but not place orders (no credentials: Polymarket's books are public) must stop an
// arbitrage before anything is recorded or sent, or the other venue's leg would fill alone, unhedged.
import { describe, expect, it } from 'vitest';
import { executeArb } from '../../../src/engine/arb/executor.js';
import { VenueCredentialsError } from '../../../src/venues/errors.js';
import type { Venue } from '../../../src/venues/venue.js';
import { A, arbHarness, assertBooks, B, type ArbHarness } from '../../fixtures/arb.js';
import { dbOf } from '../../fixtures/helpers.js';

/** Venue B as a venue that cannot trade: every method its own, but assertCanTrade throws. */
function withoutCredentials(h: ArbHarness): ReadonlyMap<string, Venue> {
  const locked: Venue = Object.create(h.b, {
    assertCanTrade: {
      value: () => {
        throw new VenueCredentialsError('poly: missing credentials: POLY_API_KEY');
      },
    },
  }) as Venue;
  return new Map<string, Venue>([
    [A, h.a],
    [B, locked],
  ]);
}

function tradeCount(h: ArbHarness): number {
  return (dbOf(h.ledger).prepare('SELECT count(*) AS n FROM arb_trades').get() as { n: number }).n;
}

describe('executeArb: a venue that cannot trade', () => {
  it('fails before anything is recorded or sent: no trade, no reservation, no order on either venue', async () => {
    const h = await arbHarness();
    const result = await executeArb({ ...h.deps, venues: withoutCredentials(h) }, await h.best());
    expect(result).toEqual({ status: 'failed', tradeId: null, reason: 'poly: missing credentials: POLY_API_KEY' });
    expect(tradeCount(h)).toBe(0);
    expect(h.pendingReservations()).toBe(0);
    expect(h.paperOrders(A) + h.paperOrders(B)).toBe(0);
    assertBooks(h);
  });

  it('control: the same venues with credentials trade', async () => {
    const h = await arbHarness();
    expect((await executeArb(h.deps, await h.best())).status).toBe('settled');
    expect(tradeCount(h)).toBe(1);
    assertBooks(h);
  });
});
