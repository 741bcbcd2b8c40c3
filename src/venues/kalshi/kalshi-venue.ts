// Kalshi as a Venue: orients orders on the YES book, turns Kalshi's order and fill records into OrderReports, and
// resolves duplicates and unknown outcomes through the client order id, which Kalshi dedupes on.
import { IdempotencyConflictError } from '../../domain/errors.js';
import { formatMicrosTrim, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { VenueCredentialsError, VenueProtocolError, VenueResponseError } from '../errors.js';
import { assertPlaceable, assertReportWithin, BoundedMap, fillTotals, REMEMBERED_ORDERS_MAX, reportAfterAccept, type ReportFieldNames } from '../http/report.js';
import {
  OrderOutcomeUnknownError,
  VenueRejectedError,
  type Fill,
  type ListedMarket,
  type MarketDescription,
  type OrderBook,
  type OrderReport,
  type OrderSide,
  type Outcome,
  type PlaceOrderRequest,
  type Venue,
  type VenueBalance,
  type VenueOrderStatus,
  type BookStream,
  type LocalBooks,
} from '../venue.js';
import { StreamedBooks } from '../stream/streamed-books.js';
import type { BookSocketStream } from '../stream/book-socket.js';
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

/** Kalshi's names for what a report is checked on (assertReportWithin). */
const REPORT_FIELDS: ReportFieldNames = { filled: 'fill_count_fp', price: 'fills[].yes_price_dollars', fee: 'fills[].fee_cost' };

/** How a Kalshi order reads on the requested outcome's book. */
interface Orientation {
  readonly outcome: Outcome;
  readonly side: OrderSide;
}

export class KalshiVenue implements Venue {
  readonly predictionMarket = true;
  /** What we sent per client order id: orients reports of orders Kalshi only knows as bid/ask on YES. */
  private readonly sent = new BoundedMap<string, PlaceOrderRequest>(REMEMBERED_ORDERS_MAX);
  /** Present when the books are streamed: then the engine reads them from memory. */
  readonly stream?: BookStream;
  readonly localBooks?: LocalBooks;

  constructor(
    readonly name: string,
    private readonly client: KalshiClient,
    private readonly feeMultiplierPpm: number,
    private readonly nowMs: () => number = Date.now,
    /** Loads the credentials an order is signed with, throwing (naming what is missing) when it cannot. */
    private readonly loadCredentials: () => unknown = () => undefined,
    streamed: BookSocketStream | null = null,
  ) {
    if (streamed !== null) {
      this.stream = streamed;
      this.localBooks = new StreamedBooks(name, streamed.protocol.books);
    }
  }

  async close(): Promise<void> {
    await this.stream?.close();
  }

  /** Market data needs no credentials, orders do: checked before an arbitrage records anything. */
  assertCanTrade(): void {
    this.loadCredentials();
  }

  async getBook(market: string, outcome: Outcome): Promise<OrderBook> {
    const body = await this.client.getOrderbookBody(market);
    return { ...parseOrderbook(body, market, outcome, this.nowMs()), venue: this.name };
  }

  getBalance(): Promise<VenueBalance> {
    return this.client.getBalance();
  }

  describeMarket(market: string): Promise<MarketDescription> {
    return this.client.getMarket(market);
  }

  listMarkets(): Promise<readonly ListedMarket[]> {
    return this.client.listOpenMarkets();
  }

  async placeOrder(request: PlaceOrderRequest): Promise<OrderReport> {
    assertPlaceable(this.name, request);
    const body = buildCreateOrderBody(request); // refuses unrepresentable amounts before anything is sent
    // Keep the first request under an id: a conflicting reuse must not re-orient the original order's reports.
    if (this.sent.get(request.clientOrderId) === undefined) this.sent.set(request.clientOrderId, request);
    const created = await this.client.createOrder(body).catch((error: unknown) => {
      // Missing or unreadable credentials stop the request before it is signed: certainly not placed.
      throw error instanceof VenueCredentialsError ? new VenueRejectedError(this.name, null, error.message) : error;
    });
    // Kalshi says the order exists: a failed lookup from here on must read as unknown, never as "not placed".
    if (created === 'duplicate') return reportAfterAccept(this.name, request.clientOrderId, () => this.resolveDuplicate(request));
    return reportAfterAccept(this.name, request.clientOrderId, () => this.reportCreated(request, created));
  }

  async getOrderByClientId(clientOrderId: string, market: string): Promise<OrderReport | null> {
    const order = await this.client.findOrderByClientId(clientOrderId, market);
    return order === null ? null : this.reportOrder(order);
  }

  /** Cancel Order (V2) answers with counts only: the order itself is read back for the report. */
  async cancelOrder(venueOrderId: string, market: string): Promise<OrderReport> {
    const canceled = await this.client.cancelOrder(venueOrderId, market);
    if (canceled.orderId !== venueOrderId) throw new VenueResponseError(this.name, `cancelled order ${canceled.orderId}, not ${venueOrderId}`);
    return this.reportOrder(await this.client.getOrder(venueOrderId));
  }

  takerFee(_market: string, quantity: QtyMicros, price: PriceMicros): Micros {
    return kalshiTakerFee(quantity, price, this.feeMultiplierPpm);
  }

  /** Kalshi said the client order id exists (409): report that order, provided it is the same order. */
  private async resolveDuplicate(request: PlaceOrderRequest): Promise<OrderReport> {
    const order = await this.client.findOrderByClientId(request.clientOrderId, request.market);
    if (order === null) {
      throw new OrderOutcomeUnknownError(request.clientOrderId, `${this.name}: Kalshi reports client order id ${request.clientOrderId} as used, but no such order was found`);
    }
    if (!isSameOrder(order, request)) {
      throw new IdempotencyConflictError(`${this.name}: client order id ${request.clientOrderId} was already used for a different order`);
    }
    return this.reportOrder(order);
  }

  private async reportCreated(request: PlaceOrderRequest, created: KalshiCreatedOrder): Promise<OrderReport> {
    const fills = created.fillCount > 0 ? await this.client.getFills(created.orderId) : [];
    const status = statusFromCounts(created.fillCount, created.remainingCount, request.quantity);
    const terms = { quantity: request.quantity, limitPrice: request.limitPrice };
    const report = this.buildReport(request.clientOrderId, created.orderId, status, created.fillCount, created.remainingCount, fills, request, terms);
    assertReportWithin(this.name, request, report, REPORT_FIELDS);
    return report;
  }

  private async reportOrder(order: KalshiOrder): Promise<OrderReport> {
    const fills = order.fillCount > 0 ? await this.client.getFills(order.orderId) : [];
    const orientation = this.sent.get(order.clientOrderId) ?? orientationOf(order);
    // The order's own terms, read on the book it was ordered on: recovery of an armed trade records the order from them.
    const terms = order.yesPrice === null ? undefined : { quantity: order.initialCount, limitPrice: toYesPrice(orientation.outcome, order.yesPrice) };
    const report = this.buildReport(order.clientOrderId, order.orderId, statusOfOrder(order), order.fillCount, order.remainingCount, fills, orientation, terms);
    // Held to what we sent when this process sent it, otherwise to the order's own terms as Kalshi holds them.
    const sent = this.sent.get(order.clientOrderId);
    const bounds = sent ?? (terms === undefined ? null : { clientOrderId: order.clientOrderId, side: orientation.side, ...terms });
    if (bounds !== null) assertReportWithin(this.name, bounds, report, REPORT_FIELDS);
    return report;
  }

  private buildReport(
    clientOrderId: string,
    orderId: string,
    status: VenueOrderStatus,
    fillCount: QtyMicros,
    remainingCount: QtyMicros,
    kalshiFills: readonly KalshiFill[],
    orientation: Orientation,
    terms: OrderReport['terms'],
  ): OrderReport {
    const fills = kalshiFills.map((fill) => toFill(fill, orientation.outcome));
    const totals = fillTotals(fills, orientation.side);
    // The order's count and its fills are two views of one fact; if they disagree the fills list is incomplete.
    if (totals.filledQuantity !== fillCount) {
      throw new VenueProtocolError(this.name, 'fill_count_fp', `order ${orderId}: fills add up to ${formatMicrosTrim(totals.filledQuantity, 0)} but the order shows ${formatMicrosTrim(fillCount, 0)} filled`);
    }
    const report: OrderReport = { clientOrderId, venueOrderId: orderId, status, remainingQuantity: remainingCount, fills, rejectReason: null, ...totals };
    return terms === undefined ? report : { ...report, terms };
  }
}

/**
 * Without our own record of the request (another process placed it), Kalshi's order cannot tell "sell YES" from "buy
 * NO" (both are an ask with outcome_side no); an arbitrage bot only buys, so it reads as buying its outcome_side.
 */
function orientationOf(order: KalshiOrder): Orientation {
  return { outcome: order.outcomeSide, side: 'buy' };
}

/** A retry of the same request, rather than a client order id reused for another order. */
function isSameOrder(order: KalshiOrder, request: PlaceOrderRequest): boolean {
  return (
    order.ticker === request.market &&
    order.bookSide === yesBookSide(request.outcome, request.side) &&
    order.initialCount === request.quantity &&
    order.yesPrice === toYesPrice(request.outcome, request.limitPrice)
  );
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
