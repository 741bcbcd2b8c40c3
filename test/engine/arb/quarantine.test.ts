// A trade a venue reports the impossible about is quarantined: the leg the claim concerns is held (unknown, its money
// reserved, the claim kept), the leg its venue answered believably is booked on its own (unhedged: its hedge is not
// known), and the trade needs attention until the venue answers sanely or a person records what happened. Real
// ledger and paper venue files; the lies come from a venue wrapped to misreport chosen orders only.
import { describe, expect, it } from 'vitest';
import type { Micros, QtyMicros } from '../../../src/domain/money.js';
import { executeArb } from '../../../src/engine/arb/executor.js';
import { resolveByHand, type HandVerdict } from '../../../src/engine/arb/hand-resolution.js';
import { tradesNeedingAttention } from '../../../src/engine/arb/quarantine.js';
import { reconcile } from '../../../src/engine/reconcile.js';
import { closePositionAt } from '../../../src/engine/trading.js';
import { InputError } from '../../../src/domain/errors.js';
import { A, arbHarness, assertBooks, B, bookSummary, contracts, lyingVenues, price, usd, type ArbHarness } from '../../fixtures/arb.js';
import { dbOf } from '../../fixtures/helpers.js';

const thousandfold = (report: Parameters<Parameters<typeof lyingVenues>[3]>[0]) => report && { ...report, filledQuantity: (report.filledQuantity * 1000) as QtyMicros };

/** An arbitrage executed while venue A overfills by 1000× past its adapter, at placement and at every look-up. */
async function quarantinedAtRunTime(h: ArbHarness) {
  const venues = lyingVenues(h, A, 'all', thousandfold, { placing: true });
  const result = await executeArb({ ...h.deps, venues }, await h.best());
  return { result, venues };
}

function unhedgedRecords(h: ArbHarness): { state: string; quantity: number }[] {
  return dbOf(h.ledger).prepare('SELECT state, quantity FROM unhedged_legs ORDER BY id').all() as { state: string; quantity: number }[];
}

function legsOf(h: ArbHarness, tradeId = 1) {
  const [a, b] = h.store.legsOf(tradeId);
  return { a: a!, b: b! };
}

const byHand = (fields: Partial<HandVerdict>): HandVerdict => ({ tradeId: 1, leg: null, filled: 0 as QtyMicros, price: null, fee: 0 as Micros, ...fields });

describe('at run time: an overfill an adapter let through', () => {
  it('is quarantined, never thrown: leg A held with the claim, leg B booked on its own, the trade needs attention', async () => {
    const h = await arbHarness();
    const { result } = await quarantinedAtRunTime(h);
    expect(result).toMatchObject({ status: 'needs_attention', tradeId: 1, reason: expect.stringMatching(/^leg A on kalshi \(.*\): kalshi: impossible report: filled quantity: 100000\.000000 filled on leg 1 .* of 100\.000000 ordered$/) });
    const { a, b } = legsOf(h);
    expect([a.state, a.filled_quantity, a.error]).toEqual(['unknown', 0, expect.stringContaining('impossible report: filled quantity')]);
    expect([b.state, b.filled_quantity]).toEqual(['settled', contracts(100)]);
    expect(h.ledger.requireReservation(a.reservation_id!).state).toBe('pending');
    expect(h.ledger.requireReservation(b.reservation_id!).state).toBe('committed');
    expect(h.ledger.listPositions('open').map((p) => [p.venue, p.kind, p.quantity])).toEqual([[B, 'arb_unhedged', contracts(100)]]);
    expect(unhedgedRecords(h)).toEqual([{ state: 'open', quantity: contracts(100) }]);
    expect(tradesNeedingAttention(h.deps).map((t) => [t.trade.id, t.held.map((held) => [held.leg.leg, held.reservedMicros])])).toEqual([[1, [['a', usd('42.84')]]]]);
    // The booked leg's venue holds exactly what the ledger expects of it.
    expect((await h.venueBalances()).find((check) => check.venue === B)).toMatchObject({ agrees: true });
    assertBooks(h);
  });

  it('control: the same trade with the venue telling the truth settles hedged', async () => {
    const h = await arbHarness();
    const result = await executeArb(h.deps, await h.best());
    expect(result).toMatchObject({ status: 'settled', settlement: { trade: { outcome: 'hedged' } } });
    expect(h.store.tradesNeedingAttention()).toEqual([]);
  });

  it('reconcile settles it once the venue answers sanely: leg A hedges leg B’s contracts, the reservation is committed', async () => {
    const h = await arbHarness();
    const { venues } = await quarantinedAtRunTime(h);
    // Still lying: held as it was, nothing booked anew.
    const before = bookSummary(h);
    const lying = await reconcile(h.ledger, h.config, { dryRun: false, venues });
    expect(lying.unresolved.filter((u) => u.kind !== 'venue_balance').map((u) => u.detail)).toEqual([expect.stringMatching(/^arb #1 needs attention: leg A on kalshi/)]);
    expect(bookSummary(h)).toEqual(before);
    const honest = await reconcile(h.ledger, h.config, { dryRun: false, venues: h.venueSet.venues });
    expect(honest.unresolved).toEqual([]);
    expect(h.store.requireTrade(1)).toMatchObject({ state: 'settled', outcome: 'hedged', attention: null });
    expect(h.ledger.listPositions('open').map((p) => [p.venue, p.kind, p.quantity])).toEqual([[B, 'arb_hedged', contracts(100)], [A, 'arb_hedged', contracts(100)]]);
    expect(unhedgedRecords(h)).toEqual([{ state: 'hedged', quantity: contracts(100) }]);
    expect(h.pendingReservations()).toBe(0);
    expect(honest.venueBalances.every((check) => check.agrees)).toBe(true);
    assertBooks(h);
  });
});

describe('resolved by hand', () => {
  it('what filled, at what price and fee: booked against leg B as a hedged pair, in one transaction', async () => {
    const h = await arbHarness();
    await quarantinedAtRunTime(h);
    const resolved = resolveByHand(h.deps, byHand({ filled: contracts(100), price: price('0.42'), fee: usd('0.84') }));
    expect(resolved.booked.kind).toBe('settled');
    expect(resolved.trade).toMatchObject({ state: 'settled', outcome: 'hedged', attention: null });
    expect(resolved.leg).toMatchObject({ state: 'settled', filled_quantity: contracts(100), filled_notional: usd('42'), fee: usd('0.84') });
    expect(resolved.claim).toMatch(/impossible report: filled quantity/);
    expect(h.ledger.listPositions('open').map((p) => [p.venue, p.kind, p.costBasis])).toEqual([[B, 'arb_hedged', usd('55')], [A, 'arb_hedged', usd('42')]]);
    expect(h.pendingReservations()).toBe(0);
    const audit = dbOf(h.ledger).prepare("SELECT venue, detail FROM audit_log WHERE kind = 'arb_resolved_by_hand'").all();
    expect(audit).toEqual([{ venue: A, detail: expect.stringMatching(/^arb #1 leg A \(.*\) resolved by hand: 100\.000000 filled for \$42\.0000, fee \$0\.8400; the venue had reported: leg A on kalshi/) }]);
    // What the person recorded agrees with the venue: the books and the venue's cash match.
    expect((await h.venueBalances()).every((check) => check.agrees)).toBe(true);
    assertBooks(h);
  });

  it('nothing filled: leg A’s reservation released, leg B stays an unhedged position; the trade settles unhedged', async () => {
    const h = await arbHarness();
    await quarantinedAtRunTime(h);
    const resolved = resolveByHand(h.deps, byHand({}));
    expect(resolved.trade).toMatchObject({ state: 'settled', outcome: 'unhedged' });
    expect(resolved.leg).toMatchObject({ state: 'settled', filled_quantity: 0, error: 'resolved by hand: nothing filled' });
    expect(h.ledger.listPositions('open').map((p) => [p.venue, p.kind])).toEqual([[B, 'arb_unhedged']]);
    expect(unhedgedRecords(h)).toEqual([{ state: 'open', quantity: contracts(100) }]);
    expect(h.wallet(A)).toMatchObject({ locked: 0, total: usd('1000') });
  });

  it('less filled than leg B holds: no hedged pair is made (a position is never split); both unhedged', async () => {
    const h = await arbHarness();
    await quarantinedAtRunTime(h);
    const resolved = resolveByHand(h.deps, byHand({ filled: contracts(40), price: price('0.42'), fee: usd('0.3') }));
    expect(resolved.trade).toMatchObject({ state: 'settled', outcome: 'unhedged' });
    expect(h.ledger.listPositions('open').map((p) => [p.venue, p.kind, p.quantity])).toEqual([[B, 'arb_unhedged', contracts(100)], [A, 'arb_unhedged', contracts(40)]]);
    expect(unhedgedRecords(h)).toEqual([{ state: 'open', quantity: contracts(100) }, { state: 'open', quantity: contracts(40) }]);
    expect(h.ledger.requireReservation(legsOf(h).a.reservation_id!)).toMatchObject({ state: 'committed', committedAmount: usd('17.1') });
  });

  it('leg B’s position closed meanwhile: leg A’s fill is unhedged, nothing is paired with a closed position', async () => {
    const h = await arbHarness();
    await quarantinedAtRunTime(h);
    closePositionAt(h.ledger, legsOf(h).b.unhedged_position_id!, { price: price('0.5'), reason: 'Manual close', costs: h.config.costs });
    const resolved = resolveByHand(h.deps, byHand({ filled: contracts(100), price: price('0.42'), fee: usd('0.84') }));
    expect(resolved.trade).toMatchObject({ state: 'settled', outcome: 'unhedged' });
    expect(h.ledger.listPositions('open').map((p) => [p.venue, p.kind])).toEqual([[A, 'arb_unhedged']]);
  });

  it('refuses what cannot have happened, writing nothing; the trade stays held', async () => {
    const h = await arbHarness();
    await quarantinedAtRunTime(h);
    const before = bookSummary(h);
    const refused: [Partial<HandVerdict>, RegExp][] = [
      [{ tradeId: 9 }, /^no arb trade 9$/],
      [{ filled: contracts(101), price: price('0.42') }, /^--filled 101\.000000 is more than leg A ordered \(100\.000000\)$/],
      [{ filled: contracts(100), price: price('0.43') }, /^--price 0\.430000 is above leg A's limit 0\.420000: a buy fills at its limit or better$/],
      [{ filled: contracts(100), price: price('0.42'), fee: usd('5') }, /^leg A holds \$42\.8400 for its order, less than the \$47\.0000 this fill and fee come to/],
      [{ fee: usd('0.5') }, /^--price and --fee go with --filled above 0/],
      [{ leg: 'b', filled: contracts(100) }, /^leg B of arb #1 is not waiting for a verdict \(settled\); waiting: A on kalshi$/],
    ];
    for (const [fields, message] of refused) {
      expect(() => resolveByHand(h.deps, byHand(fields))).toThrow(InputError);
      expect(() => resolveByHand(h.deps, byHand(fields))).toThrow(message);
    }
    expect(bookSummary(h)).toEqual(before);
    expect(h.store.requireTrade(1).attention).not.toBeNull();
    // Control: the same call with figures that can be true is taken.
    expect(resolveByHand(h.deps, byHand({ filled: contracts(100), price: price('0.42'), fee: usd('0.84') })).trade.state).toBe('settled');
    // A settled trade needs no one.
    expect(() => resolveByHand(h.deps, byHand({}))).toThrow(/^arb #1 does not need attention \(settled\)/);
  });
});
