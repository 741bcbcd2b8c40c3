// Money that can always be settled, through the real CLI: a position locks what its close can cost, so a stop or a
// resolution is always booked; a loss beyond everything the wallet holds is a recorded deficit that blocks new
// positions until a deposit repays it; and `run` goes on when one position cannot be closed.
import { describe, expect, it } from 'vitest';
import { cli, cliJson } from '../fixtures/helpers.js';
import { openPosition, rawSql, usd } from '../fixtures/ledger.js';
import { Ledger } from '../../src/ledger/ledger.js';
import {
  configuredDir,
  dbPath,
  expectHealthy,
  logLines,
  m,
  position,
  quote,
  runFeed,
  seedConfig,
  wallet,
  writeFeed,
  type FeedLine,
} from '../fixtures/e2e.js';

const prediction = (startingBalance: string) => seedConfig({ venues: { pm: { type: 'paper', predictionMarket: true, startingBalance } }, pairs: {} });
const general = (startingBalance: string) => seedConfig({ venues: { paper: { type: 'paper', startingBalance } }, pairs: {} });

const RESOLUTION: readonly FeedLine[] = [
  { ts: 1795000000000, venue: 'pm', market: 'M', price: '0.5' },
  { ts: 1795000001000, type: 'resolve', venue: 'pm', market: 'M', outcome: 'no' },
];

/** A long $25 at $0.50 on pm as versions before set-asides opened it: its cost basis locked, its entry fee not. */
function positionFromBefore(dir: string): number {
  const ledger = Ledger.open(dbPath(dir), { synchronous: 'NORMAL' });
  try {
    ledger.ensureWallet('pm', usd('25'));
    return openPosition(ledger, { venue: 'pm', market: 'M', size: '25', price: '0.5', predictionMarket: true, setAside: false }).position.id;
  } finally {
    ledger.close();
  }
}

describe('a long on a prediction market resolved against it', () => {
  it('cannot be opened without its entry fee set aside: $25 on a $25 wallet is refused, naming $25.0650', () => {
    const dir = configuredDir(prediction('25'));
    const refused = cli(dir, ['open', 'pm', 'M', '--side', 'long', '--size', '25', '--price', '0.5']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'arbbot: insufficient available balance on pm: opening needs $25.0650 (cost basis $25.00 + $0.0650 set aside for its close), available $25.0000\n',
    );
    expect(wallet(dir, 'pm')).toEqual({ venue: 'pm', total: m('25'), available: m('25'), locked: 0, deficit: 0 });
  });

  it('with the fee set aside, the resolution books the whole loss (entry fee included) and run exits 0', () => {
    const dir = configuredDir(prediction('26'));
    const opened = cli(dir, ['open', 'pm', 'M', '--side', 'long', '--size', '25', '--price', '0.5']);
    expect(opened.code, opened.stderr).toBe(0);
    expect(wallet(dir, 'pm')).toMatchObject({ available: m('0.935'), locked: m('25.065') });
    const { summary, stderr } = runFeed(dir, RESOLUTION);
    expect(position(dir, 1)).toMatchObject({ status: 'closed', closeReason: 'Resolved NO', netPnl: -m('25.065'), attention: null });
    expect(wallet(dir, 'pm')).toEqual({ venue: 'pm', total: m('0.935'), available: m('0.935'), locked: 0, deficit: 0 });
    expect(summary).toMatchObject({ closedByReason: { resolved_no: 1 }, realisedNetPnl: '-25.065000', openPositions: 0 });
    expect(logLines(stderr)).toContain('Wallet updated: Freed $25.0650, PnL=-$25.07, Available: $0.94 → $0.94');
    expectHealthy(dir);
  });

  it('opened before set-asides, it still closes at the resolution: the $0.065 it lacks is owed, shown everywhere, and blocks opening', () => {
    const dir = configuredDir(prediction('25'));
    const id = positionFromBefore(dir);
    const { summary, stderr } = runFeed(dir, RESOLUTION);
    expect(position(dir, id)).toMatchObject({ status: 'closed', netPnl: -m('25.065') });
    expect(wallet(dir, 'pm')).toEqual({ venue: 'pm', total: 0, available: 0, locked: 0, deficit: m('0.065') });
    expect(summary.wallets).toEqual([expect.objectContaining({ venue: 'pm', total: '0.000000', deficit: '0.065000', equity: '-0.065000' })]);
    expect(logLines(stderr)).toContain('Wallet updated: Freed $25.00, PnL=-$25.07, Available: $0.00 → $0.00; $0.0650 beyond the wallet booked as a deficit (owed)');

    const balances = cli(dir, ['balances']);
    expect(balances.stdout).toContain('deficit (owed)');
    expect(balances.stdout).toContain('✗ pm owes $0.0650: no new positions there until a deposit repays it');
    const check = cli(dir, ['wallet-check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('✓ pm: Total=$0.00, Available=$0.00, Locked=$0.00, Deficit (owed)=$0.0650');

    const blocked = cli(dir, ['open', 'pm', 'N', '--side', 'long', '--size', '1', '--price', '0.5']);
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('pm owes $0.0650 from a loss larger than its wallet: deposit at least that much before opening positions there');
    const deposit = cli(dir, ['deposit', 'pm', '5']);
    expect(deposit.code, deposit.stderr).toBe(0);
    expect(deposit.stdout).toContain('$0.0650 of it repaid the deficit');
    expect(wallet(dir, 'pm')).toEqual({ venue: 'pm', total: m('4.935'), available: m('4.935'), locked: 0, deficit: 0 });
    expect(cli(dir, ['open', 'pm', 'N', '--side', 'long', '--size', '1', '--price', '0.5']).code).toBe(0);
    expectHealthy(dir);
  });
});

describe('a paper short ($25 at $100 on a $30 wallet) when the price runs to $250', () => {
  const gap = (price: string): FeedLine[] => [quote(0, '100', 'X'), ...[1, 2, 3, 4, 5].map((second) => quote(second, price, 'X'))];

  it('shows its liquidation price at open: the collateral ($25 and its fee) is used up there', () => {
    const dir = configuredDir(general('30'));
    const opened = cli(dir, ['open', 'paper', 'X', '--side', 'short', '--size', '25', '--price', '100']);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toContain('SL $105.0000, liquidation $199.1833');
    expect(position(dir, 1)).toMatchObject({ closeReserve: m('0.065'), liquidationPrice: m('199.183344') });
  });

  it('gapping past its stop and its liquidation price, it closes at $250: the wallet pays all it has, the rest is a deficit, run exits 0', () => {
    const dir = configuredDir(general('30'));
    expect(cli(dir, ['open', 'paper', 'X', '--side', 'short', '--size', '25', '--price', '100']).code).toBe(0);
    // The guard rejects the jump until five quotes agree on it: then the price really moved.
    const { summary } = runFeed(dir, gap('250'));
    expect(position(dir, 1)).toMatchObject({ status: 'closed', exitPrice: m('250'), netPnl: -m('37.82125') });
    expect(wallet(dir)).toEqual({ venue: 'paper', total: 0, available: 0, locked: 0, deficit: m('7.82125') });
    expect(summary).toMatchObject({ closedByReason: { stop_loss: 1 }, openPositions: 0 });
    const history = cliJson<{ transactions: { type: string; amount: string; deficitDelta: string }[] }>(dir, ['history']);
    expect(history.json.transactions.slice(0, 2).map((t) => [t.type, t.amount, t.deficitDelta])).toEqual([
      ['deficit', '0.000000', '7.821250'],
      ['position_close', '-30.000000', '0.000000'],
    ]);
    expectHealthy(dir);
  });

  it('with a stop beyond its liquidation price (--sl 99.9), the ladder closes it at the liquidation price, within its collateral', () => {
    const dir = configuredDir(general('30'));
    expect(cli(dir, ['open', 'paper', 'X', '--side', 'short', '--size', '25', '--price', '100', '--sl', '99.9']).code).toBe(0);
    const { summary, stderr } = runFeed(dir, [quote(0, '100', 'X'), quote(1, '140', 'X'), quote(2, '190', 'X'), quote(3, '199.18', 'X'), quote(4, '199.19', 'X')]);
    expect(position(dir, 1)).toMatchObject({ status: 'closed', exitPrice: m('199.19') });
    expect(position(dir, 1).closeReason).toBe('Liquidation price $199.1833 reached: the money set aside for it is used up');
    expect(summary.closedByReason).toEqual({ liquidation: 1 });
    expect(logLines(stderr)).toContain('Liquidation price reached for position 1 at $199.1900. Closing position immediately.');
    // Closed one tick past the liquidation price: the $0.0017 beyond the collateral came out of the free $4.935.
    expect(wallet(dir)).toMatchObject({ locked: 0, deficit: 0 });
    expectHealthy(dir);
  });
});

describe('run never dies for one position', () => {
  it('a close that fails is logged, the position marked as needing attention, and everything else still settles: exit 0', () => {
    const dir = configuredDir(seedConfig({ venues: { paper: { type: 'paper', startingBalance: '100' }, pm: { type: 'paper', startingBalance: '100', predictionMarket: true } }, pairs: {} }));
    for (const args of [
      ['paper', 'SOL-USD', '--side', 'long', '--size', '10', '--price', '100'],
      ['paper', 'ETH-USD', '--side', 'long', '--size', '10', '--price', '100'],
      ['pm', 'RAIN', '--side', 'long', '--size', '10', '--price', '0.4'],
      ['pm', 'RAIN', '--side', 'long', '--size', '10', '--price', '0.4'],
    ]) {
      expect(cli(dir, ['open', ...args]).code).toBe(0);
    }
    // A fault no rule of the engine can fix: the ledger refuses to change positions 1 and 3 (here, a trigger).
    rawSql(
      dbPath(dir),
      "CREATE TRIGGER refuse_close BEFORE UPDATE OF status ON positions WHEN OLD.id IN (1, 3) BEGIN SELECT RAISE(ABORT, 'the disk controller said no'); END;",
    );
    const feed = [
      quote(0, '94', 'SOL-USD'), // through the stop of #1: its close fails
      quote(1, '94.5', 'SOL-USD'), // tried once per run, not on every quote
      quote(2, '94', 'ETH-USD'), // #2 still closes on its stop
      { ts: '2026-01-01T00:00:03Z', type: 'resolve', venue: 'pm', market: 'RAIN', outcome: 'yes' }, // #3 fails, #4 settles
    ];
    writeFeed(dir, feed);
    const result = cli(dir, ['--json', '--verbose', 'run', '--feed', 'feed.jsonl']);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { needsAttention: { positionId: number; reason: string }[]; closedByReason: Record<string, number> };
    expect(summary.closedByReason).toEqual({ stop_loss: 1, resolved_yes: 1 });
    expect(summary.needsAttention.map((p) => p.positionId)).toEqual([1, 3]);
    const lines = logLines(result.stderr);
    expect(lines.filter((line) => line.startsWith('✗ Position 1 (SOL-USD) needs attention: the ladder could not close it: the disk controller said no'))).toHaveLength(1);
    expect(lines).toContain('✗ Position 3 (RAIN) needs attention: settling the YES resolution failed: the disk controller said no; the engine goes on with everything else');
    expect([1, 2, 3, 4].map((id) => position(dir, id).status)).toEqual(['open', 'closed', 'open', 'closed']);
    expect(position(dir, 3).attention).toBe('settling the YES resolution failed: the disk controller said no');

    const listed = cli(dir, ['positions', '--status', 'open']);
    expect(listed.stdout).toContain('⚠ needs attention: the ladder could not close it: the disk controller said no');
    expectHealthy(dir);

    // Once the fault is gone a person closes it; the close clears the mark.
    rawSql(dbPath(dir), 'DROP TRIGGER refuse_close');
    expect(cli(dir, ['close', '1', '--price', '95']).code).toBe(0);
    expect(position(dir, 1)).toMatchObject({ status: 'closed', attention: null });
  });
});
