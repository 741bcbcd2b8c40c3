// Polymarket's wire types, transcribed from the official TypeScript client so that the imitation's responses and the
// contract fixtures are typed by them: a field the official client does not know fails the typecheck.
//
// Source: @polymarket/clob-client-v2 1.1.0 (github.com/Polymarket/clob-client-v2, tag v1.1.0, commit f3e1a05),
// src/types/clob.ts and src/types/ordersV2.ts, field for field (comments theirs). Not imported from the package: it
// pulls ethers v5 and axios into the install for a handful of interfaces. Types the client leaves as `any` (GET
// /markets/{condition_id}, GET /version, DELETE /order) are transcribed from the CLOB API reference instead, as noted.

export type Side = 'BUY' | 'SELL';

export type OrderType = 'GTC' | 'FOK' | 'GTD' | 'FAK';

/** src/types/clob.ts FeeDetails. */
export interface FeeDetails {
  r?: number; // fee rate
  e?: number; // fee exponent
  to?: boolean; // taker only (omitted when false)
}

/** src/types/clob.ts ClobRewards. */
export interface ClobRewards {
  mi?: number; // min size
  ma?: number; // max spread
  e?: boolean; // enabled
  smoa?: boolean; // skip min order age
  moas?: number; // min order age seconds
}

/** src/types/clob.ts ClobToken. */
export interface ClobToken {
  t: string; // token ID
  o: string; // outcome
}

/** src/types/clob.ts MarketDetails: GET /clob-markets/{condition_id}. */
export interface MarketDetails {
  c: string; // condition ID
  t: [ClobToken, ClobToken]; // YES and NO tokens
  mts: number; // min tick size
  nr?: boolean; // neg risk (omitted when false)
  fd?: FeeDetails; // platform fee details
  mbf?: number; // maker base fee
  tbf?: number; // taker base fee
  r: ClobRewards | null; // rewards config (always present, null if unset)
  ao?: boolean; // accepting orders
  mos?: number; // min order size
  sd?: number; // seconds delay
  gst?: string; // game start time (ISO 8601)
  cbos?: boolean; // clear book on start
  aot?: string; // accepting orders timestamp (ISO 8601)
  rfqe?: boolean; // RFQ enabled
  itode?: boolean; // taker order delay enabled
  ibce?: boolean; // blockaid check enabled
}

/** src/types/clob.ts OrderSummary. */
export interface OrderSummary {
  price: string;
  size: string;
}

/** src/types/clob.ts OrderBookSummary: GET /book. */
export interface OrderBookSummary {
  market: string;
  asset_id: string;
  timestamp: string;
  bids: OrderSummary[];
  asks: OrderSummary[];
  min_order_size: string;
  tick_size: string;
  neg_risk: boolean;
  hash: string;
  last_trade_price: string;
}

/** src/types/clob.ts BalanceAllowanceResponse: GET /balance-allowance. */
export interface BalanceAllowanceResponse {
  balance: string;
  allowances: Record<string, string>;
}

/** src/types/ordersV2.ts NewOrderV2: the body of POST /order. */
export interface NewOrderV2 {
  readonly order: {
    readonly salt: number;
    readonly maker: string;
    readonly signer: string;
    readonly taker?: string; // orderToJsonV2 copies an absent field, which JSON drops
    readonly tokenId: string;
    readonly makerAmount: string;
    readonly takerAmount: string;
    readonly side: string;
    readonly signatureType: number;
    readonly timestamp: string;
    readonly expiration: string;
    readonly metadata: string;
    readonly builder: string;
    readonly signature: string;
  };
  readonly owner: string;
  readonly orderType: OrderType;
  readonly deferExec: boolean;
  readonly postOnly: boolean;
}

/** src/types/clob.ts OrderResponse: POST /order. */
export interface OrderResponse {
  success: boolean;
  errorMsg: string;
  orderID: string;
  transactionsHashes?: string[];
  tradeIDs?: string[];
  status: string;
  takingAmount: string;
  makingAmount: string;
}

/** src/types/clob.ts OpenOrder: GET /data/order/{id}. */
export interface OpenOrder {
  id: string;
  status: string;
  owner: string;
  maker_address: string;
  market: string;
  asset_id: string;
  side: string;
  original_size: string;
  size_matched: string;
  price: string;
  associate_trades: string[];
  outcome: string;
  created_at: number;
  expiration: string;
  order_type: string;
}

/** src/types/clob.ts MakerOrder. */
export interface MakerOrder {
  order_id: string;
  owner: string;
  maker_address: string;
  matched_amount: string;
  price: string;
  fee_rate_bps: string;
  asset_id: string;
  outcome: string;
  side?: Side;
  builder_fee?: string;
  builder_code?: string;
}

/** src/types/clob.ts Trade: an element of GET /data/trades's `data`. */
export interface Trade {
  id: string;
  taker_order_id: string;
  market: string;
  asset_id: string;
  side: Side;
  size: string;
  fee_rate_bps: string;
  price: string;
  status: string;
  match_time: string;
  match_time_nano?: string;
  last_update: string;
  outcome: string;
  bucket_index: number;
  owner: string;
  maker_address: string;
  maker_orders: MakerOrder[];
  transaction_hash?: string;
  err_msg?: string | null;
  trader_side: 'TAKER' | 'MAKER';
}

/** src/types/clob.ts PaginationPayload, with its data typed. */
export interface TradesPage {
  readonly limit: number;
  readonly count: number;
  readonly next_cursor: string;
  readonly data: Trade[];
}

/** src/types/clob.ts ClobErrorResponseBody: every CLOB error (CLOB API reference, Error Codes). */
export interface ClobErrorResponseBody {
  error: string;
}

/** GET /version: clob-client-v2 reads `response?.version ?? 2` (src/client.ts getVersion). */
export interface VersionResponse {
  version?: number;
}

/** DELETE /order: CLOB API reference, Cancel Orders ("canceled" ids and "not_canceled" id → reason). */
export interface CancelOrdersResponse {
  canceled: string[];
  not_canceled: Record<string, string>;
}

/** GET /markets/{condition_id}: CLOB API reference, Public Methods, getMarket (the fields it lists that we serve). */
export interface ClobMarket {
  condition_id: string;
  question: string;
  description: string;
  end_date_iso: string;
  game_start_time: string | null;
  accepting_orders: boolean;
  accepting_order_timestamp: string | null;
  active: boolean;
  closed: boolean;
  archived: boolean;
  enable_order_book: boolean;
  minimum_order_size: number;
  minimum_tick_size: number;
  neg_risk: boolean;
  tokens: { token_id: string; outcome: string; price: number; winner: boolean }[];
}
