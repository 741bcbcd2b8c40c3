// Arbitrage fixtures: a real ledger file and two real paper prediction venues (their own SQLite state file beside
// the ledger, as the CLI uses them), wired into the real executor. Faults are scripted per venue. Every harness is
// checked after each test: the independent invariant auditor, the ledger's own wallet-check, and no stray orders.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, expect } from 'vitest';
import { parseConfigObject, type Config } from '../../src/config/config.js';
import { parseMicros, parsePrice, type Micros, type PriceMicros, type QtyMicros } from '../../src/domain/money.js';
import { newClientOrderId, type ArbDeps } from '../../src/engine/arb/executor.js';
import { worstCaseCost } from '../../src/engine/arb/orders.js';
import { pairBooks } from '../../src/engine/arb/books.js';
import { scanPair, type Opportunity } from '../../src/engine/arb/scanner.js';
import { reconcile, type VenueBalanceCheck } from '../../src/engine/reconcile.js';
import { ArbStore, type ArbLeg, type ArbTrade } from '../../src/ledger/arb-store.js';
import { walletCheck } from '../../src/ledger/health.js';
import { Ledger, type Wallet } from '../../src/ledger/ledger.js';
import { paperStatePath } from '../../src/venues/paper/paper-state.js';
import type { PaperFaultPlan, PaperVenue } from '../../src/venues/paper/paper-venue.js';
import type { PlaceOrderRequest } from '../../src/venues/venue.js';
import { createVenues, type VenueSet } from '../../src/venues/registry.js';
import { tempDir } from '../helpers.js';
import { invariantViolations } from '../invariants.js';
import { dbOf } from '../helpers.js';

export const PAIR = 'fed-dec';
export const A = 'kalshi';
export const B = 'poly';
export const A_MARKET = 'FED';
export const B_MARKET = 'fed';

/**
 * Two paper prediction venues quoting one event. Kalshi YES asks 0.42 / 0.43 / 0.44 and Polymarket YES bids 0.45 /
 * 0.44 / 0.43 (so its NO asks are 0.55 / 0.56 / 0.57), 100 contracts per level. With a 2% taker fee the first level
 * pays (1 − 0.42 − 0.55) − 2% × 0.97 = $0.0106 per contract and the second loses, so the best arbitrage is exactly
 * 100 contracts: leg A 100 YES at 0.42 ($42 + $0.84 fee), leg B 100 NO at 0.55 ($55 + $1.10 fee), net $1.06.
 */
export function arbConfigJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    synchronous: 'NORMAL',
    venues: {
      [A]: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { [A_MARKET]: { bid: '0.40', ask: '0.42', depth: '100' } } },
      [B]: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { [B_MARKET]: { bid: '0.45', ask: '0.47', depth: '100' } } },
    },
    pairs: { [PAIR]: { a: { venue: A, market: A_MARKET }, b: { venue: B, market: B_MARKET }, maxSize: '500', minEdgeBps: 50, confirmed: true } },
    costs: { feePct: '2', spreadPct: '0.1', slippagePct: '0' },
    arbitrage: { orderTimeoutMs: 200, unhedged: { action: 'hedge', hedgeMaxLossBps: 200 } },
    ...overrides,
  };
}

/** Dollars as micro-units, for readable expectations: usd('42.84') = 42_840_000. */
export const usd = (text: string): Micros => parseMicros(text);
export const contracts = (count: number): QtyMicros => (count * 1_000_000) as QtyMicros;
export const price = (text: string): PriceMicros => parsePrice(text);

export interface ArbHarness {
  readonly dir: string;
  readonly path: string;
  readonly config: Config;
  readonly ledger: Ledger;
  readonly store: ArbStore;
  readonly venueSet: VenueSet;
  readonly a: PaperVenue;
  readonly b: PaperVenue;
  readonly deps: ArbDeps;
  /** The best opportunity on the pair right now (the scanner's first). */
  best(): Promise<Opportunity>;
  /** How many orders the paper venue holds (every placement, filled or not). */
  paperOrders(venue: string): number;
  wallet(venue: string): Wallet;
  /** wallet_transactions rows: a replay that changes nothing leaves this count alone. */
  transactionCount(): number;
  pendingReservations(): number;
  venueBalances(): Promise<readonly VenueBalanceCheck[]>;
  /** Closes everything, as a process exit would (the files stay). */
  close(): Promise<void>;
}

const open: ArbHarness[] = [];

/** A harness on fresh files in a new temporary directory, or on existing files at `path` (a restart). */
export async function arbHarness(
  options: { config?: Record<string, unknown>; faults?: Record<string, PaperFaultPlan>; path?: string } = {},
): Promise<ArbHarness> {
  const config = parseConfigObject(options.config ?? arbConfigJson(), null);
  const dir = options.path ? join(options.path, '..') : tempDir();
  const path = options.path ?? join(dir, 'arbbot.db');
  const ledger = Ledger.open(path, { synchronous: 'NORMAL' });
  for (const venue of config.venues.values()) ledger.ensureWallet(venue.name, venue.startingBalance);
  const venueSet = await createVenues(config, path, { faults: new Map(Object.entries(options.faults ?? {})) });
  const store = new ArbStore(ledger);
  const deps: ArbDeps = { ledger, store, venues: venueSet.venues, config };
  const paper = (name: string): PaperVenue => {
    const venue = venueSet.paper.get(name);
    if (!venue) throw new Error(`no paper venue ${name}`);
    return venue;
  };
  let closed = false;
  const harness: ArbHarness = {
    dir,
    path,
    config,
    ledger,
    store,
    venueSet,
    a: paper(A),
    b: paper(B),
    deps,
    async best() {
      const pair = config.pairs.get(PAIR);
      if (!pair) throw new Error('no pair');
      const found = scanPair(await pairBooks(ledger, venueSet.venues, pair))[0];
      if (!found) throw new Error('no opportunity');
      return found;
    },
    paperOrders: (venue) => venueSet.paperState?.orderCount(venue) ?? 0,
    wallet: (venue) => ledger.requireWallet(venue),
    transactionCount: () => (dbOf(ledger).prepare('SELECT count(*) AS n FROM wallet_transactions').get() as { n: number }).n,
    pendingReservations: () => ledger.listPendingReservations().length,
    async venueBalances() {
      return (await reconcile(ledger, config, { dryRun: true, venues: venueSet.venues })).venueBalances;
    },
    async close() {
      if (closed) return;
      closed = true;
      await venueSet.close();
      ledger.close();
    },
  };
  open.push(harness);
  return harness;
}

/** The checks every test ends with: the books balance (two independent auditors) and every venue order is ours. */
export function assertBooks(harness: ArbHarness): void {
  expect(invariantViolations(harness.ledger)).toEqual([]);
  const health = walletCheck(harness.ledger);
  expect(health.checks.filter((check) => !check.ok)).toEqual([]);
  expect(health.healthy).toBe(true);
  expect(strayPaperOrders(harness.ledger, paperStatePath(harness.path))).toEqual([]);
}

/** Paper orders with no arbitrage leg of the same venue and client order id (an order the ledger knows nothing of). */
export function strayPaperOrders(ledger: Ledger, paperPath: string): string[] {
  const paper = new Database(paperPath, { readonly: true, fileMustExist: true });
  try {
    const orders = paper.prepare('SELECT venue, client_order_id FROM paper_orders').all() as { venue: string; client_order_id: string }[];
    const legs = new Set(
      (dbOf(ledger).prepare('SELECT venue, client_order_id FROM arb_legs').all() as { venue: string; client_order_id: string }[]).map(
        (leg) => `${leg.venue}\u0000${leg.client_order_id}`,
      ),
    );
    return orders.filter((order) => !legs.has(`${order.venue}\u0000${order.client_order_id}`)).map((order) => `${order.venue} ${order.client_order_id}`);
  } finally {
    paper.close();
  }
}

afterEach(async () => {
  const harnesses = open.splice(0);
  try {
    for (const harness of harnesses) if (dbOf(harness.ledger).open) assertBooks(harness);
  } finally {
    for (const harness of harnesses) await harness.close();
  }
});

/** A trade-level summary comparable across two ledgers (no ids, no timestamps, no client order ids). */
export function bookSummary(harness: ArbHarness): unknown {
  const db = dbOf(harness.ledger);
  return {
    wallets: harness.ledger.listWallets(),
    positions: db
      .prepare('SELECT venue, market, side, kind, status, quantity, entry_price, cost_basis, entry_fee, net_pnl FROM positions ORDER BY id')
      .all(),
    reservations: db.prepare('SELECT venue, amount, state, committed_amount FROM reservations ORDER BY id').all(),
    trades: db.prepare('SELECT pair, direction, contracts, state, outcome FROM arb_trades ORDER BY id').all(),
    legs: db.prepare('SELECT leg, venue, state, quantity, filled_quantity, filled_notional, fee FROM arb_legs ORDER BY id').all(),
    unhedged: db.prepare('SELECT quantity, state FROM unhedged_legs ORDER BY id').all(),
    transactions: db.prepare('SELECT venue, type, amount, locked_delta FROM wallet_transactions ORDER BY id').all(),
  };
}

/** The pairs section with the one pair changed. */
export function pairWith(changes: Record<string, unknown>): Record<string, unknown> {
  return { [PAIR]: { a: { venue: A, market: A_MARKET }, b: { venue: B, market: B_MARKET }, maxSize: '500', minEdgeBps: 50, confirmed: true, ...changes } };
}

/** The order a leg sends (what the executor builds from it). */
export function orderRequest(leg: ArbLeg): PlaceOrderRequest {
  return {
    clientOrderId: leg.client_order_id,
    market: leg.market,
    outcome: leg.outcome,
    side: leg.side,
    quantity: leg.quantity as QtyMicros,
    limitPrice: leg.limit_price as PriceMicros,
    timeInForce: 'fok',
  };
}

/**
 * Writes, through ArbStore and the ledger, the state the executor leaves at each of its steps — what a process
 * killed right after that step leaves behind: 'reserved' (both legs reserved, nothing sent) or 'submitted' (marked
 * submitted; whether the orders reached the venues is up to the test).
 */
export function writeTradeState(h: ArbHarness, o: Opportunity, step: 'reserved' | 'submitted'): { trade: ArbTrade; legs: ArbLeg[] } {
  const { trade, legs } = h.store.createTrade({
    pair: o.pair,
    direction: o.direction,
    contracts: o.contracts,
    expectedNetEdge: o.netEdge,
    legs: (['a', 'b'] as const).map((leg) => ({
      leg,
      venue: o[leg].venue,
      market: o[leg].market,
      outcome: o[leg].outcome,
      side: 'buy' as const,
      quantity: o[leg].quantity,
      limitPrice: o[leg].limitPrice,
      clientOrderId: newClientOrderId(),
    })),
  });
  h.ledger.transaction(() => {
    for (const leg of legs) {
      const venue = h.deps.venues.get(leg.venue);
      if (!venue) throw new Error(`no venue ${leg.venue}`);
      const amount = worstCaseCost(venue, orderRequest(leg), o[leg.leg === 'a' ? 'a' : 'b'].averagePrice);
      const { reservation } = h.ledger.reserve({ venue: leg.venue, amount, idempotencyKey: `arb-leg:${leg.client_order_id}`, purpose: `arb #${trade.id} leg ${leg.leg}` });
      h.store.transitionLeg(leg.id, 'reserved', { reservation_id: reservation.id });
    }
    h.store.setTradeState(trade.id, 'reserved');
  });
  if (step === 'submitted') {
    h.ledger.transaction(() => {
      for (const leg of legs) h.store.transitionLeg(leg.id, 'submitted');
      h.store.setTradeState(trade.id, 'submitted');
    });
  }
  return { trade: h.store.requireTrade(trade.id), legs: h.store.legsOf(trade.id) };
}
