// The pre-check that lets a quote skip the pair scan must never hide an opportunity the scan would execute: over
// random books, fees, balances and minimum edges, "no edge possible" implies the full scan finds nothing actionable.
// The paper venue's in-memory best ask, which the trader checks on every quote, must be its book's cheapest ask.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPpm, notional, type Micros, type PriceMicros, type QtyMicros } from '../../../src/domain/money.js';
import { ArbTrader, actionable, type ArbStats } from '../../../src/engine/arb/trader.js';
import { cheapestAsk, edgePossible, scanPair, type LegBook, type PairBooks } from '../../../src/engine/arb/scanner.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import type { BookLevel, Outcome, TopOfBook } from '../../../src/venues/venue.js';
import { A, A_MARKET, arbHarness, B, B_MARKET, contracts, PAIR, price } from '../../fixtures/arb.js';

const SCALE = 1_000_000;

/** Fee formulas of the shapes venues charge, all rounded up: a share of notional, and a quadratic in the price. */
const fees = fc.oneof(
  fc.constant((): Micros => 0 as Micros),
  fc.integer({ min: 0, max: 50_000 }).map((ppm) => (quantity: QtyMicros, p: PriceMicros): Micros => applyPpm(notional(quantity, p, 'up'), ppm as never, 'up')),
  fc.integer({ min: 0, max: 100_000 }).map((ppm) => (quantity: QtyMicros, p: PriceMicros): Micros => {
    const variance = notional(notional(quantity, p, 'up') as number as QtyMicros, (SCALE - p) as PriceMicros, 'up');
    return applyPpm(variance, ppm as never, 'up');
  }),
);

/** Levels behind the best ask (best first, as venues list them), each some ticks worse. */
const deeper = fc.array(fc.record({ step: fc.integer({ min: 1, max: 30_000 }), count: fc.integer({ min: 1, max: 300 }) }), { maxLength: 3 });

function levelsFrom(best: number, firstCount: number, behind: readonly { step: number; count: number }[]): BookLevel[] {
  if (best <= 0 || best >= SCALE) return [];
  const out: BookLevel[] = [{ price: best as PriceMicros, size: contracts(firstCount) }];
  let p = best;
  for (const level of behind) {
    p += level.step;
    if (p >= SCALE) break;
    out.push({ price: p as PriceMicros, size: contracts(level.count) });
  }
  return out;
}

/**
 * The two legs of one direction, their best asks summing close to 1 (within a few percent either side), where a
 * bound that is off by a little would show; sometimes one side has no asks at all.
 */
const direction = fc
  .record({
    first: fc.integer({ min: 1, max: 999_999 }),
    belowOne: fc.oneof(fc.integer({ min: -50, max: 100 }), fc.integer({ min: -5_000, max: 60_000 })),
    countA: fc.integer({ min: 1, max: 300 }),
    countB: fc.integer({ min: 1, max: 300 }),
    behindA: deeper,
    behindB: deeper,
    empty: fc.constantFrom('none', 'none', 'none', 'a', 'b'),
  })
  .map((r) => ({
    a: r.empty === 'a' ? [] : levelsFrom(r.first, r.countA, r.behindA),
    b: r.empty === 'b' ? [] : levelsFrom(SCALE - r.belowOne - r.first, r.countB, r.behindB),
  }));

function legBook(venue: string, outcome: Outcome, levels: BookLevel[], available: number, minimum: number, fee: LegBook['takerFee']): LegBook {
  return {
    venue,
    market: venue,
    outcome,
    asks: levels,
    availableMicros: available as Micros,
    minContracts: contracts(minimum),
    takerFee: fee,
  };
}

const pairBooks = fc
  .record({
    yesANoB: direction,
    noAYesB: direction,
    feeA: fees,
    feeB: fees,
    availableA: fc.integer({ min: 0, max: 1_000_000_000 }),
    availableB: fc.integer({ min: 0, max: 1_000_000_000 }),
    minimumA: fc.integer({ min: 1, max: 5 }),
    minimumB: fc.integer({ min: 1, max: 5 }),
    maxSize: fc.oneof(fc.integer({ min: 1, max: 2_000_000_000 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })),
  })
  .map(
    (r): PairBooks => ({
      pair: 'p',
      aYes: legBook('a', 'yes', r.yesANoB.a, r.availableA, r.minimumA, r.feeA),
      bNo: legBook('b', 'no', r.yesANoB.b, r.availableB, r.minimumB, r.feeB),
      aNo: legBook('a', 'no', r.noAYesB.a, r.availableA, r.minimumA, r.feeA),
      bYes: legBook('b', 'yes', r.noAYesB.b, r.availableB, r.minimumB, r.feeB),
      maxSizeMicros: r.maxSize as Micros,
    }),
  );

const minEdgeBps = fc.oneof(fc.constant(0), fc.constant(50), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 10_000 }));

describe('the edge pre-check', () => {
  it('never says "no edge" when the full scan finds an actionable opportunity', () => {
    fc.assert(
      fc.property(pairBooks, minEdgeBps, (books, minimum) => {
        if (edgePossible(books, minimum)) return;
        const found = scanPair(books).filter((o) => o.netEdge > 0 && o.netEdgeBps >= minimum);
        expect(found).toEqual([]);
      }),
      { numRuns: 3_000 },
    );
  });

  it('leaves out only directions that cannot pay: the scan the trader runs picks what the full scan would execute', () => {
    fc.assert(
      fc.property(pairBooks, minEdgeBps, (books, minimum) => {
        const pair = { minEdgeBps: minimum } as Parameters<typeof actionable>[0];
        const full = scanPair(books)[0];
        const payable = scanPair(books, true)[0];
        if (full && actionable(pair, full)) expect(payable).toEqual(full);
        else expect(payable !== undefined && actionable(pair, payable)).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is exact at the boundary: asks summing to 1 cannot pay, one micro-dollar less may', () => {
    const book = (outcome: Outcome, p: string): LegBook => legBook(outcome, outcome, [{ price: price(p), size: contracts(10) }], 1e9, 1, () => 0 as Micros);
    const books = (a: string, b: string): PairBooks => ({ pair: 'p', aYes: book('yes', a), bNo: book('no', b), aNo: book('no', '0.99'), bYes: book('yes', '0.99'), maxSizeMicros: 1e9 as Micros });
    expect(edgePossible(books('0.41', '0.59'))).toBe(false);
    expect(edgePossible(books('0.41', '0.589999'))).toBe(true);
    // 50 bps on capital: (1 − s) / s >= 0.005 needs s <= 1 / 1.005 = 0.995024…
    expect(edgePossible(books('0.40', '0.595024'), 50)).toBe(true);
    expect(edgePossible(books('0.40', '0.595025'), 50)).toBe(false);
  });
});

describe('the paper venue’s in-memory best ask', () => {
  it('is the cheapest ask of its book on both outcomes, or null when the book has none', async () => {
    const h = await arbHarness();
    const quotes = fc.record({ bid: fc.integer({ min: -10, max: SCALE + 10 }), spread: fc.integer({ min: 0, max: 50_000 }), depth: fc.integer({ min: 0, max: 1_000 }) });
    fc.assert(
      fc.property(quotes, ({ bid, spread, depth }) => {
        h.a.setQuote(A_MARKET, bid as PriceMicros, (bid + spread) as PriceMicros, contracts(depth));
        for (const outcome of ['yes', 'no'] as const) {
          expect(h.a.bestAskNow(A_MARKET, outcome)).toBe(cheapestAsk(h.a.bookNow(A_MARKET, outcome).asks));
        }
      }),
      { numRuns: 500 },
    );
    expect(h.a.bestAskNow('NO-SUCH-MARKET', 'yes')).toBeNull();
  });

  it('gives a live top of book: the same object, updated in place, read by bestAskIn as bestAskNow reads the market', async () => {
    const h = await arbHarness();
    expect(h.a.topOfBookNow('NO-SUCH-MARKET')).toBeNull();
    h.a.setQuote(A_MARKET, price('0.38'), price('0.60'));
    const view = h.a.topOfBookNow(A_MARKET);
    expect(view).not.toBeNull();
    const quotes = fc.record({ bid: fc.integer({ min: -10, max: SCALE + 10 }), spread: fc.integer({ min: 0, max: 50_000 }) });
    fc.assert(
      fc.property(quotes, ({ bid, spread }) => {
        h.a.setQuote(A_MARKET, bid as PriceMicros, (bid + spread) as PriceMicros);
        // A trader keeps the view: it must still be the market's book, not a copy of an older quote.
        expect(h.a.topOfBookNow(A_MARKET)).toBe(view);
        for (const outcome of ['yes', 'no'] as const) expect(h.a.bestAskIn(view as TopOfBook, outcome)).toBe(h.a.bestAskNow(A_MARKET, outcome));
      }),
      { numRuns: 500 },
    );
  });
});

describe('a quote that leaves no edge', () => {
  function trader(h: Awaited<ReturnType<typeof arbHarness>>): { trader: ArbTrader; events: EngineEvent[] } {
    const stats: ArbStats = { arbsFound: 0, arbsExecuted: 0, arbsFailed: 0, arbsNeedingAttention: 0, arbOutcomes: new Map(), unhedgedLegs: 0, unhedgedResolved: new Map() };
    const events: EngineEvent[] = [];
    return { trader: new ArbTrader(h.deps, stats, (event) => events.push(event)), events };
  }

  it('is answered synchronously without touching the ledger', async () => {
    const h = await arbHarness();
    const { trader: arb } = trader(h);
    // YES on kalshi at 0.60 + NO on poly at 0.55, and NO on kalshi at 0.62 + YES on poly at 0.47: both sum above 1.
    h.a.setQuote(A_MARKET, price('0.38'), price('0.60'));
    // A closed database throws on any statement: the no-edge path must not need one.
    h.ledger.close();
    expect(arb.onQuote(A, A_MARKET, () => false)).toBeUndefined();
    expect(arb.onQuote(B, B_MARKET, () => false)).toBeUndefined();
  });

  it('still trades when the edge is there: the fixture’s books pay on the first level', async () => {
    const h = await arbHarness();
    const { trader: arb, events } = trader(h);
    const pending = arb.onQuote(A, A_MARKET, () => false);
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    expect(events.find((event) => event.kind === 'arb')).toMatchObject({ opportunity: { pair: PAIR, direction: 'yes_a_no_b' }, result: { status: 'settled' } });
  });

  it('is not scanned while either venue is paused', async () => {
    const h = await arbHarness();
    const { trader: arb, events } = trader(h);
    expect(arb.onQuote(A, A_MARKET, (venue) => venue === B)).toBeUndefined();
    expect(events).toEqual([]);
  });
});
