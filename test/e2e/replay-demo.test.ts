// Long runs: a few thousand generated feed lines replayed into two fresh databases (identical results), the
// zero-config synthetic demo, and stopping `arbbot run` cleanly with SIGTERM.
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, tempDir } from '../fixtures/helpers.js';
import {
  at,
  configuredDir,
  expectHealthy,
  parseSummary,
  positions,
  seedConfig,
  wallet,
  writeFeed,
  type FeedLine,
  type RunSummary,
} from '../fixtures/e2e.js';
import { exitOf, spawnCli } from '../fixtures/process.js';

/** Mulberry32, written out here so the test data does not depend on the code under test. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface GeneratedFeed {
  readonly lines: FeedLine[];
  readonly badLines: number;
  readonly garbageQuotes: number;
  readonly disconnects: number;
}

const MARKETS = [
  { venue: 'paper', market: 'SOL-USD', startMicros: 100_000_000, bounded: false },
  { venue: 'paper', market: 'ETH-USD', startMicros: 2_000_000_000, bounded: false },
  { venue: 'pm', market: 'RAIN', startMicros: 500_000, bounded: true },
] as const;

const micros = (value: number): string => (value / 1_000_000).toFixed(6);

/**
 * A random walk over three markets (one a prediction market), one second of feed time per line, with bad lines,
 * garbage quotes the guard must reject, gaps, and disconnect/reconnect pairs on the paper venue.
 */
function generateFeed(seed: number, linesMax: number): GeneratedFeed {
  const random = prng(seed);
  const mids: number[] = MARKETS.map((market) => market.startMicros);
  const lines: FeedLine[] = [];
  let badLines = 0;
  let garbageQuotes = 0;
  let disconnects = 0;
  let reconnectAt = -1;
  for (let second = 0; lines.length < linesMax; second += 1) {
    if (second === reconnectAt) lines.push({ ts: at(second), type: 'reconnect', venue: 'paper' });
    if (reconnectAt < second && random() < 0.003) {
      disconnects += 1;
      reconnectAt = second + 10 + Math.floor(random() * 30);
      lines.push({ ts: at(second), type: 'disconnect', venue: 'paper' });
    }
    const index = Math.floor(random() * MARKETS.length);
    const spec = MARKETS[index] ?? MARKETS[0];
    const mid = mids[index] ?? spec.startMicros;
    const roll = random();
    if (roll < 0.008) {
      badLines += 1;
      lines.push(random() < 0.5 ? `{"ts": "${at(second)}", "venue": ` : { ts: at(second), venue: spec.venue, price: micros(mid) });
      continue;
    }
    if (roll < 0.02) {
      garbageQuotes += 1;
      const kind = Math.floor(random() * 4);
      const base = { ts: at(second), venue: spec.venue, market: spec.market };
      if (kind === 0) lines.push({ ...base, price: '0' });
      else if (kind === 1) lines.push({ ...base, price: 'NaN' });
      else if (kind === 2) lines.push({ ...base, bid: micros(mid + 10_000), ask: micros(mid) });
      else lines.push({ ...base, price: micros(spec.bounded ? 1_500_000 : mid * 3) });
      continue;
    }
    let movePpm = Math.floor((random() * 2 - 1) * 6_000);
    if (random() < 0.01) movePpm += (random() < 0.5 ? -1 : 1) * 40_000;
    let next = mid + Math.trunc((mid * movePpm) / 1_000_000);
    if (spec.bounded) next = Math.min(980_000, Math.max(20_000, next));
    mids[index] = next;
    const spread = Math.max(1, Math.trunc(next / 2_000));
    lines.push({ ts: at(second), venue: spec.venue, market: spec.market, bid: micros(next - spread), ask: micros(next + spread) });
  }
  return { lines, badLines, garbageQuotes, disconnects };
}

const REPLAY_CONFIG = seedConfig({
  venues: { paper: { type: 'paper', startingBalance: '1000' }, pm: { type: 'paper', startingBalance: '100', predictionMarket: true } },
});

const OPENS = [
  ['paper', 'SOL-USD', '--side', 'long', '--size', '25', '--price', '100'],
  ['paper', 'SOL-USD', '--side', 'short', '--size', '40', '--price', '100'],
  ['paper', 'ETH-USD', '--side', 'long', '--size', '100', '--price', '2000'],
  ['pm', 'RAIN', '--side', 'long', '--size', '10', '--price', '0.5'],
];

/** A fresh directory with the positions opened through the CLI, then the feed replayed at full speed. */
async function replayInto(feed: GeneratedFeed): Promise<{ dir: string; summary: RunSummary }> {
  const dir = configuredDir(REPLAY_CONFIG);
  for (const args of OPENS) {
    const opened = await cliAsync(dir, ['open', ...args], { ARBBOT_DB: '' });
    expect(opened.code, opened.stderr).toBe(0);
  }
  const name = writeFeed(dir, feed.lines);
  const run = await cliAsync(dir, ['--json', 'run', '--feed', name, '--speed', 'max'], { ARBBOT_DB: '' });
  return { dir, summary: parseSummary(run) };
}

/** Position rows without wall-clock timestamps. */
function comparable(dir: string): unknown[] {
  return positions(dir).map((row) => ({ ...row, openedAt: null, closedAt: row.closedAt === null ? null : 'closed' }));
}

describe('replay of a few thousand lines', () => {
  it('keeps the books healthy, counts every bad line and garbage quote, and is deterministic', async () => {
    const feed = generateFeed(20260101, 3_000);
    expect(feed.badLines).toBeGreaterThan(0);
    expect(feed.garbageQuotes).toBeGreaterThan(0);
    expect(feed.disconnects).toBeGreaterThan(0);
    const [a, b] = await Promise.all([replayInto(feed), replayInto(feed)]);

    expect(a.summary).toMatchObject({
      stoppedBy: 'feed_ended',
      events: feed.lines.length,
      badLines: feed.badLines,
      quotesRejected: feed.garbageQuotes,
      positionsOpened: 0,
    });
    expect(a.summary.pauses).toBeGreaterThanOrEqual(feed.disconnects);
    expect(a.summary.quotesAccepted + a.summary.quotesRejected + a.summary.badLines).toBeLessThanOrEqual(feed.lines.length);
    expect(a.summary.positionsClosed).toBeGreaterThan(0);
    expect(a.summary.positionsClosed + a.summary.openPositions).toBe(OPENS.length);

    expect(b.summary).toEqual(a.summary);
    expect(comparable(b.dir)).toEqual(comparable(a.dir));
    expect(wallet(b.dir)).toEqual(wallet(a.dir));
    expectHealthy(a.dir);
    expectHealthy(b.dir);
  });
});

const SUMMARY_KEYS = [
  'stoppedBy',
  'events',
  'quotesAccepted',
  'quotesRejected',
  'rejectedByReason',
  'badLines',
  'pauses',
  'positionsOpened',
  'positionsClosed',
  'closedByReason',
  'tiersHit',
  'resolutions',
  'openPositions',
  'realisedNetPnl',
  'wallets',
];

describe('zero-config synthetic demo', () => {
  it('runs 500 ticks with no config, opens positions, and prints a complete summary', async () => {
    const args = ['--json', 'run', '--max-ticks', '500', '--speed', 'max', '--seed', '3'];
    const [dirA, dirB] = [tempDir(), tempDir()];
    const [runA, runB] = await Promise.all([cliAsync(dirA, args, { ARBBOT_DB: '' }), cliAsync(dirB, args, { ARBBOT_DB: '' })]);
    const summary = parseSummary(runA);
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(SUMMARY_KEYS));
    expect(summary).toMatchObject({ stoppedBy: 'max_ticks', events: 500, badLines: 0 });
    expect(summary.positionsOpened).toBeGreaterThan(0);
    expect(summary.quotesAccepted + summary.quotesRejected).toBeLessThanOrEqual(500);
    expect(Object.values(summary.closedByReason).reduce((sum, n) => sum + n, 0)).toBe(summary.positionsClosed);
    expect(summary.wallets.map((w) => w.venue)).toContain('paper');
    // The summary agrees with the ledger: demo (TP/SL) positions opened, and every position still open.
    const rows = positions(dirA);
    expect(rows.filter((row) => row.kind === 'single')).toHaveLength(summary.positionsOpened);
    expect(rows.filter((row) => row.status === 'open')).toHaveLength(summary.openPositions);
    // The same seed replays the same demo.
    expect(parseSummary(runB)).toEqual(summary);
    expectHealthy(dirA);
  });
});

describe('stopping a run with SIGTERM', () => {
  it('stops the synthetic demo cleanly: exit 0, a summary, healthy books', async () => {
    const dir = tempDir();
    const run = spawnCli(dir, ['run', '--seed', '5']);
    await run.waitForStderr((text) => text.includes('✓ Position opened successfully'), 'a demo position to open');
    run.child.kill('SIGTERM');
    expect(await exitOf(run)).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toContain('Run summary (stopped: stopped)');
    expectHealthy(dir);
  });

  it('stops a replay waiting on an idle stdin: exit 0 and a JSON summary', async () => {
    const dir = configuredDir();
    expect(cli(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '25', '--price', '100']).code).toBe(0);
    const run = spawnCli(dir, ['--json', '--verbose', 'run', '--feed', '-']);
    run.write([{ ts: at(0), venue: 'paper', market: 'SOL-USD', price: 'abc' }]);
    await run.waitForStderr((text) => text.includes('Rejected quote paper SOL-USD'), 'the first line to be handled');
    // stdin stays open and silent: the stop must not wait for another line.
    run.child.kill('SIGTERM');
    const exit = await exitOf(run);
    expect(exit).toEqual({ code: 0, signal: null });
    const summary = parseSummary({ code: 0, stdout: run.stdout(), stderr: run.stderr() });
    expect(summary).toMatchObject({ stoppedBy: 'stopped', events: 1, rejectedByReason: { non_numeric: 1 }, openPositions: 1 });
    expectHealthy(dir);
  });
});
