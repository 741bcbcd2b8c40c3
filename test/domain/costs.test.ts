import { describe, expect, it } from 'vitest';
import { closeFigures, entryFee, settlementFigures, type CloseFigures } from '../../src/domain/costs.js';
import { parsePrice, quantityFor, type Micros, type Ppm } from '../../src/domain/money.js';
import { SEED_COSTS, usd } from '../fixtures/ledger.js';

const position = (side: 'long' | 'short', size: string, price: string) => {
  const costBasis = usd(size);
  return { side, costBasis, quantity: quantityFor(costBasis, parsePrice(price), 'down'), entryFee: entryFee(SEED_COSTS, costBasis) };
};

describe('close figures', () => {
  it('books the reference figure exactly: long $25 at $100 closed at $110 nets $2.32225', () => {
    expect(closeFigures(SEED_COSTS, position('long', '25', '100'), parsePrice('110'))).toEqual<CloseFigures>({
      exitValue: usd('27.5'),
      grossPnl: usd('2.5'),
      entryFee: usd('0.065'),
      exitFee: usd('0.0715'),
      spreadCost: usd('0.0275'),
      slippageCost: usd('0.01375'),
      totalCosts: usd('0.17775'),
      netPnl: usd('2.32225'),
    });
  });

  it('books a short $25 at $100 bought back at $90: gross +2.50, costs on the $22.50 buy-back', () => {
    const figures = closeFigures(SEED_COSTS, position('short', '25', '100'), parsePrice('90'));
    expect(figures.exitValue).toBe(usd('22.5'));
    expect(figures.grossPnl).toBe(usd('2.5'));
    // 22.5 × 0.26% = 0.0585, × 0.1% = 0.0225, × 0.05% = 0.01125; plus the 0.065 entry fee.
    expect([figures.exitFee, figures.spreadCost, figures.slippageCost]).toEqual([usd('0.0585'), usd('0.0225'), usd('0.01125')]);
    expect(figures.totalCosts).toBe(usd('0.15725'));
    expect(figures.netPnl).toBe(usd('2.34275'));
  });

  it('books a losing short when the price rises: gross −$1.25 at $105', () => {
    const figures = closeFigures(SEED_COSTS, position('short', '25', '100'), parsePrice('105'));
    expect(figures.grossPnl).toBe(usd('-1.25'));
    expect(figures.netPnl).toBe(figures.grossPnl - figures.totalCosts);
  });

  it('rounds every cost up and long proceeds down, so rounding never favours us', () => {
    // 1,000 micro-contracts at $1.234567: proceeds 1,234.567 micro-USD round down to 1,234; the fee (3.21), spread
    // (1.23) and slippage (0.62) micro-USD each round up.
    const small = { side: 'long' as const, costBasis: 1_000 as Micros, quantity: 1_000 as never, entryFee: 1 as Micros };
    const figures = closeFigures(SEED_COSTS, small, parsePrice('1.234567'));
    expect(figures.exitValue).toBe(1_234);
    expect([figures.exitFee, figures.spreadCost, figures.slippageCost]).toEqual([4, 2, 1]);
    const short = closeFigures(SEED_COSTS, { ...small, side: 'short' }, parsePrice('1.234567'));
    expect(short.exitValue).toBe(1_235);
  });

  it('charges exit costs only up to what the exit is worth, so a long never loses more than its cost and entry fee', () => {
    // One micro-contract: proceeds of 1 micro-USD, where each cost alone would round up to 1.
    const tiny = { side: 'long' as const, costBasis: 1 as Micros, quantity: 1 as never, entryFee: 1 as Micros };
    const figures = closeFigures(SEED_COSTS, tiny, parsePrice('1.234567'));
    expect(figures.exitValue).toBe(1);
    expect([figures.exitFee, figures.spreadCost, figures.slippageCost]).toEqual([1, 0, 0]);
    expect(figures.netPnl).toBe(-2); // proceeds 1 − cost 1 − entry fee 1 − exit costs 1: exactly cost + entry fee lost
    // Uncapped, the three costs would have been 3 on proceeds of 1: a loss of 4 on a position that locked 2.
    expect(-figures.netPnl).toBeLessThanOrEqual(tiny.costBasis + tiny.entryFee);
  });

  it('charges no exit costs at settlement, only the entry fee', () => {
    const figures = settlementFigures(position('long', '25', '0.5'), parsePrice('1'));
    expect(figures.grossPnl).toBe(usd('25'));
    expect([figures.exitFee, figures.spreadCost, figures.slippageCost]).toEqual([0, 0, 0]);
    expect(figures.netPnl).toBe(usd('24.935'));
  });

  it('computes the entry fee on cost basis, rounded up', () => {
    expect(entryFee(SEED_COSTS, usd('25'))).toBe(usd('0.065'));
    expect(entryFee({ ...SEED_COSTS, feePpm: 3 as Ppm }, usd('0.1'))).toBe(1); // 0.3 micro → 1
  });
});
