// Polymarket's documented example payloads, as the CLOB API reference (docs.polymarket.com, API Reference) prints
// them, typed by the official client's types where those describe them. Where an example and the official type
// disagree, the example is kept as printed and typed loosely, and the disagreement is named beside it.
import type {
  BalanceAllowanceResponse,
  CancelOrdersResponse,
  ClobErrorResponseBody,
  ClobMarket,
  NewOrderV2,
  OpenOrder,
  OrderBookSummary,
  OrderResponse,
  TradesPage,
  VersionResponse,
} from './polymarket-official-types.js';

/**
 * API Reference, Markets, "Get CLOB market info" (GET /clob-markets/{condition_id}), response example. Unlike
 * clob-client-v2's MarketDetails it has no `c` (condition id), a single token in `t` (the official type has a YES/NO
 * pair), an `r` of {} and an `oas` (minimum order age seconds) the official type does not list; `nr` is absent, which
 * means false.
 */
export const DOC_CLOB_MARKET_INFO: Readonly<Record<string, unknown>> = {
  gst: '2023-11-07T05:31:56Z',
  r: {},
  t: [{ t: '71321045679252212594626385532706912750332728571942532289631379312455583992563', o: 'Yes' }],
  mos: 5,
  mts: 0.01,
  mbf: 0,
  tbf: 0,
  rfqe: true,
  itode: true,
  ibce: true,
  fd: { r: 0.02, e: 2, to: true },
  oas: 123,
};

/** The official clients' example market's two outcome tokens (clob-client-v2 examples, docs "Markets"). */
export const DOC_YES_TOKEN = '71321045679252212594626385532706912750332728571942532289631379312455583992563';
export const DOC_NO_TOKEN = '52114319501245915516055106046884209969926127482827954674443846427813813222426';

/** API Reference, Trade, "Post a new order" (POST /order), request example (order fields as printed). */
export const DOC_POST_ORDER_REQUEST = {
  order: {
    maker: '0x1234567890123456789012345678901234567890',
    signer: '0x1234567890123456789012345678901234567890',
    tokenId: '0xabc123def456...',
    makerAmount: '100000000',
    takerAmount: '200000000',
    side: 'BUY',
    expiration: '1735689600',
    timestamp: '1735689600000',
    metadata: '',
    builder: '0x0000000000000000000000000000000000000000000000000000000000000000',
    signature: '0x1234abcd...',
    salt: 1234567890,
    signatureType: 0,
  },
  owner: 'f4f247b7-4ac7-ff29-a152-04fda0a8755a',
  orderType: 'GTC',
  deferExec: false,
  postOnly: false,
} satisfies NewOrderV2;

/** API Reference, Trade, "Post a new order", response example. */
export const DOC_POST_ORDER_RESPONSE: OrderResponse = {
  success: true,
  orderID: '0xabcdef1234567890abcdef1234567890abcdef12',
  status: 'live',
  makingAmount: '100000000',
  takingAmount: '200000000',
  errorMsg: '',
};

/**
 * API Reference, Trade, "Get single order by ID", response example as first printed: status ORDER_STATUS_LIVE and an
 * original_size of "100000000" described as "fixed-math with 6 decimals".
 */
export const DOC_ORDER_FIXED_MATH: OpenOrder = {
  id: '0xabcdef1234567890abcdef1234567890abcdef12',
  status: 'ORDER_STATUS_LIVE',
  owner: 'f4f247b7-4ac7-ff29-a152-04fda0a8755a',
  maker_address: '0x1234567890123456789012345678901234567890',
  market: '0x0000000000000000000000000000000000000000000000000000000000000001',
  asset_id: '0xabc123def456...',
  side: 'BUY',
  original_size: '100000000',
  size_matched: '0',
  price: '0.5',
  outcome: 'YES',
  expiration: '1735689600',
  order_type: 'GTC',
  associate_trades: [],
  created_at: 1700000000,
};

/**
 * The same endpoint as the reference describes it now: statuses LIVE, INVALID, CANCELED_MARKET_RESOLVED, CANCELED,
 * MATCHED, and original_size "in shares, as a decimal string. Already normalized; do not divide by 1e6" ("100").
 */
export const DOC_ORDER_NORMALIZED: OpenOrder = { ...DOC_ORDER_FIXED_MATH, status: 'LIVE', original_size: '100' };

/** Cancel Orders guide: `{ canceled: ["0xb816482a..."], not_canceled: {} }`. */
export const DOC_CANCEL_RESPONSE: CancelOrdersResponse = { canceled: ['0xb816482a...'], not_canceled: {} };

/** Error Codes: every error is `{"error": "<message>"}`; GET book's 404. */
export const DOC_BOOK_NOT_FOUND: ClobErrorResponseBody = { error: 'No orderbook exists for the requested token id' };

// The endpoints below have no printed example in the reference; these follow the official types field for field.

/** OrderBookSummary (timestamp in milliseconds, per the reference's description of /book). */
export const TYPED_BOOK: OrderBookSummary = {
  market: '0x5f65177b394277fd294cd75650044e32ba009a95022d88a0c1d565897d72f8f1',
  asset_id: DOC_YES_TOKEN,
  timestamp: '1735689600000',
  hash: '0xabc',
  bids: [
    { price: '0.48', size: '30' },
    { price: '0.49', size: '20' },
  ],
  asks: [
    { price: '0.52', size: '25' },
    { price: '0.51', size: '10.5' },
  ],
  min_order_size: '5',
  tick_size: '0.01',
  neg_risk: false,
  last_trade_price: '0.5',
};

export const TYPED_BALANCE: BalanceAllowanceResponse = { balance: '1234567890', allowances: { '0xE111180000d2663C0091e4f400237545B87B996B': '0' } };

export const TYPED_TRADES: TradesPage = {
  limit: 100,
  count: 1,
  next_cursor: 'LTE=',
  data: [
    {
      id: '28c4d2eb-bbea-40e7-a9f0-b2fdb56b2c2e',
      taker_order_id: '0x06bc63e346ed4ceddce9efd6b3af37c8f8f440c92fe7da6b2d0f9e4ccbc50c42',
      market: '0xbd31dc8a20211944f6b70f31557f1001557b59905b7738480ca09bd4532f84af',
      asset_id: DOC_YES_TOKEN,
      side: 'BUY',
      size: '10',
      fee_rate_bps: '12.5',
      price: '0.57',
      status: 'CONFIRMED',
      match_time: '1700000000',
      last_update: '1700000000',
      outcome: 'Yes',
      bucket_index: 0,
      owner: 'f4f247b7-4ac7-ff29-a152-04fda0a8755a',
      maker_address: '0x1234567890123456789012345678901234567890',
      maker_orders: [],
      trader_side: 'TAKER',
    },
  ],
};

export const TYPED_VERSION: VersionResponse = { version: 2 };

/** Public Methods, getMarket: the fields the reference lists (a subset is served). */
export const TYPED_MARKET: ClobMarket = {
  condition_id: '0xbd31dc8a20211944f6b70f31557f1001557b59905b7738480ca09bd4532f84af',
  question: 'Will it rain in the imitation?',
  description: 'Resolves YES if …',
  end_date_iso: '2026-12-31T00:00:00Z',
  game_start_time: null,
  accepting_orders: false,
  accepting_order_timestamp: null,
  active: true,
  closed: true,
  archived: false,
  enable_order_book: true,
  minimum_order_size: 5,
  minimum_tick_size: 0.01,
  neg_risk: false,
  tokens: [],
};
