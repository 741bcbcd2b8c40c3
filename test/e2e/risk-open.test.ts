// `arbbot open` under the risk limits, through the real CLI on a real ledger file: each limit refuses (exit 2, one
// line naming the limit and its figures, every table unchanged) when it would be broken, and allows the open just
// under it. Losses are made by real closes; "today" is the UTC day of the ledger's clock.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config/config.js';
import { parseMicros, parsePrice } from '../../src/domain/money.js';
import { openPosition } from '../../src/engine/trading.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { cli, cliJson, dump, type CliResult } from '../fixtures/helpers.js';
import { configuredDir, dbPath, expectHealthy, seedConfig, transactionCount, wallet } from '../fixtures/e2e.js';

const NO_COSTS = { feePct: '0', spreadPct: '0', slippagePct: '0' };

function riskConfig(risk: Record<string, unknown>, venueLimits: Record<string, string> = {}, costs: Record<string, string> = NO_COSTS): Record<string, unknown> {
  const venue = (name: string) => ({ type: 'paper', startingBalance: '1000', ...(venueLimits[name] ? { maxDailyLossUsd: venueLimits[name] } : {}) });
  return seedConfig({ venues: { paper: venue('paper'), other: venue('other') }, costs, risk });
}

/** Opens `size` long at $100 and closes it at `exitPrice` (no costs: the loss is size × (1 − exit/100)). */
function loseOn(dir: string, venue: string, size: string, exitPrice: string): void {
  const opened = cliJson<{ position: { id: number } }>(dir, ['open', venue, 'LOSS', '--side', 'long', '--size', size, '--price', '100']);
  expect(opened.code, opened.stderr).toBe(0);
  const closed = cli(dir, ['close', String(opened.json.position.id), '--price', exitPrice]);
  expect(closed.code, closed.stderr).toBe(0);
}

function open(dir: string, venue: string, size: string, extra: readonly string[] = []): CliResult {
  return cli(dir, ['open', venue, 'SOL-USD', '--side', 'long', '--size', size, '--price', '100', ...extra]);
}

/** The open is refused: exit 2, nothing on stdout, one stderr line with every part, and not one row of any table changed. */
function expectRefused(dir: string, attempt: () => CliResult, ...parts: string[]): void {
  const before = dump(dbPath(dir));
  const wallets = ['paper', 'other'].map((venue) => wallet(dir, venue));
  const transactions = transactionCount(dir);
  const result = attempt();
  const context = `exit ${result.code}\n${result.stdout}\n${result.stderr}`;
  expect(result.code, context).toBe(2);
  expect(result.stdout, context).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, context).toHaveLength(1);
  for (const part of parts) expect(lines[0], context).toContain(part);
  expect(['paper', 'other'].map((venue) => wallet(dir, venue))).toEqual(wallets);
  expect(transactionCount(dir)).toBe(transactions);
  expect(dump(dbPath(dir))).toBe(before);
}

function expectOpened(result: CliResult): void {
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('✓ Position opened successfully');
}

describe('open under risk.maxPositionUsd', () => {
  it('refuses a position above the limit and opens one of exactly the limit', () => {
    const dir = configuredDir(riskConfig({ maxPositionUsd: '50' }));
    expect(cli(dir, ['init']).code).toBe(0);
    expectRefused(dir, () => open(dir, 'paper', '50.01'), 'arbbot: open refused by risk.maxPositionUsd: a position of $50.01 on paper is above the limit of $50.00');
    expectOpened(open(dir, 'paper', '50'));
    expectHealthy(dir);
  });
});

describe('open under risk.maxOpenPositions', () => {
  it('refuses a position beyond the limit, opens again once one closes, and lets a replayed key through', () => {
    const dir = configuredDir(riskConfig({ maxOpenPositions: 2 }));
    expectOpened(open(dir, 'paper', '10', ['--key', 'first']));
    // Just under the limit: the second of two.
    expectOpened(open(dir, 'other', '10'));
    expectRefused(dir, () => open(dir, 'paper', '10'), 'open refused by risk.maxOpenPositions: 2 positions open, the limit is 2');
    // A replayed key opens nothing, so the limit has nothing to refuse.
    const replay = open(dir, 'paper', '10', ['--key', 'first']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain('already opened under key first');
    expect(cli(dir, ['close', '1', '--price', '101']).code).toBe(0);
    expectOpened(open(dir, 'paper', '10'));
    expectHealthy(dir);
  });
});

describe('open under a venue daily-loss limit (venues.<name>.maxDailyLossUsd)', () => {
  it('allows a loss just under the limit, then refuses that venue only once the day has lost it', () => {
    const dir = configuredDir(riskConfig({}, { paper: '30' }));
    loseOn(dir, 'paper', '180', '90'); // −$18
    loseOn(dir, 'paper', '119.9', '90'); // −$11.99: $29.99 lost today
    expectOpened(open(dir, 'paper', '10'));
    loseOn(dir, 'paper', '0.1', '90'); // −$0.01: $30.00
    expectRefused(dir, () => open(dir, 'paper', '10'), "open refused by venues.paper.maxDailyLossUsd: today's realised loss on paper reached $30.00 (UTC ", 'the limit is $30.00');
    // The other venue's day is its own.
    expectOpened(open(dir, 'other', '10'));
    expectHealthy(dir);
  });
});

describe('open under the overall daily-loss limit (risk.maxDailyLossUsd)', () => {
  it('the README figure: $18 then $13 lost on two venues reaches $30 and refuses every venue; $29.99 did not', () => {
    const dir = configuredDir(riskConfig({ maxDailyLossUsd: '30' }));
    loseOn(dir, 'paper', '180', '90'); // −$18
    loseOn(dir, 'other', '119.9', '90'); // −$11.99
    expectOpened(open(dir, 'paper', '10'));
    loseOn(dir, 'other', '10.1', '90'); // −$1.01: $31.00 across venues
    for (const venue of ['paper', 'other']) {
      expectRefused(dir, () => open(dir, venue, '10'), "open refused by risk.maxDailyLossUsd: today's realised loss across venues reached $31.00 (UTC ", 'the limit is $30.00');
    }
    expectHealthy(dir);
  });

  it('counts the fees in each close: a $29.90 gross loss that nets more than $30 reaches the limit', () => {
    const dir = configuredDir(riskConfig({ maxDailyLossUsd: '30' }, {}, { feePct: '0.26', spreadPct: '0.1', slippagePct: '0.05' }));
    loseOn(dir, 'paper', '100', '70.1');
    const net = readNetPnl(dir);
    expect(net).toBeLessThanOrEqual(-parseMicros('30'));
    expect(net).toBeGreaterThan(-parseMicros('31'));
    expectRefused(dir, () => open(dir, 'other', '10'), 'open refused by risk.maxDailyLossUsd');
  });

  it('counts only today (UTC): yesterday\'s losses refuse nothing', () => {
    const config = riskConfig({ maxDailyLossUsd: '30' });
    const dir = configuredDir(config);
    // A $50 loss closed yesterday by the ledger's clock.
    closeOnDay(dir, config, Date.now() - 86_400_000);
    expectOpened(open(dir, 'paper', '10'));
    // The same loss today: refused.
    closeOnDay(dir, config, Date.now());
    expectRefused(dir, () => open(dir, 'paper', '10'), "today's realised loss across venues reached $50.00");
  });
});

function readNetPnl(dir: string): number {
  const ledger = Ledger.open(dbPath(dir), { readonly: true });
  try {
    return ledger.listPositions('closed')[0]?.netPnl ?? 0;
  } finally {
    ledger.close();
  }
}

/** Opens and closes a $50 loss (long $100 at 100, out at 50) with the ledger's clock at `ms`. */
function closeOnDay(dir: string, configJson: Record<string, unknown>, ms: number): void {
  const config = parseConfigObject(configJson, null);
  const ledger = Ledger.open(dbPath(dir), { synchronous: 'NORMAL', now: () => new Date(ms) });
  try {
    for (const venue of config.venues.values()) ledger.ensureWallet(venue.name, venue.startingBalance);
    const { position } = openPosition(ledger, {
      venue: 'paper',
      market: 'LOSS',
      side: 'long',
      size: parseMicros('100'),
      price: parsePrice('100'),
      ladder: config.tpsl,
      costs: config.costs,
      predictionMarket: false,
    });
    ledger.closePosition(position.id, { exitPrice: parsePrice('50'), reason: 'test loss', costs: config.costs });
  } finally {
    ledger.close();
  }
}

describe('risk config through the CLI', () => {
  it('a bad limit is refused before anything is opened: exit 2, one line naming the file and the key, no database', () => {
    const bad: readonly [Record<string, unknown>, string][] = [
      [riskConfig({ maxDailyLossUsd: '-30' }), 'risk.maxDailyLossUsd: "-30" must not be negative'],
      [riskConfig({ maxPositionUsd: '0' }), 'risk.maxPositionUsd: must be greater than zero'],
      [riskConfig({ maxOpenPositions: 1.5 }), 'risk.maxOpenPositions: '],
      [riskConfig({ maxOpenPosition: 3 }), 'risk.maxOpenPosition: unknown key'],
      [riskConfig({}, { paper: 'lots' }), 'venues.paper.maxDailyLossUsd: "lots" is not a plain decimal'],
    ];
    for (const [config, message] of bad) {
      const dir = configuredDir(config);
      const result = open(dir, 'paper', '10');
      expect({ code: result.code, stdout: result.stdout, lines: result.stderr.trimEnd().split('\n').length }, result.stderr).toEqual({ code: 2, stdout: '', lines: 1 });
      expect(result.stderr).toContain(`arbbot: config ./arbbot.config.json: ${message}`);
      expect(existsSync(dbPath(dir))).toBe(false);
    }
    // The same keys with good values: accepted.
    expectOpened(open(configuredDir(riskConfig({ maxDailyLossUsd: '30', maxPositionUsd: '50', maxOpenPositions: 2 }, { paper: '20' })), 'paper', '10'));
  });
});
