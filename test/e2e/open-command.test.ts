// `arbbot open`: a refused open exits 2 with one line naming what was wrong and leaves the ledger as it was
// (every row of every table); a good one prints the position (with its id) under --json.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliJson, dump } from '../fixtures/helpers.js';
import { configuredDir, dbPath, expectHealthy, m, seedConfig, transactionCount, wallet } from '../fixtures/e2e.js';

const CONFIG = seedConfig({
  venues: { paper: { type: 'paper', startingBalance: '100' }, pm: { type: 'paper', startingBalance: '100', predictionMarket: true } },
});

const REFUSED: readonly (readonly [string, readonly string[], RegExp])[] = [
  ['bad --side', ['paper', 'SOL-USD', '--side', 'up', '--size', '10', '--price', '100'], /--side must be long or short, got "up"/],
  ['negative --size', ['paper', 'SOL-USD', '--side', 'long', '--size', '-3', '--price', '100'], /--size: "-3" must not be negative/],
  ['zero --size', ['paper', 'SOL-USD', '--side', 'long', '--size', '0', '--price', '100'], /--size: must be greater than zero/],
  ['non-numeric --size', ['paper', 'SOL-USD', '--side', 'long', '--size', 'ten', '--price', '100'], /--size: "ten" is not a plain decimal/],
  ['exponent --size', ['paper', 'SOL-USD', '--side', 'long', '--size', '1e1', '--price', '100'], /--size: "1e1" is not a plain decimal/],
  ['unknown venue', ['nowhere', 'SOL-USD', '--side', 'long', '--size', '10', '--price', '100'], /unknown venue "nowhere" \(configured: paper, pm\)/],
  ['prediction-market price of 1', ['pm', 'RAIN', '--side', 'long', '--size', '10', '--price', '1'], /price must be below 1 on prediction market pm/],
  ['prediction-market price above 1', ['pm', 'RAIN', '--side', 'long', '--size', '10', '--price', '1.5'], /price must be below 1 on prediction market pm/],
  ['zero --price', ['paper', 'SOL-USD', '--side', 'long', '--size', '10', '--price', '0'], /--price: must be greater than zero/],
  ['bad --sl', ['paper', 'SOL-USD', '--side', 'long', '--size', '10', '--price', '100', '--sl', '100'], /stop loss must be between 0 and 100%/],
];

describe('open: refused input', () => {
  it('exits 2 with one line naming the problem and leaves every table unchanged', () => {
    const dir = configuredDir(CONFIG);
    // A first open creates the database, so "unchanged" is measured on a real ledger with a position in it.
    expect(cli(dir, ['open', 'paper', 'ETH-USD', '--side', 'long', '--size', '20', '--price', '2000']).code).toBe(0);
    const before = dump(dbPath(dir));
    for (const [what, args, message] of REFUSED) {
      const result = cli(dir, ['open', ...args]);
      expect({ what, code: result.code, stdout: result.stdout, lines: result.stderr.trim().split('\n').length }).toEqual({ what, code: 2, stdout: '', lines: 1 });
      expect(result.stderr).toMatch(message);
      expect(dump(dbPath(dir)), what).toBe(before);
    }
  });

  it('bad input never creates a database in a fresh directory', () => {
    const dir = configuredDir(CONFIG);
    const representative = ['bad --side', 'non-numeric --size', 'unknown venue', 'prediction-market price of 1'];
    for (const [, args] of REFUSED.filter(([what]) => representative.includes(what))) {
      expect(cli(dir, ['open', ...args]).code).toBe(2);
    }
    expect(existsSync(join(dir, 'arbbot.db'))).toBe(false);
  });

  it('short of available balance for the cost and what its close may cost: exit 2, the amount needed named, nothing written', () => {
    const dir = configuredDir(CONFIG);
    // $75 and its $0.195 entry fee are locked: $24.805 free.
    expect(cli(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '75', '--price', '100']).code).toBe(0);
    const before = dump(dbPath(dir));
    const result = cli(dir, ['open', 'paper', 'ETH-USD', '--side', 'short', '--size', '24.740675', '--price', '2000']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'arbbot: insufficient available balance on paper: opening needs $24.8050 (cost basis $24.74 + $0.0643 set aside for its close), available $24.8050\n',
    );
    expect(dump(dbPath(dir))).toBe(before);
    // Exactly the available balance is fine: $24.740674 and its fee of $0.064326 (rounded up).
    expect(cli(dir, ['open', 'paper', 'ETH-USD', '--side', 'short', '--size', '24.740674', '--price', '2000']).code).toBe(0);
    expect(wallet(dir)).toEqual({ venue: 'paper', total: m('100'), available: 0, locked: m('100'), deficit: 0 });
    expectHealthy(dir);
  });
});

describe('open: --json', () => {
  it('prints the position with its id and ladder; the same --key opens nothing new', () => {
    const dir = configuredDir(CONFIG);
    const args = ['open', 'paper', 'SOL-USD', '--side', 'short', '--size', '25', '--price', '100', '--key', 'order-1'];
    const first = cliJson<{ status: string; position: Record<string, unknown> }>(dir, args);
    expect(first.code).toBe(0);
    expect(first.json.status).toBe('opened');
    expect(first.json.position).toMatchObject({
      id: 1,
      venue: 'paper',
      market: 'SOL-USD',
      side: 'short',
      status: 'open',
      quantity: '0.250000',
      entryPrice: '100.000000',
      costBasis: '25.000000',
      entryFee: '0.065000',
      ladder: { tp1Price: '97.000000', tp2Price: '94.000000', tp3Price: '90.000000', slPrice: '105.000000', stopPrice: '105.000000', tp1Hit: false, tp2Hit: false },
      // A short with no price ceiling: $25 and its fee held as collateral, used up at about twice the entry.
      closeReserve: '0.065000',
      liquidationPrice: '199.183344',
      needsAttention: null,
    });
    const replay = cliJson<{ status: string; position: { id: number } }>(dir, args);
    expect(replay.code).toBe(0);
    expect(replay.json).toMatchObject({ status: 'exists', position: { id: 1 } });
    expect(transactionCount(dir, 'position_open')).toBe(1);
    expect(wallet(dir)).toEqual({ venue: 'paper', total: m('100'), available: m('74.935'), locked: m('25.065'), deficit: 0 });
  });

  it('opens at the current paper quote when --price is left out: the ask for a long, the bid for a short', () => {
    const dir = configuredDir(seedConfig({ venues: { paper: { type: 'paper', startingBalance: '100', markets: { 'SOL-USD': { bid: '99.5', ask: '100.5' } } } } }));
    const long = cliJson<{ position: { entryPrice: string } }>(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '10']);
    const short = cliJson<{ position: { entryPrice: string } }>(dir, ['open', 'paper', 'SOL-USD', '--side', 'short', '--size', '10']);
    expect([long.code, short.code]).toEqual([0, 0]);
    expect([long.json.position.entryPrice, short.json.position.entryPrice]).toEqual(['100.500000', '99.500000']);
  });
});
