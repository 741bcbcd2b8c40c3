// The scanner is pure: these tests hand it books and fee formulas written here from the venues' documentation
// (docs/venues.md), not the adapters' own, so a wrong fee in an adapter cannot make these figures agree with it.
import { describe, expect, it } from 'vitest';
import type { Micros, PriceMicros, QtyMicros } from '../../../src/domain/money.js';
import { bestInDirection, evaluate, scanPair, walkAsks, withLegCostCap, type LegBook } from '../../../src/engine/arb/scanner.js';
import type { BookLevel, Outcome } from '../../../src/venues/venue.js';
import { contracts, price, usd } from '../../fixtures/arb.js';

const MICRO = 1_000_000n;

/** Kalshi taker fee: ceil_to_cent(0.07 × C × P × (1 − P)), in micro-USD. */
function kalshiFee(quantity: QtyMicros, p: PriceMicros): Micros {
  // 0.07 × (q / 10^6) × (p / 10^6) × ((10^6 − p) / 10^6) dollars = 7·q·p·(10^6 − p) / 10^20 dollars = … / 10^18 cents.
  const exact = 7n * BigInt(quantity) * BigInt(p) * (MICRO - BigInt(p));
  const cents = (exact + 10n ** 18n - 1n) / 10n ** 18n;
  return Number(cents * 10_000n) as Micros;
}

/** Polymarket taker fee: C × r × (p(1 − p))^e with r = 0.03, e = 1, rounded up to the micro-unit. */
function polymarketFee(quantity: QtyMicros, p: PriceMicros): Micros {
  // 0.03 × (q / 10^6) × (p / 10^6) × ((10^6 − p) / 10^6) dollars = 3·q·p·(10^6 − p) / 10^14 micro-dollars.
  const exact = 3n * BigInt(quantity) * BigInt(p) * (MICRO - BigInt(p));
  return Number((exact + 10n ** 14n - 1n) / 10n ** 14n) as Micros;
}

const noFee = (): Micros => 0 as Micros;

function levels(...spec: [string, number][]): BookLevel[] {
  return spec.map(([p, count]) => ({ price: price(p), size: contracts(count) }));
}

function book(venue: string, outcome: Outcome, asks: BookLevel[], extra: Partial<LegBook> = {}): LegBook {
  return {
    venue,
    market: venue === 'kalshi' ? 'FED-DEC' : 'fed-dec',
    outcome,
    asks,
    availableMicros: usd('100000'),
    minContracts: contracts(1),
    takerFee: venue === 'kalshi' ? kalshiFee : polymarketFee,
    ...extra,
  };
}

const NO_CAP = usd('100000');

describe('fee formulas (the test’s own, checked against docs/venues.md)', () => {
  it('charges Kalshi $1.71 and Polymarket $0.7425 on the worked example', () => {
    expect(kalshiFee(contracts(100), price('0.42'))).toBe(usd('1.71'));
    expect(polymarketFee(contracts(100), price('0.55'))).toBe(usd('0.7425'));
    // Ceil to the cent is a ceiling, not rounding: 0.07 × 1 × 0.5 × 0.5 = $0.0175 → $0.02.
    expect(kalshiFee(contracts(1), price('0.5'))).toBe(usd('0.02'));
  });
});

describe('scanner: the worked example', () => {
  it('buys 100 YES on Kalshi at 0.42 and 100 NO on Polymarket at 0.55: gross $3.00, fees $2.4525, net $0.5475', () => {
    const kalshiYes = book('kalshi', 'yes', levels(['0.42', 100]));
    const polyNo = book('poly', 'no', levels(['0.55', 100]));
    const o = evaluate('fed-dec', 'yes_a_no_b', kalshiYes, polyNo, contracts(100));
    expect(o).not.toBeNull();
    if (!o) return;
    expect(o.a).toMatchObject({ venue: 'kalshi', outcome: 'yes', quantity: contracts(100), averagePrice: price('0.42'), cost: usd('42'), fee: usd('1.71') });
    expect(o.b).toMatchObject({ venue: 'poly', outcome: 'no', quantity: contracts(100), averagePrice: price('0.55'), cost: usd('55'), fee: usd('0.7425') });
    expect(o.payout).toBe(usd('100'));
    expect(o.grossEdge).toBe(usd('3'));
    expect(o.fees).toBe(usd('2.4525'));
    expect(o.netEdge).toBe(usd('0.5475'));
    // Net edge over the capital used (97 + 2.4525), in basis points, rounded down.
    expect(o.netEdgeBps).toBe(55);
  });

  it('checks both directions and puts the profitable one first, whichever it is', () => {
    // Kalshi YES ask 0.42 / NO ask 0.60 (YES bid 0.40); Polymarket YES ask 0.47 / NO ask 0.55 (YES bid 0.45).
    const books = {
      pair: 'fed-dec',
      aYes: book('kalshi', 'yes', levels(['0.42', 100])),
      aNo: book('kalshi', 'no', levels(['0.60', 100])),
      bYes: book('poly', 'yes', levels(['0.47', 100])),
      bNo: book('poly', 'no', levels(['0.55', 100])),
      maxSizeMicros: NO_CAP,
    };
    const found = scanPair(books);
    expect(found.map((o) => o.direction)).toEqual(['yes_a_no_b', 'no_a_yes_b']);
    expect(found[0]?.netEdge).toBe(usd('0.5475'));
    const reverse = found[1];
    expect(reverse?.a).toMatchObject({ outcome: 'no', averagePrice: price('0.60') });
    expect(reverse?.b).toMatchObject({ outcome: 'yes', averagePrice: price('0.47') });
    expect(reverse?.grossEdge).toBeLessThan(0);

    // Mirror the prices: now NO on A + YES on B is the arbitrage, and it comes first.
    const mirrored = scanPair({
      ...books,
      aYes: book('kalshi', 'yes', levels(['0.60', 100])),
      aNo: book('kalshi', 'no', levels(['0.42', 100])),
      bYes: book('poly', 'yes', levels(['0.55', 100])),
      bNo: book('poly', 'no', levels(['0.47', 100])),
    });
    expect(mirrored[0]?.direction).toBe('no_a_yes_b');
    expect(mirrored[0]?.a).toMatchObject({ outcome: 'no', averagePrice: price('0.42'), fee: usd('1.71') });
    expect(mirrored[0]?.netEdge).toBeGreaterThan(0);
  });
});

describe('scanner: walking the book', () => {
  it('averages the price over the levels taken and limits at the worst one, not the top of book', () => {
    const asks = levels(['0.42', 50], ['0.43', 30], ['0.44', 100]);
    expect(walkAsks(asks, contracts(100))).toEqual({ cost: usd('42.7'), limitPrice: price('0.44') });
    expect(walkAsks(asks, contracts(181))).toBeNull(); // deeper than the book
    const o = evaluate('p', 'yes_a_no_b', book('kalshi', 'yes', asks), book('poly', 'no', levels(['0.50', 500])), contracts(100));
    expect(o?.a).toMatchObject({ cost: usd('42.7'), averagePrice: price('0.427'), limitPrice: price('0.44') });
    // The fee is the venue's fee at the average price actually paid: 0.07 × 100 × 0.427 × 0.573 = 1.712713 → $1.72.
    expect(o?.a.fee).toBe(kalshiFee(contracts(100), price('0.427')));
    expect(o?.a.fee).toBe(usd('1.72'));
  });

  it('stops where the next level no longer pays and uses the same contract count on both legs', () => {
    // Level 1 pays 1 − 0.40 − 0.50 = 0.10 a pair, level 2 (0.48 + 0.50) pays 0.02 before fees, level 3 loses.
    const a = book('kalshi', 'yes', levels(['0.40', 60], ['0.48', 40], ['0.55', 500]), { takerFee: noFee });
    const b = book('poly', 'no', levels(['0.50', 1000]), { takerFee: noFee });
    const o = bestInDirection('p', 'yes_a_no_b', a, b, NO_CAP);
    expect(o?.contracts).toBe(contracts(100));
    expect(o?.a.quantity).toBe(o?.contracts);
    expect(o?.b.quantity).toBe(o?.contracts);
    expect(o?.netEdge).toBe(usd('6.8')); // 60 × 0.10 + 40 × 0.02
    // With fees the second level's 2 cents are eaten (0.07 × 0.48 × 0.52 = 1.75 cents + Polymarket's 0.75): stop at 60.
    const withFees = bestInDirection('p', 'yes_a_no_b', { ...a, takerFee: kalshiFee }, { ...b, takerFee: polymarketFee }, NO_CAP);
    expect(withFees?.contracts).toBe(contracts(60));
  });
});

describe('scanner: caps', () => {
  const a = book('kalshi', 'yes', levels(['0.42', 1000]));
  const b = book('poly', 'no', levels(['0.55', 1000]));
  const legCost = (book: LegBook, count: number) => {
    const walked = walkAsks(book.asks, contracts(count));
    if (!walked) throw new Error('too deep');
    return walked.cost + book.takerFee(contracts(count), price(book === a ? '0.42' : '0.55'));
  };

  it('is capped by each wallet’s available balance, fee included', () => {
    const o = bestInDirection('p', 'yes_a_no_b', { ...a, availableMicros: usd('10') }, b, NO_CAP);
    // 22 YES cost 9.24 + fee ceil(0.07 × 22 × 0.42 × 0.58 = 0.3751) = 0.38 → 9.62; 23 would cost 9.66 + 0.40 = 10.06.
    expect(o?.contracts).toBe(contracts(22));
    expect(legCost(a, 22)).toBeLessThanOrEqual(usd('10'));
    expect(legCost(a, 23)).toBeGreaterThan(usd('10'));
    const onB = bestInDirection('p', 'yes_a_no_b', a, { ...b, availableMicros: usd('10') }, NO_CAP);
    expect(legCost(b, onB ? onB.contracts / 1_000_000 : 0)).toBeLessThanOrEqual(usd('10'));
    expect(legCost(b, (onB ? onB.contracts / 1_000_000 : 0) + 1)).toBeGreaterThan(usd('10'));
  });

  it('is capped by the pair’s maxSize (both legs and their fees together)', () => {
    const o = bestInDirection('p', 'yes_a_no_b', a, b, usd('50'));
    expect(o).not.toBeNull();
    if (!o) return;
    const count = o.contracts / 1_000_000;
    expect(Number.isInteger(count)).toBe(true);
    expect(o.a.cost + o.b.cost + o.fees).toBeLessThanOrEqual(usd('50'));
    expect(legCost(a, count + 1) + legCost(b, count + 1)).toBeGreaterThan(usd('50'));
    expect(count).toBe(50); // 50 × 0.97 = 48.50 + fees 0.86 + 0.3713; 51 pairs would cost 50.72
  });

  it('is capped by the position limit on each leg’s cost (risk.maxPositionUsd), and scanPair passes the cap on', () => {
    // The pricier leg binds: 36 NO at 0.55 cost $19.80, 37 would cost $20.35.
    const o = bestInDirection('p', 'yes_a_no_b', a, b, NO_CAP, usd('20'));
    expect(o?.contracts).toBe(contracts(36));
    expect(o?.b.cost).toBe(usd('19.8'));
    expect(o?.a.cost).toBeLessThanOrEqual(usd('20'));
    // Exactly the limit is allowed: 40 NO cost $22.00.
    expect(bestInDirection('p', 'yes_a_no_b', a, b, NO_CAP, usd('22'))?.contracts).toBe(contracts(40));
    // The control: without the cap, the whole book.
    expect(bestInDirection('p', 'yes_a_no_b', a, b, NO_CAP)?.contracts).toBe(contracts(1000));
    const books = { pair: 'p', aYes: a, bNo: b, aNo: book('kalshi', 'no', levels(['0.60', 1000])), bYes: book('poly', 'yes', levels(['0.47', 1000])), maxSizeMicros: NO_CAP };
    expect(scanPair(withLegCostCap(books, usd('20')))[0]?.contracts).toBe(contracts(36));
    expect(scanPair(withLegCostCap(books, null))[0]?.contracts).toBe(contracts(1000));
  });

  it('is capped by the thinner book, in whole contracts', () => {
    const thin = book('poly', 'no', [{ price: price('0.55'), size: 30_500_000 as QtyMicros }]);
    const o = bestInDirection('p', 'yes_a_no_b', a, thin, NO_CAP);
    expect(o?.contracts).toBe(contracts(30));
  });

  it('respects each venue’s minimum order size', () => {
    const small = book('poly', 'no', levels(['0.55', 40]));
    expect(bestInDirection('p', 'yes_a_no_b', a, { ...small, minContracts: contracts(50) }, NO_CAP)).toBeNull();
    // Affordable size below the minimum: nothing.
    expect(bestInDirection('p', 'yes_a_no_b', { ...a, minContracts: contracts(5), availableMicros: usd('1.5') }, b, NO_CAP)).toBeNull();
    // A minimum within reach is met even when a smaller size would lose less (it never trades below the minimum).
    const losing = bestInDirection('p', 'yes_a_no_b', book('kalshi', 'yes', levels(['0.60', 100]), { minContracts: contracts(10) }), b, NO_CAP);
    expect(losing?.contracts).toBe(contracts(10));
  });

  it('finds nothing in an empty book', () => {
    expect(bestInDirection('p', 'yes_a_no_b', book('kalshi', 'yes', []), b, NO_CAP)).toBeNull();
  });
});
