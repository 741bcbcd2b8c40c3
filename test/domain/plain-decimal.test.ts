// The money parser reads the usual decimal text ("0.495", "25") in integer arithmetic and leaves everything else to
// its general path (regular expression and BigInt). Both must give exactly the same answers: checked against an
// independent reading in BigInt, and through parsePrice / parsePct, which take the fast path first.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MoneyFormatError, parsePct, parsePrice, readPlainDecimal } from '../../src/domain/money.js';

const OPTIONS = { allowZero: true, allowNegative: true } as const;

/** The value of plain text at a scale, read another way (BigInt), or null when it is not plain with ≤ maxDecimals. */
function reference(text: string, scaleDigits: number, maxDecimals = scaleDigits): number | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match || (match[2] ?? '').length > Math.min(maxDecimals, scaleDigits)) return null;
  return Number(BigInt((match[1] ?? '') + (match[2] ?? '').padEnd(scaleDigits, '0')));
}

function general(parse: () => number): number | 'error' {
  try {
    return parse();
  } catch (error) {
    if (error instanceof MoneyFormatError) return 'error';
    throw error;
  }
}

describe('plain decimal text', () => {
  const anyText = fc.string({ unit: fc.constantFrom('0', '1', '5', '9', '.', '-', '+', ' ', 'e', ','), maxLength: 18 });

  it('reads exactly the reference value of what it accepts, and leaves everything else to the general path', () => {
    fc.assert(
      fc.property(anyText, fc.constantFrom(4, 6), (candidate, scale) => {
        const fast = readPlainDecimal(candidate, scale);
        if (fast !== null) expect(fast).toBe(reference(candidate, scale));
      }),
      { numRuns: 50_000 },
    );
  });

  it('parsePrice and parsePct answer as the reference for plain text, and reject what the general path rejects', () => {
    fc.assert(
      fc.property(anyText, (candidate) => {
        const price = general(() => parsePrice(candidate, OPTIONS));
        const pct = general(() => parsePct(candidate, OPTIONS));
        const plainPrice = reference(candidate, 6);
        const plainPct = reference(candidate, 4);
        if (plainPrice !== null && plainPrice <= Number.MAX_SAFE_INTEGER) expect(price).toBe(plainPrice);
        if (plainPct !== null && plainPct <= Number.MAX_SAFE_INTEGER) expect(pct).toBe(plainPct);
        // Text that is not a plain decimal at all is never read by the fast path, so the general path decides.
        if (!/^-?\d+(\.\d+)?$/.test(candidate.trim())) expect(price).toBe('error');
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
        expect(readPlainDecimal(candidate, 6)).toBe(reference(candidate, 6));
      }),
      { numRuns: 20_000 },
    );
  });

  it.each([['0.495', 495_000], ['101.25', 101_250_000], ['7', 7_000_000], ['0.000001', 1], ['000000000.5', 500_000]])('reads %s', (text, micros) => {
    expect(readPlainDecimal(text, 6)).toBe(micros);
  });

  it.each(['', '.5', '5.', '-1', ' 1', '1.0000001', '1e3', '1234567890'])('leaves %j to the general path', (text) => {
    expect(readPlainDecimal(text, 6)).toBeNull();
  });

  it('leaves more decimals than allowed to the general path, which names them', () => {
    expect(readPlainDecimal('1.25', 6, 1)).toBeNull();
    expect(() => parsePrice('1.25', { maxDecimals: 1 })).toThrow('"1.25" has 2 decimals; at most 1 allowed');
    expect(() => parsePrice('0')).toThrow('price: must be greater than zero');
    expect(() => parsePrice('0.000')).toThrow('price: must be greater than zero');
  });
});
