// Executing an arbitrage, in the order that makes every failure recoverable (docs/arbitrage.md):
//   1. in ONE commit before anything is sent: the trade, both legs' worst-case cost reserved, and both legs with their
//      client order ids, written as submitted (all or nothing: a short second wallet reserves nothing). With the
//      pair armed (armed.ts), that commit was made ahead of the opportunity: the orders leave at once and their
//      sizes are recorded right after, in the same synchronous turn
//   2. send both concurrently, fill-or-kill, with a timeout
//   3. an unknown outcome is resolved by asking the venue by client order id — never by guessing
//   4. settle both legs from what actually filled (settle.ts); an excess on one leg becomes an unhedged record
// Before the send any failure undoes everything; after it, nothing is released without the venue's word.
import { setTimeout as sleep } from 'node:timers/promises';
import { InsufficientBalanceError } from '../../domain/errors.js';
import { formatUsd, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { ArbLeg, NewLeg, NewTrade } from '../../ledger/arb-store.js';
import type { Reservation, ReserveInput } from '../../ledger/ledger.js';
import { VenueProtocolError } from '../../venues/errors.js';
import type { PlaceOrderRequest, Venue } from '../../venues/venue.js';
import type { ArmedTrade, ArmedTrades } from './armed.js';
import { assertReservationFunds, lookupOrder, sendOrder, withinTimeout, worstCaseCost, type PlaceOutcome } from './orders.js';
import type { Opportunity } from './scanner.js';
import { bookAnswers, type LegAnswer } from './quarantine.js';
import type { SettleResult } from './settle.js';
import type { ArbDeps } from './trade-records.js';
import { newClientOrderId } from '../../domain/ids.js';

export { abandon, type ArbDeps } from './trade-records.js';
export { newClientOrderId } from '../../domain/ids.js';

export type ArbResult =
  | { readonly status: 'settled'; readonly tradeId: number; readonly settlement: SettleResult }
  | { readonly status: 'failed'; readonly tradeId: number | null; readonly reason: string }
  /** A leg's outcome is still unknown: reservations stay pending until reconcile hears from the venue. */
  | { readonly status: 'pending'; readonly tradeId: number; readonly reason: string }
  /**
   * A venue reported the impossible about a leg (reason: the claim): that leg is held, its money reserved, until the
   * venue answers sanely or a person records what happened; the other leg is booked (settlement: what was booked).
   */
  | { readonly status: 'needs_attention'; readonly tradeId: number; readonly reason: string; readonly settlement: SettleResult };

/** How long to let a timed-out request finish at the venue before asking what became of it. */
const UNKNOWN_GRACE_MS_MAX = 2_000;

type Prepared =
  | { readonly kind: 'ready'; readonly tradeId: number; readonly legA: ArbLeg; readonly legB: ArbLeg; readonly requests: readonly [PlaceOrderRequest, PlaceOrderRequest] }
  | { readonly kind: 'failed'; readonly tradeId: number; readonly reason: string };

function legRequest(leg: ArbLeg, timeInForce: 'fok' | 'ioc'): PlaceOrderRequest {
  return {
    clientOrderId: leg.client_order_id,
    market: leg.market,
    outcome: leg.outcome,
    side: leg.side,
    quantity: leg.quantity as QtyMicros,
    limitPrice: leg.limit_price as PriceMicros,
    timeInForce,
  };
}

function requireVenue(deps: ArbDeps, name: string): Venue {
  const venue = deps.venues.get(name);
  if (!venue) throw new Error(`venue ${name} is not configured`);
  return venue;
}

/**
 * Fails, before anything is recorded, when a venue cannot take orders at all (e.g. its credentials are missing).
 * `handed` is called once both orders are in the venues' hands (before their answers), and not at all when none was sent.
 */
export async function executeArb(deps: ArbDeps, opportunity: Opportunity, armed: ArmedTrades | null = null, handed?: () => void): Promise<ArbResult> {
  const { config } = deps;
  let venueA: Venue;
  let venueB: Venue;
  try {
    venueA = requireVenue(deps, opportunity.a.venue);
    venueB = requireVenue(deps, opportunity.b.venue);
    // Before anything is recorded: a leg its venue could not send would leave the other one unhedged.
    venueA.assertCanTrade?.();
    venueB.assertCanTrade?.();
  } catch (error) {
    return { status: 'failed', tradeId: null, reason: (error as Error).message };
  }
  let sent: Sent;
  const ready = armed ? takeArmed(armed, opportunity, venueA, venueB, config.arbitrage.timeInForce) : null;
  if (ready) {
    sent = fireArmed(deps, ready, opportunity, venueA, venueB, handed);
    if (sent.kind === 'unrecorded') {
      await Promise.all([sent.sentA, sent.sentB]);
      return { status: 'pending', tradeId: sent.tradeId, reason: sent.reason };
    }
  } else {
    const prepared = prepare(deps, opportunity, venueA, venueB);
    if (prepared.kind === 'failed') return { status: 'failed', tradeId: prepared.tradeId, reason: prepared.reason };
    // Both legs are handed over before either timer is armed: the second order should not wait on the first's timer.
    const { tradeId, legA, legB, requests } = prepared;
    sent = { kind: 'recorded', tradeId, legA, legB, sentA: sendOrder(venueA, requests[0]), sentB: sendOrder(venueB, requests[1]) };
    handed?.();
  }
  const { legA, legB, tradeId } = sent;
  const timeoutMs = config.arbitrage.orderTimeoutMs;
  const [outcomeA, outcomeB] = await Promise.all([withinTimeout(sent.sentA, timeoutMs), withinTimeout(sent.sentB, timeoutMs)]);
  const answers = new Map<number, LegAnswer>();
  const unknown: string[] = [];
  for (const [leg, venue, outcome] of [[legA, venueA, outcomeA], [legB, venueB, outcomeB]] as const) {
    const answer = await answerOf(deps, leg, venue, outcome);
    answers.set(leg.id, answer);
    if (answer === null) unknown.push(`leg ${leg.leg} on ${leg.venue} (${outcome.kind === 'unknown' ? outcome.reason : 'no answer'})`);
  }
  // Whatever a venue reported, even the impossible (an overfill an adapter let through), is judged and booked here:
  // a claim that cannot be true holds its leg and marks the trade, and the other leg is still booked.
  const booked = bookAnswers(deps, tradeId, answers);
  if (booked.kind === 'pending') return { status: 'pending', tradeId, reason: `outcome unknown for ${unknown.join(' and ')}; reconcile will settle it` };
  if (booked.kind === 'needs_attention') return { status: 'needs_attention', tradeId, reason: booked.claim, settlement: booked.settlement };
  return { status: 'settled', tradeId, settlement: booked.settlement };
}

/** Both orders handed over, and the legs as recorded sent; or handed over with their record not written. */
type Sent =
  | { readonly kind: 'recorded'; readonly tradeId: number; readonly legA: ArbLeg; readonly legB: ArbLeg; readonly sentA: Promise<PlaceOutcome>; readonly sentB: Promise<PlaceOutcome> }
  | { readonly kind: 'unrecorded'; readonly tradeId: number; readonly reason: string; readonly sentA: Promise<PlaceOutcome>; readonly sentB: Promise<PlaceOutcome> };

interface ReadyArmed {
  readonly armed: ArmedTrade;
  readonly requests: readonly [PlaceOrderRequest, PlaceOrderRequest];
}

/**
 * The pair's armed trade with the opportunity's orders under its client order ids, when it can carry them: same
 * direction, no more contracts than it allows, each leg's worst case within the funds its leg holds. Taken from
 * `armed` then (it is fired now); released when it cannot carry them, so the opportunity is funded the usual way.
 */
function takeArmed(armed: ArmedTrades, opportunity: Opportunity, venueA: Venue, venueB: Venue, timeInForce: 'fok' | 'ioc'): ReadyArmed | null {
  const ticket = armed.live(opportunity.pair);
  if (!ticket) return null;
  // The armed legs' rows hold bounds: each order takes its size and limit from the opportunity.
  const order = (leg: ArbLeg, plan: Opportunity['a']): PlaceOrderRequest => ({ ...legRequest(leg, timeInForce), quantity: plan.quantity, limitPrice: plan.limitPrice });
  const requests = [order(ticket.legA, opportunity.a), order(ticket.legB, opportunity.b)] as const;
  const reason = misfit(ticket, opportunity, requests, venueA, venueB);
  if (reason !== null) {
    armed.disarm(opportunity.pair, reason);
    return null;
  }
  armed.take(opportunity.pair);
  return { armed: ticket, requests };
}

/** Why an armed trade cannot carry these orders, or null when it can. */
function misfit(ticket: ArmedTrade, opportunity: Opportunity, requests: readonly [PlaceOrderRequest, PlaceOrderRequest], venueA: Venue, venueB: Venue): string | null {
  if (ticket.direction !== opportunity.direction) return 'an opportunity came in the other direction';
  const fits =
    opportunity.contracts <= ticket.contractsMax &&
    worstCaseCost(venueA, requests[0], opportunity.a.averagePrice) <= ticket.reservationA.amount &&
    worstCaseCost(venueB, requests[1], opportunity.b.averagePrice) <= ticket.reservationB.amount;
  return fits ? null : 'an opportunity needed more than it holds';
}

/**
 * The fast path: both orders handed to the venues at once (their funds and client order ids were made durable when
 * the trade was armed), then, in the same synchronous turn, the orders' sizes and limit prices recorded with the
 * trade and legs moved to submitted. Should that record fail, the orders are out and the trade stays armed in the
 * ledger: recovery asks the venues by client order id and settles it, as after a crash at this very point.
 */
function fireArmed(deps: ArbDeps, { armed, requests }: ReadyArmed, opportunity: Opportunity, venueA: Venue, venueB: Venue, handed?: () => void): Sent {
  const sentA = sendOrder(venueA, requests[0]);
  const sentB = sendOrder(venueB, requests[1]);
  handed?.();
  try {
    const [legA, legB] = deps.ledger.transaction(() =>
      deps.store.fireArmedWithin(
        armed.tradeId,
        { contracts: opportunity.contracts, expectedNetEdge: opportunity.netEdge },
        [
          { leg: armed.legA, quantity: requests[0].quantity, limitPrice: requests[0].limitPrice },
          { leg: armed.legB, quantity: requests[1].quantity, limitPrice: requests[1].limitPrice },
        ],
        'sent from the armed trade',
      ),
    ) as [ArbLeg, ArbLeg];
    return { kind: 'recorded', tradeId: armed.tradeId, legA, legB, sentA, sentB };
  } catch (error) {
    return { kind: 'unrecorded', tradeId: armed.tradeId, reason: `orders sent but not recorded (${(error as Error).message}); reconcile will settle them from the venues`, sentA, sentB };
  }
}

/**
 * Step 1, up to the send, in ONE commit (one fsync at synchronous=FULL): the trade, both reservations and both
 * legs with their client order ids, written as submitted, or nothing at all. Any failure in it rolls the whole
 * transaction back, so nothing is held and nothing is sent: a short wallet is then recorded as a failed trade in a
 * transaction of its own, and any other error is thrown. Nothing written here is read back: each row is kept as
 * written.
 */
function prepare(deps: ArbDeps, opportunity: Opportunity, venueA: Venue, venueB: Venue): Prepared {
  const { ledger, store, config } = deps;
  const planned = (leg: 'a' | 'b'): NewLeg => {
    const plan = opportunity[leg];
    return { leg, venue: plan.venue, market: plan.market, outcome: plan.outcome, side: 'buy', quantity: plan.quantity, limitPrice: plan.limitPrice, clientOrderId: newClientOrderId() };
  };
  const [planA, planB] = [planned('a'), planned('b')];
  const trade: NewTrade = { pair: opportunity.pair, direction: opportunity.direction, contracts: opportunity.contracts, expectedNetEdge: opportunity.netEdge, legs: [planA, planB] };
  try {
    return ledger.transaction((): Prepared => {
      let reservations: Reservation[] = [];
      const submitted = store.submitNewTradeWithin(trade, (tradeId) => {
        reservations = ledger.reserveWithin([
          reservationFor(tradeId, planA, { venue: venueA, average: opportunity.a.averagePrice }),
          reservationFor(tradeId, planB, { venue: venueB, average: opportunity.b.averagePrice }),
        ]);
        return reservations.map((reservation) => reservation.id);
      });
      const [legA, legB] = submitted.legs as [ArbLeg, ArbLeg];
      const [reservationA, reservationB] = reservations as [Reservation, Reservation];
      const requests: [PlaceOrderRequest, PlaceOrderRequest] = [legRequest(legA, config.arbitrage.timeInForce), legRequest(legB, config.arbitrage.timeInForce)];
      // The reservations as just written: each must cover its order's worst case, or the whole commit is undone.
      assertReservationFunds(reservationA, venueA, requests[0]);
      assertReservationFunds(reservationB, venueB, requests[1]);
      return { kind: 'ready', tradeId: submitted.trade.id, legA, legB, requests };
    });
  } catch (error) {
    if (!(error instanceof InsufficientBalanceError)) throw error;
    return { kind: 'failed', tradeId: recordNotPlaced(deps, trade, error.message), reason: error.message };
  }
}

/** Where a leg's worst case is priced: its venue's fees, at the average price the scan planned it at. */
interface LegPricing {
  readonly venue: Venue;
  readonly average: PriceMicros;
}

/**
 * A trade found but not placed for want of funds: recorded failed with its legs, none of them sent, so the history
 * says why the opportunity was passed over. Returns its id.
 */
function recordNotPlaced(deps: ArbDeps, trade: NewTrade, reason: string): number {
  const { ledger, store } = deps;
  return ledger.transaction(() => {
    const { trade: recorded, legs } = store.createTradeWithin(trade);
    for (const leg of legs) store.transitionLeg(leg.id, 'settled', {}, `not placed: ${reason}`);
    store.setTradeState(recorded.id, 'failed', { outcome: 'none', note: reason });
    return recorded.id;
  });
}

function reservationFor(tradeId: number, leg: NewLeg, { venue, average }: LegPricing): ReserveInput {
  const amount = worstCaseCost(venue, { market: leg.market, quantity: leg.quantity as QtyMicros, limitPrice: leg.limitPrice as PriceMicros }, average);
  const legName = leg.leg.toUpperCase();
  return {
    venue: leg.venue,
    amount,
    idempotencyKey: `arb-leg:${leg.clientOrderId}`,
    purpose: `arb #${tradeId} leg ${legName}`,
    description: `Reserved ${formatUsd(amount)} for arb #${tradeId} leg ${legName} (${leg.market} ${leg.outcome.toUpperCase()})`,
  };
}


/** What a placement's outcome says of its leg: the venue's report, its refusal, or (answer lost) what asking it says. */
export async function answerOf(deps: ArbDeps, leg: ArbLeg, venue: Venue, outcome: PlaceOutcome): Promise<LegAnswer> {
  if (outcome.kind === 'report') return { kind: 'report', report: outcome.report };
  if (outcome.kind === 'error') return { kind: 'rejected', reason: outcome.reason };
  return resolveUnknown(deps, leg, venue, outcome.reason, outcome.stillInFlight);
}

/**
 * An order whose answer was lost: wait out the timeout once more (a slow venue may still be processing it), then
 * ask by client order id. Found → its report. Not there → never placed, unless our request may still be on its way
 * (then still unknown). Venue unreachable → still unknown (null). An answer that cannot be true → the venue's claim,
 * for the caller to hold the leg on (nothing of it is booked).
 */
export async function resolveUnknown(deps: ArbDeps, leg: ArbLeg, venue: Venue, reason: string, stillInFlight = false): Promise<LegAnswer> {
  // Read the leg afresh, in the same transaction as the change: callers may hold the row as it was created, and
  // another process may have settled it meanwhile.
  deps.ledger.transaction(() => {
    if (deps.store.requireLeg(leg.id).state === 'submitted') deps.store.transitionLeg(leg.id, 'unknown', {}, reason);
  });
  const timeoutMs = deps.config.arbitrage.orderTimeoutMs;
  if (stillInFlight) await sleep(Math.min(timeoutMs, UNKNOWN_GRACE_MS_MAX));
  const found = await lookupOrder(venue, leg.client_order_id, leg.market, timeoutMs);
  if (found instanceof VenueProtocolError) return { kind: 'claim', claim: found };
  if (found === 'unreachable') return null;
  // A request still open when our timer fired may reach the venue after this look-up: absence proves nothing yet.
  // Releasing now would leave a late fill at the venue that the ledger never books; reconcile asks again later.
  if (found === null && stillInFlight) return null;
  if (found === null) return { kind: 'rejected', reason: `${venue.name} has no order ${leg.client_order_id}: never placed (${reason})` };
  return { kind: 'report', report: found };
}
