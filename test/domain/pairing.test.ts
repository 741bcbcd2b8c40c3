import { describe, expect, it } from 'vitest';
import { closeGapHours, pairId, suggestPairs, titleTokens, tokenSimilarity, type ListedMarket } from '../../src/domain/pairing.js';

const market = (venue: string, id: string, title: string, closeTime: string | null): ListedMarket => ({ venue, market: id, title, closeTime, rules: null, yesOutcome: 'Yes' });

const FED_K = market('kalshi', 'KXFED-26DEC-T4.00', 'Will the federal funds rate be above 4.00% after the December meeting?', '2026-12-10T18:55:00Z');
const FED_P = market('poly', '0xfed', 'Federal funds rate above 4.00% after December meeting?', '2026-12-10T19:00:00Z');

describe('pair matching', () => {
  it('reads titles as sets of words, without case, punctuation or question scaffolding', () => {
    expect([...titleTokens('Will the Fed cut rates in December?')]).toEqual(['fed', 'cut', 'rates', 'december']);
    expect(titleTokens('above 4.00%').has('4.00')).toBe(true);
  });

  it('scores shared words over all words, symmetric, 1 for the same words and 0 for none', () => {
    const left = titleTokens('fed rate december');
    const right = titleTokens('fed rate january');
    expect(tokenSimilarity(left, right)).toBeCloseTo(2 / 4);
    expect(tokenSimilarity(right, left)).toBe(tokenSimilarity(left, right));
    expect(tokenSimilarity(left, titleTokens('December rate, Fed'))).toBe(1);
    expect(tokenSimilarity(left, titleTokens('bitcoin price'))).toBe(0);
    expect(tokenSimilarity(new Set(), new Set())).toBe(0);
  });

  it('gives a pair one id whichever side is named first, and different markets different ids', () => {
    expect(pairId(FED_K, FED_P)).toBe(pairId(FED_P, FED_K));
    expect(pairId(FED_K, FED_P)).toMatch(/^[0-9a-f]{10}$/);
    expect(pairId(FED_K, { venue: 'poly', market: '0xother' })).not.toBe(pairId(FED_K, FED_P));
  });

  it('measures close gaps in hours, unknown when a side gives none or an unreadable one', () => {
    expect(closeGapHours('2026-12-10T18:55:00Z', '2026-12-10T19:00:00Z')).toBeCloseTo(5 / 60);
    expect(closeGapHours(null, '2026-12-10T19:00:00Z')).toBeNull();
    expect(closeGapHours('soon', '2026-12-10T19:00:00Z')).toBeNull();
  });

  it('proposes the similar titles closing the same day first, and marks a similar title closing a month later', () => {
    const fedJan = market('poly', '0xjan', 'Federal funds rate above 4.00% after January meeting?', '2027-01-28T19:00:00Z');
    const sameDayOther = market('poly', '0xcpi', 'CPI above 3% in November?', '2026-12-10T19:00:00Z');
    const suggestions = suggestPairs([FED_K], [sameDayOther, fedJan, FED_P]);
    expect(suggestions.map((s) => s.b.market)).toEqual(['0xfed', '0xjan']);
    expect(suggestions[0]).toMatchObject({ closeDatesDiffer: false, a: FED_K, b: FED_P });
    expect(suggestions[1]).toMatchObject({ closeDatesDiffer: true });
    expect(suggestions[1]!.closeGapHours).toBeGreaterThan(24);
  });

  it('ranks a matching date above a higher similarity whose dates differ (control: the same pair a day closer ranks first)', () => {
    const exactTitleLater = market('poly', '0xlater', FED_K.title, '2026-12-12T19:00:00Z');
    expect(suggestPairs([FED_K], [exactTitleLater, FED_P]).map((s) => s.b.market)).toEqual(['0xfed', '0xlater']);
    const exactTitleSameDay = { ...exactTitleLater, closeTime: '2026-12-11T12:00:00Z' };
    expect(suggestPairs([FED_K], [exactTitleSameDay, FED_P]).map((s) => s.b.market)).toEqual(['0xlater', '0xfed']);
  });

  it('does not propose titles that share too few words, whatever the date', () => {
    const unrelated = market('poly', '0xbtc', 'Bitcoin above $100k on December 10?', FED_P.closeTime);
    expect(suggestPairs([FED_K], [unrelated])).toEqual([]);
  });

  it('orders the same listings the same way whatever order they come in, and keeps to the query\'s words', () => {
    const others = ['0xa', '0xb', '0xc'].map((id) => market('poly', id, FED_P.title, FED_P.closeTime));
    const forward = suggestPairs([FED_K], [...others, FED_P]).map((s) => s.id);
    const backward = suggestPairs([FED_K], [FED_P, ...others].reverse()).map((s) => s.id);
    expect(backward).toEqual(forward);
    expect(suggestPairs([FED_K], [FED_P], { query: 'december fed' })).toHaveLength(0); // "fed" is not a word of either title
    expect(suggestPairs([FED_K], [FED_P], { query: 'December federal' })).toHaveLength(1);
  });
});
