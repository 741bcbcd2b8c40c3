// Polymarket CLOB V2 wire shapes (live since 2026-04-28) and their translation to and from the Venue port's types.
// Everything that knows a Polymarket field name, path or contract constant lives in this file.
//
// Units on the wire: book and order prices/sizes are decimal strings ("0.48", "1000"); collateral balances and the
// signed order's makerAmount/takerAmount are integer micro-units (6 decimals, like pUSD/USDC and outcome tokens).
// A market here is identified by its condition id; its two outcome tokens come from /clob-markets/{conditionId}.
import { parsePrice, parseQty, parseScaled, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { Page } from '../http/paginate.js';
import { errorText, parseWireDecimal, Wire } from '../http/wire.js';
import type { BookLevel, OrderSide, OrderBook, Outcome, TimeInForce } from '../venue.js';

export const POLYMARKET = 'polymarket';

export const POLYMARKET_PATHS = {
  market: (conditionId: string) => `/clob-markets/${encodeURIComponent(conditionId)}`,
  book: '/book',
  order: '/order',
  orderById: (orderId: string) => `/data/order/${encodeURIComponent(orderId)}`,
  trades: '/data/trades',
  balance: '/balance-allowance',
} as const;

/** The cursor Polymarket returns on the last page. */
export const END_CURSOR = 'LTE=';

// ---- EIP-712 order signing (CTF Exchange V2) ----

export const POLYGON_CHAIN_ID = 137;
export const ORDER_DOMAIN_NAME = 'Polymarket CTF Exchange';
export const ORDER_DOMAIN_VERSION = '2';
/** V2 exchange contracts on Polygon; neg-risk markets settle on their own exchange. */
export const CTF_EXCHANGE_V2 = '0xE111180000d2663C0091e4f400237545B87B996B';
export const NEG_RISK_CTF_EXCHANGE_V2 = '0xe2222d279d744050d28e00520010520000310F59';
export const ZERO_BYTES32 = `0x${'0'.repeat(64)}` as const;

/** The V2 signed struct: no taker, nonce or feeRateBps any more; timestamp, metadata and builder instead. */
export const ORDER_EIP712_TYPES = {
  Order: [
    { name: 'salt', type: 'uint256' },
    { name: 'maker', type: 'address' },
    { name: 'signer', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'makerAmount', type: 'uint256' },
    { name: 'takerAmount', type: 'uint256' },
    { name: 'side', type: 'uint8' },
    { name: 'signatureType', type: 'uint8' },
    { name: 'timestamp', type: 'uint256' },
    { name: 'metadata', type: 'bytes32' },
    { name: 'builder', type: 'bytes32' },
  ],
} as const;

export type Hex = `0x${string}`;

export interface UnsignedOrder {
  readonly salt: bigint;
  readonly maker: Hex;
  readonly signer: Hex;
  readonly tokenId: bigint;
  readonly makerAmount: bigint;
  readonly takerAmount: bigint;
  /** 0 = BUY, 1 = SELL. */
  readonly side: 0 | 1;
  readonly signatureType: number;
  /** Creation time in milliseconds. */
  readonly timestamp: bigint;
  readonly metadata: Hex;
  readonly builder: Hex;
}

export function orderDomain(negRisk: boolean) {
  return {
    name: ORDER_DOMAIN_NAME,
    version: ORDER_DOMAIN_VERSION,
    chainId: POLYGON_CHAIN_ID,
    verifyingContract: (negRisk ? NEG_RISK_CTF_EXCHANGE_V2 : CTF_EXCHANGE_V2) as Hex,
  } as const;
}

/**
 * BUY: the maker gives collateral (quantity × price) and takes outcome tokens (quantity); SELL the reverse.
 * Both amounts are micro-units; with a 0.01-share quantity and a 0.0001 tick the product is exact.
 */
export function orderAmounts(side: OrderSide, quantity: QtyMicros, limitPrice: PriceMicros): { makerAmount: bigint; takerAmount: bigint } {
  const shares = BigInt(quantity);
  const collateral = (shares * BigInt(limitPrice)) / BigInt(SCALE);
  return side === 'buy' ? { makerAmount: collateral, takerAmount: shares } : { makerAmount: shares, takerAmount: collateral };
}

export type PolymarketOrderType = 'FOK' | 'FAK' | 'GTC';

export const ORDER_TYPE: Readonly<Record<TimeInForce, PolymarketOrderType>> = { fok: 'FOK', ioc: 'FAK', gtc: 'GTC' };

export interface PostOrderBody {
  readonly order: {
    readonly salt: number;
    readonly maker: Hex;
    readonly signer: Hex;
    readonly tokenId: string;
    readonly makerAmount: string;
    readonly takerAmount: string;
    readonly side: 'BUY' | 'SELL';
    readonly expiration: string;
    readonly signatureType: number;
    readonly timestamp: string;
    readonly metadata: Hex;
    readonly builder: Hex;
    readonly signature: Hex;
  };
  readonly owner: string;
  readonly orderType: PolymarketOrderType;
  readonly deferExec: boolean;
}

/** The JSON the official V2 client posts: salt as a JSON number (so it is kept below 2^53), amounts as strings. */
export function buildPostOrderBody(order: UnsignedOrder, signature: Hex, owner: string, orderType: PolymarketOrderType): PostOrderBody {
  return {
    order: {
      salt: Number(order.salt),
      maker: order.maker,
      signer: order.signer,
      tokenId: order.tokenId.toString(),
      makerAmount: order.makerAmount.toString(),
      takerAmount: order.takerAmount.toString(),
      side: order.side === 0 ? 'BUY' : 'SELL',
      expiration: '0',
      signatureType: order.signatureType,
      timestamp: order.timestamp.toString(),
      metadata: order.metadata,
      builder: order.builder,
      signature,
    },
    owner,
    orderType,
    deferExec: false,
  };
}

// ---- market metadata ----

export interface PolymarketMarket {
  readonly conditionId: string;
  readonly yesTokenId: string;
  readonly noTokenId: string;
  readonly tickSize: PriceMicros;
  readonly negRisk: boolean;
  /** The market's taker fee rate (ppm) and exponent, when it publishes them. */
  readonly feeRatePpm: number | null;
  readonly feeExponent: number | null;
}

/** GET /clob-markets/{conditionId} → `{c, t:[{t,o},{t,o}], mts, nr, fd?:{r,e,to}}`: t[0] is YES, t[1] is NO. */
export function parseMarket(body: unknown): PolymarketMarket {
  const wire = Wire.of(POLYMARKET, 'clob market', body);
  const tokens = wire.objects('t');
  if (tokens.length !== 2) wire.fail(`t: expected two outcome tokens, got ${tokens.length}`);
  const fees = wire.has('fd') ? wire.object('fd') : null;
  return {
    conditionId: wire.string('c'),
    yesTokenId: tokens[0]!.string('t'),
    noTokenId: tokens[1]!.string('t'),
    tickSize: parseWireDecimal(POLYMARKET, 'clob market.mts', () => parsePrice(decimalText(wire, 'mts'), { label: 'mts' })),
    negRisk: wire.boolean('nr'),
    feeRatePpm: fees?.has('r') ? parseWireDecimal(POLYMARKET, 'fd.r', () => parseScaled(decimalText(fees, 'r'), 6, { label: 'r', allowZero: true })) : null,
    feeExponent: fees?.has('e') ? fees.integer('e') : null,
  };
}

/** This endpoint sends numbers as JSON numbers; their shortest decimal text is exact for the few digits used. */
function decimalText(wire: Wire, key: string): string {
  const value = wire.value[key];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return value;
  return wire.fail(`${key}: expected a number`);
}

export function tokenFor(market: PolymarketMarket, outcome: Outcome): string {
  return outcome === 'yes' ? market.yesTokenId : market.noTokenId;
}

// ---- books, balance ----

/** GET /book: the docs disagree on sort order, so best bid = max and best ask = min whatever the order sent. */
export function parseBook(body: unknown, venue: string, conditionId: string, outcome: Outcome, receivedMs: number): OrderBook {
  const wire = Wire.of(POLYMARKET, 'book', body);
  const levels = (key: string): BookLevel[] =>
    wire.objects(key).map((level) => ({ price: level.price('price'), size: level.qty('size', { allowZero: false }) }));
  return {
    venue,
    market: conditionId,
    outcome,
    bids: levels('bids').sort((a, b) => b.price - a.price),
    asks: levels('asks').sort((a, b) => a.price - b.price),
    // Receive time, as for the other venues: staleness is judged on our clock, and the book's own `timestamp` field
    // is informational (its unit has varied between endpoints).
    timestampMs: receivedMs,
  };
}

/** GET /balance-allowance → `{balance:"1000000000", allowance}`: micro-units of collateral. */
export function parseBalance(body: unknown): Micros {
  const wire = Wire.of(POLYMARKET, 'balance-allowance', body);
  const balance = wire.bigint('balance');
  if (balance > BigInt(Number.MAX_SAFE_INTEGER)) wire.fail('balance: too large');
  return Number(balance) as Micros;
}

// ---- order placement and status ----

export interface PostOrderResult {
  readonly success: boolean;
  readonly orderId: string;
  readonly status: string;
  readonly errorMessage: string;
}

/** POST /order → `{success, orderID, status: live|matched|delayed|unmatched, makingAmount, takingAmount, errorMsg}`. */
export function parsePostOrderResponse(body: unknown): PostOrderResult {
  const wire = Wire.of(POLYMARKET, 'post order', body);
  return {
    success: wire.boolean('success'),
    orderId: wire.optionalString('orderID') ?? '',
    status: (wire.optionalString('status') ?? '').toLowerCase(),
    errorMessage: wire.optionalString('errorMsg') ?? '',
  };
}

/**
 * An FOK that could not fill completely, or an FAK that found nothing to match, is refused with HTTP 400 and one of
 * these messages: the order never existed, which for the port is a cancelled order with no fills.
 */
const NOTHING_MATCHED_RE = /FOK_ORDER_NOT_FILLED|fully filled or killed|no orders found to match/i;

export function isNothingMatched(message: string): boolean {
  return NOTHING_MATCHED_RE.test(message);
}

export type PolymarketOrderStatus = 'live' | 'matched' | 'canceled' | 'delayed' | 'unmatched';

export interface PolymarketOrder {
  readonly id: string;
  readonly status: PolymarketOrderStatus;
  readonly market: string;
  readonly assetId: string;
  readonly side: 'BUY' | 'SELL';
  readonly originalSize: QtyMicros;
  readonly sizeMatched: QtyMicros;
  readonly price: PriceMicros;
  /** Seconds since the epoch, when the venue gives it. */
  readonly createdAtSeconds: number | null;
}

/** GET /data/order/{id} → the order, or null/{} when there is no such order. */
export function parseOrder(body: unknown): PolymarketOrder | null {
  if (body === null || (typeof body === 'object' && Object.keys(body).length === 0)) return null;
  // Annotated so that wire.fail (returning never) narrows `side` below.
  const wire: Wire = Wire.of(POLYMARKET, 'order', body);
  const side = wire.string('side').toUpperCase();
  if (side !== 'BUY' && side !== 'SELL') wire.fail(`side: unknown value "${side}"`);
  return {
    id: wire.string('id'),
    status: normaliseStatus(wire),
    market: wire.string('market'),
    assetId: wire.string('asset_id'),
    side,
    originalSize: wire.qty('original_size'),
    sizeMatched: wire.qty('size_matched'),
    price: wire.price('price'),
    createdAtSeconds: wire.has('created_at') ? wire.integer('created_at') : null,
  };
}

/** Statuses appear as "LIVE", "live" or "ORDER_STATUS_LIVE" depending on the endpoint's vintage. */
function normaliseStatus(wire: Wire): PolymarketOrderStatus {
  const text = wire.string('status').toLowerCase().replace(/^order_status_/, '').replace('cancelled', 'canceled');
  const known: readonly PolymarketOrderStatus[] = ['live', 'matched', 'canceled', 'delayed', 'unmatched'];
  if (!known.includes(text as PolymarketOrderStatus)) wire.fail(`status: unknown value "${text}"`);
  return text as PolymarketOrderStatus;
}

export interface PolymarketTrade {
  readonly id: string;
  readonly takerOrderId: string;
  readonly size: QtyMicros;
  readonly price: PriceMicros;
  /** The taker fee rate that applied at match time, in basis points. */
  readonly feeRateBps: number;
}

/** GET /data/trades → `{data:[…], next_cursor, limit, count}`; "LTE=" (or nothing) ends the pagination. */
export function parseTradesPage(body: unknown): Page<PolymarketTrade> {
  const wire = Wire.of(POLYMARKET, 'trades', body);
  const items = wire.objects('data').map((trade) => ({
    id: trade.string('id'),
    takerOrderId: trade.string('taker_order_id'),
    size: parseWireDecimal(POLYMARKET, `${trade.what}.size`, () => parseQty(trade.value.size, { label: 'size' })),
    price: trade.price('price'),
    feeRateBps: trade.integer('fee_rate_bps'),
  }));
  const cursor = wire.optionalString('next_cursor');
  return { items, nextCursor: cursor === null || cursor === '' || cursor === END_CURSOR ? null : cursor };
}

/** DELETE /order → `{canceled:[…], not_canceled:{id: reason}}`: the reason our order was not cancelled, if any. */
export function parseCancelRefusal(body: unknown, orderId: string): string | null {
  const wire = Wire.of(POLYMARKET, 'cancel', body);
  if (wire.array('canceled').includes(orderId)) return null;
  const refused = wire.has('not_canceled') ? wire.object('not_canceled').value[orderId] : undefined;
  return typeof refused === 'string' ? refused : 'not cancelled';
}

/** Polymarket's error envelope is `{"error": "…"}` (order errors also use errorMsg). */
export function describePolymarketError(_status: number, body: unknown): string {
  return errorText(body);
}
