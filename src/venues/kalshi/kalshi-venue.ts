// Kalshi as a Venue: orients orders on the YES book, turns Kalshi's order and fill records into OrderReports, and
// resolves duplicates and unknown outcomes through the client order id, which Kalshi dedupes on.
import { IdempotencyConflictError } from '../../domain/errors.js';
import type { Micros, PriceMicros, QtyMicros } from '../../domain/money.js';
import { VenueResponseError } from '../http/errors.js';
import { assertPlaceable, BoundedMap, fillTotals, REMEMBERED_ORDERS_MAX, reportAfterAccept } from '../http/report.js';
import {
  OrderOutcomeUnknownError,
  type Fill,
  type OrderBook,
  type OrderReport,
  type OrderSide,
  type Outcome,
  type PlaceOrderRequest,
  type Venue,
  type VenueBalance,
  type VenueOrderStatus,
} from '../venue.js';
import type { KalshiClient } from './client.js';
import { kalshiTakerFee } from './fees.js';
import {
  buildCreateOrderBody,
  parseOrderbook,
  toYesPrice,
  yesBookSide,
  type KalshiCreatedOrder,
  type KalshiFill,
  type KalshiOrder,
} from './models.js';

/** How a Kalshi order reads on the requested outcome's book. */
interface Orientation {
  readonly outcome: Outcome;
  readonly side: OrderSide;
}

export class KalshiVenue implements Venue {
  readonly predictionMarket = true;
  /** What we sent per client order id: orients reports of orders Kalshi only knows as bid/ask on YES. */
  private readonly sent = new BoundedMap<string, PlaceOrderRequest>(REMEMBERED_ORDERS_MAX);

  constructor(
    readonly name: string,
    private readonly client: KalshiClient,
    private readonly feeMultiplierPpm: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async getBook(market: string, outcome: Outcome): Promise<OrderBook> {
    const body = await this.client.getOrderbookBody(market);
    return { ...parseOrderbook(body, market, outcome, this.nowMs()), venue: this.name };
  }

  getBalance(): Promise<VenueBalance> {
    return this.client.getBalance();
  }

  async placeOrder(request: PlaceOrderRequest): Promise<OrderReport> {
    assertPlaceable(this.name, request);
    const body = buildCreateOrderBody(request); // refuses unrepresentable amounts before anything is sent
    // Keep the first request under an id: a conflicting reuse must not re-orient the original order's reports.
    if (this.sent.get(request.clientOrderId) === undefined) this.sent.set(request.clientOrderId, request);
    const created = await this.client.createOrder(body);
    // Kalshi says the order exists: a failed lookup from here on must read as unknown, never as "not placed".
    if (created === 'duplicate') return reportAfterAccept(this.name, request.clientOrderId, () => this.resolveDuplicate(request));
    return reportAfterAccept(this.name, request.clientOrderId, () => this.reportCreated(request, created));
  }

  async getOrderByClientId(clientOrderId: string, market: string): Promise<OrderReport | null> {
    const orders = await this.client.findOrdersByClientId(clientOrderId, market);
    if (orders.length === 0) return null;
    if (orders.length > 1) throw new VenueResponseError(this.name, `${orders.length} orders carry client order id ${clientOrderId}`);
    return this.reportOrder(orders[0]!);
  }

  async cancelOrder(venueOrderId: string, _market: string): Promise<OrderReport> {
    const order = await this.client.cancelOrder(venueOrderId);
    return this.reportOrder(order);
  }

  takerFee(_market: string, quantity: QtyMicros, price: PriceMicros): Micros {
    return kalshiTakerFee(quantity, price, this.feeMultiplierPpm);
  }

  /** Kalshi said the client order id exists (409): report that order, provided it is the same order. */
  private async resolveDuplicate(request: PlaceOrderRequest): Promise<OrderReport> {
    const orders = await this.client.findOrdersByClientId(request.clientOrderId, request.market);
    const order = orders[0];
    if (order === undefined) {
      throw new OrderOutcomeUnknownError(request.clientOrderId, `${this.name}: Kalshi reports client order id ${request.clientOrderId} as used, but no such order was found`);
    }
    if (order.ticker !== request.market || order.side !== yesBookSide(request.outcome, request.side)) {
      throw new IdempotencyConflictError(`${this.name}: client order id ${request.clientOrderId} was already used for a different order`);
    }
    return this.reportOrder(order);
  }

  private async reportCreated(request: PlaceOrderRequest, created: KalshiCreatedOrder): Promise<OrderReport> {
    const fills = created.fillCount > 0 ? await this.client.getFills(created.orderId) : [];
    const status = statusFromCounts(created.fillCount, created.remainingCount, request.quantity);
    return this.buildReport(request.clientOrderId, created.orderId, status, created.fillCount, created.remainingCount, fills, request);
  }

  private async reportOrder(order: KalshiOrder): Promise<OrderReport> {
    const fills = order.fillCount > 0 ? await this.client.getFills(order.orderId) : [];
    const orientation = this.sent.get(order.clientOrderId) ?? orientationOf(order);
    return this.buildReport(order.clientOrderId, order.orderId, statusOfOrder(order), order.fillCount, order.remainingCount, fills, orientation);
  }

  private buildReport(
    clientOrderId: string,
    orderId: string,
    status: VenueOrderStatus,
    fillCount: QtyMicros,
    remainingCount: QtyMicros,
    kalshiFills: readonly KalshiFill[],
    orientation: Orientation,
  ): OrderReport {
    const fills = kalshiFills.map((fill) => toFill(fill, orientation.outcome));
    const totals = fillTotals(fills, orientation.side);
    // The order's count and its fills are two views of one fact; if they disagree the fills list is incomplete.
    if (totals.filledQuantity !== fillCount) {
      throw new VenueResponseError(this.name, `order ${orderId}: fills add up to ${totals.filledQuantity} but the order shows ${fillCount} filled`);
    }
    return { clientOrderId, venueOrderId: orderId, status, remainingQuantity: remainingCount, fills, rejectReason: null, ...totals };
  }
}

/**
 * Without our own record of the request (another process placed it), Kalshi's bid/ask on YES cannot tell "sell YES"
 * from "buy NO"; an arbitrage bot only buys, so bid reads as buying YES and ask as buying NO.
 */
function orientationOf(order: KalshiOrder): Orientation {
  return { outcome: order.side === 'bid' ? 'yes' : 'no', side: 'buy' };
}

function toFill(fill: KalshiFill, outcome: Outcome): Fill {
  return { fillId: fill.fillId, quantity: fill.count, price: toYesPrice(outcome, fill.yesPrice), fee: fill.fee };
}

export function statusOfOrder(order: KalshiOrder): VenueOrderStatus {
  if (order.status === 'executed') return 'filled';
  if (order.fillCount > 0) return 'partially_filled'; // an IOC remainder cancelled, or a GTC still resting
  return order.status === 'resting' ? 'open' : 'canceled';
}

/** The create response carries counts only: an FOK/IOC remainder is cancelled at once, a GTC one rests. */
export function statusFromCounts(filled: QtyMicros, remaining: QtyMicros, requested: QtyMicros): VenueOrderStatus {
  if (remaining > 0) return filled > 0 ? 'partially_filled' : 'open';
  if (filled >= requested) return 'filled';
  return filled > 0 ? 'partially_filled' : 'canceled';
}
