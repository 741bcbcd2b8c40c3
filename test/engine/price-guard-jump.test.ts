// The price guard compares jumps without BigInt when the products are exact in doubles: it must give exactly the
// answer of the BigInt comparison.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exceedsJump } from '../../src/engine/price-guard.js';

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
