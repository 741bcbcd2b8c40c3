// `arbbot report` through the real CLI: equity against the money put in, every figure exact to the micro-dollar and
// computed by hand here from the reference cost model (fee 0.26%, spread 0.1%, slippage 0.05%).
import { describe, expect, it } from 'vitest';
import { parsePrice } from '../../src/domain/money.js';
import { cli, cliJson, dump } from '../fixtures/helpers.js';
import { closeAt, cliDir, openPosition, usd } from '../fixtures/ledger.js';

interface ReportJson {
  equity: string;
  netDeposits: string;
  pnl: string;
  realised: string;
  unrealised: string;
  lockedEdge: string;
  fees: string;
  deficit: string;
  unpriced: number;
  venues: { venue: string; equity: string; pnl: string; openPositions: number }[];
  days: { day: string; closed: number; realised: string; cumulative: string }[];
}

/**
 * paper $1,000, then +$50 deposited and $20 withdrawn; one long $25 at $100 closed at $110 (net $2.32225, fees
 * $0.065 + $0.0715); one long $25 at $100 still open on SOL-USD, whose last accepted price is bid $104 / ask $105.
 */
function books(options: { priced: boolean }) {
  return cliDir('1000', (ledger) => {
    ledger.deposit('paper', usd('50'));
    ledger.withdraw('paper', usd('20'));
    closeAt(ledger, openPosition(ledger, { market: 'BTC-USD' }).position.id, '110');
    openPosition(ledger, { market: 'SOL-USD' });
    if (options.priced) ledger.saveMarketPrices([{ venue: 'paper', market: 'SOL-USD', bid: parsePrice('104'), ask: parsePrice('105') }]);
  });
}

describe('report', () => {
  it('values an open position as closing it at the bid would, and adds everything up to equity − deposits', () => {
    const { dir } = books({ priced: true });
    const { code, json } = cliJson<ReportJson>(dir, ['report']);
    expect(code).toBe(0);
    // The open long at the $104 bid: 0.25 × 104 = $26.00; gross +$1.00; costs 0.065 entry + 0.0676 exit fee + 0.026
    // spread + 0.013 slippage; net +$0.8284. Its entry fee is charged at close, so the wallet gains exactly that.
    expect(json).toMatchObject({
      netDeposits: '1030.000000',
      realised: '2.322250',
      unrealised: '0.828400',
      lockedEdge: '0.000000',
      fees: '0.136500',
      deficit: '0.000000',
      equity: '1033.150650',
      pnl: '3.150650',
      unpriced: 0,
    });
    expect(json.venues).toEqual([expect.objectContaining({ venue: 'paper', equity: '1033.150650', pnl: '3.150650', openPositions: 1 })]);
    expect(json.days).toHaveLength(1);
    expect(json.days[0]).toMatchObject({ closed: 1, realised: '2.322250', cumulative: '2.322250' });
  });

  it('values a position with no accepted price at its entry price, and says so', () => {
    const { dir } = books({ priced: false });
    const { json } = cliJson<ReportJson>(dir, ['report']);
    // At $100: exit value $25, costs 0.065 + 0.065 + 0.025 + 0.0125 = 0.1675.
    expect(json).toMatchObject({ unrealised: '-0.167500', pnl: '2.154750', unpriced: 1 });
    const table = cli(dir, ['report']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Equity $1032.15 on $1030.00 deposited: +$2.15 (+0.21%)');
    expect(table.stdout).toContain('1 open position(s) have no accepted price yet: valued at their entry price');
  });

  it('refuses a --since that is not a date, with one line and exit 2, and writes nothing', () => {
    const { dir, db } = books({ priced: true });
    const before = dump(db);
    for (const since of ['yesterday', '2026-13-01', '2026-02-30', '20261201']) {
      const result = cli(dir, ['report', '--since', since]);
      expect(result.code, since).toBe(2);
      expect(result.stderr.trim()).toBe(`arbbot: --since must be a date YYYY-MM-DD, got "${since}"`);
    }
    expect(dump(db)).toBe(before);
  });

  it('lists the days from --since', () => {
    const { dir } = books({ priced: true });
    const today = new Date().toISOString().slice(0, 10);
    expect(cliJson<ReportJson>(dir, ['report', '--since', today]).json.days.map((day) => day.day)).toEqual([today]);
    expect(cliJson<ReportJson>(dir, ['report', '--since', '2999-01-01']).json.days).toEqual([]);
  });
});
