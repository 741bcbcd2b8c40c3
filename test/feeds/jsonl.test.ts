// The feed's line parser: every line is either one event or a bad line with its number and a reason, never a throw,
// and prices stay unparsed text (the price guard judges them).
import { describe, expect, it } from 'vitest';
import { MARKET_NAME_LENGTH_MAX } from '../../src/domain/market.js';
import { parseFeedLine } from '../../src/feeds/jsonl.js';

const T0_MS = Date.UTC(2026, 0, 1);

describe('parseFeedLine', () => {
  it('reads a quote, a resolve and a disconnect, and a line without ts inherits the previous time', () => {
    expect(parseFeedLine('{"venue":"paper","market":"SOL-USD","bid":"99.9","ask":"100.1","ts":"2026-01-01T00:00:00Z"}', 1, 0)).toEqual({
      type: 'quote',
      venue: 'paper',
      market: 'SOL-USD',
      bid: '99.9',
      ask: '100.1',
      price: undefined,
      timestampMs: T0_MS,
    });
    expect(parseFeedLine('{"type":"resolve","venue":"pm","market":"FED","outcome":"no"}', 2, T0_MS)).toEqual({
      type: 'resolve',
      venue: 'pm',
      market: 'FED',
      outcome: 'no',
      timestampMs: T0_MS,
    });
    expect(parseFeedLine(`{"type":"disconnect","venue":"pm","ts":${T0_MS + 5}}`, 3, T0_MS)).toEqual({ type: 'disconnect', venue: 'pm', timestampMs: T0_MS + 5 });
    expect(parseFeedLine('   ', 4, T0_MS)).toBeNull();
  });

  it('ignores a byte-order mark on the first line only', () => {
    const line = '\uFEFF{"venue":"paper","market":"X","price":"1"}';
    expect(parseFeedLine(line, 1, T0_MS)).toMatchObject({ type: 'quote', market: 'X' });
    expect(parseFeedLine(line, 2, T0_MS)).toEqual({ type: 'bad_line', line: 2, reason: 'not valid JSON' });
  });

  it('names the reason for each bad line', () => {
    const long = 'M'.repeat(MARKET_NAME_LENGTH_MAX + 1);
    const cases: [string, string][] = [
      ['{"venue":', 'not valid JSON'],
      ['[1,2]', 'not a JSON object'],
      ['{"venue":"paper","market":"X","price":"1","ts":"yesterday"}', 'unreadable ts "yesterday"'],
      ['{"market":"X","price":"1"}', 'missing "venue"'],
      ['{"venue":"paper","price":"1"}', 'missing "market"'],
      [`{"venue":"paper","market":"${long}","price":"1"}`, `market name longer than ${MARKET_NAME_LENGTH_MAX} characters`],
      ['{"type":"resolve","venue":"pm","market":"X","outcome":"maybe"}', 'outcome must be "yes" or "no"'],
      ['{"type":"trade","venue":"pm","market":"X"}', 'unknown type "trade"'],
      ['{"venue":"paper","market":"X","bid":"1"}', 'a quote needs "price" or both "bid" and "ask"'],
    ];
    for (const [text, reason] of cases) expect(parseFeedLine(text, 7, T0_MS)).toEqual({ type: 'bad_line', line: 7, reason });
    // The boundary itself is a market name, not a bad line.
    expect(parseFeedLine(`{"venue":"paper","market":"${'M'.repeat(MARKET_NAME_LENGTH_MAX)}","price":"1"}`, 7, T0_MS)).toMatchObject({ type: 'quote' });
  });
});
