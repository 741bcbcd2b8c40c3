// Row types of the ledger's tables, for kysely. Money columns are integers in micro-units.
import type { Generated } from 'kysely';

export type WalletTransactionType =
  | 'deposit'
  | 'withdrawal'
  | 'reserve'
  | 'release'
  | 'commit'
  | 'position_open'
  | 'position_close'
  | 'fee'
  | 'settlement'
  | 'adjustment';

export type ReservationState = 'pending' | 'committed' | 'released';
export type PositionStatus = 'open' | 'closed';
export type PositionKind = 'single' | 'arb_leg';

export interface WalletsTable {
  venue: string;
  total: number;
  available: number;
  locked: number;
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
  side: 'long' | 'short';
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
}

export interface WalletTransactionsTable {
  id: Generated<number>;
  venue: string;
  type: WalletTransactionType;
  amount: number;
  locked_delta: number;
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

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface LedgerSchema {
  wallets: WalletsTable;
  reservations: ReservationsTable;
  positions: PositionsTable;
  wallet_transactions: WalletTransactionsTable;
  audit_log: AuditLogTable;
  market_prices: MarketPricesTable;
  schema_migrations: SchemaMigrationsTable;
}
