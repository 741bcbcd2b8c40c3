// Prediction-market resolution through a feed, and scenario 3 of docs/ledger.md: a restart with open positions restores the
// wallet from the database (start-up reconcile) without writing a single duplicate transaction.
import { describe, expect, it } from 'vitest';
import { cli } from '../fixtures/helpers.js';
import { rawSql } from '../fixtures/ledger.js';
import {
  at,
  configuredDir,
  dbPath,
  expectHealthy,
  expectInOrder,
  logLines,
  m,
  openCli,
  position,
  quote,
  readLedger,
  runFeed,
  seedConfig,
  transactionCount,
  wallet,
} from '../fixtures/e2e.js';
import { dbOf } from '../fixtures/helpers.js';

describe('prediction-market resolution', () => {
  const config = seedConfig({
    venues: { paper: { type: 'paper', startingBalance: '100' }, pm: { type: 'paper', startingBalance: '100', predictionMarket: true } },
  });

  it('settles a YES at 1 and a NO at 0, books the PnL, and the books stay healthy', () => {
    const dir = configuredDir(config);
    const yes = openCli(dir, ['pm', 'RAIN', '--side', 'long', '--size', '10', '--price', '0.4']);
    const no = openCli(dir, ['pm', 'SNOW', '--side', 'long', '--size', '10', '--price', '0.4']);
    const sol = openCli(dir, ['paper', 'SOL-USD', '--side', 'long', '--size', '25', '--price', '100']);
    // Each locks its $10 and its $0.026 entry fee: a long on a prediction market loses at most that.
    expect(wallet(dir, 'pm')).toMatchObject({ available: m('79.948'), locked: m('20.052') });
    const { summary, stderr } = runFeed(dir, [
      quote(0, '0.41', 'RAIN', 'pm'), // below TP1 (0.412): the position is still open at resolution
      { ts: at(1), type: 'resolve', venue: 'pm', market: 'RAIN', outcome: 'yes' },
      { ts: at(2), type: 'resolve', venue: 'pm', market: 'SNOW', outcome: 'no' },
      // Not a prediction market: a resolve line for it must not settle a SOL position at $0.
      { ts: at(3), type: 'resolve', venue: 'paper', market: 'SOL-USD', outcome: 'no' },
    ]);
    // 25 contracts bought at $0.40 for $10; entry fee 0.26% = $0.026; no exit costs at resolution.
    expect(position(dir, yes)).toMatchObject({ status: 'closed', exitPrice: m('1'), grossPnl: m('15'), totalCosts: m('0.026'), netPnl: m('14.974') });
    expect(position(dir, no)).toMatchObject({ status: 'closed', exitPrice: 0, grossPnl: m('-10'), netPnl: m('-10.026') });
    expect(position(dir, sol).status).toBe('open');
    expect(wallet(dir, 'pm')).toEqual({ venue: 'pm', total: m('104.948'), available: m('104.948'), locked: 0, deficit: 0 });
    expect(summary).toMatchObject({ resolutions: 2, closedByReason: { resolved_yes: 1, resolved_no: 1 }, realisedNetPnl: '4.948000' });
    expect(transactionCount(dir, 'settlement')).toBe(2);
    expectInOrder(logLines(stderr), [
      `✓ Position ${yes} closed: Resolved YES`,
      'Market pm RAIN resolved YES: 1 position(s) settled',
      `✓ Position ${no} closed: Resolved NO`,
      'Market pm SNOW resolved NO: 1 position(s) settled',
      '⚠ resolve ignored: paper SOL-USD is not a prediction market',
    ]);
    expectHealthy(dir);
  });
});

describe('scenario 3: restart with open positions', () => {
  it('restores $75 locked from three $25 positions and writes no duplicate transactions', () => {
    const dir = configuredDir();
    for (const market of ['SOL-USD', 'ETH-USD', 'BTC-USD']) {
      openCli(dir, ['paper', market, '--side', 'long', '--size', '25', '--price', '100']);
    }
    // Each locks $25 and its $0.065 entry fee.
    const expected = { venue: 'paper', total: m('100'), available: m('24.805'), locked: m('75.195'), deficit: 0 };
    expect(wallet(dir)).toEqual(expected);
    const before = transactionCount(dir);
    expect(before).toBe(4);

    // Two restarts: quotes that trigger nothing, then an empty feed.
    const first = runFeed(dir, [quote(0, '101', 'SOL-USD'), quote(1, '99', 'ETH-USD'), quote(2, '100', 'BTC-USD')]);
    expect(logLines(first.stderr)).toContain('Start-up reconcile: 3 open position(s), locked $75.20; nothing to repair');
    const second = runFeed(dir, []);
    expect(logLines(second.stderr)).toContain('Start-up reconcile: 3 open position(s), locked $75.20; nothing to repair');
    expect(second.summary).toMatchObject({ events: 0, openPositions: 3, wallets: [{ venue: 'paper', total: '100.000000', available: '24.805000', locked: '75.195000' }] });

    expect(transactionCount(dir)).toBe(before);
    expect(wallet(dir)).toEqual(expected);
    expectHealthy(dir);
  });

  it('rebuilds a wallet row that drifted from its log at start-up, and says so', () => {
    const dir = configuredDir();
    for (const market of ['SOL-USD', 'ETH-USD', 'BTC-USD']) {
      openCli(dir, ['paper', market, '--side', 'long', '--size', '25', '--price', '100']);
    }
    const before = transactionCount(dir);
    // The failure a ledger without a log cannot recover from: the in-memory "used balance" lost, the wallet row showing nothing locked.
    rawSql(dbPath(dir), "UPDATE wallets SET available = 100000000, locked = 0 WHERE venue = 'paper'");
    const broken = cli(dir, ['wallet-check']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('UNHEALTHY');

    const { stderr } = runFeed(dir, []);
    expect(logLines(stderr)).toContain('Start-up reconcile: 3 open position(s), locked $75.20; 1 repaired, 0 unresolved');
    expect(wallet(dir)).toEqual({ venue: 'paper', total: m('100'), available: m('24.805'), locked: m('75.195'), deficit: 0 });
    // The repair is an audit record, not a money movement.
    expect(transactionCount(dir)).toBe(before);
    expect(readLedger(dir, (ledger) => dbOf(ledger).prepare("SELECT kind, venue FROM audit_log").all())).toEqual([{ kind: 'wallet_rebuilt', venue: 'paper' }]);
    expectHealthy(dir);
  });
});
