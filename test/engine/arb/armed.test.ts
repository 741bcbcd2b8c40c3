// Armed trades: a pair's next arbitrage committed ahead (funds reserved, client order ids stored), so an opportunity's
// orders leave with no commit before them. Each test checks what is durable at the moment an order is handed over
// (read from a second connection, as a process after a crash would), what the ledger holds after, and that a crash
// or a failed record at any point is settled from the venues without placing anything twice. Every test ends with
// the books audited (arb-fixtures' afterEach).
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ARMED_LIMIT_PRICE_MAX, ArmedTrades, type ArmedTrade, likelierDirection, RELEASED_UNUSED } from '../../../src/engine/arb/armed.js';
import { pairBooks } from '../../../src/engine/arb/books.js';
import { executeArb, type ArbResult } from '../../../src/engine/arb/executor.js';
import { recoverArbs } from '../../../src/engine/arb/recovery.js';
import { Engine } from '../../../src/engine/engine.js';
import { reconcile } from '../../../src/engine/reconcile.js';
import { walletCheck } from '../../../src/ledger/health.js';
import type { OrderReport, PlaceOrderRequest } from '../../../src/venues/venue.js';
import { arbViolations } from '../../fixtures/proof.js';
import { A, arbConfigJson, arbHarness, B, contracts, PAIR, price, usd, type ArbHarness } from '../../fixtures/arb.js';
import { dbOf } from '../../fixtures/helpers.js';

interface AtSend {
  readonly clientOrderId: string;
  /** The trade and its legs as durable on disk when the order was handed over. */
  readonly trades: { id: number; state: string }[];
  readonly legs: { client_order_id: string; state: string; quantity: number }[];
  readonly pendingReservations: number;
}

/** Notes, for every order handed to either paper venue, what another connection reads from the ledger file right then. */
function watchSends(h: ArbHarness): AtSend[] {
  const seen: AtSend[] = [];
  const side = new Database(h.path, { readonly: true });
  for (const venue of [h.a, h.b]) {
    const place = venue.placeOrder.bind(venue);
    venue.placeOrder = (request: PlaceOrderRequest): Promise<OrderReport> => {
      seen.push({
        clientOrderId: request.clientOrderId,
        trades: side.prepare('SELECT id, state FROM arb_trades ORDER BY id').all() as AtSend['trades'],
        legs: side.prepare('SELECT client_order_id, state, quantity FROM arb_legs ORDER BY id').all() as AtSend['legs'],
        pendingReservations: (side.prepare("SELECT count(*) AS n FROM reservations WHERE state = 'pending'").get() as { n: number }).n,
      });
      return place(request);
    };
  }
  return seen;
}

function armedPair(h: ArbHarness) {
  const pair = h.config.pairs.get(PAIR);
  if (!pair) throw new Error('no pair');
  return pair;
}

/** A harness with the pair armed YES on kalshi + NO on poly, the direction its books favour. */
async function armedHarness(): Promise<{ h: ArbHarness; armed: ArmedTrades; ticket: ArmedTrade | undefined }> {
  const h = await arbHarness();
  const armed = new ArmedTrades(h.deps);
  armed.arm(armedPair(h), 'yes_a_no_b');
  return { h, armed, ticket: armed.get(PAIR) };
}

function settledOutcome(result: ArbResult): string | null {
  if (result.status !== 'settled') throw new Error(`expected a settled trade, got ${JSON.stringify(result)}`);
  return result.settlement.trade.outcome;
}

describe('an armed pair', () => {
  it('is one commit ahead: the trade and legs reserved, each leg holding up to maxSize, their client order ids stored', async () => {
    const h = await arbHarness();
    const armed = new ArmedTrades(h.deps);
    expect(armed.arm(armedPair(h), 'yes_a_no_b')).toBe(true);
    const ticket = armed.get(PAIR);
    expect(ticket).toBeDefined();
    expect(h.store.requireTrade(ticket?.tradeId ?? 0)).toMatchObject({ state: 'reserved', direction: 'yes_a_no_b' });
    expect(h.store.legsOf(ticket?.tradeId ?? 0).map((leg) => [leg.venue, leg.outcome, leg.state, leg.limit_price])).toEqual([
      [A, 'yes', 'reserved', ARMED_LIMIT_PRICE_MAX],
      [B, 'no', 'reserved', ARMED_LIMIT_PRICE_MAX],
    ]);
    // maxSize is $500 and each wallet holds $1000: $500 held on each venue.
    expect([h.wallet(A).locked, h.wallet(B).locked]).toEqual([usd('500'), usd('500')]);
    expect(walletCheck(h.ledger).healthy).toBe(true);
    // Releasing it unused gives everything back and says why.
    armed.disarmAll('test over');
    expect(h.store.requireTrade(ticket?.tradeId ?? 0)).toMatchObject({ state: 'failed', outcome: 'none', note: `${RELEASED_UNUSED}: test over` });
    expect([h.wallet(A).locked, h.wallet(B).locked]).toEqual([0, 0]);
    expect(h.paperOrders(A) + h.paperOrders(B)).toBe(0);
  });

  it('holds at most half of a short wallet, and arms nothing from an empty one', async () => {
    const h = await arbHarness();
    h.ledger.withdraw(A, usd('880'), { idempotencyKey: 'w-1' });
    const armed = new ArmedTrades(h.deps);
    expect(armed.arm(armedPair(h), 'yes_a_no_b')).toBe(true);
    expect(armed.heldFor(PAIR)).toEqual({ a: usd('60'), b: usd('500') });
    armed.disarmAll('test over');
    h.ledger.withdraw(A, usd('120'), { idempotencyKey: 'w-2' });
    const before = h.transactionCount();
    expect(armed.arm(armedPair(h), 'yes_a_no_b')).toBe(false);
    expect(armed.get(PAIR)).toBeUndefined();
    expect(h.transactionCount()).toBe(before);
  });

  it('holds at most half of each venue across all its pairs: a pair past that stays unarmed', async () => {
    const base = arbConfigJson();
    const second = { a: { venue: A, market: 'FED' }, b: { venue: B, market: 'fed' }, maxSize: '300', minEdgeBps: 50, confirmed: true };
    const h = await arbHarness({ config: { ...base, pairs: { ...(base.pairs as object), 'fed-dec-2': second, 'fed-dec-3': second } } });
    const armed = new ArmedTrades(h.deps);
    const pair = (name: string) => h.config.pairs.get(name) ?? armedPair(h);
    // $1000 a venue: the first pair takes its $500 maxSize, which is the half; nothing is left ahead for the others.
    expect(armed.arm(pair(PAIR), 'yes_a_no_b')).toBe(true);
    expect(armed.arm(pair('fed-dec-2'), 'yes_a_no_b')).toBe(false);
    armed.disarm(PAIR, 'test');
    expect(armed.arm(pair('fed-dec-2'), 'yes_a_no_b')).toBe(true);
    expect(armed.arm(pair('fed-dec-3'), 'yes_a_no_b')).toBe(true);
    expect([armed.heldFor('fed-dec-2'), armed.heldFor('fed-dec-3')]).toEqual([
      { a: usd('300'), b: usd('300') },
      { a: usd('200'), b: usd('200') },
    ]);
    expect([h.wallet(A).available, h.wallet(B).available]).toEqual([usd('500'), usd('500')]);
    armed.disarmAll('test over');
  });

  it('faces the direction its books come closest to paying in', async () => {
    const h = await arbHarness();
    const pair = armedPair(h);
    // YES on kalshi 0.42 + NO on poly 0.55 = 0.97; NO on kalshi 0.60 + YES on poly 0.47 = 1.07.
    const books = await pairBooks(h.ledger, h.venueSet.venues, pair);
    expect(likelierDirection(books)).toBe('yes_a_no_b');
    // The same books with each venue's YES and NO swapped: now NO on kalshi + YES on poly is the cheaper pair.
    expect(likelierDirection({ ...books, aYes: books.aNo, aNo: books.aYes, bYes: books.bNo, bNo: books.bYes })).toBe('no_a_yes_b');
    expect(likelierDirection(null)).toBe('yes_a_no_b');
  });
});

describe('firing an armed trade', () => {
  it('hands both orders over before anything is written, then records their sizes and settles from the fills', async () => {
    const { h, armed, ticket } = await armedHarness();
    const sends = watchSends(h);
    const result = await executeArb(h.deps, await h.best(), armed);
    expect(settledOutcome(result)).toBe('hedged');
    // At each hand-over the file still held the armed trade exactly as armed: no commit lay before the orders.
    expect(sends.map((send) => send.clientOrderId)).toEqual([ticket?.legA.client_order_id, ticket?.legB.client_order_id]);
    for (const send of sends) {
      expect(send.trades).toEqual([{ id: ticket?.tradeId, state: 'reserved' }]);
      expect(send.legs.map((leg) => leg.state)).toEqual(['reserved', 'reserved']);
      expect(send.pendingReservations).toBe(2);
    }
    // After: the orders' own sizes and limits, each leg's move to submitted kept as an event, the funds settled.
    expect(h.store.legsOf(ticket?.tradeId ?? 0).map((leg) => [leg.quantity, leg.limit_price, leg.filled_quantity, leg.state])).toEqual([
      [contracts(100), price('0.42'), contracts(100), 'settled'],
      [contracts(100), price('0.55'), contracts(100), 'settled'],
    ]);
    expect(h.store.requireTrade(ticket?.tradeId ?? 0)).toMatchObject({ contracts: contracts(100), expected_net_edge: usd('1.06'), state: 'settled' });
    const events = dbOf(h.ledger).prepare("SELECT detail FROM arb_leg_events WHERE from_state = 'reserved' AND to_state = 'submitted'").all();
    expect(events).toEqual([{ detail: 'sent from the armed trade' }, { detail: 'sent from the armed trade' }]);
    expect(armed.get(PAIR)).toBeUndefined();
    expect(h.pendingReservations()).toBe(0);
    expect([h.wallet(A).available, h.wallet(B).available]).toEqual([usd('957.16'), usd('943.9')]);
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 1]);
  });

  const passedOver: { name: string; reason: string; arm: (h: ArbHarness, armed: ArmedTrades) => void }[] = [
    {
      name: 'in the other direction',
      reason: 'an opportunity came in the other direction',
      arm: (h, armed) => armed.arm(armedPair(h), 'no_a_yes_b'),
    },
    {
      name: 'that needs more than it holds',
      reason: 'an opportunity needed more than it holds',
      // Armed while kalshi held $50 (so $25 ahead); $950 more arrives after, and the opportunity is sized with it.
      arm: (h, armed) => {
        h.ledger.withdraw(A, usd('950'), { idempotencyKey: 'w-1' });
        armed.arm(armedPair(h), 'yes_a_no_b');
        expect(armed.get(PAIR)?.reservationA.amount).toBe(usd('25'));
        h.ledger.deposit(A, usd('950'), { idempotencyKey: 'd-1' });
      },
    },
  ];
  it.each(passedOver)('is passed over for an opportunity $name: released, and the trade commits before its send', async ({ reason, arm }) => {
    const h = await arbHarness();
    const armed = new ArmedTrades(h.deps);
    arm(h, armed);
    const ticket = armed.get(PAIR);
    const sends = watchSends(h);
    expect(settledOutcome(await executeArb(h.deps, await h.best(), armed))).toBe('hedged');
    expect(h.store.requireTrade(ticket?.tradeId ?? 0)).toMatchObject({ state: 'failed', note: `${RELEASED_UNUSED}: ${reason}` });
    // The armed trade was released, and the trade that sent durable as submitted, before either order left.
    for (const send of sends) {
      expect(send.trades).toEqual([
        { id: ticket?.tradeId, state: 'failed' },
        { id: (ticket?.tradeId ?? 0) + 1, state: 'submitted' },
      ]);
    }
    expect(sends.map((send) => send.clientOrderId)).not.toContain(ticket?.legA.client_order_id);
    expect(h.pendingReservations()).toBe(0);
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 1]);
  });

  it('is not fired once a reconcile that ignored the engine released it: the trade commits first, nothing is sent unfunded', async () => {
    const { h, armed, ticket } = await armedHarness();
    const released = await reconcile(h.ledger, h.config, { dryRun: false, venues: h.venueSet.venues });
    expect(released.actions.map((action) => action.detail)).toEqual([`arb #${ticket?.tradeId}: armed, no order at the venues; released its reservations`]);
    const sends = watchSends(h);
    expect(settledOutcome(await executeArb(h.deps, await h.best(), armed))).toBe('hedged');
    expect(sends.map((send) => send.trades.at(-1)?.state)).toEqual(['submitted', 'submitted']);
    expect(sends.map((send) => send.clientOrderId)).not.toContain(ticket?.legA.client_order_id);
    expect(armed.get(PAIR)).toBeUndefined();
    expect(h.pendingReservations()).toBe(0);
  });
});

describe('an armed trade interrupted', () => {
  it('sent but not recorded: left armed; after a restart reconcile finds both orders by client order id and settles them once', async () => {
    const { h, armed, ticket } = await armedHarness();
    h.store.fireArmedWithin = () => {
      throw new Error('injected fault while recording the orders');
    };
    const result = await executeArb(h.deps, await h.best(), armed);
    expect(result).toMatchObject({ status: 'pending', tradeId: ticket?.tradeId, reason: expect.stringMatching(/orders sent but not recorded \(injected fault/) });
    expect(h.store.requireTrade(ticket?.tradeId ?? 0).state).toBe('reserved');
    expect([h.paperOrders(A), h.paperOrders(B)]).toEqual([1, 1]);
    // The crash auditor accepts an armed leg's order within its bounds, and names one beyond them.
    expect(arbViolations(h.path, 'crashed')).toEqual([]);
    dbOf(h.ledger).prepare('UPDATE arb_legs SET quantity = ? WHERE id = ?').run(contracts(99), ticket?.legA.id);
    expect(arbViolations(h.path, 'crashed')).toEqual([expect.stringMatching(/^paper order .* its leg armed for at most kalshi FED yes buy 99000000 @ 999999$/)]);
    dbOf(h.ledger).prepare('UPDATE arb_legs SET quantity = ? WHERE id = ?').run(ticket?.legA.quantity, ticket?.legA.id);
    await h.close();
    const r = await arbHarness({ path: h.path });
    const report = await reconcile(r.ledger, r.config, { dryRun: false, venues: r.venueSet.venues });
    expect(report.unresolved).toEqual([]);
    expect(report.actions.map((action) => action.detail)).toEqual([
      `arb #${ticket?.tradeId}: armed, orders found at the venues; recorded sent and settled from their reports (hedged)`,
    ]);
    // The orders' terms from the venues' reports.
    expect(r.store.legsOf(ticket?.tradeId ?? 0).map((leg) => [leg.quantity, leg.limit_price, leg.filled_quantity, leg.state])).toEqual([
      [contracts(100), price('0.42'), contracts(100), 'settled'],
      [contracts(100), price('0.55'), contracts(100), 'settled'],
    ]);
    expect([r.wallet(A).available, r.wallet(B).available]).toEqual([usd('957.16'), usd('943.9')]);
    expect(r.pendingReservations()).toBe(0);
    expect([r.paperOrders(A), r.paperOrders(B)]).toEqual([1, 1]);
    expect(arbViolations(r.path, 'recovered')).toEqual([]);
    // Reconciling again finds nothing to do.
    expect((await reconcile(r.ledger, r.config, { dryRun: false, venues: r.venueSet.venues })).actions).toEqual([]);
  });

  it('crashed before any order: reconcile asks, finds none, releases; with a venue unreachable it holds the funds', async () => {
    const { h, ticket } = await armedHarness();
    await h.close();
    const r = await arbHarness({ path: h.path });
    const partial = await recoverArbs({ ...r.deps, venues: new Map([[A, r.a]]) }, { dryRun: false });
    expect(partial.unresolved).toEqual([expect.stringMatching(new RegExp(`^arb #${ticket?.tradeId} \\(armed\\): poly cannot say whether order .* was sent$`))]);
    expect(r.pendingReservations()).toBe(2);
    const report = await reconcile(r.ledger, r.config, { dryRun: false, venues: r.venueSet.venues });
    expect(report.actions.map((action) => action.detail)).toEqual([`arb #${ticket?.tradeId}: armed, no order at the venues; released its reservations`]);
    expect(r.store.requireTrade(ticket?.tradeId ?? 0)).toMatchObject({ state: 'failed', outcome: 'none' });
    expect(r.pendingReservations()).toBe(0);
    expect(r.paperOrders(A) + r.paperOrders(B)).toBe(0);
  });
});

describe('the engine and its armed trades', () => {
  it('arms each confirmed pair at start, fires it on the opportunity, arms anew, and releases it at a clean stop', async () => {
    const h = await arbHarness();
    const engine = new Engine({ ledger: h.ledger, config: h.config, venues: h.venueSet.venues, listener: () => undefined });
    await engine.start();
    const armedReservations = () => h.ledger.listPendingReservations().filter((reservation) => reservation.purpose.endsWith('(armed)')).length;
    expect(armedReservations()).toBe(2);
    const sends = watchSends(h);
    await engine.handle({ type: 'quote', venue: A, market: 'FED', bid: '0.40', ask: '0.42', timestampMs: Date.UTC(2026, 0, 1) });
    expect(engine.stats.arbsExecuted).toBe(1);
    expect(sends.map((send) => send.trades.at(-1)?.state)).toEqual(['reserved', 'reserved']);
    // Armed anew once the trade settled: the next opportunity is carried too.
    expect(armedReservations()).toBe(2);
    expect(walletCheck(h.ledger).healthy).toBe(true);
    engine.stop();
    expect(h.pendingReservations()).toBe(0);
    expect(dbOf(h.ledger).prepare('SELECT state, outcome FROM arb_trades ORDER BY id').all()).toEqual([
      { state: 'settled', outcome: 'hedged' },
      { state: 'failed', outcome: 'none' },
    ]);
  });

  it('keeps its armed trade through a pause: the reconcile after it writes nothing, and the trade still fires', async () => {
    const h = await arbHarness();
    const engine = new Engine({ ledger: h.ledger, config: h.config, venues: h.venueSet.venues, listener: () => undefined });
    await engine.start();
    const first = h.ledger.listPendingReservations().map((reservation) => reservation.id);
    expect(first).toHaveLength(2);
    const rows = () =>
      dbOf(h.ledger)
        .prepare(
          "SELECT (SELECT count(*) FROM wallet_transactions) AS tx, (SELECT count(*) FROM reservations) AS reservations, (SELECT count(*) FROM arb_legs) AS legs, (SELECT count(*) FROM arb_leg_events) AS events, (SELECT count(*) FROM arb_trades) AS trades",
        )
        .get();
    const before = rows();
    await engine.handle({ type: 'disconnect', venue: B, timestampMs: Date.UTC(2026, 0, 1) });
    await engine.handle({ type: 'reconnect', venue: B, timestampMs: Date.UTC(2026, 0, 1) + 1_000 });
    // An idle pause moved no money: not a row more, the same trade armed on the same reservations.
    expect(rows()).toEqual(before);
    expect(dbOf(h.ledger).prepare('SELECT state, note FROM arb_trades ORDER BY id').all()).toEqual([{ state: 'reserved', note: null }]);
    expect(h.ledger.listPendingReservations().map((reservation) => reservation.id)).toEqual(first);
    // Still armed in the engine, not only in the ledger: the next opportunity is carried by it.
    const sends = watchSends(h);
    await engine.handle({ type: 'quote', venue: A, market: 'FED', bid: '0.40', ask: '0.42', timestampMs: Date.UTC(2026, 0, 1) + 2_000 });
    expect(engine.stats.arbsExecuted).toBe(1);
    expect(sends[0]?.trades.at(-1)?.state).toBe('reserved');
    engine.stop();
    expect(h.pendingReservations()).toBe(0);
    expect(walletCheck(h.ledger).healthy).toBe(true);
  });

  it('with armAhead off, commits every trade before its send and holds nothing ahead', async () => {
    const base = arbConfigJson();
    const h = await arbHarness({ config: { ...base, arbitrage: { ...(base.arbitrage as object), armAhead: false } } });
    const engine = new Engine({ ledger: h.ledger, config: h.config, venues: h.venueSet.venues, listener: () => undefined });
    await engine.start();
    expect(h.pendingReservations()).toBe(0);
    const sends = watchSends(h);
    await engine.handle({ type: 'quote', venue: A, market: 'FED', bid: '0.40', ask: '0.42', timestampMs: Date.UTC(2026, 0, 1) });
    expect(engine.stats.arbsExecuted).toBe(1);
    expect(sends.map((send) => send.trades.at(-1)?.state)).toEqual(['submitted', 'submitted']);
    expect(h.pendingReservations()).toBe(0);
    engine.stop();
  });
});
