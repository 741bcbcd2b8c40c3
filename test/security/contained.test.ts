// A venue that reports the impossible about one trade must not stop start-up reconcile or the engine: that trade
// stays in flight with its funds held and the claim recorded (scrubbed), nothing of the claim is booked, and every
// other trade settles as usual. Real ledger and paper venue files; the hostile answers come from a venue wrapped to
// lie about chosen client order ids only.
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/engine/reconcile.js';
import type { QtyMicros } from '../../src/domain/money.js';
import { forgetSecretsForTests, registerSecret } from '../../src/security/secrets.js';
import { VenueProtocolError } from '../../src/venues/http/errors.js';
import type { OrderReport, Venue } from '../../src/venues/venue.js';
import { A, arbConfigJson, arbHarness, assertBooks, B, orderRequest, writeTradeState, type ArbHarness } from '../fixtures/arb.js';
import { dbOf } from '../fixtures/helpers.js';

afterEach(() => forgetSecretsForTests());

type Lie = (report: OrderReport | null, clientOrderId: string) => OrderReport | null;

/** Venue `name` of the harness, answering lookups of `ids` with `lie` (or throwing what it throws); the rest as is. */
function lyingVenues(h: ArbHarness, name: string, ids: ReadonlySet<string>, lie: Lie): Map<string, Venue> {
  const honest = h.venueSet.venues.get(name)!;
  const liar = new Proxy(honest, {
    get(target, property, receiver) {
      if (property === 'getOrderByClientId') {
        return async (clientOrderId: string, market: string) => {
          const report = await target.getOrderByClientId(clientOrderId, market);
          return ids.has(clientOrderId) ? lie(report, clientOrderId) : report;
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Map([...h.venueSet.venues].map(([key, venue]) => [key, key === name ? liar : venue]));
}

/** Two trades left submitted with both orders at the venues (a crash after the send); returns their A legs' ids. */
async function twoTradesInFlight(h: ArbHarness): Promise<{ hostile: string; honest: string; hostileTrade: number; honestTrade: number }> {
  const trades: ReturnType<typeof writeTradeState>[] = [];
  for (let index = 0; index < 2; index += 1) {
    const written = writeTradeState(h, await h.best(), 'submitted');
    for (const leg of written.legs) await h.venueSet.venues.get(leg.venue)!.placeOrder(orderRequest(leg));
    trades.push(written);
  }
  const legA = (index: number) => trades[index]!.legs.find((leg) => leg.leg === 'a')!;
  return { hostile: legA(0).client_order_id, honest: legA(1).client_order_id, hostileTrade: trades[0]!.trade.id, honestTrade: trades[1]!.trade.id };
}

/** What reconcile leaves unresolved about trades (venue balances cannot agree while a trade is in flight). */
function tradeIssues(report: Awaited<ReturnType<typeof reconcile>>): string[] {
  return report.unresolved.filter((entry) => entry.kind !== 'venue_balance').map((entry) => entry.detail);
}

function positionsOf(h: ArbHarness, venue: string): { quantity: number }[] {
  return dbOf(h.ledger).prepare('SELECT quantity FROM positions WHERE venue = ?').all(venue) as { quantity: number }[];
}

describe('a venue reporting the impossible about one trade at start-up', () => {
  it('an overfill (1000× the leg): that trade stays in flight, funds held, claim kept; the other trade settles', async () => {
    const h = await arbHarness({ config: arbConfigJson() });
    const { hostile, hostileTrade, honestTrade } = await twoTradesInFlight(h);
    const venues = lyingVenues(h, A, new Set([hostile]), (report) => report && { ...report, filledQuantity: (report.filledQuantity * 1000) as QtyMicros });
    const report = await reconcile(h.ledger, h.config, { dryRun: false, venues });
    expect(tradeIssues(report)).toEqual([expect.stringMatching(new RegExp(`^arb #${hostileTrade}: left in flight, its funds held: kalshi: impossible report: filled quantity: .* of .* ordered`))]);
    expect(h.store.requireTrade(hostileTrade)).toMatchObject({ state: 'submitted', note: expect.stringContaining('kalshi: impossible report: filled quantity') });
    expect(h.store.requireTrade(honestTrade)).toMatchObject({ state: 'settled', outcome: 'hedged' });
    // Nothing of the claim was booked: the hostile trade's legs keep their quantity and hold their reservations.
    const legs = h.store.legsOf(hostileTrade);
    expect(legs.map((leg) => [leg.state, leg.filled_quantity])).toEqual([['unknown', 0], ['unknown', 0]]);
    expect(h.pendingReservations()).toBe(2);
    expect(positionsOf(h, A).every((position) => position.quantity < 1000 * 1_000_000)).toBe(true);
    assertBooks(h);

    // Control: the venue tells the truth once more, and the same trade settles.
    const again = await reconcile(h.ledger, h.config, { dryRun: false, venues: h.venueSet.venues });
    expect(again.unresolved).toEqual([]);
    expect(h.store.requireTrade(hostileTrade)).toMatchObject({ state: 'settled', outcome: 'hedged' });
    assertBooks(h);
  });

  it('a lookup answered with a VenueProtocolError: the leg stays unknown with the claim recorded, scrubbed', async () => {
    registerSecret('echoed-passphrase-123');
    const h = await arbHarness();
    const { hostile, hostileTrade, honestTrade } = await twoTradesInFlight(h);
    const venues = lyingVenues(h, A, new Set([hostile]), () => {
      throw new VenueProtocolError('kalshi', 'fills[0].fee_cost', 'a negative fee of -1.0000 (echoed-passphrase-123)');
    });
    const report = await reconcile(h.ledger, h.config, { dryRun: false, venues });
    expect(tradeIssues(report)).toEqual([expect.stringMatching(/leg A on kalshi \(.*\) outcome unknown \(kalshi: impossible report: fills\[0\]\.fee_cost: a negative fee of -1\.0000 \(\[redacted\]\)\)/)]);
    const leg = h.store.legsOf(hostileTrade).find((candidate) => candidate.leg === 'a')!;
    expect(leg).toMatchObject({ state: 'unknown', filled_quantity: 0, error: 'kalshi: impossible report: fills[0].fee_cost: a negative fee of -1.0000 ([redacted])' });
    // The other venue's answer for the same trade is kept (not asked again later), but not settled: that is for a person.
    expect(h.store.legsOf(hostileTrade).find((candidate) => candidate.leg === 'b')).toMatchObject({ state: 'filled' });
    expect(h.store.requireTrade(honestTrade)).toMatchObject({ state: 'settled', outcome: 'hedged' });
    const stored = JSON.stringify(dbOf(h.ledger).prepare('SELECT * FROM arb_leg_events').all());
    expect(stored).not.toContain('echoed-passphrase-123');
    assertBooks(h);
  });

  it('an armed trade the venue claims an order for beyond its bounds is not recorded sent (a phantom 1000×)', async () => {
    const h = await arbHarness();
    const { trade, legs } = writeTradeState(h, await h.best(), 'reserved');
    const legA = legs.find((leg) => leg.leg === 'a')!;
    const phantom: OrderReport = {
      clientOrderId: legA.client_order_id,
      venueOrderId: 'phantom-1',
      status: 'filled',
      filledQuantity: (legA.quantity * 1000) as QtyMicros,
      remainingQuantity: 0 as QtyMicros,
      filledNotional: 0 as OrderReport['filledNotional'],
      feePaid: 0 as OrderReport['feePaid'],
      fills: [],
      rejectReason: null,
    };
    const venues = lyingVenues(h, A, new Set([legA.client_order_id]), () => phantom);
    const report = await reconcile(h.ledger, h.config, { dryRun: false, venues });
    expect(tradeIssues(report)).toEqual([expect.stringMatching(new RegExp(`^arb #${trade.id}: left in flight, its funds held: kalshi: impossible report: order quantity: `))]);
    expect(h.store.requireTrade(trade.id).state).toBe('reserved');
    expect(h.store.legsOf(trade.id).map((leg) => [leg.state, leg.quantity])).toEqual(legs.map((leg) => ['reserved', leg.quantity]));
    expect(h.pendingReservations()).toBe(2);
    assertBooks(h);
    // Control: the venue truthfully has no order under the armed ids: released.
    const honest = await reconcile(h.ledger, h.config, { dryRun: false, venues: h.venueSet.venues });
    expect(honest.unresolved).toEqual([]);
    expect(h.store.requireTrade(trade.id).state).toBe('failed');
    expect(h.pendingReservations()).toBe(0);
    expect(B).toBe('poly');
  });
});
