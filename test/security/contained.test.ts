// A venue that reports the impossible about one trade must not stop start-up reconcile or the engine: that trade
// stays in flight with its funds held and the claim recorded (scrubbed), nothing of the claim is booked, and every
// other trade settles as usual. Real ledger and paper venue files; the hostile answers come from a venue wrapped to
// lie about chosen client order ids only.
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../src/engine/reconcile.js';
import type { QtyMicros } from '../../src/domain/money.js';
import { forgetSecretsForTests, registerSecret } from '../../src/security/secrets.js';
import { VenueProtocolError } from '../../src/venues/errors.js';
import type { OrderReport, Venue } from '../../src/venues/venue.js';
import { A, arbConfigJson, arbHarness, assertBooks, B, contracts, lyingVenues, orderRequest, writeTradeState, type ArbHarness } from '../fixtures/arb.js';
import { dbOf } from '../fixtures/helpers.js';

afterEach(() => forgetSecretsForTests());

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

function unhedgedOf(h: ArbHarness, tradeId: number): { state: string; quantity: number }[] {
  return dbOf(h.ledger).prepare('SELECT state, quantity FROM unhedged_legs WHERE trade_id = ? ORDER BY id').all(tradeId) as { state: string; quantity: number }[];
}

async function reconcileWith(h: ArbHarness, venues: ReadonlyMap<string, Venue>) {
  return reconcile(h.ledger, h.config, { dryRun: false, venues });
}

/** Whether reconcile finds `venue`'s cash as the ledger expects it. */
function venueAgrees(report: Awaited<ReturnType<typeof reconcile>>, venue: string): boolean | undefined {
  return report.venueBalances.find((check) => check.venue === venue)?.agrees;
}

describe('a venue reporting the impossible about one trade at start-up', () => {
  it('an overfill (1000× the leg): that leg held, its funds reserved, the claim kept; the other leg booked; the other trade settles', async () => {
    const h = await arbHarness({ config: arbConfigJson() });
    const { hostile, hostileTrade, honestTrade } = await twoTradesInFlight(h);
    const venues = lyingVenues(h, A, new Set([hostile]), (report) => report && { ...report, filledQuantity: (report.filledQuantity * 1000) as QtyMicros });
    const report = await reconcileWith(h, venues);
    const claim = `leg A on kalshi \\(${hostile}\\): kalshi: impossible report: filled quantity: .* of .* ordered`;
    expect(tradeIssues(report)).toEqual([expect.stringMatching(new RegExp(`^arb #${hostileTrade} needs attention: ${claim}; its funds held until`))]);
    expect(h.store.requireTrade(hostileTrade)).toMatchObject({ state: 'submitted', attention: expect.stringMatching(new RegExp(`^${claim}$`)) });
    expect(h.store.requireTrade(honestTrade)).toMatchObject({ state: 'settled', outcome: 'hedged', attention: null });
    // Nothing of the claim was booked: leg A keeps its quantity and holds its reservation. Leg B, which its venue
    // reported believably, is booked: 100 contracts, unhedged since its hedge is not known.
    const legs = h.store.legsOf(hostileTrade);
    expect(legs.map((leg) => [leg.leg, leg.state, leg.filled_quantity])).toEqual([['a', 'unknown', 0], ['b', 'settled', contracts(100)]]);
    expect(h.pendingReservations()).toBe(1);
    expect(h.ledger.requireReservation(legs[0]!.reservation_id!).state).toBe('pending');
    expect(positionsOf(h, A).every((position) => position.quantity < 1000 * 1_000_000)).toBe(true);
    expect(h.ledger.requirePosition(legs[1]!.unhedged_position_id!)).toMatchObject({ venue: B, kind: 'arb_unhedged', quantity: contracts(100), status: 'open' });
    expect(unhedgedOf(h, hostileTrade)).toEqual([{ state: 'open', quantity: contracts(100) }]);
    // The booked leg's venue holds what the ledger expects of it.
    expect(venueAgrees(report, B)).toBe(true);
    assertBooks(h);

    // Control: the venue tells the truth once more, and the same trade settles: leg A hedges leg B's contracts.
    const again = await reconcileWith(h, h.venueSet.venues);
    expect(again.unresolved).toEqual([]);
    expect(again.actions.map((a) => a.detail)).toContain(`arb #${hostileTrade}: settled from the venues' reports (hedged) (it needed attention: the venue now answers sanely)`);
    expect(h.store.requireTrade(hostileTrade)).toMatchObject({ state: 'settled', outcome: 'hedged', attention: null });
    expect(h.ledger.requirePosition(legs[1]!.unhedged_position_id!)).toMatchObject({ kind: 'arb_hedged', status: 'open' });
    expect(unhedgedOf(h, hostileTrade)).toEqual([{ state: 'hedged', quantity: contracts(100) }]);
    expect(h.store.legsOf(hostileTrade).map((leg) => [leg.state, leg.filled_quantity])).toEqual([['settled', contracts(100)], ['settled', contracts(100)]]);
    expect(h.pendingReservations()).toBe(0);
    expect(again.venueBalances.every((check) => check.agrees)).toBe(true);
    assertBooks(h);
  });

  it('a lookup answered with a VenueProtocolError: the claim kept, scrubbed; the latest claim wins and an unreachable venue hides none', async () => {
    registerSecret('echoed-passphrase-123');
    const h = await arbHarness();
    const { hostile, hostileTrade, honestTrade } = await twoTradesInFlight(h);
    const claimOf = (fee: string) => `kalshi: impossible report: fills[0].fee_cost: a negative fee of ${fee} ([redacted])`;
    const lie = (fee: string) =>
      lyingVenues(h, A, new Set([hostile]), () => {
        throw new VenueProtocolError('kalshi', 'fills[0].fee_cost', `a negative fee of ${fee} (echoed-passphrase-123)`);
      });
    const report = await reconcileWith(h, lie('-1.0000'));
    expect(tradeIssues(report)).toEqual([expect.stringContaining(`arb #${hostileTrade} needs attention: leg A on kalshi (${hostile}): ${claimOf('-1.0000')}`)]);
    const legA = () => h.store.legsOf(hostileTrade).find((candidate) => candidate.leg === 'a')!;
    expect(legA()).toMatchObject({ state: 'unknown', filled_quantity: 0, error: claimOf('-1.0000') });
    // The other venue's answer for the same trade is booked; the trade waits for the venue or a person.
    expect(h.store.legsOf(hostileTrade).find((candidate) => candidate.leg === 'b')).toMatchObject({ state: 'settled', filled_quantity: contracts(100) });
    expect(h.store.requireTrade(honestTrade)).toMatchObject({ state: 'settled', outcome: 'hedged' });

    // Unreachable now: the claim stands, as it was.
    const unreachable = lyingVenues(h, A, new Set([hostile]), () => {
      throw new Error('connect ECONNREFUSED');
    });
    const later = await reconcileWith(h, unreachable);
    expect(tradeIssues(later)).toEqual([expect.stringContaining(`needs attention: leg A on kalshi (${hostile}): ${claimOf('-1.0000')}`)]);
    expect(h.store.requireTrade(hostileTrade).attention).toBe(`leg A on kalshi (${hostile}): ${claimOf('-1.0000')}`);
    // Another claim: it replaces the first.
    await reconcileWith(h, lie('-2.0000'));
    expect(h.store.requireTrade(hostileTrade).attention).toBe(`leg A on kalshi (${hostile}): ${claimOf('-2.0000')}`);
    expect(legA().error).toBe(claimOf('-2.0000'));
    const stored = JSON.stringify([dbOf(h.ledger).prepare('SELECT * FROM arb_leg_events').all(), dbOf(h.ledger).prepare('SELECT * FROM arb_trades').all()]);
    expect(stored).not.toContain('echoed-passphrase-123');
    expect(stored).toContain('[redacted]'); // control: the claim itself was stored
    assertBooks(h);
  });

  it('an armed trade the venue claims an order for beyond its bounds: recorded sent at its bounds (not the phantom 1000×), held', async () => {
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
    const report = await reconcileWith(h, venues);
    expect(tradeIssues(report)).toEqual([expect.stringMatching(new RegExp(`^arb #${trade.id} needs attention: leg A on kalshi \\(${legA.client_order_id}\\): kalshi: impossible report: order quantity: `))]);
    // Leg A at the most it could have been sent with (its reservation covers exactly that); leg B had no order: released.
    expect(h.store.requireTrade(trade.id).state).toBe('submitted');
    expect(h.store.legsOf(trade.id).map((leg) => [leg.state, leg.quantity])).toEqual([['unknown', legA.quantity], ['settled', legs[1]!.quantity]]);
    expect(h.pendingReservations()).toBe(1);
    assertBooks(h);
    // Control: the venue truthfully has no order under the armed id: released, nothing filled.
    const honest = await reconcileWith(h, h.venueSet.venues);
    expect(honest.unresolved).toEqual([]);
    expect(h.store.requireTrade(trade.id)).toMatchObject({ state: 'settled', outcome: 'none', attention: null });
    expect(h.pendingReservations()).toBe(0);
    expect(B).toBe('poly');
  });
});
