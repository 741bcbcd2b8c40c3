// The report's arithmetic alone: hedged pairs valued at resolution the worse way, days summed and accumulated, and a
// venue's figures adding up to the totals.
import { describe, expect, it } from 'vitest';
import { buildReport, type HeldPair, type ReportFacts } from '../../src/domain/report.js';
import type { Micros, PriceMicros, QtyMicros } from '../../src/domain/money.js';
import type { Position } from '../../src/domain/position.js';
import type { Wallet } from '../../src/domain/wallet.js';
import { SEED_COSTS, usd } from '../fixtures/ledger.js';

const contracts = (count: number) => (count * 1_000_000) as QtyMicros;

/** An open long of `count` contracts bought at `price` per contract, its fee paid at entry. */
function leg(id: number, venue: string, count: number, price: string, fee: string): Position {
  const costBasis = usd(price) * count;
  return {
    id,
    venue,
    market: venue === 'a' ? 'FED' : 'fed:no',
    kind: 'arb_hedged',
    status: 'open',
    side: 'long',
    quantity: contracts(count),
    entryPrice: usd(price) as number as PriceMicros,
    costBasis: costBasis as Micros,
    entryFee: usd(fee),
    entryFeeCharged: true,
  } as Position;
}

function wallet(venue: string, total: string): Wallet {
  return { venue, total: usd(total), available: usd(total), locked: 0 as Micros, deficit: 0 as Micros };
}

function facts(heldPairs: HeldPair[], open: Position[] = heldPairs.flatMap((pair) => pair.legs)): ReportFacts {
  return {
    // Each venue was given $100 and paid its leg's fee at entry.
    wallets: [wallet('a', '99.16'), wallet('b', '98.90')],
    archived: [],
    archivedBefore: null,
    flows: [
      { venue: 'a', deposits: usd('100'), withdrawals: 0 as Micros },
      { venue: 'b', deposits: usd('100'), withdrawals: 0 as Micros },
    ],
    days: [],
    open,
    heldPairs,
    pairs: [{ pair: 'fed-dec', trades: 1, hedged: 1, unhedged: 0, realisedNet: 0 as Micros }],
    markOf: () => null,
  };
}

describe('buildReport', () => {
  it('counts a hedged pair at what resolution pays, whichever way it goes: 100 − 42 − 55 − fees = $1.06', () => {
    const pair: HeldPair = { tradeId: 1, pair: 'fed-dec', legs: [leg(1, 'a', 100, '0.42', '0.84'), leg(2, 'b', 100, '0.55', '1.10')] };
    const report = buildReport(facts([pair]), SEED_COSTS);
    expect(report.lockedEdge).toBe(usd('1.06'));
    expect(report.pairs[0]).toMatchObject({ lockedEdge: usd('1.06'), held: 1 });
    expect(report.unrealised).toBe(0);
    // Equity: the wallets (fees already paid) plus the payout less the legs' cost: 198.06 + 100 − 97 = 201.06.
    expect(report.equity).toBe(usd('201.06'));
    expect(report.pnl).toBe(usd('1.06'));
  });

  it('takes the worse way when the legs differ: 90 contracts on one side lock in what 90 pay', () => {
    const pair: HeldPair = { tradeId: 1, pair: 'fed-dec', legs: [leg(1, 'a', 90, '0.42', '0.84'), leg(2, 'b', 100, '0.55', '1.10')] };
    // a wins: 90 − 37.80 − 55 − 1.94 = −4.74; b wins: 100 − 92.80 − 1.94 = +5.26. The report keeps −4.74.
    expect(buildReport(facts([pair]), SEED_COSTS).lockedEdge).toBe(usd('-4.74'));
  });

  it('values the legs at their marks, not at resolution, when they are not a held pair', () => {
    const legs = [leg(1, 'a', 100, '0.42', '0.84'), leg(2, 'b', 100, '0.55', '1.10')];
    const report = buildReport({ ...facts([], legs), markOf: () => null }, SEED_COSTS);
    expect(report.lockedEdge).toBe(0);
    expect(report.unpriced).toBe(2);
    expect(report.unrealised).not.toBe(0);
  });

  it('sums days across venues in date order, with the running total', () => {
    const base = facts([], []);
    const report = buildReport(
      {
        ...base,
        days: [
          { venue: 'a', day: '2026-12-02', closed: 1, netPnl: usd('-1.5'), fees: usd('0.1') },
          { venue: 'a', day: '2026-12-01', closed: 2, netPnl: usd('3'), fees: usd('0.2') },
          { venue: 'b', day: '2026-12-02', closed: 1, netPnl: usd('0.25'), fees: usd('0.05') },
        ],
      },
      SEED_COSTS,
    );
    expect(report.days).toEqual([
      { day: '2026-12-01', closed: 2, realised: usd('3'), fees: usd('0.2'), cumulative: usd('3') },
      { day: '2026-12-02', closed: 2, realised: usd('-1.25'), fees: usd('0.15'), cumulative: usd('1.75') },
    ]);
    expect(report.realised).toBe(usd('1.75'));
    expect(report.venues.map((venue) => venue.realised)).toEqual([usd('1.5'), usd('0.25')]);
  });
});
