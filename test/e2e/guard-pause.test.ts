// Bad data through a real `arbbot run --feed`: every price-guard rejection (counted by reason in the --json summary,
// never reaching the ladder), the guard's memory across restarts, bad feed lines (reported by line number, never
// fatal), scenario 2 of docs/ledger.md (disconnect, bad prices, reconnect) and a staleness pause.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cli } from '../fixtures/helpers.js';
import {
  at,
  configuredDir,
  dbPath,
  expectHealthy,
  expectInOrder,
  logLines,
  m,
  openCli,
  openDirect,
  position,
  quote,
  runFeed,
  seedConfig,
  type FeedLine,
} from '../fixtures/e2e.js';

const PM_CONFIG = seedConfig({
  venues: { paper: { type: 'paper', startingBalance: '100' }, pm: { type: 'paper', startingBalance: '100', predictionMarket: true } },
});

describe('price guard through a feed', () => {
  it('rejects every kind of bad quote, counts each by reason, and none of them moves the ladder', () => {
    const dir = configuredDir(PM_CONFIG);
    const [long, pmLong] = openDirect(dir, PM_CONFIG, [
      { market: 'SOL-USD', side: 'long', price: '100' },
      { market: 'RAIN', side: 'long', price: '0.5', size: '10', venue: 'pm' },
    ]);
    const { summary, stderr } = runFeed(dir, [
      quote(0, '100'),
      quote(1, 'abc'), // non-numeric
      quote(2, '1e2'), // non-numeric: no exponents
      quote(3, '0'), // zero
      quote(4, '-94'), // negative
      quote(5, { bid: '94', ask: '93' }), // crossed: the bid alone would hit the stop
      quote(6, '40'), // a 60% jump, below the stop
      quote(7, '170'), // a 70% jump, above TP3
      quote(8, '0.5', 'RAIN', 'pm'),
      quote(9, '1', 'RAIN', 'pm'), // outside (0, 1) on a prediction market, would be TP3
      quote(10, { bid: '0.9', ask: '1.01' }, 'RAIN', 'pm'),
      quote(11, '100.5'),
    ]);
    expect(summary).toMatchObject({
      quotesAccepted: 3,
      quotesRejected: 9,
      rejectedByReason: { non_numeric: 2, non_positive: 2, crossed: 1, jump: 2, out_of_range: 2 },
      tiersHit: 0,
      positionsClosed: 0,
      openPositions: 2,
    });
    expect(position(dir, long ?? 0)).toMatchObject({ status: 'open', stopPrice: m('95'), tp1Hit: false, tp2Hit: false });
    expect(position(dir, pmLong ?? 0)).toMatchObject({ status: 'open', tp1Hit: false });
    const lines = logLines(stderr);
    expect(lines.filter((line) => line.startsWith('⚠ Rejected quote'))).toHaveLength(9);
    expectInOrder(lines, [
      'Rejected quote paper SOL-USD: non_numeric',
      'Rejected quote paper SOL-USD: non_numeric',
      'Rejected quote paper SOL-USD: non_positive',
      'Rejected quote paper SOL-USD: non_positive',
      'Rejected quote paper SOL-USD: crossed (bid 94.00 above ask 93.00)',
      'Rejected quote paper SOL-USD: jump',
      'Rejected quote paper SOL-USD: jump',
      'Rejected quote pm RAIN: out_of_range',
      'Rejected quote pm RAIN: out_of_range',
    ]);
    expectHealthy(dir);
  });

  it('remembers the last accepted price across restarts: a second run rejects a jump from the first run’s price', () => {
    // A close without --price refuses a quote older than staleAfterMs on the wall clock: ten minutes outlasts any slow machine.
    const dir = configuredDir(seedConfig({ priceGuard: { maxJumpPct: '50', staleAfterMs: 600_000 } }));
    const id = openCli(dir, ['paper', 'SOL-USD', '--side', 'long', '--size', '25', '--price', '100']);
    // Stamped a moment ago on the wall clock, so the close below may fill at them without --price.
    const nowMs = Date.now();
    const recent = (line: FeedLine, second: number): FeedLine => ({ ...(line as Record<string, unknown>), ts: new Date(nowMs + second * 1000 - 3_000).toISOString() });
    expect(runFeed(dir, [recent(quote(0, '100'), 0), recent(quote(1, { bid: '101', ask: '101.5' }), 1)]).summary.quotesAccepted).toBe(2);
    // 160 is TP3 and beyond if accepted; against the stored 101.25 mid it is a 58% jump.
    const second = runFeed(dir, [recent(quote(2, '160'), 2)]);
    expect(second.summary).toMatchObject({ quotesAccepted: 0, rejectedByReason: { jump: 1 }, positionsClosed: 0 });
    expect(second.stderr).toContain('jump (mid 160.00 is more than 50% from last accepted 101.25)');
    expect(position(dir, id).status).toBe('open');
    // A manual close without --price uses the last accepted quote (a long sells at its bid), never the rejected one.
    const closed = cli(dir, ['close', String(id)]);
    expect(closed.code, closed.stderr).toBe(0);
    expect(position(dir, id)).toMatchObject({ status: 'closed', exitPrice: m('101'), closeReason: 'Manual close' });
  });

  it('reports bad feed lines with their line number and skips them; the replay carries on', () => {
    const dir = configuredDir();
    const id = openCli(dir, ['paper', 'SOL-USD', '--side', 'long', '--size', '25', '--price', '100']);
    const { summary, stderr } = runFeed(dir, [
      quote(0, '100'),
      'this is not JSON',
      '{"ts": "2026-01-01T00:00:01Z", "venue": "paper", "market": ',
      '[1, 2, 3]',
      { ts: at(2), market: 'SOL-USD', price: '94' },
      { ts: at(3), venue: 'paper', price: '94' },
      { ts: at(4), venue: 'paper', market: 'SOL-USD', bid: '94' },
      { ts: 'yesterday', venue: 'paper', market: 'SOL-USD', price: '94' },
      { ts: at(5), type: 'resolve', venue: 'paper', market: 'SOL-USD', outcome: 'maybe' },
      { ts: at(6), type: 'halt', venue: 'paper', market: 'SOL-USD' },
      '',
      quote(7, '94'),
    ]);
    expect(summary).toMatchObject({ badLines: 9, quotesAccepted: 2, closedByReason: { stop_loss: 1 } });
    expectInOrder(logLines(stderr), [
      '⚠ feed line 2 skipped: not valid JSON',
      '⚠ feed line 3 skipped: not valid JSON',
      '⚠ feed line 4 skipped: not a JSON object',
      '⚠ feed line 5 skipped: missing "venue"',
      '⚠ feed line 6 skipped: missing "market"',
      '⚠ feed line 7 skipped: a quote needs "price" or both "bid" and "ask"',
      '⚠ feed line 8 skipped: unreadable ts "yesterday"',
      '⚠ feed line 9 skipped: outcome must be "yes" or "no"',
      '⚠ feed line 10 skipped: unknown type "halt"',
      'Stop hit for position 1 at $94.0000',
    ]);
    expect(position(dir, id)).toMatchObject({ status: 'closed', exitPrice: m('94') });
    expectHealthy(dir);
  });
});

describe('run: a feed file that cannot be read', () => {
  it('exits 2 with one line before touching the ledger', () => {
    const dir = configuredDir();
    for (const feed of ['missing.jsonl', '.']) {
      const result = cli(dir, ['run', '--feed', feed]);
      expect({ code: result.code, lines: result.stderr.trim().split('\n').length }).toEqual({ code: 2, lines: 1 });
      expect(result.stderr).toMatch(new RegExp(`^arbbot: --feed ${feed.replace('.', '\\.')}: `));
    }
    expect(existsSync(dbPath(dir))).toBe(false);
  });
});

describe('scenario 2: network disconnect during a position', () => {
  it('pauses on disconnect, rejects bad prices, does not close; reconciles on reconnect and trades again', () => {
    const dir = configuredDir();
    const id = openCli(dir, ['paper', 'SOL-USD', '--side', 'long', '--size', '25', '--price', '100']);
    const { summary, stderr } = runFeed(dir, [
      quote(0, '100'),
      { ts: at(1), type: 'disconnect', venue: 'paper' },
      quote(2, '1'), // a >50% change: rejected
      quote(3, 'timeout'),
      quote(4, '94'), // passes the guard, but the venue is paused: no stop loss
      quote(5, '111'), // nor a TP3
      { ts: at(6), type: 'reconnect', venue: 'paper' },
      quote(7, '93'),
    ]);
    expect(summary).toMatchObject({
      pauses: 1,
      rejectedByReason: { jump: 1, non_numeric: 1 },
      tiersHit: 0,
      closedByReason: { stop_loss: 1 },
    });
    // Closed at the first price after the reconnect, not at a price seen while paused.
    expect(position(dir, id)).toMatchObject({ status: 'closed', exitPrice: m('93'), tp1Hit: false, closeReason: 'Stop loss (-5%) hit' });
    expectInOrder(logLines(stderr), [
      '⏸ Trading paused on paper: venue disconnected',
      'Rejected quote paper SOL-USD: jump',
      'Rejected quote paper SOL-USD: non_numeric',
      '▶ paper back: reconciled (0 repaired, 0 unresolved), trading resumed',
      'Stop hit for position 1 at $93.0000. Closing position immediately.',
    ]);
    expectHealthy(dir);
  });

  it('pauses a venue that stops quoting for staleAfterMs of feed time while another venue keeps quoting', () => {
    const config = seedConfig({
      venues: { paper: { type: 'paper', startingBalance: '100' }, other: { type: 'paper', startingBalance: '100' } },
      priceGuard: { maxJumpPct: '50', staleAfterMs: 10_000 },
    });
    const dir = configuredDir(config);
    const [id] = openDirect(dir, config, [{ market: 'SOL-USD', side: 'long', price: '100' }]);
    const otherQuotes = Array.from({ length: 15 }, (_, i) => quote(i + 1, '2000', 'ETH-USD', 'other'));
    const { summary, stderr } = runFeed(dir, [quote(0, '100'), ...otherQuotes, quote(16, '94')]);
    expect(summary.pauses).toBe(1);
    const lines = logLines(stderr);
    expect(lines.filter((line) => line.startsWith('⏸'))).toEqual(['⏸ Trading paused on paper: no fresh quotes']);
    expectInOrder(lines, ['⏸ Trading paused on paper: no fresh quotes', '▶ paper back: reconciled', 'Stop hit for position 1 at $94.0000']);
    expect(position(dir, id ?? 0)).toMatchObject({ status: 'closed', exitPrice: m('94') });
    expectHealthy(dir);
  });
});
