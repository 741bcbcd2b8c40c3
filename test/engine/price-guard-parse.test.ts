// The price guard reads a feed's usual price text ("0.495") without parsePrice, and compares jumps without BigInt
// when the products are exact in doubles: both must give exactly the answer of the general code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MoneyFormatError, parsePrice } from '../../src/domain/money.js';
import { exceedsJump, plainPriceMicros } from '../../src/engine/price-guard.js';

const OPTIONS = { allowZero: true, allowNegative: true } as const;

function general(text: unknown): number | 'error' {
  try {
    return parsePrice(text, OPTIONS);
  } catch (error) {
    if (error instanceof MoneyFormatError) return 'error';
    throw error;
  }
}

describe('plain price text', () => {
  it('reads exactly what parsePrice reads, and leaves everything else to it', () => {
    const text = fc.string({ unit: fc.constantFrom('0', '1', '5', '9', '.', '-', '+', ' ', 'e', ','), maxLength: 18 });
    fc.assert(
      fc.property(text, (candidate) => {
        const fast = plainPriceMicros(candidate);
        if (fast !== null) expect(fast).toBe(general(candidate));
      }),
      { numRuns: 50_000 },
    );
  });

  it('reads every usual price: up to 9 whole digits and 0–6 decimals', () => {
    const whole = fc.integer({ min: 0, max: 999_999_999 });
    const decimals = fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(whole, fc.option(decimals), (w, d) => {
        const candidate = d === null ? String(w) : `${w}.${d}`;
        expect(plainPriceMicros(candidate)).toBe(parsePrice(candidate, OPTIONS));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([['0.495', 495_000], ['101.25', 101_250_000], ['7', 7_000_000], ['0.000001', 1], ['000000000.5', 500_000]])('reads %s', (text, micros) => {
    expect(plainPriceMicros(text)).toBe(micros);
  });

  it.each([['', null], ['.5', null], ['5.', null], ['-1', null], [' 1', null], ['1.0000001', null], ['1e3', null], ['1234567890', null], [0.5, null]])(
    'leaves %j to parsePrice',
    (text, expected) => {
      expect(plainPriceMicros(text)).toBe(expected);
    },
  );
});

describe('jump comparison', () => {
  it('agrees with the BigInt comparison for small and huge prices and any limit', () => {
    const price = fc.oneof(fc.integer({ min: 0, max: 10_000_000_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(
      fc.property(price, price, fc.integer({ min: 0, max: 2_000_000 }), (a, reference, ppm) => {
        const exact = BigInt(Math.abs(a - reference)) * 1_000_000n > BigInt(reference) * BigInt(ppm);
        expect(exceedsJump(a, reference, ppm)).toBe(exact);
      }),
      { numRuns: 50_000 },
    );
  });

  it('decides the boundary exactly: a move of exactly the limit is not a jump', () => {
    expect(exceedsJump(1_500_000, 1_000_000, 500_000)).toBe(false);
    expect(exceedsJump(1_500_001, 1_000_000, 500_000)).toBe(true);
    expect(exceedsJump(9_007_199_254, 9_007_199_253, 0)).toBe(true);
  });
});
