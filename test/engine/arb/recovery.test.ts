// Crash recovery: whatever state a trade was left in, reconcile (the same code as start-up) finishes it exactly as if
// the process had lived — releasing what was never sent, settling what was sent from the venues' own reports — and
// never places an order twice. "Crashes" here are real states on real files: written through ArbStore and the ledger
// as the executor writes them, or produced by the executor itself with a storage fault injected in SQLite, then the
// files are closed and reopened (a restart).
import { describe, expect, it } from 'vitest';
import type { PaperFault } from '../../../src/venues/paper/paper-venue.js';
import { executeArb } from '../../../src/engine/arb/executor.js';
import { recoverArbs } from '../../../src/engine/arb/recovery.js';
import { handleUnhedged } from '../../../src/engine/arb/unhedged.js';
import { reconcile } from '../../../src/engine/reconcile.js';
import {
  A,
  arbConfigJson,
  arbHarness,
  assertBooks,
  B,
  bookSummary,
  orderRequest,
  usd,
  writeTradeState,
  type ArbHarness,
} from '../../fixtures/arb.js';
import { dbOf } from '../../fixtures/helpers.js';

/** A storage fault on the first write after an order went out: the executor dies there with the orders at the venues. */
const FAIL_AFTER_SEND = `CREATE TEMP TRIGGER fail_after_send BEFORE UPDATE OF state ON arb_legs
  WHEN OLD.state = 'submitted' AND NEW.state <> 'submitted'
  BEGIN SELECT RAISE(ABORT, 'injected fault after the orders were sent'); END`;

async function restart(h: ArbHarness, config = arbConfigJson()): Promise<ArbHarness> {
  await h.close();
  return arbHarness({ path: h.path, config });
}

async function reconcileNow(h: ArbHarness) {
  return reconcile(h.ledger, h.config, { dryRun: false, venues: h.venueSet.venues });
}

function reservationStates(h: ArbHarness): string[] {
  return (dbOf(h.ledger).prepare('SELECT state FROM reservations ORDER BY id').all() as { state: string }[]).map((r) => r.state);
}

describe('a trade left reserved (armed, nothing sent)', () => {
  it('is released by reconcile once the venues have no order under its ids; a dry run first changes nothing', async () => {
    const h = await arbHarness();
    const { trade } = writeTradeState(h, await h.best(), 'reserved');
    expect(h.wallet(A)).toMatchObject({ available: usd('957.16'), locked: usd('42.84') });
    const r = await restart(h);
    const before = bookSummary(r);
    const dry = await reconcile(r.ledger, r.config, { dryRun: true, venues: r.venueSet.venues });
    expect(dry.actions.map((a) => a.detail)).toEqual([`arb #${trade.id}: armed; would ask the venues whether its orders were sent, and release it if not`]);
    expect(bookSummary(r)).toEqual(before);
    const report = await reconcileNow(r);
    expect(report.consistent).toBe(true);
    expect(report.actions.map((a) => a.detail)).toEqual([`arb #${trade.id}: armed, no order at the venues; released its reservations`]);
    expect(r.store.requireTrade(trade.id)).toMatchObject({ state: 'failed', outcome: 'none' });
    expect(reservationStates(r)).toEqual(['released', 'released']);
    expect(r.pendingReservations()).toBe(0);
    for (const venue of [A, B]) expect(r.wallet(venue)).toEqual({ venue, total: usd('1000'), available: usd('1000'), locked: 0, deficit: 0 });
    expect(r.paperOrders(A) + r.paperOrders(B)).toBe(0);
  });
});

describe('a trade left submitted', () => {
  const cases: { name: string; faults: [PaperFault[], PaperFault[]]; outcome: string; orders: [number, number] }[] = [
    { name: 'both orders filled at the venues', faults: [[], []], outcome: 'hedged', orders: [1, 1] },
    { name: 'A rejected by its venue, B filled', faults: [['reject'], []], outcome: 'unhedged', orders: [1, 1] },
    { name: 'A filled, B never reached its venue', faults: [[], ['timeout_before_accept']], outcome: 'unhedged', orders: [1, 0] },
  ];
  for (const { name, faults, outcome, orders } of cases) {
    it(`${name}: reconcile asks the venues and settles exactly as if the process had lived`, async () => {
      // The process that lived.
      const lived = await arbHarness();
      lived.a.scriptFaults(faults[0]);
      lived.b.scriptFaults(faults[1]);
      const livedResult = await executeArb(lived.deps, await lived.best());
      // A request that timed out is left pending (it might still land) until a reconcile asks the venue again.
      if (livedResult.status === 'pending') await reconcileNow(lived);
      expect(lived.store.requireTrade(1)).toMatchObject({ state: 'settled', outcome });

      // The process that died right after the orders went out.
      const h = await arbHarness();
      h.a.scriptFaults(faults[0]);
      h.b.scriptFaults(faults[1]);
      dbOf(h.ledger).exec(FAIL_AFTER_SEND);
      await expect(executeArb(h.deps, await h.best())).rejects.toThrow(/injected fault after the orders were sent/);
      expect(h.store.inFlightTrades()).toMatchObject([{ state: 'submitted' }]);
      expect(h.pendingReservations()).toBe(2); // the money is still held, not lost
      assertBooks(h);
      expect([h.paperOrders(A), h.paperOrders(B)]).toEqual(orders);

      const r = await restart(h);
      const report = await reconcileNow(r);
      expect(report.consistent).toBe(true);
      expect(report.actions.map((a) => a.detail)).toEqual([`arb #1: settled from the venues' reports (${outcome})`]);
      expect(bookSummary(r)).toEqual(bookSummary(lived));
      expect([r.paperOrders(A), r.paperOrders(B)]).toEqual(orders); // asked, never placed again
      // A second reconcile finds nothing to do.
      const summary = bookSummary(r);
      expect((await reconcileNow(r)).actions).toEqual([]);
      expect(bookSummary(r)).toEqual(summary);
    });
  }

  it('the venues have no order (the process died before sending): both legs are released', async () => {
    const h = await arbHarness();
    const { trade } = writeTradeState(h, await h.best(), 'submitted');
    const r = await restart(h);
    await reconcileNow(r);
    expect(r.store.requireTrade(trade.id)).toMatchObject({ state: 'settled', outcome: 'none' });
    expect(r.store.legsOf(trade.id).map((leg) => [leg.state, leg.error])).toEqual([
      ['settled', expect.stringMatching(/has no order .* never placed/)],
      ['settled', expect.stringMatching(/has no order .* never placed/)],
    ]);
    expect(reservationStates(r)).toEqual(['released', 'released']);
    expect(r.paperOrders(A) + r.paperOrders(B)).toBe(0);
  });

  it('one order at its venue, the other not sent: the sent one is booked from the venue report, the other released', async () => {
    const h = await arbHarness();
    const { trade, legs } = writeTradeState(h, await h.best(), 'submitted');
    const [legA] = legs;
    if (!legA) throw new Error('no leg');
    const report = await h.a.placeOrder(orderRequest(legA)); // the process died before writing this answer down
    const r = await restart(h);
    await reconcileNow(r);
    expect(r.store.requireTrade(trade.id).outcome).toBe('unhedged');
    expect(r.store.legsOf(trade.id)[0]).toMatchObject({ filled_quantity: report.filledQuantity, filled_notional: report.filledNotional, fee: report.feePaid });
    expect(r.ledger.listPositions('open').map((p) => [p.venue, p.kind, p.costBasis])).toEqual([[A, 'arb_unhedged', report.filledNotional]]);
    expect([r.paperOrders(A), r.paperOrders(B)]).toEqual([1, 0]);
    expect((await r.venueBalances()).every((check) => check.agrees)).toBe(true);
  });

  it('a venue that cannot be reached keeps the trade pending with its money held, until a later reconcile reaches it', async () => {
    const h = await arbHarness();
    dbOf(h.ledger).exec(FAIL_AFTER_SEND);
    await expect(executeArb(h.deps, await h.best())).rejects.toThrow(/injected fault/);
    const r = await restart(h);
    const unreachable = await recoverArbs({ ...r.deps, venues: new Map([[A, r.a]]) }, { dryRun: false });
    expect(unreachable.actions).toEqual([]);
    expect(unreachable.unresolved).toEqual([expect.stringMatching(/leg B on poly .* outcome unknown \(venue unreachable\)/)]);
    expect(r.pendingReservations()).toBe(2);
    expect(r.store.inFlightTrades()).toHaveLength(1);
    assertBooks(r);
    const reached = await recoverArbs(r.deps, { dryRun: false });
    expect(reached.unresolved).toEqual([]);
    expect(r.store.requireTrade(1)).toMatchObject({ state: 'settled', outcome: 'hedged' });
    expect([r.paperOrders(A), r.paperOrders(B)]).toEqual([1, 1]);
  });
});

describe('an interrupted hedge order', () => {
  it('sent but not booked: reconcile books it from the venue and the leg is hedged; never sent again', async () => {
    const h = await arbHarness();
    h.b.scriptFaults(['reject']);
    const result = await executeArb(h.deps, await h.best());
    if (result.status !== 'settled') throw new Error('not settled');
    const record = h.store.unhedgedForPosition(result.settlement.unhedged[0]?.positionId ?? -1);
    if (!record) throw new Error('no unhedged leg');
    dbOf(h.ledger).exec(FAIL_AFTER_SEND);
    await expect(handleUnhedged(h.deps, record)).rejects.toThrow(/injected fault/);
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 2]);
    const r = await restart(h);
    const report = await reconcileNow(r);
    expect(report.actions.map((a) => a.detail)).toEqual([`arb #1: hedge order settled from the venue's report (hedged)`]);
    expect(r.store.unhedgedForPosition(record.position_id)?.state).toBe('hedged');
    expect(r.ledger.listPositions('open').map((p) => p.kind)).toEqual(['arb_hedged', 'arb_hedged']);
    expect([r.paperOrders(A), r.paperOrders(B)]).toEqual([1, 2]);
    expect((await r.venueBalances()).every((check) => check.agrees)).toBe(true);
  });

  it('reserved but never sent: reconcile releases its reservation and the leg stays unhedged', async () => {
    const h = await arbHarness();
    h.b.scriptFaults(['reject']);
    const result = await executeArb(h.deps, await h.best());
    if (result.status !== 'settled') throw new Error('not settled');
    const record = h.store.unhedgedForPosition(result.settlement.unhedged[0]?.positionId ?? -1);
    if (!record) throw new Error('no unhedged leg');
    const hedge = h.store.addLeg(record.trade_id, {
      leg: 'hedge', venue: B, market: 'fed', outcome: 'no', side: 'buy', quantity: record.quantity, limitPrice: 550_000, clientOrderId: 'hedge-never-sent',
    });
    h.ledger.transaction(() => {
      const { reservation } = h.ledger.reserve({ venue: B, amount: usd('56.1'), idempotencyKey: 'arb-leg:hedge-never-sent', purpose: 'hedge' });
      h.store.transitionLeg(hedge.id, 'reserved', { reservation_id: reservation.id });
    });
    const r = await restart(h);
    const report = await reconcileNow(r);
    expect(report.actions.map((a) => a.detail)).toEqual(['arb #1: hedge order was never sent; released']);
    expect(r.store.requireLeg(hedge.id).state).toBe('settled');
    expect(r.pendingReservations()).toBe(0);
    expect(r.store.unhedgedForPosition(record.position_id)?.state).toBe('open');
    expect(r.paperOrders(B)).toBe(1);
  });
});
