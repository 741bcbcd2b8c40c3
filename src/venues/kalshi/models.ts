// Kalshi Trade API v2 wire shapes (fixed-point era) and their translation to and from the Venue port's types.
// Everything that knows a Kalshi field name lives in this file, so an API change touches only here. The shapes follow
// the models of Kalshi's OpenAPI-generated TypeScript SDK (npm `kalshi-typescript` 3.30.0: CreateOrderV2Request,
// CreateOrderV2Response, CancelOrderV2Response, Order, Fill, GetMarketResponse, GetMarketOrderbookResponse,
// GetBalanceResponse, ErrorResponse) and the Kalshi API reference pages of the same names.
//
// Units on the wire: prices are dollar strings ("0.4200"; requests take 2-4 decimals, responses emit up to 6); counts
// are fixed-point strings with 2 decimals ("10.00"); balance is integer cents plus balance_dollars.
// Kalshi quotes everything on the YES book: buying NO at q is an ask on YES at 1 − q.
import { formatMicrosTrim, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { VenueProtocolError } from '../errors.js';
import { microsToDecimal } from '../http/live-options.js';
import type { Page } from '../http/paginate.js';
import { errorText, parseWireDecimal, Wire } from '../http/wire.js';
import { parsePrice, parseQty } from '../../domain/money.js';
import type { BookLevel, ListedMarket, MarketDescription, OrderBook, OrderSide, Outcome, PlaceOrderRequest, TimeInForce, VenueBalance } from '../venue.js';

export const KALSHI = 'kalshi';

/** Paths below the base URL (which ends in /trade-api/v2; the signature covers the full path). */
export const KALSHI_PATHS = {
  markets: '/markets',
  market: (ticker: string) => `/markets/${encodeURIComponent(ticker)}`,
  orderbook: (ticker: string) => `/markets/${encodeURIComponent(ticker)}/orderbook`,
  balance: '/portfolio/balance',
  createOrder: '/portfolio/events/orders',
  cancelOrder: (orderId: string) => `/portfolio/events/orders/${encodeURIComponent(orderId)}`,
  order: (orderId: string) => `/portfolio/orders/${encodeURIComponent(orderId)}`,
  orders: '/portfolio/orders',
  fills: '/portfolio/fills',
} as const;

/** Kalshi answers a reused client_order_id with 409 Conflict; the adapter then looks the first order up. */
export const KALSHI_DUPLICATE_STATUS = 409;

export type KalshiBookSide = 'bid' | 'ask';
/** Kalshi's `outcome_side`: the same two outcomes, in Kalshi's words. */
export type KalshiOutcomeSide = Outcome;
export type KalshiTimeInForce = 'fill_or_kill' | 'immediate_or_cancel' | 'good_till_canceled';
export type KalshiOrderStatus = 'resting' | 'canceled' | 'executed';

/**
 * Self-trade prevention, required on Create Order (V2). `taker_at_cross` cancels our incoming order when it would
 * trade against a resting order of the same account (fills already matched stand); `maker` would cancel the resting
 * order instead. This bot only takes liquidity: a resting order on the account was placed by a person or another
 * program, and must not be cancelled silently by ours; trading with ourselves would only pay two fees for nothing.
 */
export const KALSHI_SELF_TRADE_PREVENTION = 'taker_at_cross';

const TIME_IN_FORCE: Readonly<Record<TimeInForce, KalshiTimeInForce>> = {
  fok: 'fill_or_kill',
  ioc: 'immediate_or_cancel',
  gtc: 'good_till_canceled',
};

export interface KalshiCreateOrderBody {
  readonly ticker: string;
  readonly client_order_id: string;
  readonly side: KalshiBookSide;
  readonly count: string;
  readonly price: string;
  readonly time_in_force: KalshiTimeInForce;
  readonly self_trade_prevention_type: typeof KALSHI_SELF_TRADE_PREVENTION;
}

/** Where an order sits on the YES book: buying YES bids, buying NO asks at the complement, and so on. */
export function yesBookSide(outcome: Outcome, side: OrderSide): KalshiBookSide {
  const buysYes = (outcome === 'yes') === (side === 'buy');
  return buysYes ? 'bid' : 'ask';
}

/** A price on the requested outcome's book expressed on the YES book, and back (the map is its own inverse). */
export function toYesPrice(outcome: Outcome, price: PriceMicros): PriceMicros {
  return (outcome === 'yes' ? price : SCALE - price) as PriceMicros;
}

export function buildCreateOrderBody(request: PlaceOrderRequest): KalshiCreateOrderBody {
  return {
    ticker: request.market,
    client_order_id: request.clientOrderId,
    side: yesBookSide(request.outcome, request.side),
    // Counts carry 2 decimals and prices 4; anything finer is refused here rather than rounded.
    count: microsToDecimal(KALSHI, request.quantity, 2, 'quantity'),
    price: microsToDecimal(KALSHI, toYesPrice(request.outcome, request.limitPrice), 4, 'price'),
    time_in_force: TIME_IN_FORCE[request.timeInForce],
    self_trade_prevention_type: KALSHI_SELF_TRADE_PREVENTION,
  };
}

/**
 * `orderbook_fp` holds bids only, per side: yes_dollars and no_dollars, each level [price_dollars, count_fp]. The YES
 * book's asks are the NO bids seen from the other side (bookFromBids).
 */
export function parseOrderbook(body: unknown, ticker: string, outcome: Outcome, receivedMs: number): OrderBook {
  const book = Wire.of(KALSHI, 'orderbook', body).object('orderbook_fp');
  return bookFromBids(ticker, outcome, parseBidLevels(book, 'yes_dollars'), parseBidLevels(book, 'no_dollars'), receivedMs);
}

/**
 * One outcome's book from Kalshi's two bid ladders (best first), which is all Kalshi sends, over REST or the stream:
 * YES ask = 1 − NO bid, and the NO book mirrors it. Returned best-first as the port requires.
 */
export function bookFromBids(ticker: string, outcome: Outcome, yesBids: readonly BookLevel[], noBids: readonly BookLevel[], receivedMs: number): OrderBook {
  const own = outcome === 'yes' ? yesBids : noBids;
  const other = outcome === 'yes' ? noBids : yesBids;
  return {
    venue: KALSHI,
    market: ticker,
    outcome,
    bids: own,
    asks: other.map((level) => ({ price: (SCALE - level.price) as PriceMicros, size: level.size })),
    timestampMs: receivedMs,
  };
}

/**
 * One side's bid levels, best (highest) first, from `book[key]` (a REST `orderbook_fp` or a stream snapshot's `msg`).
 * Kalshi's sources disagree on the order they are sent in ("Orderbook Responses": ascending, best last; the SDK's
 * getMarketOrderbook: best to worst), and each level states its own price, so they are sorted here rather than
 * trusted; two levels at one price mean the format changed, and fail.
 */
export function parseBidLevels(book: Wire, key: string): BookLevel[] {
  const levels = book.array(key).map((pair, index) => {
    const what = `${book.what}.${key}[${index}]`;
    // The SDK types a level as a string array; its first two entries are price and count.
    if (!Array.isArray(pair) || pair.length < 2) return book.fail(`${key}[${index}]: expected [price, count]`);
    const price = parseWireDecimal(KALSHI, what, () => parsePrice(pair[0], { label: 'price' }));
    const size = parseWireDecimal(KALSHI, what, () => parseQty(pair[1], { label: 'count' }));
    if (price >= SCALE) book.fail(`${key}[${index}]: price must be below 1`);
    return { price, size };
  });
  levels.sort((left, right) => right.price - left.price);
  for (let index = 1; index < levels.length; index += 1) {
    if (levels[index]!.price === levels[index - 1]!.price) book.fail(`${key}: two levels at price ${dollars(levels[index]!.price)}`);
  }
  return levels;
}

export function parseBalance(body: unknown): VenueBalance {
  const wire = Wire.of(KALSHI, 'balance', body);
  // balance_dollars is required by GetBalanceResponse and exact below the cent (a direct member's balance is kept to
  // $0.0001); `balance` is whole cents and is only the fallback.
  const total = wire.has('balance_dollars') ? wire.micros('balance_dollars') : ((wire.integer('balance') * (SCALE / 100)) as Micros);
  return { total, available: total };
}

export interface KalshiCreatedOrder {
  readonly orderId: string;
  readonly fillCount: QtyMicros;
  readonly remainingCount: QtyMicros;
}

/** CreateOrderV2Response: `{order_id, client_order_id?, fill_count, remaining_count, ts_ms, average_*?}`. */
export function parseCreateOrderResponse(body: unknown): KalshiCreatedOrder {
  const wire = Wire.of(KALSHI, 'create order', body);
  return { orderId: wire.string('order_id'), fillCount: wire.qty('fill_count'), remainingCount: wire.qty('remaining_count') };
}

/** CancelOrderV2Response: `{order_id, client_order_id?, reduced_by, ts_ms}` — counts only, not the order. */
export interface KalshiCanceledOrder {
  readonly orderId: string;
  readonly reducedBy: QtyMicros;
}

export function parseCancelOrderResponse(body: unknown): KalshiCanceledOrder {
  const wire = Wire.of(KALSHI, 'cancel order', body);
  return { orderId: wire.string('order_id'), reducedBy: wire.qty('reduced_by') };
}

export interface KalshiOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly ticker: string;
  /** Where the order sits on the YES book (bid buys YES, ask sells YES, i.e. buys NO). */
  readonly bookSide: KalshiBookSide;
  /** The outcome it positions for: buy-yes and sell-no give 'yes', buy-no and sell-yes give 'no'. */
  readonly outcomeSide: KalshiOutcomeSide;
  readonly status: KalshiOrderStatus;
  readonly initialCount: QtyMicros;
  readonly fillCount: QtyMicros;
  readonly remainingCount: QtyMicros;
  /** The order's limit on the YES book; null when it has none strictly between 0 and 1 (not one of ours). */
  readonly yesPrice: PriceMicros | null;
}

const ORDER_STATUSES: readonly KalshiOrderStatus[] = ['resting', 'canceled', 'executed'];

function oneOf<T extends string>(wire: Wire, key: string, values: readonly T[]): T {
  const value = wire.string(key);
  if (!values.includes(value as T)) wire.fail(`${key}: expected ${values.join(' or ')}, got "${value}"`);
  return value as T;
}

/**
 * An Order as the SDK's model defines it. The direction is `book_side` (bid/ask) and `outcome_side` (yes/no); the
 * deprecated `side` (yes/no) and `action` are not read.
 */
function parseOrder(wire: Wire): KalshiOrder {
  const yesPrice = wire.price('yes_price_dollars', { allowZero: true });
  const initialCount = wire.qty('initial_count_fp');
  const fillCount = wire.qty('fill_count_fp');
  const remainingCount = wire.qty('remaining_count_fp');
  if (fillCount > initialCount) {
    throw new VenueProtocolError(KALSHI, `${wire.what}.fill_count_fp`, `${formatMicrosTrim(fillCount, 0)} filled of ${formatMicrosTrim(initialCount, 0)} ordered`);
  }
  return {
    orderId: wire.string('order_id'),
    clientOrderId: wire.string('client_order_id'),
    ticker: wire.string('ticker'),
    bookSide: oneOf(wire, 'book_side', ['bid', 'ask'] as const),
    outcomeSide: oneOf(wire, 'outcome_side', ['yes', 'no'] as const),
    status: oneOf(wire, 'status', ORDER_STATUSES),
    initialCount,
    fillCount,
    remainingCount,
    yesPrice: yesPrice > 0 && yesPrice < SCALE ? yesPrice : null,
  };
}

/** GET /portfolio/orders/{id} (GetOrderResponse): `{order:{…}}`. */
export function parseOrderEnvelope(body: unknown): KalshiOrder {
  return parseOrder(Wire.of(KALSHI, 'order', body).object('order'));
}

/** GET /portfolio/orders (GetOrdersResponse): `{orders:[…], cursor}`; an empty cursor means the last page. */
export function parseOrdersPage(body: unknown): Page<KalshiOrder> {
  const wire = Wire.of(KALSHI, 'orders', body);
  return { items: wire.objects('orders').map(parseOrder), nextCursor: cursorOf(wire) };
}

export interface KalshiFill {
  readonly fillId: string;
  readonly orderId: string;
  readonly count: QtyMicros;
  /** The fill's price on the YES book. */
  readonly yesPrice: PriceMicros;
  /** The fill's net fee (trade fee + rounding fee − rebate, see fees.ts). */
  readonly fee: Micros;
}

/** GET /portfolio/fills?order_id= (GetFillsResponse): fills carry no client_order_id, so they are matched on order_id. */
export function parseFillsPage(body: unknown): Page<KalshiFill> {
  const wire = Wire.of(KALSHI, 'fills', body);
  const items = wire.objects('fills').map((fill) => {
    const yesPrice = fill.price('yes_price_dollars');
    if (yesPrice > SCALE) throw new VenueProtocolError(KALSHI, `${fill.what}.yes_price_dollars`, `${dollars(yesPrice)} is outside (0, 1]`);
    // Read signed, so that a negative fee is named as the impossible claim it is rather than as malformed text.
    const fee = fill.micros('fee_cost', { allowNegative: true });
    if (fee < 0) throw new VenueProtocolError(KALSHI, `${fill.what}.fee_cost`, `a negative fee of ${formatMicrosTrim(fee, 4)}`);
    return { fillId: fill.string('fill_id'), orderId: fill.string('order_id'), count: fill.qty('count_fp', { allowZero: false }), yesPrice, fee };
  });
  return { items, nextCursor: cursorOf(wire) };
}

function cursorOf(wire: Wire): string | null {
  const cursor = wire.optionalString('cursor');
  return cursor === null || cursor === '' ? null : cursor;
}

/** The smallest count Kalshi accepts on a market with fractional trading ("Fixed-Point Migration": 0.01 contracts). */
const FRACTIONAL_MIN_COUNT = (SCALE / 100) as QtyMicros;

/**
 * GET /markets/{ticker} (GetMarketResponse) as the Venue port describes a market: the (deprecated but still sent)
 * title, else the YES side's short title; close_time; the tick from price_ranges; the minimum from
 * fractional_trading_enabled (documented on the "Fixed-Point Migration" page, not yet in the SDK's Market model):
 * 0.01 contracts when true, one whole contract when false, unknown when absent; the status and anything else that
 * changes how the market trades.
 */
export function parseMarketDescription(body: unknown, ticker: string): MarketDescription {
  const market = Wire.of(KALSHI, 'market', body).object('market');
  const status = market.string('status');
  const ranges = market.objects('price_ranges').map((range) => ({
    start: range.price('start', { allowZero: true }),
    end: range.price('end', { allowZero: true }),
    step: range.price('step'),
  }));
  const steps = [...new Set(ranges.map((range) => range.step))].sort((left, right) => left - right);
  // Every price on a coarser step is also on a finer one: the coarsest step is valid everywhere in the market.
  const tickSize = steps.length === 0 ? null : (steps[steps.length - 1]! as PriceMicros);
  const notes = [`status ${status}`];
  const marketType = market.string('market_type');
  if (marketType !== 'binary') notes.push(`${marketType} market`);
  if (steps.length > 1) {
    const fine = ranges.filter((range) => range.step !== tickSize).map((range) => `${dollars(range.start)}–${dollars(range.end)}`);
    notes.push(`tick $${dollars(steps[0]!)} in ${fine.join(', ')}`);
  }
  const yesTitle = market.optionalString('yes_sub_title');
  const fractional = market.has('fractional_trading_enabled') ? market.boolean('fractional_trading_enabled') : null;
  return {
    market: ticker,
    title: nonEmpty(market.optionalString('title')) ?? nonEmpty(yesTitle),
    closeTime: market.optionalString('close_time'),
    tickSize,
    minSize: fractional === null ? null : fractional ? FRACTIONAL_MIN_COUNT : (SCALE as QtyMicros),
    notes,
  };
}

/**
 * GET /markets?status=open (GetMarketsResponse): `{markets:[Market], cursor}`, an empty cursor on the last page. Each
 * market as the pair finder reads it: the title as parseMarketDescription takes it, `rules_primary` (and
 * `rules_secondary` when there is one) as the rules, the YES side's own name when it has one.
 */
export function parseMarketsPage(body: unknown, venue: string): Page<ListedMarket> {
  const wire = Wire.of(KALSHI, 'markets', body);
  const items = wire.objects('markets').map((market): ListedMarket => {
    const ticker = market.string('ticker');
    const rules = [market.optionalString('rules_primary'), market.optionalString('rules_secondary')].map(nonEmpty).filter((text) => text !== null);
    return {
      venue,
      market: ticker,
      title: nonEmpty(market.optionalString('title')) ?? nonEmpty(market.optionalString('yes_sub_title')) ?? ticker,
      closeTime: market.optionalString('close_time'),
      rules: rules.length === 0 ? null : rules.join('\n'),
      yesOutcome: nonEmpty(market.optionalString('yes_sub_title')) ?? 'Yes',
    };
  });
  return { items, nextCursor: cursorOf(wire) };
}

function nonEmpty(text: string | null): string | null {
  return text === null || text.trim() === '' ? null : text;
}

/** 10_000 → "0.01", 900_000 → "0.90" (at least two decimals, as Kalshi writes dollar prices). */
function dollars(micros: number): string {
  return formatMicrosTrim(micros, 2);
}

/**
 * Kalshi's error body as one line. kalshi-typescript 3.30.0's ErrorResponse is flat (`{code, message, details}`);
 * the Python SDK's ErrorResponse nests it (`{error:{code, message, details}}`); the Rate Limits page shows
 * `{"error": "too many requests"}`. All three are read.
 */
export function describeKalshiError(_status: number, body: unknown): string {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    const inner = record.error !== null && typeof record.error === 'object' ? (record.error as Record<string, unknown>) : record;
    const parts = [inner.code, inner.message].filter((part): part is string => typeof part === 'string' && part !== '');
    if (parts.length > 0) return parts.join(': ');
  }
  return errorText(body);
}
