// Kalshi Trade API v2 wire shapes (fixed-point era, 2026) and their translation to and from the Venue port's types.
// Everything that knows a Kalshi field name lives in this file, so an API change touches only here.
//
// Units on the wire: prices are dollar strings ("0.4200", up to 4 decimals in practice, 6 allowed); counts are
// "_fp" strings with 2 decimals ("10.00"); balance is integer cents plus balance_dollars.
// Kalshi quotes everything on the YES book: buying NO at q is an ask on YES at 1 − q.
import { SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { microsToDecimal } from '../http/live-options.js';
import type { Page } from '../http/paginate.js';
import { errorText, parseWireDecimal, Wire } from '../http/wire.js';
import { parsePrice, parseQty } from '../../domain/money.js';
import type { BookLevel, OrderBook, OrderSide, Outcome, PlaceOrderRequest, TimeInForce, VenueBalance } from '../venue.js';

export const KALSHI = 'kalshi';

/** Paths below the base URL (which ends in /trade-api/v2; the signature covers the full path). */
export const KALSHI_PATHS = {
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
export const KALSHI_NOT_FOUND_STATUS = 404;

export type KalshiBookSide = 'bid' | 'ask';
export type KalshiTimeInForce = 'fill_or_kill' | 'immediate_or_cancel' | 'good_till_canceled';
export type KalshiOrderStatus = 'resting' | 'canceled' | 'executed';

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
  };
}

/**
 * `orderbook_fp` holds bids only, per side, ascending (best last). The YES book's asks are the NO bids seen from
 * the other side: YES ask = 1 − NO bid. Returned best-first as the port requires.
 */
export function parseOrderbook(body: unknown, ticker: string, outcome: Outcome, receivedMs: number): OrderBook {
  const book = Wire.of(KALSHI, 'orderbook', body).object('orderbook_fp');
  const yesBids = parseBidLevels(book, 'yes_dollars');
  const noBids = parseBidLevels(book, 'no_dollars');
  const own = outcome === 'yes' ? yesBids : noBids;
  const other = outcome === 'yes' ? noBids : yesBids;
  return {
    venue: KALSHI,
    market: ticker,
    outcome,
    bids: [...own].reverse(),
    asks: [...other].reverse().map((level) => ({ price: (SCALE - level.price) as PriceMicros, size: level.size })),
    timestampMs: receivedMs,
  };
}

function parseBidLevels(book: Wire, key: string): BookLevel[] {
  const levels = book.array(key).map((pair, index) => {
    const what = `orderbook_fp.${key}[${index}]`;
    if (!Array.isArray(pair) || pair.length !== 2) return book.fail(`${key}[${index}]: expected [price, count]`);
    const price = parseWireDecimal(KALSHI, what, () => parsePrice(pair[0], { label: 'price' }));
    const size = parseWireDecimal(KALSHI, what, () => parseQty(pair[1], { label: 'count' }));
    if (price >= SCALE) book.fail(`${key}[${index}]: price must be below 1`);
    return { price, size };
  });
  for (let index = 1; index < levels.length; index += 1) {
    // Kalshi documents ascending order; a book in another order means the format changed, not that we should guess.
    if (levels[index]!.price <= levels[index - 1]!.price) book.fail(`${key}: levels not in ascending price order`);
  }
  return levels;
}

export function parseBalance(body: unknown): VenueBalance {
  const wire = Wire.of(KALSHI, 'balance', body);
  // balance_dollars is exact to the cent like `balance`; prefer it, fall back to cents for older responses.
  const total = wire.has('balance_dollars') ? wire.micros('balance_dollars') : ((wire.integer('balance') * (SCALE / 100)) as Micros);
  return { total, available: total };
}

export interface KalshiCreatedOrder {
  readonly orderId: string;
  readonly fillCount: QtyMicros;
  readonly remainingCount: QtyMicros;
}

export function parseCreateOrderResponse(body: unknown): KalshiCreatedOrder {
  const wire = Wire.of(KALSHI, 'create order', body);
  return { orderId: wire.string('order_id'), fillCount: wire.qty('fill_count'), remainingCount: wire.qty('remaining_count') };
}

export interface KalshiOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly ticker: string;
  readonly side: KalshiBookSide;
  readonly status: KalshiOrderStatus;
  readonly fillCount: QtyMicros;
  readonly remainingCount: QtyMicros;
}

const ORDER_STATUSES: readonly KalshiOrderStatus[] = ['resting', 'canceled', 'executed'];

function parseOrder(wire: Wire): KalshiOrder {
  const status = wire.string('status');
  if (!ORDER_STATUSES.includes(status as KalshiOrderStatus)) wire.fail(`status: unknown value "${status}"`);
  const side = wire.string('side');
  if (side !== 'bid' && side !== 'ask') wire.fail(`side: expected bid or ask, got "${side}"`);
  return {
    orderId: wire.string('order_id'),
    clientOrderId: wire.string('client_order_id'),
    ticker: wire.string('ticker'),
    side,
    status: status as KalshiOrderStatus,
    fillCount: wire.qty('fill_count_fp'),
    remainingCount: wire.qty('remaining_count_fp'),
  };
}

/** GET /portfolio/orders/{id} and DELETE …/orders/{id}: `{order:{…}}`. */
export function parseOrderEnvelope(body: unknown): KalshiOrder {
  return parseOrder(Wire.of(KALSHI, 'order', body).object('order'));
}

/** GET /portfolio/orders: `{orders:[…], cursor}`; an empty cursor means the last page. */
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
  readonly fee: Micros;
}

/** GET /portfolio/fills?order_id=: fills no longer carry client_order_id, so they are matched on order_id. */
export function parseFillsPage(body: unknown): Page<KalshiFill> {
  const wire = Wire.of(KALSHI, 'fills', body);
  const items = wire.objects('fills').map((fill) => ({
    fillId: fill.string('fill_id'),
    orderId: fill.string('order_id'),
    count: fill.qty('count_fp'),
    yesPrice: fill.price('yes_price_dollars'),
    fee: fill.micros('fee_cost'),
  }));
  return { items, nextCursor: cursorOf(wire) };
}

function cursorOf(wire: Wire): string | null {
  const cursor = wire.optionalString('cursor');
  return cursor === null || cursor === '' ? null : cursor;
}

/** Kalshi's error envelope: `{"error":{"code","message","details"}}`. */
export function describeKalshiError(_status: number, body: unknown): string {
  if (body !== null && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (error !== null && typeof error === 'object') {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return [code, message].filter((part) => typeof part === 'string' && part !== '').join(': ') || 'no details';
    }
  }
  return errorText(body);
}
