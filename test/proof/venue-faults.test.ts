// Venue faults through the paper venue, driven through the real Engine (a quote in, an arbitrage out): rejection,
// timeout after the venue accepted, partial fill, a duplicated submission (the same report delivered twice), and a
// disconnect while an arbitrage is executing. test/arb covers each fault's bookkeeping in detail at the executor; this
// suite checks what must hold afterwards, whatever the fault: the invariants of docs/ledger.md, nothing pending, every venue
// order one of our legs and placed once, each recorded fill the venue's, and the venues' cash and contracts equal to
// what the ledger books.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfigObject, type Config } from '../../src/config/config.js';
import { RELEASED_UNUSED } from '../../src/engine/arb/armed.js';
import { Engine } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { reconcile } from '../../src/engine/reconcile.js';
import { Ledger } from '../../src/ledger/ledger.js';
import type { PaperFaultPlan } from '../../src/venues/paper/paper-venue.js';
import { createVenues, type VenueSet } from '../../src/venues/registry.js';
import type { PlaceOrderRequest, Venue } from '../../src/venues/venue.js';
import { tempDir } from '../fixtures/helpers.js';
import { invariantViolations } from '../fixtures/invariants.js';
import { arbViolations } from '../fixtures/proof.js';
import { dbOf } from '../fixtures/helpers.js';

const A = 'kalshi';
const B = 'poly';
const T0 = Date.UTC(2026, 0, 1);

/** Kalshi YES at 0.42 and Polymarket NO at 0.55 (YES bid 0.45), 100 contracts a level: one quote makes an arbitrage. */
function configJson(arbitrage: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    synchronous: 'NORMAL',
    venues: {
      [A]: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { FED: { bid: '0.40', ask: '0.42', depth: '100' } } },
      [B]: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { fed: { bid: '0.45', ask: '0.47', depth: '100' } } },
    },
    pairs: { 'fed-dec': { a: { venue: A, market: 'FED' }, b: { venue: B, market: 'fed' }, maxSize: '500', minEdgeBps: 50, confirmed: true } },
    costs: { feePct: '2', spreadPct: '0.1', slippagePct: '0' },
    arbitrage: { orderTimeoutMs: 500, unhedged: { action: 'hedge', hedgeMaxLossBps: 200 }, ...arbitrage },
  };
}

interface Harness {
  readonly path: string;
  readonly config: Config;
  readonly ledger: Ledger;
  readonly venueSet: VenueSet;
  readonly engine: Engine;
  readonly events: EngineEvent[];
  /** A crossing quote on kalshi (YES ask 0.42), as the feed would deliver it. */
  quoteA(second: number): Promise<void> | void;
  /** Polymarket's quote again (YES bid 0.45: NO asks from 0.55): fresh liquidity after a fill took its first level. */
  quoteB(second: number): Promise<void> | void;
  trades(): { id: number; state: string; outcome: string | null }[];
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.venueSet.close();
    h.ledger.close();
  }
});

async function harness(options: { faults?: Record<string, PaperFaultPlan>; arbitrage?: Record<string, unknown>; wrap?: (venue: Venue) => Venue } = {}): Promise<Harness> {
  const config = parseConfigObject(configJson(options.arbitrage), null);
  const path = join(tempDir(), 'faults.db');
  const ledger = Ledger.open(path, { synchronous: 'NORMAL' });
  for (const venue of config.venues.values()) ledger.ensureWallet(venue.name, venue.startingBalance);
  const venueSet = await createVenues(config, path, { faults: new Map(Object.entries(options.faults ?? {})) });
  const venues = new Map([...venueSet.venues].map(([name, venue]) => [name, options.wrap ? options.wrap(venue) : venue]));
  const events: EngineEvent[] = [];
  const engine = new Engine({ ledger, config, venues, listener: (event) => events.push(event) });
  await engine.start();
  const h: Harness = {
    path,
    config,
    ledger,
    venueSet,
    engine,
    events,
    quoteA: (second) => engine.handle({ type: 'quote', venue: A, market: 'FED', bid: '0.40', ask: '0.42', timestampMs: T0 + second * 1000 }),
    quoteB: (second) => engine.handle({ type: 'quote', venue: B, market: 'fed', bid: '0.45', ask: '0.47', timestampMs: T0 + second * 1000 }),
    // The trades that sent orders: not the pair's armed trade, nor one released unused.
    trades: () =>
      dbOf(ledger)
        .prepare(`SELECT id, state, outcome FROM arb_trades WHERE state <> 'reserved' AND coalesce(note, '') NOT LIKE '${RELEASED_UNUSED}%' ORDER BY id`)
        .all() as { id: number; state: string; outcome: string | null }[],
  };
  open.push(h);
  return h;
}

/** Everything that must hold after any fault, once the engine has finished with it and stopped. */
async function expectSound(h: Harness): Promise<void> {
  expect(invariantViolations(h.ledger)).toEqual([]);
  // Running, the engine holds the pair's next trade armed; a clean stop releases it.
  h.engine.stop();
  expect(invariantViolations(h.ledger)).toEqual([]);
  expect(h.ledger.listPendingReservations()).toEqual([]);
  expect(arbViolations(h.path, 'recovered')).toEqual([]);
  const report = await reconcile(h.ledger, h.config, { dryRun: true, venues: h.venueSet.venues });
  expect(report.unresolved).toEqual([]);
  expect(report.actions).toEqual([]);
  expect(report.venueBalances.every((check) => check.agrees)).toBe(true);
}

describe('venue faults through the engine: the books and the venues agree afterwards', () => {
  it('a rejected leg: the other leg is unhedged, then hedged; nothing leaks', async () => {
    const h = await harness({ faults: { [A]: { script: ['reject'] } } });
    await h.quoteA(0);
    expect(h.trades()[0]).toMatchObject({ state: 'settled', outcome: 'unhedged' });
    expect(h.events.filter((e) => e.kind === 'unhedged').map((e) => (e.kind === 'unhedged' ? e.outcome : null))).toEqual(['hedged']);
    await expectSound(h);
  });

  it('a timeout after the venue accepted: asked by client order id, booked once, placed once', async () => {
    const h = await harness({ faults: { [B]: { script: ['timeout_after_accept'] } } });
    await h.quoteA(0);
    expect(h.trades()[0]).toMatchObject({ state: 'settled', outcome: 'hedged' });
    expect(h.venueSet.paperState?.orderCount(B)).toBe(1);
    await expectSound(h);
  });

  it('a timeout before the venue accepted and an internal venue error: held, not released on a guess; reconcile releases', async () => {
    const h = await harness({ faults: { [A]: { script: ['timeout_before_accept'] }, [B]: { script: ['error'] } } });
    await h.quoteA(0);
    // The request may still reach the venue: the money stays reserved until a later look-up proves it never did.
    expect(h.trades()[0]).toMatchObject({ state: 'submitted' });
    expect(h.ledger.listPendingReservations().length).toBeGreaterThan(0);
    expect(invariantViolations(h.ledger)).toEqual([]);
    expect(arbViolations(h.path, 'crashed')).toEqual([]);
    const report = await reconcile(h.ledger, h.config, { dryRun: false, venues: h.venueSet.venues });
    expect(report.unresolved).toEqual([]);
    expect(h.trades()[0]).toMatchObject({ state: 'settled', outcome: 'none' });
    expect([h.venueSet.paperState?.orderCount(A), h.venueSet.paperState?.orderCount(B)]).toEqual([0, 0]);
    await expectSound(h);
  });

  it('a partial fill (IOC): the hedged part and the excess are booked from the fills, the excess hedged after', async () => {
    const h = await harness({ faults: { [A]: { script: ['partial'] } }, arbitrage: { timeInForce: 'ioc' } });
    await h.quoteA(0);
    expect(h.trades()[0]).toMatchObject({ state: 'settled', outcome: 'partial' });
    // The excess on leg B became an unhedged record, then the hedge policy bought the missing contracts on A.
    expect(dbOf(h.ledger).prepare('SELECT state FROM unhedged_legs').all()).toEqual([{ state: 'hedged' }]);
    await expectSound(h);
  });

  it('a submission delivered twice (a retried request): the venue answers with the first order, the ledger books one', async () => {
    const h = await harness({ wrap: (venue) => twice(venue) });
    await h.quoteA(0);
    expect(h.trades()[0]).toMatchObject({ state: 'settled', outcome: 'hedged' });
    expect([h.venueSet.paperState?.orderCount(A), h.venueSet.paperState?.orderCount(B)]).toEqual([1, 1]);
    // The first trade took both first levels; fresh quotes on both markets bring the edge back: a second trade, again
    // one order per leg.
    await h.quoteB(1);
    await h.quoteA(1);
    expect(h.trades().map((t) => t.outcome)).toEqual(['hedged', 'hedged']);
    expect([h.venueSet.paperState?.orderCount(A), h.venueSet.paperState?.orderCount(B)]).toEqual([2, 2]);
    await expectSound(h);
  });

  it('a disconnect while an arbitrage executes: the in-flight trade settles, no new one starts until the venue is back', async () => {
    const h = await harness({ faults: { [B]: { latencyMs: 300 } } });
    const inFlight = h.quoteA(0); // not awaited: the arbitrage is now executing, its leg B waiting on the venue
    for (let polls = 0; h.trades().length === 0 && polls < 1_000; polls += 1) await sleep(2);
    expect(h.trades()).toEqual([{ id: 1, state: 'submitted', outcome: null }]);
    await h.engine.handle({ type: 'disconnect', venue: B, timestampMs: T0 + 500 });
    expect(h.engine.pause.isPaused(B)).toBe(true);
    await inFlight;
    expect(h.trades()).toEqual([{ id: 1, state: 'settled', outcome: 'hedged' }]);
    // Paused: the same crossing quotes on both markets (fresh liquidity, so the edge is there again) start nothing.
    for (let second = 1; second <= 3; second += 1) {
      await h.quoteB(second);
      await h.quoteA(second);
    }
    expect(h.trades()).toHaveLength(1);
    await expectSound(h);
    // Back: reconciled, and the next quote trades again.
    await h.engine.handle({ type: 'reconnect', venue: B, timestampMs: T0 + 5_000 });
    expect(h.events.some((e) => e.kind === 'resumed' && e.venue === B)).toBe(true);
    await h.quoteA(6);
    expect(h.trades()).toHaveLength(2);
    await expectSound(h);
  });
});

/** A venue whose every order request reaches it twice (a client retry after a lost answer): the second answer is used. */
function twice(venue: Venue): Venue {
  return {
    name: venue.name,
    predictionMarket: venue.predictionMarket,
    getBook: (market, outcome) => venue.getBook(market, outcome),
    getBalance: () => venue.getBalance(),
    async placeOrder(request: PlaceOrderRequest) {
      const first = await venue.placeOrder(request);
      const second = await venue.placeOrder(request);
      expect(second).toEqual(first);
      return second;
    },
    getOrderByClientId: (clientOrderId, market) => venue.getOrderByClientId(clientOrderId, market),
    cancelOrder: (venueOrderId, market) => venue.cancelOrder(venueOrderId, market),
    takerFee: (market, quantity, price) => venue.takerFee(market, quantity, price),
    // Still driven by the engine (its book follows the quotes); its in-memory books are left out, so every scan asks.
    ...(venue.simulation ? { simulation: venue.simulation } : {}),
  };
}
