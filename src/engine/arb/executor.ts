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
import type { Ledger } from '../../ledger/ledger.js';
import type { PlaceOrderRequest, Venue } from '../../venues/venue.js';
import { checkFunding, lookupOrder, placeWithTimeout, worstCaseCost } from './orders.js';
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

export function newClientOrderId(): string {
  return `arbbot-${randomUUID()}`;
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
  const newLeg = (leg: 'a' | 'b'): NewLeg => {
    const plan = opportunity[leg];
    return { leg, venue: plan.venue, market: plan.market, outcome: plan.outcome, side: 'buy', quantity: plan.quantity, limitPrice: plan.limitPrice, clientOrderId: newClientOrderId() };
  };
  // One commit before anything is sent (one fsync at synchronous=FULL): the trade, its legs with their client order
  // ids, both reservations and the legs marked submitted are written together. Each step is a savepoint, so a
  // failure inside one rolls back only that step and the trade is recorded as failed in the same commit.
  const prepared = ledger.transaction((): Prepared => {
    const { trade, legs } = store.createTrade({
      pair: opportunity.pair,
      direction: opportunity.direction,
      contracts: opportunity.contracts,
      expectedNetEdge: opportunity.netEdge,
      legs: [newLeg('a'), newLeg('b')],
    });
    const [legA, legB] = legs as [ArbLeg, ArbLeg];
    let reserved: string | null;
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
    if (reserved !== null) return { kind: 'failed', tradeId: trade.id, reason: reserved };
    try {
      return ledger.transaction((): Prepared => {
        const requests: [PlaceOrderRequest, PlaceOrderRequest] = [
          legRequest(store.requireLeg(legA.id), config.arbitrage.timeInForce),
          legRequest(store.requireLeg(legB.id), config.arbitrage.timeInForce),
        ];
        checkFunding(ledger, venueA, requests[0], { kind: 'reservation', reservation: ledger.requireReservation(store.requireLeg(legA.id).reservation_id ?? -1) });
        checkFunding(ledger, venueB, requests[1], { kind: 'reservation', reservation: ledger.requireReservation(store.requireLeg(legB.id).reservation_id ?? -1) });
        markSubmitted(deps, trade.id, [legA.id, legB.id]);
        return { kind: 'ready', tradeId: trade.id, legA, legB, requests };
      });
    } catch (error) {
      // Nothing was sent: undo everything (the seed's leak on "coroutine creation" errors).
      const reason = `error preparing the orders: ${(error as Error).message}`;
      abandon(deps, trade.id, reason);
      return { kind: 'failed', tradeId: trade.id, reason };
    }
  });
  if (prepared.kind === 'error') throw prepared.error;
  if (prepared.kind === 'failed') return { status: 'failed', tradeId: prepared.tradeId, reason: prepared.reason };
  const { legA, legB, requests } = prepared;
  const trade = { id: prepared.tradeId };
  const timeoutMs = config.arbitrage.orderTimeoutMs;
  const [outcomeA, outcomeB] = await Promise.all([placeWithTimeout(venueA, requests[0], timeoutMs), placeWithTimeout(venueB, requests[1], timeoutMs)]);
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

/** Both reservations in one transaction. Returns null on success, or why nothing was reserved (trade marked failed). */
function reserveBoth(deps: ArbDeps, tradeId: number, legs: readonly { leg: ArbLeg; venue: Venue; average: PriceMicros }[]): string | null {
  const { ledger, store } = deps;
  try {
    ledger.transaction(() => {
      for (const { leg, venue, average } of legs) {
        const amount = worstCaseCost(venue, legRequest(leg, 'fok'), average);
        const { reservation } = ledger.reserve({
          venue: leg.venue,
          amount,
          idempotencyKey: `arb-leg:${leg.client_order_id}`,
          purpose: `arb #${tradeId} leg ${leg.leg.toUpperCase()}`,
          description: `Reserved ${formatUsd(amount)} for arb #${tradeId} leg ${leg.leg.toUpperCase()} (${leg.market} ${leg.outcome.toUpperCase()})`,
        });
        store.transitionLeg(leg.id, 'reserved', { reservation_id: reservation.id });
      }
      store.setTradeState(tradeId, 'reserved');
    });
    return null;
  } catch (error) {
    if (!(error instanceof InsufficientBalanceError)) throw error;
    const reason = error.message;
    ledger.transaction(() => {
      for (const { leg } of legs) store.transitionLeg(leg.id, 'settled', {}, `not placed: ${reason}`);
      store.setTradeState(tradeId, 'failed', { outcome: 'none', note: reason });
    });
    return reason;
  }
}

function markSubmitted(deps: ArbDeps, tradeId: number, legIds: readonly number[]): void {
  deps.ledger.transaction(() => {
    for (const id of legIds) deps.store.transitionLeg(id, 'submitted');
    deps.store.setTradeState(tradeId, 'submitted');
  });
}

/** Releases the reservations of a trade that never sent an order, and marks it failed. */
export function abandon(deps: ArbDeps, tradeId: number, reason: string): void {
  const { ledger, store } = deps;
  ledger.transaction(() => {
    for (const leg of store.legsOf(tradeId)) {
      if (leg.state === 'submitted' || leg.state === 'unknown') throw new Error(`leg ${leg.id} may have been sent: it cannot be abandoned`);
      if (leg.reservation_id !== null) ledger.releaseReservation(leg.reservation_id, { description: `Released arb #${tradeId} leg ${leg.leg.toUpperCase()}: ${reason}` });
      if (leg.state !== 'settled') store.transitionLeg(leg.id, 'settled', {}, `not placed: ${reason}`);
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
