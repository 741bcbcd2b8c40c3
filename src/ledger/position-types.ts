// The shapes positions are opened and closed with, and what a close answers.
import type { CloseFigures, CostModel } from '../domain/costs.js';
import type { Micros, PriceMicros, QtyMicros } from '../domain/money.js';
import type { LadderLevels, Position, PositionKind, Side } from '../domain/position.js';
import type { Wallet } from '../domain/wallet.js';

export interface OpenPositionInput {
  readonly venue: string;
  readonly market: string;
  readonly side: Side;
  readonly quantity: QtyMicros;
  readonly entryPrice: PriceMicros;
  readonly costBasis: Micros;
  readonly levels: LadderLevels;
  /** Fee on entry: charged at close unless `entryFeeCharged`, in which case it is paid now from the wallet. */
  readonly entryFee: Micros;
  readonly kind?: PositionKind;
  readonly idempotencyKey?: string;
  /** Open from a pending reservation: its amount covers cost basis (+ entry fee when charged now); the rest is released. */
  readonly reservationId?: number;
  readonly entryFeeCharged?: boolean;
  readonly orderRef?: string;
  /**
   * Locked beside the cost basis so that the position's worst close can be booked (domain/set-aside.ts); 0 for a long
   * whose entry fee is already paid, which can lose at most its cost basis.
   */
  readonly closeReserve?: Micros;
  /** A short with no price ceiling: where the money locked for it is used up; the ladder closes it there. */
  readonly liquidationPrice?: PriceMicros | null;
}

export interface ClosePositionInput {
  readonly exitPrice: PriceMicros;
  readonly reason: string;
  readonly costs: CostModel;
  /** 'settlement' for a resolved prediction market (no exit costs). */
  readonly kind?: 'close' | 'settlement';
  /**
   * A real exit fill at a venue: what it actually paid (or cost, for a short) and its fee replace the modelled exit
   * value and costs — spread and slippage are already in the fill — so the ledger books exactly what the venue did.
   */
  readonly actualExit?: { readonly value: Micros; readonly fee: Micros };
}

export type CloseResult =
  | {
      readonly status: 'closed';
      readonly position: Position;
      readonly figures: CloseFigures;
      readonly walletBefore: Wallet;
      readonly walletAfter: Wallet;
      /** The part of the loss the wallet could not pay, now owed (0 almost always: the position's set-aside covers its close). */
      readonly deficitBooked: Micros;
    }
  | { readonly status: 'already_closed'; readonly position: Position };


/** The whole ledger's positions in three figures, read in one aggregate query. */
export interface PositionTotals {
  readonly open: number;
  readonly closed: number;
  /** The closed positions' net PnL, summed. */
  readonly realisedNetPnl: Micros;
}
