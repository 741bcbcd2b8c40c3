// Polymarket CLOB V2 wire shapes (live since 2026-04-28) and their translation to and from the Venue port's types.
// Everything that knows a Polymarket field name or path lives in this file (contract constants: exchange.ts). The
// shapes follow clob-client-v2 1.1.0's types (src/types/clob.ts, src/types/ordersV2.ts) and the CLOB API reference.
//
// Units on the wire: book and order prices/sizes are decimal strings ("0.48", "1000"); collateral balances and the
// signed order's makerAmount/takerAmount are integer micro-units (6 decimals, like pUSD/USDC and outcome tokens).
// A market here is identified by its condition id; its two outcome tokens come from /clob-markets/{conditionId}.
import { formatMicrosTrim, formatScaled, parsePrice, parseQty, parseScaled, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { VenueProtocolError } from '../errors.js';
import type { Page } from '../http/paginate.js';
import { errorText, parseWireDecimal, Wire } from '../http/wire.js';
import type { BookLevel, OrderBook, Outcome, TimeInForce } from '../venue.js';
import { assetProtocol, type AssetProtocol, type Hex, type PolymarketOrderType, type UnsignedOrder } from './exchange.js';

export const POLYMARKET = 'polymarket';

export const POLYMARKET_PATHS = {
  market: (conditionId: string) => `/clob-markets/${encodeURIComponent(conditionId)}`,
  markets: '/markets',
  marketText: (conditionId: string) => `/markets/${encodeURIComponent(conditionId)}`,
  version: '/version',
  book: '/book',
  order: '/order',
  orderById: (orderId: string) => `/data/order/${encodeURIComponent(orderId)}`,
  trades: '/data/trades',
  balance: '/balance-allowance',
} as const;

/** The cursor Polymarket returns on the last page. */
export const END_CURSOR = 'LTE=';

// ---- order placement body ----

export const ORDER_TYPE: Readonly<Record<TimeInForce, PolymarketOrderType>> = { fok: 'FOK', ioc: 'FAK', gtc: 'GTC' };

/** clob-client-v2 1.1.0 NewOrderV2 (src/types/ordersV2.ts): what POST /order carries. */
export interface PostOrderBody {
  readonly deferExec: boolean;
  readonly postOnly: boolean;
  readonly order: {
    readonly salt: number;
    readonly maker: Hex;
    readonly signer: Hex;
    readonly tokenId: string;
    readonly makerAmount: string;
    readonly takerAmount: string;
    readonly side: 'BUY' | 'SELL';
    readonly signatureType: number;
    readonly timestamp: string;
    readonly expiration: string;
    readonly metadata: Hex;
    readonly builder: Hex;
    readonly signature: Hex;
  };
  readonly owner: string;
  readonly orderType: PolymarketOrderType;
}

/**
 * The JSON the official V2 client posts (orderToJsonV2, keys in its order): salt as a JSON number (so it is kept below
 * 2^53), amounts as strings, no expiration (0), never post-only (the adapter only takes or rests plain orders).
 */
export function buildPostOrderBody(order: UnsignedOrder, signature: Hex, owner: string, orderType: PolymarketOrderType): PostOrderBody {
  return {
    deferExec: false,
    postOnly: false,
    order: {
      salt: Number(order.salt),
      maker: order.maker,
      signer: order.signer,
      tokenId: order.tokenId.toString(),
      makerAmount: order.makerAmount.toString(),
      takerAmount: order.takerAmount.toString(),
      side: order.side === 0 ? 'BUY' : 'SELL',
      signatureType: order.signatureType,
      timestamp: order.timestamp.toString(),
      expiration: '0',
      metadata: order.metadata,
      builder: order.builder,
      signature,
    },
    owner,
    orderType,
  };
}

// ---- market metadata ----

export interface PolymarketMarket {
  readonly conditionId: string;
  readonly yesTokenId: string;
  readonly noTokenId: string;
  /** CTF tokens (CTF Exchange V2) or Protocol V2 position ids (ExchangeV3): decides the order's signing domain. */
  readonly protocol: AssetProtocol;
  readonly tickSize: PriceMicros;
  readonly negRisk: boolean;
  /** The smallest order, in contracts, when the market says. */
  readonly minOrderSize: QtyMicros | null;
  /** False when the market says it is not accepting orders; null when it does not say. */
  readonly acceptingOrders: boolean | null;
  /** `itode`: marketable orders are held for a taker delay before they are matched (omitted when false). */
  readonly takerDelay: boolean;
  /** The market's taker fee rate (ppm) and exponent; 0 and 0 when it publishes none, as the official clients read it. */
  readonly feeRatePpm: number;
  readonly feeExponent: number;
}

/**
 * GET /clob-markets/{conditionId} → clob-client-v2 1.1.0 MarketDetails (src/types/clob.ts): `{c, t:[{t,o},{t,o}],
 * mts, nr?, fd?:{r?,e?,to?}, mos?, ao?, …}`. `nr` and `fd.to` are omitted when false, `c` is missing from the
 * documented example: the condition id asked for stands in. t[0] is YES, t[1] is NO.
 */
export function parseMarket(body: unknown, conditionId: string): PolymarketMarket {
  const wire = Wire.of(POLYMARKET, 'clob market', body);
  const tokens = wire.objects('t');
  if (tokens.length !== 2) wire.fail(`t: expected the two outcome tokens of a binary market, got ${tokens.length}`);
  const yesTokenId = decimalId(tokens[0]!, 't');
  const noTokenId = decimalId(tokens[1]!, 't');
  const protocol = assetProtocol(yesTokenId);
  if (assetProtocol(noTokenId) !== protocol) wire.fail('t: one outcome is a CTF token and the other a position id');
  const fees = wire.has('fd') ? wire.object('fd') : null;
  return {
    conditionId: wire.optionalString('c') ?? conditionId,
    yesTokenId,
    noTokenId,
    protocol,
    tickSize: parseWireDecimal(POLYMARKET, 'clob market.mts', () => parsePrice(decimalText(wire, 'mts'), { label: 'mts' })),
    negRisk: wire.has('nr') ? wire.boolean('nr') : false,
    minOrderSize: wire.has('mos') ? parseWireDecimal(POLYMARKET, 'clob market.mos', () => parseQty(decimalText(wire, 'mos'), { label: 'mos', allowZero: true })) : null,
    acceptingOrders: wire.has('ao') ? wire.boolean('ao') : null,
    takerDelay: wire.has('itode') ? wire.boolean('itode') : false,
    feeRatePpm: fees?.has('r') ? parseWireDecimal(POLYMARKET, 'fd.r', () => parseScaled(decimalText(fees, 'r'), 6, { label: 'r', allowZero: true })) : 0,
    feeExponent: fees?.has('e') ? fees.integer('e') : 0,
  };
}

function decimalId(wire: Wire, key: string): string {
  const id = wire.string(key);
  if (!/^\d{1,78}$/.test(id)) wire.fail(`${key}: an asset id must be a decimal integer, got "${id.slice(0, 20)}"`);
  return id;
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

/** What GET /markets/{conditionId} says about a market in words: its question, end date and state. */
export interface PolymarketMarketText {
  readonly question: string | null;
  readonly endDateIso: string | null;
  readonly active: boolean | null;
  readonly closed: boolean | null;
  readonly acceptingOrders: boolean | null;
}

/** GET /markets/{conditionId}: the fields clob-client-v2's docs list for getMarket (question, end_date_iso, …). */
export function parseMarketText(body: unknown): PolymarketMarketText {
  const wire = Wire.of(POLYMARKET, 'market', body);
  const flag = (key: string) => (wire.has(key) ? wire.boolean(key) : null);
  const text = (key: string) => {
    const value = wire.optionalString(key);
    return value === null || value.trim() === '' ? null : value;
  };
  return { question: text('question'), endDateIso: text('end_date_iso'), active: flag('active'), closed: flag('closed'), acceptingOrders: flag('accepting_orders') };
}

/** The order version the official clients assume when GET /version does not say. */
export const DEFAULT_ORDER_VERSION = 2;

/** GET /version → `{version}`: the order version the CLOB expects for CTF token orders. */
export function parseVersion(body: unknown): number {
  const wire = Wire.of(POLYMARKET, 'version', body);
  return wire.has('version') ? wire.integer('version') : DEFAULT_ORDER_VERSION;
}

// ---- books, balance ----

/** GET /book: the docs disagree on sort order, so best bid = max and best ask = min whatever the order sent. */
export function parseBook(body: unknown, venue: string, conditionId: string, outcome: Outcome, receivedMs: number): OrderBook {
  const wire = Wire.of(POLYMARKET, 'book', body);
  const levels = (key: string): BookLevel[] =>
    wire.objects(key).map((level) => ({ price: probability(level, 'price', false), size: level.qty('size', { allowZero: false }) }));
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

/**
 * A REST book's own `timestamp` in milliseconds (a stream resnapshot skips the stream's changes older than it), null
 * when absent. Its unit has varied between endpoints: ten digits or fewer are read as seconds.
 */
export function parseBookTimestampMs(body: unknown): number | null {
  const wire = Wire.of(POLYMARKET, 'book', body);
  if (!wire.has('timestamp')) return null;
  const text = decimalText(wire, 'timestamp');
  if (!/^\d{1,16}$/.test(text)) return wire.fail(`timestamp: expected whole milliseconds, got "${text}"`);
  const value = Number(text);
  return text.length <= SECONDS_DIGITS_MAX ? value * 1_000 : value;
}

/** Epoch seconds have ten digits until the year 2286; milliseconds have thirteen. */
const SECONDS_DIGITS_MAX = 10;

/** The tick and minimum a book reports (OrderBookSummary.tick_size, min_order_size), when it reports them. */
export function parseBookRules(body: unknown): { readonly tickSize: PriceMicros | null; readonly minOrderSize: QtyMicros | null } {
  const wire = Wire.of(POLYMARKET, 'book', body);
  return {
    tickSize: wire.has('tick_size') ? parseWireDecimal(POLYMARKET, 'book.tick_size', () => parsePrice(decimalText(wire, 'tick_size'), { label: 'tick_size' })) : null,
    minOrderSize: wire.has('min_order_size')
      ? parseWireDecimal(POLYMARKET, 'book.min_order_size', () => parseQty(decimalText(wire, 'min_order_size'), { label: 'min_order_size', allowZero: true }))
      : null,
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

/** clob-client-v2's ORDER_VERSION_MISMATCH_ERROR: the order was signed for another exchange version than the CLOB's. */
export const ORDER_VERSION_MISMATCH = 'order_version_mismatch';

export function isVersionMismatch(message: string): boolean {
  return message.includes(ORDER_VERSION_MISMATCH);
}

export type PolymarketOrderStatus = 'live' | 'matched' | 'canceled' | 'delayed' | 'unmatched' | 'invalid';

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
  const originalSize = wire.qty('original_size');
  const sizeMatched = wire.qty('size_matched');
  if (sizeMatched > originalSize) throw new VenueProtocolError(POLYMARKET, 'order.size_matched', `${formatMicrosTrim(sizeMatched, 0)} matched of ${formatMicrosTrim(originalSize, 0)} ordered`);
  return {
    id: wire.string('id'),
    status: normaliseStatus(wire),
    market: wire.string('market'),
    assetId: wire.string('asset_id'),
    side,
    originalSize,
    sizeMatched,
    price: probability(wire, 'price', false),
    createdAtSeconds: wire.has('created_at') ? wire.integer('created_at') : null,
  };
}

/**
 * Statuses appear as "LIVE", "live" or "ORDER_STATUS_LIVE" depending on the endpoint's vintage. The reference lists
 * LIVE, INVALID, CANCELED, CANCELED_MARKET_RESOLVED and MATCHED; the last cancels what had not filled when the market
 * resolved, so for the port it is a cancellation.
 */
function normaliseStatus(wire: Wire): PolymarketOrderStatus {
  const text = wire
    .string('status')
    .toLowerCase()
    .replace(/^order_status_/, '')
    .replace('cancelled', 'canceled')
    .replace(/^canceled_market_resolved$/, 'canceled');
  const known: readonly PolymarketOrderStatus[] = ['live', 'matched', 'canceled', 'delayed', 'unmatched', 'invalid'];
  if (!known.includes(text as PolymarketOrderStatus)) wire.fail(`status: unknown value "${text}"`);
  return text as PolymarketOrderStatus;
}

export interface PolymarketTrade {
  readonly id: string;
  readonly takerOrderId: string;
  readonly size: QtyMicros;
  readonly price: PriceMicros;
  /** The taker fee rate that applied at match time, in parts per million (the wire's basis points × 100). */
  readonly feeRatePpm: number;
}

/** GET /data/trades → `{data:[…], next_cursor, limit, count}`; "LTE=" (or nothing) ends the pagination. */
export function parseTradesPage(body: unknown): Page<PolymarketTrade> {
  const wire = Wire.of(POLYMARKET, 'trades', body);
  const items = wire.objects('data').map((trade) => {
    // Basis points as a decimal string (clob-client-v2 Trade.fee_rate_bps); a fraction of a basis point is kept. Read
    // signed, so that a negative rate is named as the impossible claim it is rather than as malformed text.
    const feeRatePpm = parseWireDecimal(POLYMARKET, `${trade.what}.fee_rate_bps`, () => parseScaled(trade.value.fee_rate_bps, 2, { label: 'fee_rate_bps', allowZero: true, allowNegative: true }));
    if (feeRatePpm < 0) throw new VenueProtocolError(POLYMARKET, `${trade.what}.fee_rate_bps`, `a negative fee rate of ${formatScaledTrim(feeRatePpm)} bps`);
    return {
      id: trade.string('id'),
      takerOrderId: trade.string('taker_order_id'),
      size: parseWireDecimal(POLYMARKET, `${trade.what}.size`, () => parseQty(trade.value.size, { label: 'size' })),
      price: probability(trade, 'price', true),
      feeRatePpm,
    };
  });
  const cursor = wire.optionalString('next_cursor');
  return { items, nextCursor: cursor === null || cursor === '' || cursor === END_CURSOR ? null : cursor };
}

/**
 * A price that must be a probability: in (0, 1] for a trade, in (0, 1) for a book level or an order's limit (nothing
 * rests or is asked at 1). Anything else is an impossible claim, named as such.
 */
function probability(wire: Wire, key: string, oneAllowed: boolean): PriceMicros {
  const price = wire.price(key);
  if (price > SCALE || (price === SCALE && !oneAllowed)) {
    throw new VenueProtocolError(POLYMARKET, `${wire.what}.${key}`, `${formatMicrosTrim(price)} is outside (0, 1${oneAllowed ? ']' : ')'}`);
  }
  return price;
}

/** Basis points (scaled by 100) as text: -500 → "-5". */
function formatScaledTrim(hundredths: number): string {
  return formatScaled(hundredths, 2).replace(/\.?0+$/, '');
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
