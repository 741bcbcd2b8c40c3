// What the CLI prints: --json money as exact six-decimal strings (never floats), the reference close's human lines,
// HEALTHY from wallet-check, and no ANSI colour codes when stdout is not a terminal — even when the environment
// asks chalk for colour.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, cliJson, type CliResult } from '../fixtures/helpers.js';
import { cliDir, openPosition } from '../fixtures/ledger.js';

/** The escape that starts every ANSI colour sequence (a string test: a regex with it trips no-control-regex). */
const ESC = '\u001b[';
const MONEY = /^-?\d+\.\d{6}$/;

/** The real CLI with colour forced on by the environment (FORCE_COLOR=1, NO_COLOR unset) but stdout a pipe. */
function cliColourEnv(dir: string, args: readonly string[]): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '1', ARBBOT_DB: '' };
  delete env.NO_COLOR;
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env, timeout: 60_000 });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** The seed: $100 paper wallet, position #1 long $25 at $100. */
const seed = () => cliDir('100', (ledger) => void openPosition(ledger));

describe('human output', () => {
  it('prints the reference close lines exactly, without colour codes on a pipe', () => {
    const { dir } = seed();
    const result = cliColourEnv(dir, ['close', '1', '--price', '110', '--reason', 'TP3 (+10%) reached']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      'PnL Calculation: Gross PnL=$2.50 (+10.00%), Entry Fee=$0.0650, Exit Fee=$0.0715, Spread=$0.02750, Slippage=$0.01375, ' +
        'Total Costs=$0.17775, Net PnL=$2.32225 (+9.29%)',
      'Wallet updated: Freed $25.0650, PnL=$2.32, Available: $74.94 → $102.32',
      '✓ Position 1 closed: TP3 (+10%) reached, Net PnL: $2.3223 (+9.29%)',
    ]);
  });

  it('wallet-check prints HEALTHY and the wallet figures, without colour codes', () => {
    const { dir } = seed();
    const result = cliColourEnv(dir, ['wallet-check']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain(ESC);
    expect(result.stdout).toContain('✓ paper: Total=$100.00, Available=$74.94, Locked=$25.07');
    expect(result.stdout).toMatch(/^HEALTHY \(\d+\/\d+ checks passed\)$/m);
  });

  it('errors are one plain line on stderr, without colour codes', () => {
    const { dir } = seed();
    const result = cliColourEnv(dir, ['deposit', 'paper', 'lots']);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain(ESC);
    expect(result.stderr).toBe('arbbot: amount: "lots" is not a plain decimal number (digits, optional point; no exponent)\n');
  });
});

describe('--json output', () => {
  it('gives every money field as an exact decimal string: the reference close, balances and history', () => {
    const { dir } = seed();
    const closed = cliJson<{ status: string; position: Record<string, unknown> }>(dir, ['close', '1', '--price', '110']);
    expect(closed.code).toBe(0);
    expect(closed.json.status).toBe('closed');
    expect(closed.json.position).toMatchObject({
      costBasis: '25.000000',
      quantity: '0.250000',
      exitPrice: '110.000000',
      grossPnl: '2.500000',
      entryFee: '0.065000',
      exitFee: '0.071500',
      spreadCost: '0.027500',
      slippageCost: '0.013750',
      totalCosts: '0.177750',
      netPnl: '2.322250',
      ladder: { tp1Price: '103.000000', tp2Price: '106.000000', tp3Price: '110.000000', slPrice: '95.000000', tp1Hit: false },
    });

    const balances = cliJson<{ wallets: unknown[] }>(dir, ['balances']);
    expect(balances.json.wallets).toEqual([
      {
        venue: 'paper',
        total: '102.322250',
        available: '102.322250',
        locked: '0.000000',
        deficit: '0.000000',
        equity: '102.322250',
        utilization: '0.00%',
        aboveUtilizationWarning: false,
      },
    ]);

    const history = cliJson<{ transactions: Record<string, unknown>[] }>(dir, ['history']);
    expect(history.json.transactions.map((t) => [t.type, t.amount, t.lockedDelta, t.balanceAfter])).toEqual([
      ['position_close', '2.322250', '-25.065000', '102.322250'],
      ['position_open', '0.000000', '25.065000', '100.000000'],
      ['deposit', '100.000000', '0.000000', '100.000000'],
    ]);
    const moneyFields = ['amount', 'lockedDelta', 'deficitDelta', 'balanceBefore', 'balanceAfter', 'lockedBefore', 'lockedAfter'];
    for (const row of history.json.transactions) for (const field of moneyFields) expect(row[field], field).toMatch(MONEY);
  });
});
