// The edge cases a two-leg executor must survive (docs/arbitrage.md), plus partial fills, timeouts, duplicate reports and the
// funding rule, each against real paper venues with scripted outcomes and a real ledger file. Every test ends with
// the books audited (arb-fixtures' afterEach).
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { InputError, InsufficientBalanceError } from '../../../src/domain/errors.js';
import type { Micros, PriceMicros } from '../../../src/domain/money.js';
import { executeArb, type ArbResult } from '../../../src/engine/arb/executor.js';
import { checkFunding, worstCaseCost } from '../../../src/engine/arb/orders.js';
import { recordVerdict, settleTrade, type LegVerdict } from '../../../src/engine/arb/settle.js';
import { reconcile } from '../../../src/engine/reconcile.js';
import type { PlaceOrderRequest } from '../../../src/venues/venue.js';
import {
  A,
  A_MARKET,
  arbConfigJson,
  arbHarness,
  assertBooks,
  B,
  B_MARKET,
  contracts,
  orderRequest,
  pairWith,
  price,
  usd,
  writeTradeState,
  type ArbHarness,
} from '../../fixtures/arb.js';
import { dbOf } from '../../fixtures/helpers.js';

type Settled = Extract<ArbResult, { status: 'settled' }>;

function settled(result: ArbResult): Settled {
  if (result.status !== 'settled') throw new Error(`expected a settled trade, got ${JSON.stringify(result)}`);
  return result;
}

function reservationsOf(h: ArbHarness) {
  return dbOf(h.ledger).prepare('SELECT venue, amount, state, committed_amount FROM reservations ORDER BY id').all() as {
    venue: string;
    amount: number;
    state: string;
    committed_amount: number;
  }[];
}

function positionsOf(h: ArbHarness) {
  return h.ledger.listPositions('all').map((p) => ({ venue: p.venue, market: p.market, kind: p.kind, quantity: p.quantity, costBasis: p.costBasis, entryFee: p.entryFee }));
}

const START = usd('1000');
const LATE_ORDER_WAIT_MS_MAX = 10_000;

describe('the plan this suite trades', () => {
  it('is 100 contracts: YES on kalshi at 0.42 and NO on poly at 0.55, net $1.06', async () => {
    const h = await arbHarness();
    const best = await h.best();
    expect(best).toMatchObject({ direction: 'yes_a_no_b', contracts: contracts(100), netEdge: usd('1.06') });
    expect(best.a).toMatchObject({ venue: A, outcome: 'yes', limitPrice: price('0.42'), cost: usd('42'), fee: usd('0.84') });
    expect(best.b).toMatchObject({ venue: B, outcome: 'no', limitPrice: price('0.55'), cost: usd('55'), fee: usd('1.1') });
  });
});

describe('insufficient balance', () => {
  it('on the first reservation: nothing is reserved, nothing is sent, the trade fails, wallets unchanged', async () => {
    const h = await arbHarness();
    const best = await h.best();
    h.ledger.withdraw(A, usd('990')); // leg A needs $42.84; $10 is left
    const before = { a: h.wallet(A), b: h.wallet(B), transactions: h.transactionCount() };
    const result = await executeArb(h.deps, best);
    expect(result).toMatchObject({ status: 'failed', reason: expect.stringMatching(/insufficient available balance on kalshi/) });
    expect({ a: h.wallet(A), b: h.wallet(B), transactions: h.transactionCount() }).toEqual(before);
    expect(reservationsOf(h)).toEqual([]);
    expect(h.paperOrders(A) + h.paperOrders(B)).toBe(0);
    const trade = h.store.requireTrade(result.tradeId ?? -1);
    expect(trade).toMatchObject({ state: 'failed', outcome: 'none' });
    expect(h.store.legsOf(trade.id).map((leg) => leg.state)).toEqual(['settled', 'settled']);
    expect(h.store.inFlightCount('fed-dec')).toBe(0);
  });

  it('on the second reservation: the first is undone with it (one transaction), nothing leaks', async () => {
    const h = await arbHarness();
    const best = await h.best();
    h.ledger.withdraw(B, usd('950')); // leg A's $42.84 fits on kalshi; leg B needs $56.10 of poly's $50
    const before = { a: h.wallet(A), b: h.wallet(B), transactions: h.transactionCount() };
    const result = await executeArb(h.deps, best);
    expect(result).toMatchObject({ status: 'failed', reason: expect.stringMatching(/insufficient available balance on poly/) });
    expect({ a: h.wallet(A), b: h.wallet(B), transactions: h.transactionCount() }).toEqual(before);
    expect(reservationsOf(h)).toEqual([]);
    expect(h.paperOrders(A) + h.paperOrders(B)).toBe(0);
    expect(h.store.requireTrade(result.tradeId ?? -1).state).toBe('failed');
  });
});

describe('errors before anything is sent', () => {
  it('a venue that is not configured fails the trade before anything is written', async () => {
    const h = await arbHarness();
    const best = await h.best();
    const before = h.transactionCount();
    const result = await executeArb(h.deps, { ...best, b: { ...best.b, venue: 'ghost' } });
    expect(result).toEqual({ status: 'failed', tradeId: null, reason: 'venue ghost is not configured' });
    expect(h.transactionCount()).toBe(before);
    expect(h.store.recentTrades(10)).toEqual([]);
  });

  // A storage fault injected in SQLite itself at each write of the commit before send, first to last. The trade, its
  // reservations and its legs go in one transaction, so each rolls all of it back: nothing is held, nothing recorded,
  // nothing sent, and no in-flight trade is left to hold the pair's only slot (the engine would stop trading it).
  it.each([
    ['reserving', 'BEFORE INSERT ON reservations'],
    ['recording leg B', "BEFORE INSERT ON arb_legs WHEN NEW.leg = 'b'"],
    ['marking the legs submitted (the last write)', "BEFORE INSERT ON arb_leg_events WHEN NEW.to_state = 'submitted'"],
  ])('an error while %s undoes the whole commit: nothing reserved, recorded or sent', async (step, when) => {
    const h = await arbHarness();
    const best = await h.best();
    const before = h.transactionCount();
    dbOf(h.ledger).exec(`CREATE TEMP TRIGGER injected_fault ${when} BEGIN SELECT RAISE(ABORT, 'injected fault while ${step}'); END`);
    await expect(executeArb(h.deps, best)).rejects.toThrow(`injected fault while ${step}`);
    dbOf(h.ledger).exec('DROP TRIGGER injected_fault');
    expect(reservationsOf(h)).toEqual([]);
    expect([h.wallet(A), h.wallet(B)]).toEqual([
      { venue: A, total: START, available: START, locked: 0, deficit: 0 },
      { venue: B, total: START, available: START, locked: 0, deficit: 0 },
    ]);
    expect(h.transactionCount()).toBe(before);
    expect(h.paperOrders(A) + h.paperOrders(B)).toBe(0);
    expect(h.store.recentTrades(10)).toEqual([]);
    expect(h.store.inFlightCount('fed-dec')).toBe(0);
  });

  it('records a trade without a savepoint only inside a transaction the caller holds', async () => {
    const h = await arbHarness();
    const best = await h.best();
    const trade = { pair: best.pair, direction: best.direction, contracts: best.contracts, expectedNetEdge: best.netEdge, legs: [] };
    expect(() => h.store.createTradeWithin(trade)).toThrow(/must run inside a ledger transaction/);
    expect(h.store.recentTrades(10)).toEqual([]);
  });
});

describe('the legs’ outcomes', () => {
  it('both fail: both reservations released, wallets as before, no position', async () => {
    const h = await arbHarness();
    h.a.scriptFaults(['reject']);
    h.b.scriptFaults(['reject']);
    const result = settled(await executeArb(h.deps, await h.best()));
    expect(result.settlement.trade).toMatchObject({ state: 'settled', outcome: 'none' });
    expect(result.settlement.legs.map((leg) => [leg.leg, leg.state, leg.filled_quantity])).toEqual([
      ['a', 'settled', 0],
      ['b', 'settled', 0],
    ]);
    expect(reservationsOf(h).map((r) => r.state)).toEqual(['released', 'released']);
    expect([h.wallet(A).total, h.wallet(A).locked, h.wallet(B).total, h.wallet(B).locked]).toEqual([START, 0, START, 0]);
    expect(h.ledger.listPositions('all')).toEqual([]);
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 1]);
  });

  it('A fails, B fills: A released, B committed as an UNHEDGED position with its own record', async () => {
    const h = await arbHarness();
    h.a.scriptFaults(['reject']);
    const result = settled(await executeArb(h.deps, await h.best()));
    expect(result.settlement.trade.outcome).toBe('unhedged');
    expect(reservationsOf(h)).toEqual([
      { venue: A, amount: usd('42.84'), state: 'released', committed_amount: 0 },
      { venue: B, amount: usd('56.1'), state: 'committed', committed_amount: usd('56.1') },
    ]);
    expect(positionsOf(h)).toEqual([{ venue: B, market: `${B_MARKET}:no`, kind: 'arb_unhedged', quantity: contracts(100), costBasis: usd('55'), entryFee: usd('1.1') }]);
    expect(result.settlement.unhedged).toEqual([{ legId: result.settlement.legs[1]?.id, positionId: expect.any(Number), quantity: contracts(100) }]);
    expect(h.store.allUnhedged()).toMatchObject([{ state: 'open', quantity: contracts(100), leg_id: result.settlement.legs[1]?.id }]);
    expect(h.wallet(A)).toEqual({ venue: A, total: START, available: START, locked: 0, deficit: 0 });
    expect(h.wallet(B)).toEqual({ venue: B, total: usd('998.9'), available: usd('943.9'), locked: usd('55'), deficit: 0 });
  });

  it('A fills, B fails: B released, A committed as an UNHEDGED position with its own record', async () => {
    const h = await arbHarness();
    h.b.scriptFaults(['reject']);
    const result = settled(await executeArb(h.deps, await h.best()));
    expect(result.settlement.trade.outcome).toBe('unhedged');
    expect(reservationsOf(h).map((r) => [r.venue, r.state, r.committed_amount])).toEqual([
      [A, 'committed', usd('42.84')],
      [B, 'released', 0],
    ]);
    expect(positionsOf(h)).toEqual([{ venue: A, market: A_MARKET, kind: 'arb_unhedged', quantity: contracts(100), costBasis: usd('42'), entryFee: usd('0.84') }]);
    const [legA] = result.settlement.legs;
    expect(legA).toMatchObject({ state: 'settled', filled_quantity: contracts(100), unhedged_position_id: expect.any(Number), hedged_position_id: null });
    expect(h.store.unhedgedForPosition(legA?.unhedged_position_id ?? -1)).toMatchObject({ state: 'open', quantity: contracts(100) });
    expect(h.wallet(B)).toEqual({ venue: B, total: START, available: START, locked: 0, deficit: 0 });
  });

  it('both fill: two hedged positions, reservations committed for what filled and the rest released', async () => {
    const h = await arbHarness();
    const best = await h.best();
    // The kalshi ask improves to 0.41 between the scan and the order: the fill costs less than was reserved.
    h.a.setQuote(A_MARKET, price('0.39'), price('0.41'), contracts(100));
    const result = settled(await executeArb(h.deps, best));
    expect(result.settlement.trade).toMatchObject({ state: 'settled', outcome: 'hedged' });
    expect(result.settlement.unhedged).toEqual([]);
    expect(positionsOf(h)).toEqual([
      { venue: A, market: A_MARKET, kind: 'arb_hedged', quantity: contracts(100), costBasis: usd('41'), entryFee: usd('0.82') },
      { venue: B, market: `${B_MARKET}:no`, kind: 'arb_hedged', quantity: contracts(100), costBasis: usd('55'), entryFee: usd('1.1') },
    ]);
    expect(reservationsOf(h)).toEqual([
      { venue: A, amount: usd('42.84'), state: 'committed', committed_amount: usd('41.82') },
      { venue: B, amount: usd('56.1'), state: 'committed', committed_amount: usd('56.1') },
    ]);
    const released = dbOf(h.ledger).prepare("SELECT venue, locked_delta FROM wallet_transactions WHERE type = 'release'").all();
    expect(released).toEqual([{ venue: A, locked_delta: -usd('1.02') }]);
    // Only the fee left the wallets; the cost is locked as the positions' cost basis until resolution.
    expect(h.wallet(A)).toEqual({ venue: A, total: usd('999.18'), available: usd('958.18'), locked: usd('41'), deficit: 0 });
    expect(h.wallet(B)).toEqual({ venue: B, total: usd('998.9'), available: usd('943.9'), locked: usd('55'), deficit: 0 });
    expect(h.store.allUnhedged()).toEqual([]);
    expect(await h.venueBalances()).toEqual([
      { venue: A, venueCash: '958.180000', expectedCash: '958.180000', agrees: true },
      { venue: B, venueCash: '943.900000', expectedCash: '943.900000', agrees: true },
    ]);
  });

  it('an unexpected exception inside a venue call: that leg is asked about, found never placed, and released', async () => {
    const h = await arbHarness();
    h.a.scriptFaults(['error']);
    const result = settled(await executeArb(h.deps, await h.best()));
    expect(result.settlement.trade.outcome).toBe('unhedged');
    const [legA, legB] = result.settlement.legs;
    expect(legA).toMatchObject({ state: 'settled', filled_quantity: 0, error: expect.stringMatching(/has no order .* never placed/) });
    expect(legB).toMatchObject({ state: 'settled', filled_quantity: contracts(100) });
    expect(reservationsOf(h).map((r) => r.state)).toEqual(['released', 'committed']);
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([0, 1]);
  });
});

describe('partial fills', () => {
  it('hedges what filled on both; the excess is an unhedged position of the right size, costs apportioned exactly', async () => {
    const h = await arbHarness({ config: arbConfigJson({ pairs: pairWith({ maxSize: '33' }), arbitrage: { orderTimeoutMs: 200, timeInForce: 'ioc' } }) });
    // maxSize $33 → 33 contracts; an odd fill notional on A (the ask improved to 0.413333) makes the split round.
    const plan = await h.best();
    expect(plan.contracts).toBe(contracts(33));
    h.a.setQuote(A_MARKET, price('0.40'), price('0.413333'), contracts(100));
    h.b.scriptFaults(['partial']);
    const result = settled(await executeArb(h.deps, plan));
    expect(result.settlement.trade.outcome).toBe('partial');
    const [legA, legB] = result.settlement.legs;
    expect(legA).toMatchObject({ filled_quantity: contracts(33), filled_notional: 13_639_989, fee: 272_800 });
    expect(legB).toMatchObject({ filled_quantity: 16_500_000, filled_notional: usd('9.075'), fee: usd('0.1815') });
    const positions = h.ledger.listPositions('all');
    const onA = positions.filter((p) => p.venue === A);
    expect(onA.map((p) => [p.kind, p.quantity, p.costBasis, p.entryFee])).toEqual([
      ['arb_hedged', 16_500_000, 6_819_995, 136_400],
      ['arb_unhedged', 16_500_000, 6_819_994, 136_400],
    ]);
    expect(onA.reduce((s, p) => s + p.costBasis, 0)).toBe(legA?.filled_notional);
    expect(onA.reduce((s, p) => s + p.entryFee, 0)).toBe(legA?.fee);
    expect(positions.filter((p) => p.venue === B).map((p) => [p.kind, p.quantity, p.costBasis])).toEqual([['arb_hedged', 16_500_000, usd('9.075')]]);
    expect(h.store.allUnhedged()).toMatchObject([{ leg_id: legA?.id, quantity: 16_500_000, state: 'open' }]);
    expect(legA).toMatchObject({ hedged_position_id: onA[0]?.id, unhedged_position_id: onA[1]?.id });
    // Each reservation committed exactly what its fill used.
    expect(reservationsOf(h).map((r) => r.committed_amount)).toEqual([13_639_989 + 272_800, usd('9.075') + usd('0.1815')]);
  });
});

describe('timeouts', () => {
  it('after the venue accepted: the outcome is unknown, the venue is asked by client order id, the order is never placed twice', async () => {
    const h = await arbHarness();
    h.a.scriptFaults(['timeout_after_accept']);
    const result = settled(await executeArb(h.deps, await h.best()));
    expect(result.settlement.trade.outcome).toBe('hedged');
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 1]);
    const [legA] = result.settlement.legs;
    const path = dbOf(h.ledger).prepare('SELECT to_state FROM arb_leg_events WHERE leg_id = ? ORDER BY id').all(legA?.id).map((row) => (row as { to_state: string }).to_state);
    expect(path).toEqual(['reserved', 'submitted', 'unknown', 'filled', 'settled']);
    expect(legA).toMatchObject({ filled_quantity: contracts(100), venue_order_id: 'kalshi-1' });
  });

  it('before the venue accepted: nothing is released on a guess; asked again later, the venue has no order and the leg is released', async () => {
    const h = await arbHarness();
    h.a.scriptFaults(['timeout_before_accept']);
    const result = await executeArb(h.deps, await h.best());
    // A timed-out request may still land: until the venue can say, leg A's money stays reserved.
    expect(result).toMatchObject({ status: 'pending', reason: expect.stringMatching(/outcome unknown for leg a on kalshi/) });
    expect(reservationsOf(h).map((r) => r.state)).toEqual(['pending', 'pending']);
    expect(h.store.legsOf(result.tradeId ?? -1)[0]?.state).toBe('unknown');
    assertBooks(h);
    const report = await reconcile(h.ledger, h.config, { dryRun: false, venues: h.venueSet.venues });
    expect(report.consistent).toBe(true);
    expect(h.store.requireTrade(result.tradeId ?? -1)).toMatchObject({ state: 'settled', outcome: 'unhedged' });
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([0, 1]);
    expect(reservationsOf(h).map((r) => [r.venue, r.state])).toEqual([
      [A, 'released'],
      [B, 'committed'],
    ]);
    expect(h.wallet(A)).toEqual({ venue: A, total: START, available: START, locked: 0, deficit: 0 });
  });

  it('a venue slower than our timeout: its late fill is found by client order id and booked once', async () => {
    const h = await arbHarness({ faults: { [A]: { latencyMs: 300 } } });
    const result = settled(await executeArb(h.deps, await h.best()));
    expect(result.settlement.trade.outcome).toBe('hedged');
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 1]);
    expect(result.settlement.legs[0]).toMatchObject({ filled_quantity: contracts(100) });
  });
});

describe('an order the venue receives only after our look-up', () => {
  it('is not released on a guess: the trade stays pending with its money held, and reconcile books the late fill', async () => {
    // Timeout 200 ms, then 200 ms grace, then the look-up finds nothing: the request is still on its way (1 s).
    const h = await arbHarness({ faults: { [A]: { latencyMs: 1_000 } } });
    const result = await executeArb(h.deps, await h.best());
    expect(result).toMatchObject({ status: 'pending', reason: expect.stringMatching(/outcome unknown for leg a on kalshi/) });
    expect(h.pendingReservations()).toBe(2);
    expect(h.store.inFlightTrades()).toHaveLength(1);
    assertBooks(h);
    for (let waitedMs = 0; h.paperOrders(A) === 0; waitedMs += 20) {
      if (waitedMs > LATE_ORDER_WAIT_MS_MAX) throw new Error('the slow venue never recorded the order');
      await sleep(20);
    }
    const report = await reconcile(h.ledger, h.config, { dryRun: false, venues: h.venueSet.venues });
    expect(report.consistent).toBe(true);
    expect(h.store.requireTrade(result.tradeId ?? -1)).toMatchObject({ state: 'settled', outcome: 'hedged' });
    expect(h.store.legsOf(result.tradeId ?? -1)[0]).toMatchObject({ filled_quantity: contracts(100), filled_notional: usd('42') });
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 1]);
    expect((await h.venueBalances()).map((check) => check.agrees)).toEqual([true, true]);
  });
});

describe('duplicate reports', () => {
  it('settling a trade or recording a verdict again changes nothing', async () => {
    const h = await arbHarness();
    const result = settled(await executeArb(h.deps, await h.best()));
    const verdicts = new Map<number, LegVerdict>();
    for (const leg of result.settlement.legs) {
      const report = await h.deps.venues.get(leg.venue)?.getOrderByClientId(leg.client_order_id, leg.market);
      if (!report) throw new Error('venue lost the order');
      verdicts.set(leg.id, { kind: 'report', report });
    }
    const count = h.transactionCount();
    const events = (dbOf(h.ledger).prepare('SELECT count(*) AS n FROM arb_leg_events').get() as { n: number }).n;
    const again = settleTrade(h.ledger, h.store, h.config, result.tradeId, verdicts);
    expect(again.alreadySettled).toBe(true);
    for (const leg of h.store.legsOf(result.tradeId)) {
      const verdict = verdicts.get(leg.id);
      if (verdict) expect(recordVerdict(h.store, leg, verdict)).toEqual(leg);
    }
    expect(h.transactionCount()).toBe(count);
    expect((dbOf(h.ledger).prepare('SELECT count(*) AS n FROM arb_leg_events').get() as { n: number }).n).toBe(events);
    expect(h.ledger.listPositions('all')).toHaveLength(2);
  });

  it('a fill reported twice before settlement is recorded once, and settles once', async () => {
    const h = await arbHarness();
    const { trade, legs } = writeTradeState(h, await h.best(), 'submitted');
    const verdicts = new Map<number, LegVerdict>();
    for (const leg of legs) {
      const report = await h.deps.venues.get(leg.venue)?.placeOrder(orderRequest(leg));
      if (!report) throw new Error('no venue');
      verdicts.set(leg.id, { kind: 'report', report });
      const first = recordVerdict(h.store, leg, { kind: 'report', report });
      expect(recordVerdict(h.store, first, { kind: 'report', report })).toEqual(first);
      // The venue too answers a replayed client order id with the first order.
      expect(await h.deps.venues.get(leg.venue)?.placeOrder(orderRequest(leg))).toEqual(report);
    }
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 1]);
    const settlement = settleTrade(h.ledger, h.store, h.config, trade.id, verdicts);
    expect(settlement).toMatchObject({ alreadySettled: false, trade: { outcome: 'hedged' } });
    const count = h.transactionCount();
    expect(settleTrade(h.ledger, h.store, h.config, trade.id, verdicts).alreadySettled).toBe(true);
    expect(h.transactionCount()).toBe(count);
    expect(h.ledger.listPositions('all').map((p) => p.kind)).toEqual(['arb_hedged', 'arb_hedged']);
  });
});

describe('funding: the reservation is what pays for the order', () => {
  const request = (quantity: number, limit: string): PlaceOrderRequest => ({
    clientOrderId: 'fund-1',
    market: A_MARKET,
    outcome: 'yes',
    side: 'buy',
    quantity: contracts(quantity),
    limitPrice: price(limit) as PriceMicros,
    timeInForce: 'fok',
  });

  it('a reserved order passes with nothing left available; a direct order with too little fails; a short reservation fails', async () => {
    const h = await arbHarness();
    const order = request(100, '0.42');
    const needed = worstCaseCost(h.a, order, order.limitPrice);
    expect(needed).toBe(usd('42.84'));
    // The double balance check a naive executor makes: the balance is already reserved, so available is 0 — and the order must still go.
    const { reservation } = h.ledger.reserve({ venue: A, amount: usd('1000'), idempotencyKey: 'fund-all', purpose: 'test' });
    expect(h.wallet(A).available).toBe(0);
    expect(() => checkFunding(h.ledger, h.a, order, { kind: 'reservation', reservation })).not.toThrow();
    expect(() => checkFunding(h.ledger, h.a, order, { kind: 'direct' })).toThrow(InsufficientBalanceError);
    h.ledger.releaseReservation(reservation.id);
    const short = h.ledger.reserve({ venue: A, amount: (needed - 1) as Micros, idempotencyKey: 'fund-short', purpose: 'test' }).reservation;
    expect(() => checkFunding(h.ledger, h.a, order, { kind: 'reservation', reservation: short })).toThrow(InputError);
    expect(() => checkFunding(h.ledger, h.a, order, { kind: 'reservation', reservation: short })).toThrow(/reservation #\d+ holds .*, the order may cost \$42\.84/);
    // A resolved reservation funds nothing, and neither does one on another venue.
    h.ledger.releaseReservation(short.id);
    expect(() => checkFunding(h.ledger, h.a, order, { kind: 'reservation', reservation: short })).toThrow(/is released/);
    const onB = h.ledger.reserve({ venue: B, amount: usd('100'), idempotencyKey: 'fund-b', purpose: 'test' }).reservation;
    expect(() => checkFunding(h.ledger, h.a, order, { kind: 'reservation', reservation: onB })).toThrow(/is on poly/);
    h.ledger.releaseReservation(onB.id);
    // Direct, with enough available: passes.
    expect(() => checkFunding(h.ledger, h.a, order, { kind: 'direct' })).not.toThrow();
  });
});
