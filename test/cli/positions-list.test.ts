// `positions` shows every open position and only the latest closed ones, with totals over the whole ledger: what it
// prints costs the same after a year of trading as after a day.
import { describe, expect, it } from 'vitest';
import { cli, cliJson } from '../fixtures/helpers.js';
import { closeAt, cliDir, openPosition } from '../fixtures/ledger.js';

interface PositionsJson {
  positions: { id: number; status: string }[];
  totals: { open: number; closed: number; closedShown: number; realisedNetPnl: string };
}

/** paper $10,000: 30 positions closed at 110 (ids 1..30), then 2 left open (ids 31, 32). */
function books() {
  return cliDir('10000', (ledger) => {
    for (let n = 0; n < 30; n += 1) closeAt(ledger, openPosition(ledger, { market: `M${n}` }).position.id, '110');
    openPosition(ledger, { market: 'OPEN-A' });
    openPosition(ledger, { market: 'OPEN-B' });
  });
}

describe('positions', () => {
  it('lists the open ones and the latest 20 closed by default, with totals over all of them', () => {
    const { dir } = books();
    const { code, json } = cliJson<PositionsJson>(dir, ['positions']);
    expect(code).toBe(0);
    expect(json.positions.filter((p) => p.status === 'open').map((p) => p.id)).toEqual([31, 32]);
    // The latest 20 closed, oldest of them first: 11..30.
    expect(json.positions.filter((p) => p.status === 'closed').map((p) => p.id)).toEqual(Array.from({ length: 20 }, (_, i) => 11 + i));
    expect(json.totals.open).toBe(2);
    expect(json.totals.closed).toBe(30);
    expect(json.totals.closedShown).toBe(20);

    // The realised total is the sum over all 30, not over the 20 shown.
    const all = cliJson<{ positions: { netPnl: string | null }[] }>(dir, ['positions', '--status', 'closed', '--limit', '100']).json;
    expect(all.positions).toHaveLength(30);
    const sum = all.positions.reduce((total, p) => total + BigInt((p.netPnl ?? '0').replace('.', '')), 0n);
    expect(BigInt(json.totals.realisedNetPnl.replace('.', ''))).toBe(sum);
  });

  it('takes --limit for the closed ones, --status open for the open alone, and says what it left out', () => {
    const { dir } = books();
    expect(cliJson<PositionsJson>(dir, ['positions', '--limit', '3']).json.positions.map((p) => p.id)).toEqual([31, 32, 28, 29, 30]);
    expect(cliJson<PositionsJson>(dir, ['positions', '--status', 'open']).json.positions.map((p) => p.id)).toEqual([31, 32]);
    const table = cli(dir, ['positions', '--limit', '3']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('2 open, 30 closed (the latest 3 closed shown; --limit N for more), realised net PnL');
    const everything = cli(dir, ['positions', '--limit', '30']);
    expect(everything.stdout).toMatch(/2 open, 30 closed, realised net PnL/);
  });

  it('refuses a --limit that is not a whole number from 1 to 100000, changing nothing', () => {
    const { dir } = books();
    for (const limit of ['0', '1.5', 'ten', '100001']) {
      const result = cli(dir, ['positions', '--limit', limit]);
      expect(result.code, limit).toBe(2);
      expect(result.stderr.trim()).toBe(`arbbot: --limit must be a whole number from 1 to 100000, got "${limit}"`);
    }
  });
});
