// Wallets as the books hold them: each venue's money (total = available + locked, and what it owes beside them), the
// reservations that lock part of it before an order is sent, and the log of every change to it.
import type { Micros } from './money.js';

export interface Wallet {
  readonly venue: string;
  readonly total: Micros;
  readonly available: Micros;
  readonly locked: Micros;
  /** Owed after a loss larger than the wallet held: not part of total, repaid from the first money that comes free. */
  readonly deficit: Micros;
}

export const WALLET_TRANSACTION_TYPES = [
  'deposit',
  'withdrawal',
  'reserve',
  'release',
  'commit',
  'position_open',
  'position_close',
  'fee',
  'settlement',
  'adjustment',
  /** A loss beyond what the wallet held, booked as owed (deficitDelta > 0), or owed money repaid (amount = deficitDelta < 0). */
  'deficit',
] as const;
export type WalletTransactionType = (typeof WALLET_TRANSACTION_TYPES)[number];

/** One change to a wallet: `amount` moves total, `lockedDelta` locked, `deficitDelta` what it owes; before and after chain row to row. */
export interface WalletTransaction {
  readonly id: number;
  readonly venue: string;
  readonly type: WalletTransactionType;
  readonly amount: Micros;
  readonly lockedDelta: Micros;
  readonly deficitDelta: Micros;
  readonly balanceBefore: Micros;
  readonly balanceAfter: Micros;
  readonly lockedBefore: Micros;
  readonly lockedAfter: Micros;
  readonly positionId: number | null;
  readonly reservationId: number | null;
  readonly orderRef: string | null;
  readonly idempotencyKey: string | null;
  readonly description: string;
  readonly createdAt: string;
}

export const RESERVATION_STATES = ['pending', 'committed', 'released'] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

/** Money moved from available to locked before an order is sent, then spent (committed) or returned (released). */
export interface Reservation {
  readonly id: number;
  readonly venue: string;
  readonly amount: Micros;
  readonly state: ReservationState;
  /** What was spent of it; 0 unless committed. */
  readonly committedAmount: Micros;
  readonly idempotencyKey: string;
  readonly purpose: string;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}
