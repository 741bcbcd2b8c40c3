// What a position locks when it opens, so that whatever price it closes at, its close can be booked from money the
// wallet set aside for it. A close changes the wallet's total by net PnL (walletChangeOnClose) and frees what the
// position locked, so it is covered as long as that change never takes more than was locked.
//
// - A long can lose at most its cost basis and entry fee (at a price of 0 its exit costs are 0: they are charged only
//   up to what the exit fetches). It locks its cost basis plus the entry fee it has not paid yet.
// - A short on a market with a price ceiling (a prediction market pays at most $1) loses the most at the ceiling,
//   which is exact: it locks what closing there would cost.
// - A short with no ceiling cannot be covered for every price. It locks its cost basis as collateral (plus the unpaid
//   entry fee), and its liquidation price is the highest mark at which closing still costs no more than that; the
//   ladder closes it there like a stop. A gap past it is booked as the wallet's deficit by the ledger.
import { closeFigures, walletChangeOnClose, type CostModel } from './costs.js';
import { divRound, SCALE, type Micros, type PriceMicros, type QtyMicros } from './money.js';
import type { Side } from './position.js';

export interface SetAsideInput {
  readonly side: Side;
  readonly quantity: QtyMicros;
  readonly costBasis: Micros;
  readonly entryFee: Micros;
  /** The entry fee already left the wallet (a venue fill); otherwise it is charged at close and must be set aside. */
  readonly entryFeeCharged: boolean;
  /** The highest price the market trades at ($1 on a prediction market), or null when it has none. */
  readonly priceCeiling: PriceMicros | null;
}

export interface SetAside {
  /** Locked beside the cost basis. */
  readonly closeReserve: Micros;
  /** For a short with no price ceiling: the highest mark its locked money covers. Null when every close is covered. */
  readonly liquidationPrice: PriceMicros | null;
}

/** How many halvings the liquidation search takes at most: the price range is below 2^53. */
const LIQUIDATION_SEARCH_STEPS_MAX = 64;

export function closeSetAside(model: CostModel, position: SetAsideInput): SetAside {
  const unpaidFee = (position.entryFeeCharged ? 0 : position.entryFee) as Micros;
  if (position.side === 'long') return { closeReserve: unpaidFee, liquidationPrice: null };
  if (position.priceCeiling !== null) {
    const worst = -walletChange(model, position, position.priceCeiling);
    return { closeReserve: Math.max(0, worst - position.costBasis) as Micros, liquidationPrice: null };
  }
  return { closeReserve: unpaidFee, liquidationPrice: liquidationPrice(model, position, position.costBasis + unpaidFee) };
}

/** What closing at `exitPrice` changes the wallet's total by. */
function walletChange(model: CostModel, position: SetAsideInput, exitPrice: PriceMicros): number {
  return walletChangeOnClose(closeFigures(model, position, exitPrice), position.entryFeeCharged);
}

/**
 * The highest price at which a short's close takes at most `locked` from the wallet. A short's close costs more the
 * higher the price (its buy-back value and the costs on it both grow), so a binary search finds it exactly.
 */
export function liquidationPrice(model: CostModel, position: SetAsideInput, locked: number): PriceMicros {
  const covered = (price: number) => -walletChange(model, position, price as PriceMicros) <= locked;
  let low = 1;
  if (!covered(low)) throw new RangeError('a short whose collateral does not cover a close at the lowest price');
  // At this price the buy-back alone costs more than twice the collateral: never covered.
  const beyond = divRound(BigInt(2 * locked + 1) * BigInt(SCALE), BigInt(position.quantity), 'up') + 1n;
  let high = beyond > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(beyond);
  if (covered(high)) return high as PriceMicros;
  for (let step = 0; step < LIQUIDATION_SEARCH_STEPS_MAX && high - low > 1; step += 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (covered(middle)) low = middle;
    else high = middle;
  }
  return low as PriceMicros;
}
