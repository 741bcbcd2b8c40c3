// The one cost model used by paper fills, replay and position closes: a fee on entry value and on exit value,
// plus spread and slippage charged on exit value. Every cost rounds up (against us).
import { applyPpm, notional, type Micros, type Ppm, type PriceMicros, type QtyMicros } from './money.js';
import type { Side } from './position.js';

export interface CostModel {
  readonly feePpm: Ppm;
  readonly spreadPpm: Ppm;
  readonly slippagePpm: Ppm;
}

export interface CloseFigures {
  /** What the position is worth at the exit price (long: proceeds; short: cost to buy back). */
  readonly exitValue: Micros;
  readonly grossPnl: Micros;
  readonly entryFee: Micros;
  readonly exitFee: Micros;
  readonly spreadCost: Micros;
  readonly slippageCost: Micros;
  readonly totalCosts: Micros;
  readonly netPnl: Micros;
}

export interface ClosingPosition {
  readonly side: Side;
  readonly quantity: QtyMicros;
  readonly costBasis: Micros;
  /** The fee paid (or owed) on entry; always part of the position's costs, whenever it is charged to the wallet. */
  readonly entryFee: Micros;
}

export function entryFee(model: CostModel, costBasis: Micros): Micros {
  return applyPpm(costBasis, model.feePpm, 'up');
}

/**
 * Gross and net PnL of closing at `exitPrice`. Long proceeds round down and a short's buy-back cost rounds up,
 * so every rounding goes against us. Worked figure (seed): long $25 at $100 closed at $110 → gross $2.50,
 * costs $0.17775 (entry fee 0.065, exit fee 0.0715, spread 0.0275, slippage 0.01375), net $2.32225.
 */
export function closeFigures(model: CostModel, position: ClosingPosition, exitPrice: PriceMicros): CloseFigures {
  const exitValue = notional(position.quantity, exitPrice, position.side === 'long' ? 'down' : 'up');
  const grossPnl = (position.side === 'long' ? exitValue - position.costBasis : position.costBasis - exitValue) as Micros;
  // Each cost rounds up on its own, so on an exit worth a few micro-dollars they could sum to more than the exit is
  // worth; they are charged only up to its value. A long then never loses more than its cost basis and entry fee,
  // which is what makes the money set aside at open exact.
  const exitFee = Math.min(applyPpm(exitValue, model.feePpm, 'up'), exitValue) as Micros;
  const spreadCost = Math.min(applyPpm(exitValue, model.spreadPpm, 'up'), exitValue - exitFee) as Micros;
  const slippageCost = Math.min(applyPpm(exitValue, model.slippagePpm, 'up'), exitValue - exitFee - spreadCost) as Micros;
  const totalCosts = (position.entryFee + exitFee + spreadCost + slippageCost) as Micros;
  return {
    exitValue,
    grossPnl,
    entryFee: position.entryFee,
    exitFee,
    spreadCost,
    slippageCost,
    totalCosts,
    netPnl: (grossPnl - totalCosts) as Micros,
  };
}

/** Figures for a prediction-market position settled at 1 or 0: no exit fee, spread or slippage at resolution. */
export function settlementFigures(position: ClosingPosition, payoutPrice: PriceMicros): CloseFigures {
  return closeFigures({ feePpm: 0 as Ppm, spreadPpm: 0 as Ppm, slippagePpm: 0 as Ppm }, position, payoutPrice);
}

/**
 * What a close changes the wallet's total by: net PnL, less nothing for an entry fee that already left the wallet
 * when the position opened (it is in net PnL either way, and must not be charged twice).
 */
export function walletChangeOnClose(figures: CloseFigures, entryFeeCharged: boolean): Micros {
  return (figures.netPnl + (entryFeeCharged ? figures.entryFee : 0)) as Micros;
}
