// Pieces of an OrderReport that every adapter computes the same way.
import { IdempotencyConflictError } from '../../domain/errors.js';
import { formatMicros, notional, SCALE, type Micros, type QtyMicros } from '../../domain/money.js';
import { OrderOutcomeUnknownError, VenueRejectedError, type Fill, type OrderReport, type OrderSide, type PlaceOrderRequest } from '../venue.js';
import { VenueProtocolError } from '../errors.js';

export interface FillTotals {
  readonly filledQuantity: QtyMicros;
  readonly filledNotional: Micros;
  readonly feePaid: Micros;
}

/** Sums fills; each fill's notional is rounded against us (up when buying, down when selling). */
export function fillTotals(fills: readonly Fill[], side: OrderSide): FillTotals {
  let filledQuantity = 0;
  let filledNotional = 0;
  let feePaid = 0;
  for (const fill of fills) {
    filledQuantity += fill.quantity;
    filledNotional += notional(fill.quantity, fill.price, side === 'buy' ? 'up' : 'down');
    feePaid += fill.fee;
  }
  return { filledQuantity: filledQuantity as QtyMicros, filledNotional: filledNotional as Micros, feePaid: feePaid as Micros };
}

/**
 * A map that forgets its oldest entries past `entriesMax`: adapters remember what they sent (per client order id) to
 * answer duplicates and lookups, and a long-running bot must not grow that memory without bound.
 */
export class BoundedMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly entriesMax: number) {
    if (!(entriesMax >= 1)) throw new RangeError('BoundedMap: entriesMax must be at least 1');
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  set(key: K, value: V): void {
    this.entries.delete(key); // re-inserting moves the key to the newest position
    this.entries.set(key, value);
    while (this.entries.size > this.entriesMax) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  values(): IterableIterator<V> {
    return this.entries.values();
  }
}

/** Orders remembered per adapter instance. */
export const REMEMBERED_ORDERS_MAX = 10_000;

/**
 * Checks a request before anything is sent: a prediction-market price strictly between 0 and 1, a positive
 * quantity and a client order id. Refusals are VenueRejectedError, so the caller knows nothing was placed.
 */
export function assertPlaceable(venue: string, request: PlaceOrderRequest): void {
  const refuse = (why: string): never => {
    throw new VenueRejectedError(venue, null, `${venue}: order ${request.clientOrderId || '(no client id)'} not sent: ${why}`);
  };
  if (request.clientOrderId.trim() === '') refuse('client order id is empty');
  if (!Number.isSafeInteger(request.quantity) || request.quantity <= 0) refuse('quantity must be positive');
  if (!Number.isSafeInteger(request.limitPrice) || request.limitPrice <= 0 || request.limitPrice >= SCALE) {
    refuse('limit price must lie strictly between 0 and 1');
  }
}

/**
 * Runs the reads that turn an accepted order into a report. The order exists by now, so a failure here must not
 * surface as "not placed" (VenueUnavailableError): it becomes OrderOutcomeUnknownError and the caller looks it up.
 */
export async function reportAfterAccept<T>(venue: string, clientOrderId: string, build: () => Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    // Already precise: unknown stays unknown, a reused client id is the caller's error, not the venue's, and an
    // impossible report keeps its venue and field.
    if (error instanceof OrderOutcomeUnknownError || error instanceof IdempotencyConflictError || error instanceof VenueProtocolError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    throw new OrderOutcomeUnknownError(
      clientOrderId,
      `${venue}: order ${clientOrderId} was accepted but its report could not be read (${why}); look it up by client order id`,
    );
  }
}

/** The venue's own names for the fields a report is built from, for the messages of assertReportWithin. */
export interface ReportFieldNames {
  /** The filled count, e.g. Kalshi's fill_count_fp. */
  readonly filled: string;
  /** A fill's price, e.g. Polymarket's trades[].price. */
  readonly price: string;
  /** A fill's fee, e.g. Kalshi's fees[].fee_cost. */
  readonly fee: string;
}

/**
 * Holds a venue's report of an order to what the order allowed, before anything of it is booked: the order it
 * answers for, no more filled than ordered, every fill at a price in (0, 1] and at or better than the limit (at most
 * it for a buy, at least it for a sell), no negative fee, fills that add up to the report. Throws VenueProtocolError
 * naming the venue's field otherwise.
 */
export function assertReportWithin(venue: string, order: Pick<PlaceOrderRequest, 'clientOrderId' | 'side' | 'quantity' | 'limitPrice'>, report: OrderReport, fields: ReportFieldNames): void {
  const impossible = (field: string, claim: string): never => {
    throw new VenueProtocolError(venue, field, `${claim} (order ${order.clientOrderId})`);
  };
  if (report.clientOrderId !== order.clientOrderId && report.clientOrderId !== '') {
    impossible('client order id', `a report for ${report.clientOrderId}, not for the order asked about`);
  }
  if (report.filledQuantity > order.quantity) impossible(fields.filled, `${formatMicros(report.filledQuantity)} filled of ${formatMicros(order.quantity)} ordered`);
  let filled = 0;
  report.fills.forEach((fill, index) => {
    const price = fields.price.replace('[]', `[${index}]`);
    if (!(fill.quantity > 0)) impossible(fields.filled, `fill ${fill.fillId} of ${formatMicros(fill.quantity)} contracts`);
    if (!(fill.price > 0 && fill.price <= SCALE)) impossible(price, `${formatMicros(fill.price)} is outside (0, 1]`);
    const worse = order.side === 'buy' ? fill.price > order.limitPrice : fill.price < order.limitPrice;
    if (worse) impossible(price, `${formatMicros(fill.price)} is worse than the limit ${formatMicros(order.limitPrice)} for a ${order.side}`);
    if (fill.fee < 0) impossible(fields.fee.replace('[]', `[${index}]`), `a negative fee of ${formatMicros(fill.fee)}`);
    filled += fill.quantity;
  });
  if (report.fills.length > 0 && filled !== report.filledQuantity) {
    impossible(fields.filled, `fills add up to ${formatMicros(filled)} but ${formatMicros(report.filledQuantity)} is reported filled`);
  }
  if (report.feePaid < 0) impossible(fields.fee, `a negative fee of ${formatMicros(report.feePaid)}`);
  if (report.filledNotional < 0) impossible(fields.price, `a negative cost of ${formatMicros(report.filledNotional)}`);
}
