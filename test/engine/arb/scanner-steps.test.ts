// A venue may accept only some sizes (Polymarket takes a market order's cash amount to whole cents, so at a price of
// 0.531 only multiples of 10 contracts can be sent): the scanner sizes only what both venues accept. The step rule
// here is the test's own, from the CLOB's documented limit (cash to 2 decimals), not the adapter's code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Micros, PriceMicros, QtyMicros } from '../../../src/domain/money.js';
import { bestInDirection, evaluate, walkAsks, type LegBook } from '../../../src/engine/arb/scanner.js';
import type { BookLevel } from '../../../src/venues/venue.js';
import { contracts, price, usd } from '../../fixtures/arb.js';

const CONTRACT = 1_000_000;
const noFee = (): Micros => 0 as Micros;

/** The fewest whole contracts n whose cash amount n × price is whole cents, found by counting. */
function centsStep(limitPrice: PriceMicros): QtyMicros {
  for (let n = 1; ; n += 1) if ((n * limitPrice) % 10_000 === 0) return (n * CONTRACT) as QtyMicros;
}

function levels(...spec: [string, number][]): BookLevel[] {
  return spec.map(([p, count]) => ({ price: price(p), size: contracts(count) }));
}

function leg(venue: string, asks: BookLevel[], extra: Partial<LegBook> = {}): LegBook {
  return { venue, market: venue, outcome: 'yes', asks, availableMicros: usd('100000'), minContracts: contracts(1), takerFee: noFee, ...extra };
}

const NO_CAP = usd('100000');

describe('scanner: only sizes both venues accept', () => {
  it('takes 90 contracts, not 97, when the other leg’s price 0.531 accepts multiples of 10', () => {
    const a = leg('kalshi', levels(['0.42', 97]));
    const b = leg('poly', levels(['0.531', 200]), { quantityStep: centsStep });
    expect(bestInDirection('p', 'yes_a_no_b', a, b, NO_CAP)?.contracts).toBe(contracts(90));
    // Control: without the venue's rule the scanner would choose 97, a size the CLOB refuses (97 × 0.531 = 51.507).
    expect(bestInDirection('p', 'yes_a_no_b', a, leg('poly', levels(['0.531', 200])), NO_CAP)?.contracts).toBe(contracts(97));
  });

  it('looks above a book boundary too: 40 contracts (three of them at a small loss) beat 30', () => {
    // 37 contracts earn 0.20 each; beyond them the next level loses 0.01 each. Accepted: multiples of 10 on leg B.
    const a = leg('kalshi', levels(['0.40', 37], ['0.61', 100]));
    const b = leg('poly', levels(['0.399', 200]), { quantityStep: centsStep });
    const best = bestInDirection('p', 'yes_a_no_b', a, b, NO_CAP);
    expect(best?.contracts).toBe(contracts(40));
    // 40 − (37 × 0.40 + 3 × 0.61) − 40 × 0.399 = $7.41; at 30 contracts only $6.03.
    expect(best?.netEdge).toBe(usd('7.41'));
  });

  it('gives nothing when no accepted size fits below the cap (a step larger than the depth)', () => {
    const a = leg('kalshi', levels(['0.42', 50]));
    const b = leg('poly', levels(['0.5313', 200]), { quantityStep: centsStep }); // steps of 100
    expect(bestInDirection('p', 'yes_a_no_b', a, b, NO_CAP)).toBeNull();
    expect(bestInDirection('p', 'yes_a_no_b', a, leg('poly', levels(['0.5313', 200])), NO_CAP)?.contracts).toBe(contracts(50));
  });

  it('finds the best accepted size, as trying every size would, for any books and steps (no fees: profit is linear)', () => {
    const level = fc.tuple(fc.integer({ min: 300, max: 600 }), fc.integer({ min: 1, max: 40 }));
    const book = fc.array(level, { minLength: 1, maxLength: 3 }).map((spec) =>
      spec.map(([thousandths, count]) => ({ price: (thousandths * 1_000) as PriceMicros, size: contracts(count) })).sort((x, y) => x.price - y.price),
    );
    fc.assert(
      fc.property(book, book, fc.boolean(), fc.integer({ min: 1, max: 8 }), (asksA, asksB, stepOnA, minimum) => {
        const a = leg('a', asksA, { minContracts: contracts(minimum), ...(stepOnA ? { quantityStep: centsStep } : {}) });
        const b = leg('b', asksB, { quantityStep: centsStep });
        const found = bestInDirection('p', 'yes_a_no_b', a, b, NO_CAP);
        const brute = bruteForce(a, b, minimum);
        expect(found?.netEdge ?? null).toBe(brute?.netEdge ?? null);
        if (found) expect(accepted(a, found.contracts) && accepted(b, found.contracts)).toBe(true);
      }),
      { numRuns: 300, seed: 20261206 },
    );
  });
});

function accepted(book: LegBook, quantity: QtyMicros): boolean {
  if (!book.quantityStep) return quantity % CONTRACT === 0;
  const walked = walkAsks(book.asks, quantity);
  return walked !== null && quantity % book.quantityStep(walked.limitPrice) === 0;
}

/** Every whole-contract size both venues accept, evaluated: the best one. */
function bruteForce(a: LegBook, b: LegBook, minimum: number) {
  const depth = (book: LegBook) => book.asks.reduce((sum, level) => sum + level.size, 0);
  let best: ReturnType<typeof evaluate> = null;
  for (let n = minimum; n * CONTRACT <= Math.min(depth(a), depth(b)); n += 1) {
    const quantity = (n * CONTRACT) as QtyMicros;
    if (!accepted(a, quantity) || !accepted(b, quantity)) continue;
    const opportunity = evaluate('p', 'yes_a_no_b', a, b, quantity);
    if (opportunity && (best === null || opportunity.netEdge > best.netEdge)) best = opportunity;
  }
  return best;
}
