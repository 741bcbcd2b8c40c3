// Unhedged legs are first-class: after a trade settles with an excess on one leg, the configured policy runs —
// try to complete the hedge within a price limit, else unwind at the best price, else hold under the TP/SL ladder.
// Hedge and unwind orders are legs of the same trade (client order id stored before sending) and are recovered
// after a crash like any other leg.
import type { Micros, PriceMicros, QtyMicros } from '../../domain/money.js';
import { mulDiv, SCALE } from '../../domain/money.js';
import type { ArbLeg, UnhedgedLeg } from '../../ledger/arb-store.js';
import { VenueProtocolError } from '../../venues/errors.js';
import type { Venue } from '../../venues/venue.js';
import { answerOf, newClientOrderId, type ArbDeps } from './executor.js';
import { checkFunding, lookupOrder, placeWithTimeout, worstCaseCost } from './orders.js';
import { walkAsks, walkBids } from './scanner.js';
import { legPosition, type LegVerdict } from './settle.js';

export type UnhedgedOutcome = 'hedged' | 'unwound' | 'held' | 'pending';

export async function handleUnhedged(deps: ArbDeps, unhedged: UnhedgedLeg): Promise<UnhedgedOutcome> {
  const action = deps.config.arbitrage.unhedgedAction;
  if (action === 'hold') return 'held';
  if (action === 'hedge') {
    const hedged = await tryHedge(deps, unhedged);
    if (hedged !== 'not_possible') return hedged;
  }
  const unwound = await tryUnwind(deps, unhedged);
  return unwound === 'not_possible' ? 'held' : unwound;
}

/**
 * A ladder exit of an unhedged leg: its contracts are held at the venue, so the exit is a real sale there (all or
 * nothing at the best bids), booked from the fill. Not while an earlier hedge or unwind order is still unsettled.
 */
export async function exitUnhedged(deps: ArbDeps, unhedged: UnhedgedLeg): Promise<UnhedgedOutcome> {
  const unsettled = deps.store.legsOf(unhedged.trade_id).some((leg) => (leg.leg === 'hedge' || leg.leg === 'unwind') && leg.state !== 'settled');
  if (unsettled) return 'pending';
  const unwound = await tryUnwind(deps, unhedged);
  return unwound === 'not_possible' ? 'held' : unwound;
}

/** Buys what the other leg failed to buy, if the pair still costs at most 1 + hedgeMaxLoss per contract with fees. */
async function tryHedge(deps: ArbDeps, unhedged: UnhedgedLeg): Promise<UnhedgedOutcome | 'not_possible'> {
  const { ledger, store } = deps;
  const leg = store.requireLeg(unhedged.leg_id);
  const other = store.legsOf(unhedged.trade_id).find((l) => (l.leg === 'a' || l.leg === 'b') && l.id !== leg.id);
  const venue = other ? deps.venues.get(other.venue) : undefined;
  if (!other || !venue) return 'not_possible';
  const quantity = unhedged.quantity as QtyMicros;
  const book = await venue.getBook(other.market, other.outcome).catch(() => null);
  const walked = book ? walkAsks(book.asks, quantity) : null;
  if (!walked) return 'not_possible';
  const position = ledger.requirePosition(unhedged.position_id);
  const average = mulDiv(walked.cost, SCALE, quantity, 'up') as PriceMicros;
  const fee = venue.takerFee(other.market, quantity, average);
  const pairCost = position.costBasis + position.entryFee + walked.cost + fee;
  const allowed = quantity + mulDiv(quantity, deps.config.arbitrage.hedgeMaxLossBps, 10_000, 'down');
  if (pairCost > allowed) return 'not_possible';
  const hedgeLeg = store.addLeg(unhedged.trade_id, {
    leg: 'hedge',
    venue: other.venue,
    market: other.market,
    outcome: other.outcome,
    side: 'buy',
    quantity,
    limitPrice: walked.limitPrice,
    clientOrderId: newClientOrderId(),
  });
  const request = { clientOrderId: hedgeLeg.client_order_id, market: other.market, outcome: other.outcome, side: 'buy' as const, quantity, limitPrice: walked.limitPrice, timeInForce: 'fok' as const };
  try {
    ledger.transaction(() => {
      const amount = worstCaseCost(venue, request, average);
      const { reservation } = ledger.reserve({ venue: other.venue, amount, idempotencyKey: `arb-leg:${hedgeLeg.client_order_id}`, purpose: `arb #${unhedged.trade_id} hedge` });
      store.transitionLeg(hedgeLeg.id, 'reserved', { reservation_id: reservation.id });
      checkFunding(ledger, venue, request, { kind: 'reservation', reservation });
      store.transitionLeg(hedgeLeg.id, 'submitted');
    });
  } catch (error) {
    store.transitionLeg(hedgeLeg.id, 'settled', {}, `hedge not placed: ${(error as Error).message}`);
    return 'not_possible';
  }
  return send(deps, store.requireLeg(hedgeLeg.id), venue, request, unhedged);
}

/** Sells the unhedged contracts at the best bids, all or nothing. */
async function tryUnwind(deps: ArbDeps, unhedged: UnhedgedLeg): Promise<UnhedgedOutcome | 'not_possible'> {
  const { store } = deps;
  const leg = store.requireLeg(unhedged.leg_id);
  const venue = deps.venues.get(leg.venue);
  if (!venue) return 'not_possible';
  const quantity = unhedged.quantity as QtyMicros;
  const book = await venue.getBook(leg.market, leg.outcome).catch(() => null);
  const walked = book ? walkBids(book.bids, quantity) : null;
  if (!walked) return 'not_possible';
  const unwindLeg = store.addLeg(unhedged.trade_id, {
    leg: 'unwind',
    venue: leg.venue,
    market: leg.market,
    outcome: leg.outcome,
    side: 'sell',
    quantity,
    limitPrice: walked.limitPrice,
    clientOrderId: newClientOrderId(),
  });
  const request = { clientOrderId: unwindLeg.client_order_id, market: leg.market, outcome: leg.outcome, side: 'sell' as const, quantity, limitPrice: walked.limitPrice, timeInForce: 'fok' as const };
  checkFunding(deps.ledger, venue, request, { kind: 'sale' });
  deps.ledger.transaction(() => {
    store.transitionLeg(unwindLeg.id, 'reserved');
    store.transitionLeg(unwindLeg.id, 'submitted');
  });
  return send(deps, store.requireLeg(unwindLeg.id), venue, request, unhedged);
}

async function send(deps: ArbDeps, leg: ArbLeg, venue: Venue, request: Parameters<Venue['placeOrder']>[0], unhedged: UnhedgedLeg): Promise<UnhedgedOutcome | 'not_possible'> {
  const outcome = await placeWithTimeout(venue, request, deps.config.arbitrage.orderTimeoutMs);
  const verdict = await answerOf(deps, leg, venue, outcome);
  if (verdict?.kind === 'claim') {
    // The venue reports the impossible: nothing of it is booked; the order stays open, its money held, the claim kept.
    deps.store.transitionLeg(leg.id, 'unknown', { error: verdict.claim.message }, verdict.claim.message);
    return 'pending';
  }
  if (!verdict) return 'pending';
  const done = completeFollowUp(deps, deps.store.requireLeg(leg.id), verdict, unhedged);
  return done ?? 'not_possible';
}

/**
 * Books a hedge or unwind leg's verdict, in one transaction. Returns what became of the unhedged leg, or null when
 * the order did not fill (the leg stays unhedged).
 */
export function completeFollowUp(deps: ArbDeps, leg: ArbLeg, verdict: LegVerdict, unhedged: UnhedgedLeg): 'hedged' | 'unwound' | null {
  const { ledger } = deps;
  return ledger.transaction(() => {
    if (leg.state === 'settled') return null;
    const report = verdict.kind === 'report' ? verdict.report : null;
    const fullyFilled = report !== null && report.filledQuantity === leg.quantity;
    const recorded = deps.store.transitionLeg(
      leg.id,
      fullyFilled ? 'filled' : report && report.filledQuantity > 0 ? 'partially_filled' : 'rejected',
      report ? { venue_order_id: report.venueOrderId, filled_quantity: report.filledQuantity, filled_notional: report.filledNotional, fee: report.feePaid } : { error: verdict.kind === 'rejected' ? verdict.reason : null },
    );
    let result: 'hedged' | 'unwound' | null = null;
    if (leg.leg === 'hedge' && leg.reservation_id !== null) {
      // Hedges are fill-or-kill; should a venue still fill part, those contracts are booked (money never disappears)
      // but the leg stays unhedged.
      const fill = report && report.filledQuantity > 0 ? report : null;
      const positions = fill ? [legPosition(deps.config, recorded, { quantity: fill.filledQuantity, cost: fill.filledNotional, fee: fill.feePaid }, fullyFilled ? 'arb_hedged' : 'arb_unhedged')] : [];
      ledger.settleReservation(leg.reservation_id, { positions, fee: (fill?.feePaid ?? 0) as Micros, orderRef: leg.client_order_id });
      if (fill && fullyFilled) {
        ledger.setPositionKind(unhedged.position_id, 'arb_hedged');
        deps.store.resolveUnhedged(unhedged.id, 'hedged', `hedged by ${leg.client_order_id}`);
        result = 'hedged';
      }
    }
    if (leg.leg === 'unwind' && fullyFilled && report) {
      const price = mulDiv(report.filledNotional, SCALE, report.filledQuantity, 'down') as PriceMicros;
      ledger.closePosition(unhedged.position_id, { exitPrice: price, reason: 'Unwound unhedged arbitrage leg', costs: deps.config.costs, actualExit: { value: report.filledNotional as Micros, fee: report.feePaid as Micros } });
      deps.store.resolveUnhedged(unhedged.id, 'unwound', `sold by ${leg.client_order_id}`);
      result = 'unwound';
    }
    deps.store.transitionLeg(leg.id, 'settled');
    return result;
  });
}

/** Recovery of hedge and unwind legs interrupted mid-flight (start-up / reconcile). */
export async function settleFollowUp(deps: ArbDeps, options: { dryRun: boolean }): Promise<string[]> {
  const lines: string[] = [];
  for (const unhedged of deps.store.openUnhedged()) {
    for (const leg of deps.store.legsOf(unhedged.trade_id)) {
      if (leg.leg !== 'hedge' && leg.leg !== 'unwind') continue;
      if (leg.state === 'settled') continue;
      if (options.dryRun) {
        lines.push(`arb #${unhedged.trade_id}: ${leg.leg} order ${leg.client_order_id} interrupted; would settle it`);
        continue;
      }
      if (leg.state === 'planned' || leg.state === 'reserved') {
        deps.ledger.transaction(() => {
          if (leg.reservation_id !== null) deps.ledger.releaseReservation(leg.reservation_id);
          deps.store.transitionLeg(leg.id, 'settled', {}, 'interrupted before it was sent');
        });
        lines.push(`arb #${unhedged.trade_id}: ${leg.leg} order was never sent; released`);
        continue;
      }
      const venue = deps.venues.get(leg.venue);
      const found = venue ? await lookupOrder(venue, leg.client_order_id, leg.market, deps.config.arbitrage.orderTimeoutMs) : 'unreachable';
      // No answer, or one that cannot be true: the order stays open, its money held, for a later reconcile or a person.
      if (found === 'unreachable' || found instanceof VenueProtocolError) continue;
      const verdict: LegVerdict = found === null ? { kind: 'rejected', reason: 'venue has no such order' } : { kind: 'report', report: found };
      const result = completeFollowUp(deps, leg, verdict, unhedged);
      lines.push(`arb #${unhedged.trade_id}: ${leg.leg} order settled from the venue's report${result ? ` (${result})` : ''}`);
    }
  }
  return lines;
}
