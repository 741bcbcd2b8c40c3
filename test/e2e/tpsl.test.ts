// The TP/SL ladder through the real CLI: scenario 1 of docs/ledger.md to the micro-dollar, every rule for longs and shorts
// in one replay, and a restart in the middle of the ladder.
import { describe, expect, it } from 'vitest';
import type { Side } from '../../src/domain/position.js';
import { cli } from '../fixtures/helpers.js';
import {
  configuredDir,
  expectHealthy,
  expectInOrder,
  logLines,
  m,
  openCli,
  openDirect,
  position,
  positions,
  quote,
  runFeed,
  seedConfig,
  transactionCount,
  wallet,
  type FeedLine,
} from '../fixtures/e2e.js';

describe('scenario 1: TP1 → TP2 → TP3 progression', () => {
  it('closes at TP3 with the reference figures: gross 2.50, costs 0.17775, net 2.32225, available 102.32225', () => {
    const dir = configuredDir();
    const opened = cli(dir, ['open', 'paper', 'SOL-USD', '--side', 'long', '--size', '25', '--price', '100']);
    expect(opened.code, opened.stderr).toBe(0);
    expect(opened.stdout).toContain('✓ Position opened successfully: ID 1');
    // The entry fee is set aside with the cost: the worst close of a long loses both.
    expect(opened.stdout).toContain('Wallet updated: Locked $25.0650 ($25.00 cost basis + $0.0650 set aside for its close), Available: $100.00 → $74.94');
    expect(wallet(dir)).toEqual({ venue: 'paper', total: m('100'), available: m('74.935'), locked: m('25.065'), deficit: 0 });

    const { summary, stderr } = runFeed(dir, [quote(0, '101'), quote(1, '103'), quote(2, '106'), quote(3, '110')]);

    expect(position(dir, 1)).toMatchObject({
      status: 'closed',
      tp1Hit: true,
      tp2Hit: true,
      stopPrice: m('103'),
      exitPrice: m('110'),
      exitValue: m('27.5'),
      grossPnl: m('2.5'),
      entryFee: m('0.065'),
      exitFee: m('0.0715'),
      spreadCost: m('0.0275'),
      slippageCost: m('0.01375'),
      totalCosts: m('0.17775'),
      netPnl: m('2.32225'),
      closeReason: 'TP3 (+10%) reached',
    });
    expect(position(dir, 1).closedAt).not.toBeNull();
    expect(wallet(dir)).toEqual({ venue: 'paper', total: m('102.32225'), available: m('102.32225'), locked: 0, deficit: 0 });
    expect(summary).toMatchObject({
      stoppedBy: 'feed_ended',
      quotesAccepted: 4,
      quotesRejected: 0,
      tiersHit: 2,
      positionsClosed: 1,
      closedByReason: { tp3: 1 },
      openPositions: 0,
      realisedNetPnl: '2.322250',
      wallets: [{ venue: 'paper', total: '102.322250', available: '102.322250', locked: '0.000000' }],
    });
    expectInOrder(logLines(stderr), [
      'Start-up reconcile: 1 open position(s), locked $25.07; nothing to repair',
      'TP1 hit for position 1 at $103.0000. Stop moved to breakeven ($100.0000).',
      'TP2 hit for position 1 at $106.0000. Stop trailed to TP1 ($103.0000).',
      'TP3 hit for position 1 at $110.0000. Closing position immediately.',
      'PnL Calculation: Gross PnL=$2.50 (+10.00%), Entry Fee=$0.0650, Exit Fee=$0.0715, Spread=$0.02750, Slippage=$0.01375, Total Costs=$0.17775, Net PnL=$2.32225 (+9.29%)',
      'Wallet updated: Freed $25.0650, PnL=$2.32, Available: $74.94 → $102.32',
      '✓ Position 1 closed: TP3 (+10%) reached, Net PnL: $2.32',
    ]);
    // Deposit, open, close: one transaction per balance change and nothing else.
    expect(transactionCount(dir)).toBe(3);
    expect(transactionCount(dir, 'position_close')).toBe(1);
    const check = expectHealthy(dir);
    expect(check.stdout).toContain('paper: Total=$102.32, Available=$102.32, Locked=$0.00');
  });
});

interface RuleCase {
  readonly market: string;
  readonly side: Side;
  readonly marks: readonly string[];
  readonly reason: string;
  readonly flags: readonly [number, number];
}

// Entry $100 each. Long: TP 103/106/110, SL 95 (judged on the bid). Short: TP 97/94/90, SL 105 (judged on the ask).
const RULES: readonly RuleCase[] = [
  { market: 'L-GAP', side: 'long', marks: ['101', '111'], reason: 'TP3 (+10%) reached', flags: [1, 1] },
  { market: 'L-SL', side: 'long', marks: ['98', '95'], reason: 'Stop loss (-5%) hit', flags: [0, 0] },
  { market: 'L-BE', side: 'long', marks: ['103', '101', '100'], reason: 'Breakeven stop hit after TP1', flags: [1, 0] },
  { market: 'L-TRAIL', side: 'long', marks: ['106', '104', '103'], reason: 'Trailing stop at TP1 (+3%) hit after TP2', flags: [1, 1] },
  { market: 'S-GAP', side: 'short', marks: ['99', '89'], reason: 'TP3 (+10%) reached', flags: [1, 1] },
  { market: 'S-SL', side: 'short', marks: ['102', '105'], reason: 'Stop loss (-5%) hit', flags: [0, 0] },
  { market: 'S-BE', side: 'short', marks: ['97', '99', '100'], reason: 'Breakeven stop hit after TP1', flags: [1, 0] },
  { market: 'S-TRAIL', side: 'short', marks: ['94', '96', '97'], reason: 'Trailing stop at TP1 (+3%) hit after TP2', flags: [1, 1] },
];

/** The closing side at `mark`, the other side $1.50 worse: were the engine to use the wrong side, exits would differ. */
function sideQuote(side: Side, second: number, mark: string, market: string): FeedLine {
  const cents = Math.round(Number(mark) * 100);
  const other = ((side === 'long' ? cents + 150 : cents - 150) / 100).toFixed(2);
  return quote(second, side === 'long' ? { bid: mark, ask: other } : { bid: other, ask: mark }, market);
}

describe('every ladder rule, long and short, through one replay', () => {
  it('closes each position by its own rule at the mark of its own side', () => {
    const config = seedConfig({ venues: { paper: { type: 'paper', startingBalance: '1000' } } });
    const dir = configuredDir(config);
    const ids = openDirect(dir, config, RULES.map((rule) => ({ market: rule.market, side: rule.side, price: '100' })));
    const lines: FeedLine[] = [];
    for (let step = 0; step < 3; step += 1) {
      for (const rule of RULES) {
        const mark = rule.marks[step];
        if (mark !== undefined) lines.push(sideQuote(rule.side, step, mark, rule.market));
      }
    }
    const { summary } = runFeed(dir, lines);
    const rows = positions(dir);
    RULES.forEach((rule, index) => {
      const row = rows.find((r) => r.id === ids[index]);
      expect({ market: row?.market, status: row?.status, reason: row?.closeReason, exit: row?.exitPrice, flags: [row?.tp1Hit, row?.tp2Hit] }).toEqual({
        market: rule.market,
        status: 'closed',
        reason: rule.reason,
        exit: m(rule.marks[rule.marks.length - 1] ?? ''),
        flags: rule.flags.map((flag) => flag === 1),
      });
    });
    expect(summary.closedByReason).toEqual({ tp3: 2, stop_loss: 2, breakeven_stop: 2, trailing_stop: 2 });
    expect(summary.tiersHit).toBe(10);
    expect(summary.openPositions).toBe(0);
    const realised = rows.reduce((sum, row) => sum + (row.netPnl ?? 0), 0);
    expect(m(summary.realisedNetPnl)).toBe(realised);
    expect(wallet(dir)).toEqual({ venue: 'paper', total: m('1000') + realised, available: m('1000') + realised, locked: 0, deficit: 0 });
    expect(transactionCount(dir, 'position_close')).toBe(RULES.length);
    expectHealthy(dir);
  });
});

describe('restart in the middle of the ladder', () => {
  it('stores TP1 in one run; the next process resumes with the stop at breakeven', () => {
    const dir = configuredDir();
    const id = openCli(dir, ['paper', 'SOL-USD', '--side', 'long', '--size', '25', '--price', '100']);
    const first = runFeed(dir, [quote(0, '101'), quote(1, '103'), quote(2, '102')]);
    expect(first.summary).toMatchObject({ tiersHit: 1, positionsClosed: 0, openPositions: 1 });
    expect(position(dir, id)).toMatchObject({ status: 'open', tp1Hit: true, tp2Hit: false, stopPrice: m('100') });
    const listed = cli(dir, ['positions', '--status', 'open']);
    // The table row shows the tier and the stop at breakeven (entry and stop both $100.0000).
    const cells = (listed.stdout.split('\n').find((line) => line.startsWith('│ 1 ')) ?? '').split('│').map((cell) => cell.trim());
    expect(cells).toEqual(expect.arrayContaining(['paper', 'SOL-USD', 'long', 'open', 'TP1']));
    expect(cells.filter((cell) => cell === '$100.0000')).toHaveLength(2);

    // 99.50 is above the original stop loss (95): only the stored breakeven stop closes the position here.
    const second = runFeed(dir, [quote(3, '99.5')]);
    expectInOrder(logLines(second.stderr), [
      'Start-up reconcile: 1 open position(s), locked $25.07; nothing to repair',
      'Stop hit for position 1 at $99.5000. Closing position immediately.',
      '✓ Position 1 closed: Breakeven stop hit after TP1',
    ]);
    expect(second.summary).toMatchObject({ tiersHit: 0, closedByReason: { breakeven_stop: 1 } });
    expect(position(dir, id)).toMatchObject({ status: 'closed', exitPrice: m('99.5'), closeReason: 'Breakeven stop hit after TP1' });
    expectHealthy(dir);
  });
});
