// Row types of the ledger's tables, for kysely. Money columns are integers in micro-units.
import type { Generated } from 'kysely';
import type { ArbDirection, LegRole, LegState, TradeOutcome, TradeState, UnhedgedState } from '../domain/arb.js';
import type { Outcome } from '../domain/market.js';
import type { PositionKind, PositionStatus, Side } from '../domain/position.js';
import type { ReservationState, WalletTransactionType } from '../domain/wallet.js';

export interface WalletsTable {
  venue: string;
  total: number;
  available: number;
  locked: number;
  /** What the wallet owes after a loss larger than it held; never netted into total or available. */
  deficit: Generated<number>;
  created_at: string;
  updated_at: string;
}

export interface ReservationsTable {
  id: Generated<number>;
  venue: string;
  amount: number;
  state: ReservationState;
  committed_amount: Generated<number>;
  idempotency_key: string;
  purpose: string;
  created_at: string;
  resolved_at: string | null;
}

export interface PositionsTable {
  id: Generated<number>;
  venue: string;
  market: string;
  side: Side;
  kind: Generated<PositionKind>;
  quantity: number;
  entry_price: number;
  cost_basis: number;
  entry_fee: Generated<number>;
  entry_fee_charged: Generated<number>;
  tp1_price: number;
  tp2_price: number;
  tp3_price: number;
  sl_price: number;
  stop_price: number;
  tp1_hit: Generated<number>;
  tp2_hit: Generated<number>;
  status: Generated<PositionStatus>;
  reservation_id: number | null;
  idempotency_key: string | null;
  opened_at: string;
  exit_price: number | null;
  exit_value: number | null;
  gross_pnl: number | null;
  exit_fee: number | null;
  spread_cost: number | null;
  slippage_cost: number | null;
  total_costs: number | null;
  net_pnl: number | null;
  close_reason: string | null;
  closed_at: string | null;
  /** Locked beside the cost basis so the worst close can be booked: the unpaid entry fee, a short's loss beyond its cost. */
  close_reserve: Generated<number>;
  /** A short on an unbounded market: the mark at which the money locked for it is used up. */
  liquidation_price: number | null;
  /** Why the engine could not close or settle this position; null when nothing needs a person. */
  attention: string | null;
}

export interface WalletTransactionsTable {
  id: Generated<number>;
  venue: string;
  type: WalletTransactionType;
  amount: number;
  locked_delta: number;
  deficit_delta: Generated<number>;
  balance_before: number;
  balance_after: number;
  locked_before: number;
  locked_after: number;
  position_id: number | null;
  reservation_id: number | null;
  order_ref: string | null;
  idempotency_key: string | null;
  description: string;
  created_at: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  kind: string;
  venue: string | null;
  detail: string;
  created_at: string;
}

export interface MarketPricesTable {
  venue: string;
  market: string;
  bid: number;
  ask: number;
  updated_at: string;
}

/** A venue's open markets as it last listed them (migration 10): a cache for finding pairs, replaced whole per venue. */
export interface MarketListingsTable {
  venue: string;
  market: string;
  title: string;
  close_time: string | null;
  rules: string | null;
  yes_outcome: string;
  fetched_at: string;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface ArbTradesTable {
  id: Generated<number>;
  pair: string;
  direction: ArbDirection;
  contracts: number;
  expected_net_edge: number;
  state: TradeState;
  outcome: TradeOutcome | null;
  note: string | null;
  created_at: string;
  updated_at: string;
  /** The venue's latest impossible report about one of the trade's orders: the trade needs a person. Null otherwise. */
  attention: string | null;
}

export interface ArbLegsTable {
  id: Generated<number>;
  trade_id: number;
  leg: LegRole;
  venue: string;
  market: string;
  outcome: Outcome;
  side: 'buy' | 'sell';
  quantity: number;
  limit_price: number;
  client_order_id: string;
  venue_order_id: string | null;
  reservation_id: number | null;
  state: LegState;
  filled_quantity: Generated<number>;
  filled_notional: Generated<number>;
  fee: Generated<number>;
  hedged_position_id: number | null;
  unhedged_position_id: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
}

export interface ArbLegEventsTable {
  id: Generated<number>;
  leg_id: number;
  from_state: string;
  to_state: string;
  detail: string | null;
  created_at: string;
}

export interface UnhedgedLegsTable {
  id: Generated<number>;
  trade_id: number;
  leg_id: number;
  position_id: number;
  quantity: number;
  state: UnhedgedState;
  note: string | null;
  created_at: string;
  resolved_at: string | null;
}

/** How far the wallet transaction log has been proven (one row, id 1): see log-audit.ts. */
export interface LogCheckpointTable {
  id: number;
  through_id: number;
  tx_count: number;
  close_count: number;
  reserve_count: number;
  verified_at: string;
}

/** Each wallet's log as of the checkpoint: its sums and its number of rows. */
export interface LogCheckpointWalletsTable {
  venue: string;
  total: number;
  locked: number;
  deficit: Generated<number>;
  tx_count: number;
}

/** One archive: what left the ledger, where it went, and how to prove it (see archive.ts). */
export interface ArchiveCheckpointsTable {
  id: Generated<number>;
  file_name: string;
  ledger_id: string;
  before_date: string;
  tx_through_id: number;
  positions_through_id: number;
  reservations_through_id: number;
  trades_through_id: number;
  legs_through_id: number;
  events_through_id: number;
  unhedged_through_id: number;
  tx_count: number;
  position_count: number;
  reservation_count: number;
  trade_count: number;
  leg_count: number;
  event_count: number;
  unhedged_count: number;
  rows_sha256: string;
  archived_at: string;
}

/** Each wallet at an archive's cut, from its first row ever. */
export interface ArchiveCheckpointWalletsTable {
  archive_id: number;
  venue: string;
  total: number;
  locked: number;
  deficit: number;
  balance_after: number;
  locked_after: number;
  tx_count: number;
  deposits: number;
  withdrawals: number;
  realised: number;
  fees: number;
  closed: number;
}

export interface LedgerSchema {
  arb_trades: ArbTradesTable;
  arb_legs: ArbLegsTable;
  arb_leg_events: ArbLegEventsTable;
  unhedged_legs: UnhedgedLegsTable;
  wallets: WalletsTable;
  reservations: ReservationsTable;
  positions: PositionsTable;
  wallet_transactions: WalletTransactionsTable;
  audit_log: AuditLogTable;
  market_prices: MarketPricesTable;
  market_listings: MarketListingsTable;
  schema_migrations: SchemaMigrationsTable;
  log_checkpoint: LogCheckpointTable;
  log_checkpoint_wallets: LogCheckpointWalletsTable;
  archive_checkpoints: ArchiveCheckpointsTable;
  archive_checkpoint_wallets: ArchiveCheckpointWalletsTable;
}
