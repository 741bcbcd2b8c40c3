// A hedged pair is one bet: through the real CLI, the resolution of each leg's market prints that leg as one quiet
// line, and the pair's net result is printed once, when its last leg resolves — not each leg alone at ±100%.
import { describe, expect, it } from 'vitest';
import { cli } from '../fixtures/helpers.js';
import { configuredDir, expectHealthy, logLines, pairedVenuesConfig, type FeedLine, writeFeed } from '../fixtures/e2e.js';

const T0_MS = Date.UTC(2026, 0, 1);

/** Kalshi FED YES ask 0.40 and Polymarket fed NO ask 0.57 (YES bid 0.43): 500 pairs at a 2% fee. */
const CONFIG = pairedVenuesConfig();

const at = (second: number) => new Date(T0_MS + second * 1000).toISOString();
const TRADE: readonly FeedLine[] = [
  { ts: at(0), venue: 'poly', market: 'fed', bid: '0.43', ask: '0.45' },
  { ts: at(1), venue: 'kalshi', market: 'FED', bid: '0.38', ask: '0.40' },
];
const RESOLVE_KALSHI: FeedLine = { ts: at(2), type: 'resolve', venue: 'kalshi', market: 'FED', outcome: 'yes' };
const RESOLVE_POLY: FeedLine = { ts: at(3), type: 'resolve', venue: 'poly', market: 'fed', outcome: 'yes' };

function run(lines: readonly FeedLine[]): string[] {
  const dir = configuredDir(CONFIG);
  const result = cli(dir, ['run', '--feed', writeFeed(dir, lines)], { env: { NO_COLOR: '1' } });
  expect(result.code, result.stderr).toBe(0);
  expectHealthy(dir);
  return logLines(result.stderr);
}

describe('a hedged pair resolved', () => {
  it('prints the pair net result once, when its last leg resolves: 500 − 200 − 285 − fees (4.00 + 5.70) = +$5.30', () => {
    const lines = run([...TRADE, RESOLVE_KALSHI, RESOLVE_POLY]);
    const pairLines = lines.filter((line) => line.startsWith('⇄ arb #1 fed-dec resolved'));
    expect(pairLines).toHaveLength(1);
    expect(pairLines[0]).toMatch(/^⇄ arb #1 fed-dec resolved: net \+\$5\.3000 \(kalshi FED \+\$\d+\.\d\d, poly fed:no -\$\d+\.\d\d\)$/);
    // Each leg is one quiet line, not a close's three-line PnL block at ±100%.
    expect(lines.filter((line) => line.includes('leg of a hedged pair'))).toHaveLength(2);
    expect(lines.some((line) => /Position \d+ closed: Resolved/.test(line))).toBe(false);
  });

  it('prints no pair result while one leg still waits for its market (the control)', () => {
    const lines = run([...TRADE, RESOLVE_KALSHI]);
    expect(lines.filter((line) => line.includes('leg of a hedged pair'))).toHaveLength(1);
    expect(lines.some((line) => line.startsWith('⇄ arb #1 fed-dec resolved'))).toBe(false);
  });
});

describe('the run summary', () => {
  it('tells the same story as arbbot report: equity against deposits, and what makes it up', () => {
    const dir = configuredDir(CONFIG);
    const run = cli(dir, ['--json', 'run', '--feed', writeFeed(dir, [...TRADE, RESOLVE_KALSHI])]);
    expect(run.code, run.stderr).toBe(0);
    const books = (JSON.parse(run.stdout) as { books: Record<string, string> }).books;
    const report = JSON.parse(cli(dir, ['--json', 'report']).stdout) as Record<string, string>;
    for (const key of ['equity', 'netDeposits', 'pnl', 'realised', 'unrealised', 'lockedEdge']) expect(books[key], key).toBe(report[key]);
    expect(books.netDeposits).toBe('4000.000000');
    // One leg resolved (kalshi YES won): realised at +$296 less its fee; the other leg waits, valued at its last price.
    expect(Number(books.realised)).toBeGreaterThan(0);
  });
});
