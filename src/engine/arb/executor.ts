// Executing an arbitrage: the seed's execute_arbitrage_trade without its bugs.
//   1. record the trade and both legs with their client order ids (before anything is sent)
//   2. reserve both legs' worst-case cost in ONE transaction (all or nothing: a short second wallet reserves nothing)
//   3. mark both legs submitted, then send both concurrently, fill-or-kill, with a timeout
//   4. an unknown outcome is resolved by asking the venue by client order id — never by guessing
//   5. settle both legs from what actually filled (settle.ts); an excess on one leg becomes an unhedged record
// Before step 3 any failure releases everything; after it, nothing is released without the venue's word.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../config/config.js';
import { InsufficientBalanceError } from '../../domain/errors.js';
import { formatUsd, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { ArbLeg, ArbStore, NewLeg } from '../../ledger/arb-store.js';
import type { Ledger, Reservation, ReserveInput } from '../../ledger/ledger.js';
import type { PlaceOrderRequest, Venue } from '../../venues/venue.js';
import { assertReservationFunds, lookupOrder, sendOrder, withinTimeout, worstCaseCost } from './orders.js';
import type { Opportunity } from './scanner.js';
import { recordKnownVerdicts, settleTrade, type LegVerdict, type SettleResult } from './settle.js';

export interface ArbDeps {
  readonly ledger: Ledger;
  readonly store: ArbStore;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly config: Config;
}

export type ArbResult =
  | { readonly status: 'settled'; readonly tradeId: number; readonly settlement: SettleResult }
  | { readonly status: 'failed'; readonly tradeId: number | null; readonly reason: string }
  /** A leg's outcome is still unknown: reservations stay pending until reconcile hears from the venue. */
  | { readonly status: 'pending'; readonly tradeId: number; readonly reason: string };

/** How long to let a timed-out request finish at the venue before asking what became of it. */
const UNKNOWN_GRACE_MS_MAX = 2_000;

type Prepared =
  | { readonly kind: 'ready'; readonly tradeId: number; readonly legA: ArbLeg; readonly legB: ArbLeg; readonly requests: [PlaceOrderRequest, PlaceOrderRequest] }
  | { readonly kind: 'failed'; readonly tradeId: number; readonly reason: string }
  | { readonly kind: 'error'; readonly error: unknown };

/**
 * A fresh client order id: a version-7 UUID (RFC 9562), the wall-clock millisecond in its first 48 bits and 74
 * random bits after. Time-ordered ids land at the right edge of the unique indexes on client order ids and
 * reservation keys, so the commit before every send writes one leaf page of each instead of a random leaf per leg.
 * Wall clock, not the ledger's (replayed) clock: ids must stay unique across replays of the same feed.
 */
export function newClientOrderId(): string {
  const random = randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx, V the RFC variant
  return `${idPrefixOf(Date.now())}7${random.slice(15)}`;
}

/** The last millisecond's id prefix: a number's hex text costs ten times the UUID, and both legs share a millisecond. */
let idPrefixMs = Number.NaN;
let idPrefix = '';

/** "arbbot-" and the 48-bit millisecond as UUID text: "arbbot-tttttttt-tttt-". */
function idPrefixOf(ms: number): string {
  if (ms !== idPrefixMs) {
    const time = ms.toString(16).padStart(12, '0');
    idPrefix = `arbbot-${time.slice(0, 8)}-${time.slice(8, 12)}-`;
    idPrefixMs = ms;
  }
  return idPrefix;
}

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

export async function executeArb(deps: ArbDeps, opportunity: Opportunity): Promise<ArbResult> {
  const { ledger, store, config } = deps;
  let venueA: Venue;
  let venueB: Venue;
  try {
    venueA = requireVenue(deps, opportunity.a.venue);
    venueB = requireVenue(deps, opportunity.b.venue);
  } catch (error) {
    return { status: 'failed', tradeId: null, reason: (error as Error).message };
  }
  const prepared = prepare(deps, opportunity, venueA, venueB);
  if (prepared.kind === 'error') throw prepared.error;
  if (prepared.kind === 'failed') return { status: 'failed', tradeId: prepared.tradeId, reason: prepared.reason };
  const { legA, legB, requests } = prepared;
  const trade = { id: prepared.tradeId };
  const timeoutMs = config.arbitrage.orderTimeoutMs;
  // Both legs are handed over before either timer is armed: the second order should not wait on the first's timer.
  const sentA = sendOrder(venueA, requests[0]);
  const sentB = sendOrder(venueB, requests[1]);
  const [outcomeA, outcomeB] = await Promise.all([withinTimeout(sentA, timeoutMs), withinTimeout(sentB, timeoutMs)]);
  const verdicts = new Map<number, LegVerdict>();
  const unknown: string[] = [];
  for (const [leg, venue, outcome] of [[legA, venueA, outcomeA], [legB, venueB, outcomeB]] as const) {
    const verdict =
      outcome.kind === 'report'
        ? ({ kind: 'report', report: outcome.report } as const)
        : outcome.kind === 'error'
          ? ({ kind: 'rejected', reason: outcome.reason } as const)
          : await resolveUnknown(deps, leg, venue, outcome.reason, outcome.stillInFlight);
    if (verdict) verdicts.set(leg.id, verdict);
    else unknown.push(`leg ${leg.leg} on ${leg.venue}`);
  }
  if (unknown.length > 0) {
    recordKnownVerdicts(ledger, store, verdicts);
    return { status: 'pending', tradeId: trade.id, reason: `outcome unknown for ${unknown.join(' and ')}; reconcile will settle it` };
  }
  return { status: 'settled', tradeId: trade.id, settlement: settleTrade(ledger, store, config, trade.id, verdicts) };
}

/**
 * Steps 1–3 up to the send, in ONE commit (one fsync at synchronous=FULL): the trade, its legs with their client
 * order ids, both reservations and the legs marked submitted are written together, or nothing is sent. Reserving
 * and submitting are savepoints, so a failure inside one rolls back only that step and the trade is recorded as
 * failed in the same commit. Nothing written here is read back: each row is kept as written.
 */
function prepare(deps: ArbDeps, opportunity: Opportunity, venueA: Venue, venueB: Venue): Prepared {
  const { ledger, store, config } = deps;
  const newLeg = (leg: 'a' | 'b'): NewLeg => {
    const plan = opportunity[leg];
    return { leg, venue: plan.venue, market: plan.market, outcome: plan.outcome, side: 'buy', quantity: plan.quantity, limitPrice: plan.limitPrice, clientOrderId: newClientOrderId() };
  };
  return ledger.transaction((): Prepared => {
    // No savepoint of its own: a failure here leaves this transaction, which then rolls back whole.
    const { trade, legs } = store.createTradeWithin({
      pair: opportunity.pair,
      direction: opportunity.direction,
      contracts: opportunity.contracts,
      expectedNetEdge: opportunity.netEdge,
      legs: [newLeg('a'), newLeg('b')],
    });
    const [legA, legB] = legs as [ArbLeg, ArbLeg];
    let reserved: Reserved;
    try {
      reserved = reserveBoth(deps, trade.id, [
        { leg: legA, venue: venueA, average: opportunity.a.averagePrice },
        { leg: legB, venue: venueB, average: opportunity.b.averagePrice },
      ]);
    } catch (error) {
      // Not a short balance: nothing is held and nothing was sent. Fail the trade, or it would keep the pair's
      // in-flight slot (and the engine stop trading the pair) until a reconcile; the error is re-thrown after commit.
      abandon(deps, trade.id, `error reserving: ${(error as Error).message}`);
      return { kind: 'error', error };
    }
    if (reserved.kind === 'short') return { kind: 'failed', tradeId: trade.id, reason: reserved.reason };
    const [reservationA, reservationB] = reserved.reservations;
    try {
      const requests: [PlaceOrderRequest, PlaceOrderRequest] = [legRequest(legA, config.arbitrage.timeInForce), legRequest(legB, config.arbitrage.timeInForce)];
      // The reservations as just written in this transaction: each must cover its order's worst case. These checks
      // write nothing, and submitNewLegs is a savepoint of its own: a failure of this step rolls back only the step.
      assertReservationFunds(reservationA, venueA, requests[0]);
      assertReservationFunds(reservationB, venueB, requests[1]);
      const [submittedA, submittedB] = store.submitNewLegs(trade.id, [
        { leg: legA, reservationId: reservationA.id },
        { leg: legB, reservationId: reservationB.id },
      ]) as [ArbLeg, ArbLeg];
      return { kind: 'ready', tradeId: trade.id, legA: submittedA, legB: submittedB, requests };
    } catch (error) {
      // Nothing was sent: undo everything (the seed's leak on "coroutine creation" errors). The rolled-back step
      // had linked the reservations to their legs, so they are named here.
      const reason = `error preparing the orders: ${(error as Error).message}`;
      abandon(deps, trade.id, reason, new Map([[legA.id, reservationA.id], [legB.id, reservationB.id]]));
      return { kind: 'failed', tradeId: trade.id, reason };
    }
  });
}

type Reserved = { readonly kind: 'reserved'; readonly reservations: readonly [Reservation, Reservation] } | { readonly kind: 'short'; readonly reason: string };

interface LegToReserve {
  readonly leg: ArbLeg;
  readonly venue: Venue;
  readonly average: PriceMicros;
}

/** Both reservations in one transaction: all or nothing. Short on either wallet: nothing reserved, the trade marked failed. */
function reserveBoth(deps: ArbDeps, tradeId: number, legs: readonly [LegToReserve, LegToReserve]): Reserved {
  const { ledger, store } = deps;
  try {
    const [reservationA, reservationB] = ledger.reserveAll([reservationFor(tradeId, legs[0]), reservationFor(tradeId, legs[1])]);
    if (!reservationA || !reservationB) throw new Error('ledger bug: reserveAll returned fewer reservations than asked');
    return { kind: 'reserved', reservations: [reservationA, reservationB] };
  } catch (error) {
    if (!(error instanceof InsufficientBalanceError)) throw error;
    const reason = error.message;
    ledger.transaction(() => {
      for (const { leg } of legs) store.transitionLeg(leg.id, 'settled', {}, `not placed: ${reason}`);
      store.setTradeState(tradeId, 'failed', { outcome: 'none', note: reason });
    });
    return { kind: 'short', reason };
  }
}

function reservationFor(tradeId: number, { leg, venue, average }: LegToReserve): ReserveInput {
  const amount = worstCaseCost(venue, legRequest(leg, 'fok'), average);
  const legName = leg.leg.toUpperCase();
  return {
    venue: leg.venue,
    amount,
    idempotencyKey: `arb-leg:${leg.client_order_id}`,
    purpose: `arb #${tradeId} leg ${legName}`,
    description: `Reserved ${formatUsd(amount)} for arb #${tradeId} leg ${legName} (${leg.market} ${leg.outcome.toUpperCase()})`,
  };
}

/**
 * Releases the reservations of a trade that never sent an order, and marks it failed. `reservationsByLeg` names
 * reservations not (or no longer) linked to their leg's row: a rolled-back submit step leaves them that way.
 */
export function abandon(deps: ArbDeps, tradeId: number, reason: string, reservationsByLeg: ReadonlyMap<number, number> = new Map()): void {
  const { ledger, store } = deps;
  ledger.transaction(() => {
    for (const leg of store.legsOf(tradeId)) {
      if (leg.state === 'submitted' || leg.state === 'unknown') throw new Error(`leg ${leg.id} may have been sent: it cannot be abandoned`);
      const reservationId = leg.reservation_id ?? reservationsByLeg.get(leg.id) ?? null;
      if (reservationId !== null) ledger.releaseReservation(reservationId, { description: `Released arb #${tradeId} leg ${leg.leg.toUpperCase()}: ${reason}` });
      // The leg keeps the link to the reservation it held, released or not.
      const patch = leg.reservation_id === null && reservationId !== null ? { reservation_id: reservationId } : {};
      if (leg.state !== 'settled') store.transitionLeg(leg.id, 'settled', patch, `not placed: ${reason}`);
    }
    store.setTradeState(tradeId, 'failed', { outcome: 'none', note: reason });
  });
}

/**
 * An order whose answer was lost: wait out the timeout once more (a slow venue may still be processing it), then
 * ask by client order id. Found → its report. Not there → never placed, unless our request may still be on its way
 * (then still unknown). Venue unreachable → still unknown (null).
 */
export async function resolveUnknown(deps: ArbDeps, leg: ArbLeg, venue: Venue, reason: string, stillInFlight = false): Promise<LegVerdict | null> {
  // Read the leg afresh, in the same transaction as the change: callers may hold the row as it was created, and
  // another process may have settled it meanwhile.
  deps.ledger.transaction(() => {
    if (deps.store.requireLeg(leg.id).state === 'submitted') deps.store.transitionLeg(leg.id, 'unknown', {}, reason);
  });
  const timeoutMs = deps.config.arbitrage.orderTimeoutMs;
  if (stillInFlight) await sleep(Math.min(timeoutMs, UNKNOWN_GRACE_MS_MAX));
  const found = await lookupOrder(venue, leg.client_order_id, leg.market, timeoutMs);
  if (found === 'unreachable') return null;
  // A request still open when our timer fired may reach the venue after this look-up: absence proves nothing yet.
  // Releasing now would leave a late fill at the venue that the ledger never books; reconcile asks again later.
  if (found === null && stillInFlight) return null;
  if (found === null) return { kind: 'rejected', reason: `${venue.name} has no order ${leg.client_order_id}: never placed (${reason})` };
  return { kind: 'report', report: found };
}
