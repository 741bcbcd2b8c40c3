// Placing orders. The reservation is what a reserved order consumes: an order placed under a pending reservation
// that covers its worst-case cost needs no balance check (the balance IS the reservation), while a direct order
// still checks available balance. There is no flag to skip a check.
import { InputError, InsufficientBalanceError, VenueUnavailableError } from '../../domain/errors.js';
import { formatUsd, notional, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { Ledger, Reservation } from '../../ledger/ledger.js';
import { VenueProtocolError } from '../../venues/errors.js';
import { OrderOutcomeUnknownError, VenueRejectedError, type OrderReport, type PlaceOrderRequest, type Venue } from '../../venues/venue.js';

export type Funding = { readonly kind: 'reservation'; readonly reservation: Reservation } | { readonly kind: 'direct' } | { readonly kind: 'sale' };

/** The most a buy can cost: every contract at the limit price, plus the largest fee any price up to the limit incurs. */
export function worstCaseCost(venue: Venue, request: Pick<PlaceOrderRequest, 'market' | 'quantity' | 'limitPrice'>, averagePrice: PriceMicros): Micros {
  const cost = notional(request.quantity, request.limitPrice, 'up');
  const prices = [request.limitPrice, averagePrice];
  // Quadratic fees (Kalshi, Polymarket) peak at 0.5: include it when it lies between the two prices.
  if (Math.min(averagePrice, request.limitPrice) <= 500_000 && Math.max(averagePrice, request.limitPrice) >= 500_000) prices.push(500_000 as PriceMicros);
  const fee = Math.max(...prices.map((price) => venue.takerFee(request.market, request.quantity as QtyMicros, price)));
  return (cost + fee) as Micros;
}

/** Checks the funding for a buy before it is sent; throws when it does not cover the order. */
export function checkFunding(ledger: Ledger, venue: Venue, request: PlaceOrderRequest, funding: Funding): void {
  if (funding.kind === 'sale') {
    if (request.side !== 'sell') throw new InputError('only a sell is funded by the contracts it sells');
    return;
  }
  if (funding.kind === 'reservation') {
    assertReservationFunds(ledger.requireReservation(funding.reservation.id), venue, request);
    return;
  }
  const needed = worstCaseCost(venue, request, request.limitPrice);
  const wallet = ledger.requireWallet(venue.name);
  if (wallet.available < needed) {
    throw new InsufficientBalanceError(venue.name, needed, wallet.available, `insufficient available balance on ${venue.name}: order may cost ${formatUsd(needed)}, available ${formatUsd(wallet.available)}`);
  }
}

/**
 * Checks that a reservation, as currently stored, can fund a buy before it is sent: pending, on the order's venue,
 * and holding at least the order's worst-case cost. Throws InputError otherwise.
 */
export function assertReservationFunds(reservation: Reservation, venue: Venue, request: PlaceOrderRequest): void {
  if (reservation.state !== 'pending') throw new InputError(`reservation #${reservation.id} is ${reservation.state}: it cannot fund an order`);
  if (reservation.venue !== venue.name) throw new InputError(`reservation #${reservation.id} is on ${reservation.venue}, the order on ${venue.name}`);
  const needed = worstCaseCost(venue, request, request.limitPrice);
  if (reservation.amount < needed) {
    throw new InputError(`reservation #${reservation.id} holds ${formatUsd(reservation.amount)}, the order may cost ${formatUsd(needed)}`);
  }
}

export type PlaceOutcome =
  | { readonly kind: 'report'; readonly report: OrderReport }
  /** stillInFlight: the request may still be open at the venue (our timer or the adapter's fired), so it may yet process it. */
  | { readonly kind: 'unknown'; readonly reason: string; readonly stillInFlight: boolean }
  | { readonly kind: 'error'; readonly reason: string };

/**
 * Sends an order with a timeout. A timeout or a dropped answer is 'unknown' — the venue may have the order — and
 * is resolved by asking the venue by client order id, never by guessing. Any other error is a definite failure
 * only when the venue says so; an unexpected exception is treated as unknown too.
 */
export function placeWithTimeout(venue: Venue, request: PlaceOrderRequest, timeoutMs: number): Promise<PlaceOutcome> {
  return withinTimeout(sendOrder(venue, request), timeoutMs);
}

/**
 * Hands the order to the venue at once and classifies its answer. The timeout is armed apart (withinTimeout), so a
 * caller sending two legs hands both over before arming either timer.
 */
export function sendOrder(venue: Venue, request: PlaceOrderRequest): Promise<PlaceOutcome> {
  let placing: Promise<OrderReport>;
  try {
    placing = venue.placeOrder(request);
  } catch (error) {
    // An adapter that throws instead of rejecting must not stop the other leg from being sent.
    placing = Promise.reject(error);
  }
  return placing.then(
    (report): PlaceOutcome => ({ kind: 'report', report }),
    (error: unknown): PlaceOutcome => {
      // An adapter's own HTTP timeout (or a dropped connection) leaves the request just as open at the venue as our
      // timer does: let the venue finish before asking, or an order it accepts a moment later is booked as never placed.
      if (error instanceof OrderOutcomeUnknownError) return { kind: 'unknown', reason: error.message, stillInFlight: true };
      // Refused by the venue, or never reached it (connection refused, 429 before processing): certainly not placed.
      if (error instanceof VenueRejectedError || error instanceof VenueUnavailableError) return { kind: 'error', reason: error.message };
      return { kind: 'unknown', reason: error instanceof Error ? error.message : String(error), stillInFlight: false };
    },
  );
}

/** The order's outcome, or 'unknown' (still in flight) when no answer comes within `timeoutMs` of this call. */
export async function withinTimeout(placed: Promise<PlaceOutcome>, timeoutMs: number): Promise<PlaceOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<PlaceOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'unknown', reason: `no answer within ${timeoutMs} ms`, stillInFlight: true }), timeoutMs);
  });
  try {
    return await Promise.race([placed, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Asks the venue what became of an order; null when the venue has no order under that client order id. A venue that
 * answers the impossible (VenueProtocolError) is no answer either, but its claim is returned to be recorded.
 */
export async function lookupOrder(venue: Venue, clientOrderId: string, market: string, timeoutMs: number): Promise<OrderReport | null | 'unreachable' | VenueProtocolError> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'unreachable'>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), timeoutMs);
  });
  try {
    const asked = venue.getOrderByClientId(clientOrderId, market).catch((error: unknown) => (error instanceof VenueProtocolError ? error : ('unreachable' as const)));
    return await Promise.race([asked, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
