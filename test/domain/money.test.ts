import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyPpm,
  divRound,
  formatMicros,
  formatMicrosTrim,
  formatPpmPct,
  formatScaled,
  formatSignedUsd,
  formatUsd,
  MoneyFormatError,
  mulDiv,
  notional,
  parseMicros,
  parsePct,
  parsePrice,
  ppm,
  priceOffset,
  qty,
  quantityFor,
  ratioPpm,
  type PriceMicros,
} from '../../src/domain/money.js';
import { usd } from '../fixtures/ledger.js';

describe('money', () => {
  it('parses decimal strings exactly into micro-units', () => {
    expect(parseMicros('102.32225')).toBe(102_322_250);
    expect(parseMicros('0.000001')).toBe(1);
    expect(parseMicros(25)).toBe(25_000_000);
    expect(parsePct('0.26')).toBe(2600);
  });

  it('rejects exponents, NaN, Infinity, too many decimals, zero and negatives unless allowed', () => {
    for (const bad of ['1e3', 'NaN', 'Infinity', '0.1234567', '', 'abc', '-1', '0', '9007199254740993']) {
      expect(() => parseMicros(bad), bad).toThrow(MoneyFormatError);
    }
    expect(() => parseMicros(Number.NaN)).toThrow(MoneyFormatError);
    expect(parseMicros('-1', { allowNegative: true })).toBe(-1_000_000);
  });

  it('formats back exactly and rounds products explicitly', () => {
    expect(formatMicros(102_322_250)).toBe('102.322250');
    expect(formatMicros(-1)).toBe('-0.000001');
    expect(formatUsd(102_322_250)).toBe('$102.32');
    expect(mulDiv(1, 1, 3, 'up')).toBe(1);
    expect(mulDiv(1, 1, 3, 'down')).toBe(0);
    expect(mulDiv(-1, 1, 3, 'down')).toBe(-1);
  });
});

describe('money parsing: bad inputs from docs/ledger.md', () => {
  it('rejects 2^53 and 2^63 dollars as too large, and accepts the largest safe micro amount', () => {
    expect(() => parseMicros(String(2 ** 53))).toThrow(/too large/);
    expect(() => parseMicros('9223372036854775808')).toThrow(/too large/);
    expect(parseMicros('9007199254.740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseMicros('9007199254.740992')).toThrow(/too large/);
  });

  it('names the label and the offending text in each one-line message', () => {
    expect(() => parseMicros('0.1234567', { label: '--size' })).toThrow('--size: "0.1234567" has 7 decimals; at most 6 allowed');
    expect(() => parseMicros('1e3', { label: 'amount' })).toThrow('amount: "1e3" is not a plain decimal number');
    expect(() => parseMicros('  ', { label: 'amount' })).toThrow('amount: empty value');
    expect(() => parseMicros('0')).toThrow('amount: must be greater than zero');
    expect(() => parseMicros('-0')).toThrow('amount: must be greater than zero');
    expect(() => parseMicros(Number.POSITIVE_INFINITY)).toThrow('amount: Infinity is not a finite number');
  });

  it('rejects non-decimal shapes: signs, bare points, hex, separators, non-strings', () => {
    for (const bad of ['+5', '.5', '5.', '0x10', '1_000', '1,000', '1 000', '--1', '١٢']) {
      expect(() => parseMicros(bad), bad).toThrow(MoneyFormatError);
    }
    for (const bad of [null, undefined, {}, [], true]) expect(() => parseMicros(bad), String(bad)).toThrow(MoneyFormatError);
  });

  it('never goes through a float: JSON numbers parse through their decimal text', () => {
    expect(parseMicros(0.1)).toBe(100_000);
    expect(() => parseMicros(0.1 + 0.2)).toThrow(/decimals/); // 0.30000000000000004
    expect(() => parseMicros(1e21)).toThrow(/plain decimal/);
    expect(parseMicros(25n)).toBe(25_000_000);
    expect(parseMicros(' 7.5 ')).toBe(7_500_000);
  });

  it('allows zero and negatives only when asked, and normalises -0', () => {
    expect(Object.is(parseMicros('-0', { allowZero: true }), 0)).toBe(true);
    expect(parseMicros('0', { allowZero: true })).toBe(0);
    expect(() => parseMicros('-0.5', { allowZero: true })).toThrow(/negative/);
    expect(parsePct('100')).toBe(1_000_000);
    expect(() => parsePct('0.00001')).toThrow(/at most 4/);
  });
});

describe('money round trip', () => {
  it('formats then parses back to the same integer for any safe amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (value) => {
        expect(parseMicros(formatMicros(value), { allowZero: true, allowNegative: true })).toBe(value);
      }),
      { numRuns: 500 },
    );
  });

  it('trims trailing zeros but keeps the minimum decimals', () => {
    expect(formatMicrosTrim(102_322_250)).toBe('102.32225');
    expect(formatMicrosTrim(25_000_000)).toBe('25.00');
    expect(formatMicrosTrim(25_000_000, 0)).toBe('25');
    expect(formatMicros(0)).toBe('0.000000');
    expect(formatMicros(Number.MAX_SAFE_INTEGER)).toBe('9007199254.740991');
    expect(() => formatMicros(0.5)).toThrow(RangeError);
  });
});

describe('money arithmetic', () => {
  it('rounds half away from zero for display, both signs', () => {
    expect(formatUsd(5_000)).toBe('$0.01');
    expect(formatUsd(4_999)).toBe('$0.00');
    expect(formatUsd(-5_000)).toBe('-$0.01');
    expect(formatUsd(-180_000)).toBe('-$0.18');
    expect(formatUsd(2_322_250, 4)).toBe('$2.3223');
    expect(formatSignedUsd(2_322_250)).toBe('+$2.32');
    expect(formatSignedUsd(-177_750)).toBe('-$0.18');
  });

  it('divides with explicit floor, ceiling and half rules for every sign', () => {
    const cases: [bigint, bigint, bigint, bigint, bigint][] = [
      // numerator, denominator, down, up, half
      [7n, 2n, 3n, 4n, 4n],
      [-7n, 2n, -4n, -3n, -4n],
      [7n, -2n, -4n, -3n, -4n],
      [5n, 3n, 1n, 2n, 2n],
      [4n, 3n, 1n, 2n, 1n],
      [-4n, 3n, -2n, -1n, -1n],
      [6n, 3n, 2n, 2n, 2n],
    ];
    for (const [n, d, down, up, half] of cases) {
      expect([divRound(n, d, 'down'), divRound(n, d, 'up'), divRound(n, d, 'half')], `${n}/${d}`).toEqual([down, up, half]);
    }
    expect(() => divRound(1n, 0n, 'down')).toThrow(RangeError);
  });

  it('computes products exactly where a float would not, and refuses results beyond the safe range', () => {
    // 0.1 × 3 in floats is 0.30000000000000004; in micros it is exact.
    expect(mulDiv(100_000, 3_000_000, 1_000_000, 'down')).toBe(300_000);
    expect(mulDiv(Number.MAX_SAFE_INTEGER, 3, 3, 'down')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => mulDiv(Number.MAX_SAFE_INTEGER, 2, 1, 'down')).toThrow(RangeError);
    expect(() => mulDiv(0.5, 1, 1, 'down')).toThrow(RangeError);
  });

  it('prices quantities and ppm fractions with the requested rounding', () => {
    expect(quantityFor(usd('25'), parsePrice('100'), 'down')).toBe(250_000);
    expect(quantityFor(usd('1'), parsePrice('3'), 'down')).toBe(333_333);
    expect(quantityFor(usd('1'), parsePrice('3'), 'up')).toBe(333_334);
    expect(() => quantityFor(usd('1'), 0 as PriceMicros, 'down')).toThrow(RangeError);
    expect(notional(qty(333_333), parsePrice('3'), 'down')).toBe(999_999);
    expect(applyPpm(usd('27.5'), ppm(2600), 'up')).toBe(usd('0.0715'));
    expect(priceOffset(parsePrice('100'), -50_000, 'down')).toBe(parsePrice('95'));
  });

  it('expresses PnL as a percentage of cost: $2.32225 on $25 is +9.29%', () => {
    expect(ratioPpm(usd('2.32225'), usd('25'))).toBe(92_890);
    expect(formatPpmPct(92_890)).toBe('+9.29%');
    expect(formatPpmPct(-5)).toBe('+0.00%'); // rounds to zero: no minus sign on nothing
    expect(formatPpmPct(-50)).toBe('-0.01%');
    expect(ratioPpm(1, 0)).toBe(0);
  });
});

/** mulDiv as every product was once computed, all in BigInt: the reference the plain-number path must match. */
function mulDivBigInt(a: number, b: number, d: number, rounding: 'down' | 'up'): number {
  const result = divRound(BigInt(a) * BigInt(b), BigInt(d), rounding);
  if (result > BigInt(Number.MAX_SAFE_INTEGER) || result < -BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('beyond the safe range');
  return Number(result);
}

/** formatUsd with its rounding done in BigInt, as the reference for the plain-number path. */
function formatUsdBigInt(value: number, decimals: number): string {
  const unit = BigInt(10 ** (6 - decimals));
  const rounded = Number(divRound(BigInt(value), unit, 'half') * unit);
  return `${rounded < 0 ? '-' : ''}$${formatScaled(Math.abs(rounded) / 10 ** (6 - decimals), decimals)}`;
}

/** The same result (or the same error class) from both, with +0 and −0 told apart. */
function sameOutcome<T>(fast: () => T, reference: () => T): void {
  let expected: { value: T } | { error: string };
  try {
    expected = { value: reference() };
  } catch (error) {
    expected = { error: (error as Error).constructor.name };
  }
  let actual: { value: T } | { error: string };
  try {
    actual = { value: fast() };
  } catch (error) {
    actual = { error: (error as Error).constructor.name };
  }
  expect(actual).toStrictEqual(expected);
  if ('value' in expected && 'value' in actual && typeof expected.value === 'number') expect(Object.is(actual.value, expected.value)).toBe(true);
}

describe('money arithmetic without BigInt', () => {
  const MAX = Number.MAX_SAFE_INTEGER;
  // Small values, values around the 2^53 edge of the product, and anything in between: the plain path's limits.
  const integer = fc.oneof(
    fc.integer({ min: -2_000_000, max: 2_000_000 }),
    fc.integer({ min: -MAX, max: MAX }),
    fc.constantFrom(0, -0, 1, -1, MAX, -MAX, MAX - 1, 2 ** 26, 2 ** 26 + 1, 94_906_265, 94_906_266, 1_000_000, -1_000_000),
  );
  const rounding = fc.constantFrom<'down' | 'up'>('down', 'up');

  it('mulDiv gives exactly the BigInt result, or the same error, for any integers', () => {
    fc.assert(
      fc.property(integer, integer, integer, rounding, (a, b, d, r) => sameOutcome(() => mulDiv(a, b, d, r), () => mulDivBigInt(a, b, d, r))),
      { numRuns: 20_000 },
    );
  });

  it('mulDiv gives exactly the BigInt result for the products the scanner and fees make', () => {
    const micros = fc.integer({ min: 0, max: 10 ** 12 });
    fc.assert(
      fc.property(micros, fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 1, max: 10 ** 9 }), rounding, (a, b, d, r) =>
        sameOutcome(() => mulDiv(a, b, d, r), () => mulDivBigInt(a, b, d, r)),
      ),
      { numRuns: 20_000 },
    );
  });

  it('mulDiv falls back to BigInt where a plain product would round, and still refuses what BigInt refuses', () => {
    // 2^53 + 1 is not a double: the product must not be computed in floats.
    expect(mulDiv(2 ** 27 + 1, 2 ** 26, 2, 'down')).toBe(mulDivBigInt(2 ** 27 + 1, 2 ** 26, 2, 'down'));
    expect(mulDiv(MAX, MAX, MAX, 'up')).toBe(MAX);
    expect(mulDiv(-MAX, MAX, -MAX, 'down')).toBe(MAX);
    expect(Object.is(mulDiv(0, -5, 3, 'down'), 0)).toBe(true);
    expect(Object.is(mulDiv(-1, 1, 3, 'up'), 0)).toBe(true);
    expect(() => mulDiv(1, 1, 0, 'down')).toThrow(RangeError);
    expect(() => mulDiv(1.5, 2, 1, 'down')).toThrow(RangeError);
    expect(() => mulDiv(Number.NaN, 2, 1, 'up')).toThrow(RangeError);
  });

  it('formatUsd rounds exactly as the BigInt rounding does, for every amount and decimals 0 to 6', () => {
    fc.assert(
      fc.property(integer, fc.integer({ min: 0, max: 6 }), (value, decimals) =>
        sameOutcome(() => formatUsd(value, decimals), () => formatUsdBigInt(value, decimals)),
      ),
      { numRuns: 20_000 },
    );
    for (const value of [5_000, 4_999, -5_000, -4_999, 15_000, -15_000, 0, -0, MAX, -MAX, MAX - 1_000_000, -(MAX - 1_000_000) - 1]) {
      for (let decimals = 0; decimals <= 6; decimals += 1) expect(formatUsd(value, decimals), `${value} at ${decimals}`).toBe(formatUsdBigInt(value, decimals));
    }
  });
});
