import { describe, expect, it } from 'vitest';
import { formatMicros, formatUsd, MoneyFormatError, mulDiv, parseMicros, parsePct } from '../../src/domain/money.js';

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
