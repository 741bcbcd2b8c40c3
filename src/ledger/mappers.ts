// The stored rows of the ledger's tables, and each one made into the domain object the rest of the program reads:
// camelCase, flags as booleans, money branded, states checked against the domain's own lists (rows.ts refuses a row
// that cannot be one). Snake_case rows never leave src/ledger.
import type { Selectable } from 'kysely';
import type { MarketPrice } from '../domain/market.js';
import { POSITION_KINDS, POSITION_STATUSES, SIDES, type LadderPosition, type Position } from '../domain/position.js';
import { RESERVATION_STATES, WALLET_TRANSACTION_TYPES, type Reservation, type Wallet, type WalletTransaction } from '../domain/wallet.js';
import {
  storedChoice,
  storedFlag,
  storedMicros,
  storedMicrosOrNull,
  storedPrice,
  storedPriceOrNull,
  storedQty,
} from './rows.js';
import type { MarketPricesTable, PositionsTable, ReservationsTable, WalletTransactionsTable, WalletsTable } from './schema.js';

export type PositionRow = Selectable<PositionsTable>;
/** The columns the TP/SL ladder reads on every tick. */
export type LadderPositionRow = Pick<
  PositionRow,
  'id' | 'side' | 'entry_price' | 'tp1_price' | 'tp2_price' | 'tp3_price' | 'sl_price' | 'stop_price' | 'tp1_hit' | 'tp2_hit' | 'liquidation_price'
>;
export type WalletRow = Selectable<WalletsTable>;
export type WalletBalanceRow = Pick<WalletRow, 'venue' | 'total' | 'available' | 'locked' | 'deficit'>;
export type WalletTransactionRow = Selectable<WalletTransactionsTable>;
export type ReservationRow = Selectable<ReservationsTable>;
export type MarketPriceRow = Pick<Selectable<MarketPricesTable>, 'venue' | 'market' | 'bid' | 'ask'>;

const POSITIONS = 'positions';

export function toLadderPosition(row: LadderPositionRow): LadderPosition {
  const id = row.id;
  return {
    id,
    side: storedChoice(POSITIONS, id, 'side', row.side, SIDES),
    entryPrice: storedPrice(POSITIONS, id, 'entry_price', row.entry_price),
    tp1Price: storedPrice(POSITIONS, id, 'tp1_price', row.tp1_price),
    tp2Price: storedPrice(POSITIONS, id, 'tp2_price', row.tp2_price),
    tp3Price: storedPrice(POSITIONS, id, 'tp3_price', row.tp3_price),
    slPrice: storedPrice(POSITIONS, id, 'sl_price', row.sl_price),
    stopPrice: storedPrice(POSITIONS, id, 'stop_price', row.stop_price),
    tp1Hit: storedFlag(POSITIONS, id, 'tp1_hit', row.tp1_hit),
    tp2Hit: storedFlag(POSITIONS, id, 'tp2_hit', row.tp2_hit),
    liquidationPrice: storedPriceOrNull(POSITIONS, id, 'liquidation_price', row.liquidation_price),
  };
}

/** Written out rather than built on toLadderPosition: one object per row, not two and a copy. */
export function toPosition(row: PositionRow): Position {
  const id = row.id;
  return {
    id,
    venue: row.venue,
    market: row.market,
    side: storedChoice(POSITIONS, id, 'side', row.side, SIDES),
    kind: storedChoice(POSITIONS, id, 'kind', row.kind, POSITION_KINDS),
    status: storedChoice(POSITIONS, id, 'status', row.status, POSITION_STATUSES),
    quantity: storedQty(POSITIONS, id, 'quantity', row.quantity),
    entryPrice: storedPrice(POSITIONS, id, 'entry_price', row.entry_price),
    costBasis: storedMicros(POSITIONS, id, 'cost_basis', row.cost_basis),
    entryFee: storedMicros(POSITIONS, id, 'entry_fee', row.entry_fee),
    entryFeeCharged: storedFlag(POSITIONS, id, 'entry_fee_charged', row.entry_fee_charged),
    closeReserve: storedMicros(POSITIONS, id, 'close_reserve', row.close_reserve),
    tp1Price: storedPrice(POSITIONS, id, 'tp1_price', row.tp1_price),
    tp2Price: storedPrice(POSITIONS, id, 'tp2_price', row.tp2_price),
    tp3Price: storedPrice(POSITIONS, id, 'tp3_price', row.tp3_price),
    slPrice: storedPrice(POSITIONS, id, 'sl_price', row.sl_price),
    stopPrice: storedPrice(POSITIONS, id, 'stop_price', row.stop_price),
    tp1Hit: storedFlag(POSITIONS, id, 'tp1_hit', row.tp1_hit),
    tp2Hit: storedFlag(POSITIONS, id, 'tp2_hit', row.tp2_hit),
    liquidationPrice: storedPriceOrNull(POSITIONS, id, 'liquidation_price', row.liquidation_price),
    reservationId: row.reservation_id,
    idempotencyKey: row.idempotency_key,
    openedAt: row.opened_at,
    exitPrice: storedPriceOrNull(POSITIONS, id, 'exit_price', row.exit_price),
    exitValue: storedMicrosOrNull(POSITIONS, id, 'exit_value', row.exit_value),
    grossPnl: storedMicrosOrNull(POSITIONS, id, 'gross_pnl', row.gross_pnl),
    exitFee: storedMicrosOrNull(POSITIONS, id, 'exit_fee', row.exit_fee),
    spreadCost: storedMicrosOrNull(POSITIONS, id, 'spread_cost', row.spread_cost),
    slippageCost: storedMicrosOrNull(POSITIONS, id, 'slippage_cost', row.slippage_cost),
    totalCosts: storedMicrosOrNull(POSITIONS, id, 'total_costs', row.total_costs),
    netPnl: storedMicrosOrNull(POSITIONS, id, 'net_pnl', row.net_pnl),
    closeReason: row.close_reason,
    closedAt: row.closed_at,
    attention: row.attention,
  };
}

export function toWallet(row: WalletBalanceRow): Wallet {
  const venue = row.venue;
  return {
    venue,
    total: storedMicros('wallets', venue, 'total', row.total),
    available: storedMicros('wallets', venue, 'available', row.available),
    locked: storedMicros('wallets', venue, 'locked', row.locked),
    deficit: storedMicros('wallets', venue, 'deficit', row.deficit),
  };
}

const TRANSACTIONS = 'wallet_transactions';

export function toWalletTransaction(row: WalletTransactionRow): WalletTransaction {
  const id = row.id;
  return {
    id,
    venue: row.venue,
    type: storedChoice(TRANSACTIONS, id, 'type', row.type, WALLET_TRANSACTION_TYPES),
    amount: storedMicros(TRANSACTIONS, id, 'amount', row.amount),
    lockedDelta: storedMicros(TRANSACTIONS, id, 'locked_delta', row.locked_delta),
    deficitDelta: storedMicros(TRANSACTIONS, id, 'deficit_delta', row.deficit_delta),
    balanceBefore: storedMicros(TRANSACTIONS, id, 'balance_before', row.balance_before),
    balanceAfter: storedMicros(TRANSACTIONS, id, 'balance_after', row.balance_after),
    lockedBefore: storedMicros(TRANSACTIONS, id, 'locked_before', row.locked_before),
    lockedAfter: storedMicros(TRANSACTIONS, id, 'locked_after', row.locked_after),
    positionId: row.position_id,
    reservationId: row.reservation_id,
    orderRef: row.order_ref,
    idempotencyKey: row.idempotency_key,
    description: row.description,
    createdAt: row.created_at,
  };
}

export function toReservation(row: ReservationRow): Reservation {
  const id = row.id;
  return {
    id,
    venue: row.venue,
    amount: storedMicros('reservations', id, 'amount', row.amount),
    state: storedChoice('reservations', id, 'state', row.state, RESERVATION_STATES),
    committedAmount: storedMicros('reservations', id, 'committed_amount', row.committed_amount),
    idempotencyKey: row.idempotency_key,
    purpose: row.purpose,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  };
}

export function toMarketPrice(row: MarketPriceRow): MarketPrice {
  const key = `${row.venue} ${row.market}`;
  return {
    venue: row.venue,
    market: row.market,
    bid: storedPrice('market_prices', key, 'bid', row.bid),
    ask: storedPrice('market_prices', key, 'ask', row.ask),
  };
}
