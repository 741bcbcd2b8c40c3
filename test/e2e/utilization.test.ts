// The utilisation warning (arbitrage.utilizationWarnPct, locked / total) wherever locked funds change, through the
// real CLI: `open` and `arb --execute` warn after their result, `balances` marks the wallet, and `run` reports each
// wallet crossing the threshold once, up and back down, however many changes happen while it stays above.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliJson } from '../fixtures/helpers.js';
import { configuredDir, expectHealthy, expectInOrder, logLines, openCli, quote, runFeed, seedConfig, type FeedLine } from '../fixtures/e2e.js';

const NO_COSTS = { feePct: '0', spreadPct: '0', slippagePct: '0' };

interface WarningJson {
  venue: string;
  utilization: string;
  warnAbove: string;
  locked: string;
  total: string;
}

describe('open warns after its result when a wallet is above the threshold', () => {
  it('85% locked: one warning line, and in --json; exactly 80% is not above it', () => {
    const dir = configuredDir(seedConfig({ costs: NO_COSTS }));
    const at80 = cliJson<{ status: string; utilizationWarnings: WarningJson[] }>(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '80', '--price', '100']);
    expect(at80.code, at80.stderr).toBe(0);
    expect(at80.json.utilizationWarnings).toEqual([]);
    const plain = cli(dir, ['open', 'paper', 'ETH-USD', '--side', 'long', '--size', '5', '--price', '100']);
    expect(plain.code, plain.stderr).toBe(0);
    const lines = plain.stdout.trimEnd().split('\n');
    expect(lines[0]).toContain('✓ Position opened successfully: ID 2');
    expect(lines.at(-1)).toBe('⚠ paper utilisation 85.00% is above the 80.00% warning (locked $85.00 of $100.00)');
    expect(lines.filter((line) => line.includes('utilisation'))).toHaveLength(1);
    const json = cliJson<{ utilizationWarnings: WarningJson[] }>(dir, ['open', 'paper', 'BTC-USD', '--side', 'long', '--size', '1', '--price', '100']);
    expect(json.json.utilizationWarnings).toEqual([{ venue: 'paper', utilization: '86.00%', warnAbove: '80.00%', locked: '86.000000', total: '100.000000' }]);
  });

  it('follows the configured threshold', () => {
    const dir = configuredDir(seedConfig({ costs: NO_COSTS, arbitrage: { utilizationWarnPct: '50' } }));
    const result = cli(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '50.01', '--price', '100']);
    expect(result.stdout).toContain('⚠ paper utilisation 50.01% is above the 50.00% warning');
  });
});

describe('balances shows utilisation and marks wallets above the threshold', () => {
  it('a column for every wallet, a marker on the one above, and fields in --json', () => {
    const dir = configuredDir(seedConfig({ costs: NO_COSTS, venues: { paper: { type: 'paper', startingBalance: '100' }, other: { type: 'paper', startingBalance: '100' } } }));
    openCli(dir, ['paper', 'SOL-USD', '--side', 'long', '--size', '90', '--price', '100']);
    openCli(dir, ['other', 'SOL-USD', '--side', 'long', '--size', '10', '--price', '100']);
    const table = cli(dir, ['balances']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/utilisation/);
    expect(table.stdout).toMatch(/│ other +│ \$100\.00 +│ \$90\.00 +│ \$10\.00 +│ 10\.00% +│/);
    expect(table.stdout).toMatch(/│ paper +│ \$100\.00 +│ \$10\.00 +│ \$90\.00 +│ 90\.00% ⚠ above 80\.00% +│/);
    const json = cliJson<{ utilizationWarnAbove: string; wallets: Record<string, unknown>[] }>(dir, ['balances']);
    expect(json.json.utilizationWarnAbove).toBe('80.00%');
    expect(json.json.wallets).toEqual([
      { venue: 'other', total: '100.000000', available: '90.000000', locked: '10.000000', deficit: '0.000000', equity: '100.000000', utilization: '10.00%', aboveUtilizationWarning: false },
      { venue: 'paper', total: '100.000000', available: '10.000000', locked: '90.000000', deficit: '0.000000', equity: '100.000000', utilization: '90.00%', aboveUtilizationWarning: true },
    ]);
  });
});

/**
 * ka holds $100, po $1000. Crossed: YES on ka at 0.45 + NO on po at 1 − 0.50 = 0.95 a pair; the pair's $190 buys
 * 200 pairs, $90 of them on ka: 90% of its balance locked. Uncrossed: YES on ka at 0.52 makes it $1.02.
 */
function arbConfig(kaBalance: string): Record<string, unknown> {
  return seedConfig({
    venues: {
      paper: { type: 'paper', startingBalance: '100' },
      ka: { type: 'paper', predictionMarket: true, startingBalance: kaBalance, markets: { FED: { bid: '0.40', ask: '0.45' } } },
      po: { type: 'paper', predictionMarket: true, startingBalance: '1000', markets: { fed: { bid: '0.50', ask: '0.52' } } },
    },
    pairs: { 'fed-dec': { a: { venue: 'ka', market: 'FED' }, b: { venue: 'po', market: 'fed' }, maxSize: '190', minEdgeBps: 50, confirmed: true } },
    costs: NO_COSTS,
    arbitrage: { armAhead: false },
    log: { file: 'events.jsonl' },
  });
}

describe('arb --execute warns after its result', () => {
  it('ka 90% locked after the arbitrage: a warning line, and in --json; with a larger balance, none', () => {
    const dir = configuredDir(arbConfig('100'));
    const result = cli(dir, ['arb', '--execute', 'fed-dec']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('⚠ ka utilisation 90.00% is above the 80.00% warning (locked $90.00 of $100.00)');
    const roomy = configuredDir(arbConfig('1000'));
    const json = cliJson<{ executed: boolean; utilizationWarnings: WarningJson[] }>(roomy, ['arb', '--execute', 'fed-dec']);
    expect(json.json.executed).toBe(true);
    expect(json.json.utilizationWarnings).toEqual([]);
    expectHealthy(dir);
  });
});

describe('run reports each crossing once', () => {
  it('above at start, above after an arbitrage, back under after a close and a resolution — never repeated', () => {
    const dir = configuredDir(arbConfig('100'));
    openCli(dir, ['paper', 'SOL-USD', '--side', 'long', '--size', '85', '--price', '100']);
    openCli(dir, ['paper', 'ETH-USD', '--side', 'long', '--size', '5', '--price', '100']);
    const feed: FeedLine[] = [
      quote(1, { bid: '0.48', ask: '0.52' }, 'FED', 'ka'), // uncrossed
      quote(1, { bid: '0.50', ask: '0.52' }, 'fed', 'po'),
      quote(2, { bid: '0.40', ask: '0.45' }, 'FED', 'ka'), // the arbitrage: ka 90% locked
      quote(3, { bid: '0.40', ask: '0.45' }, 'FED', 'ka'), // a second, on ka's last $10: more locked, no new event
      quote(4, { bid: '0.48', ask: '0.52' }, 'FED', 'ka'),
      quote(5, '100', 'SOL-USD'),
      quote(6, '110', 'SOL-USD'), // TP3 closes SOL: paper falls under while ka stays above (no new ka event)
      quote(7, '110', 'ETH-USD'), // TP3 closes ETH: locked funds change again, nothing crosses
      { ts: '2026-01-01T00:00:08Z', type: 'resolve', venue: 'ka', market: 'FED', outcome: 'yes' }, // ka's positions settle
    ];
    const { stderr } = runFeed(dir, feed);
    const lines = logLines(stderr).filter((line) => line.includes('utilisation'));
    expect(lines).toEqual([
      '⚠ paper utilisation 90.00% is above the 80.00% warning (locked $90.00 of $100.00)',
      '⚠ ka utilisation 90.00% is above the 80.00% warning (locked $90.00 of $100.00)',
      '✓ paper utilisation 4.61% is back under the 80.00% warning (locked $5.00 of $108.50)',
      '✓ ka utilisation 0.00% is back under the 80.00% warning (locked $0.00 of $222.10)',
    ]);
    expectInOrder(logLines(stderr), [
      'Start-up reconcile',
      '⚠ paper utilisation',
      '⇄ Arb fed-dec',
      '⚠ ka utilisation',
      '⇄ Arb fed-dec',
      'Position 1 closed',
      '✓ paper utilisation',
      'Position 2 closed',
      'Market ka FED resolved YES',
      '✓ ka utilisation',
    ]);
    const log = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(log.filter((event) => event.kind === 'utilization').map((event) => [event.venue, event.state, event.utilization])).toEqual([
      ['paper', 'above', '90.00%'],
      ['ka', 'above', '90.00%'],
      ['paper', 'below', '4.61%'],
      ['ka', 'below', '0.00%'],
    ]);
    expectHealthy(dir);
  });
});
