// Crash recovery for arbitrage, run by start-up and `arbbot reconcile` (one code path): every trade that was in
// flight is finished exactly as if the process had lived. Nothing sent → released. Sent → each venue is asked by
// client order id and the trade is settled from its answer. Armed (its orders may have left just before the crash,
// unrecorded) → each venue is asked too: nothing there → released, else recorded sent and settled from the answers.
// An order is never placed again.
import type { ArbLeg, ArbTrade } from '../../ledger/arb-store.js';
import { formatMicros } from '../../domain/money.js';
import { VenueProtocolError } from '../../venues/errors.js';
import type { OrderReport } from '../../venues/venue.js';
import { AWAITING_VERDICT } from '../../domain/arb.js';
import { abandon, resolveUnknown, type ArbDeps } from './executor.js';
import { RELEASED_UNUSED } from './armed.js';
import { lookupOrder } from './orders.js';
import { bookAnswers, type Booked, type LegAnswer } from './quarantine.js';
import { settleFollowUp } from './unhedged.js';

export interface RecoveryReport {
  readonly actions: string[];
  readonly unresolved: string[];
}

export async function recoverArbs(
  deps: ArbDeps,
  options: { dryRun: boolean; engineRunning?: number | null; keepArmed?: ReadonlySet<number> },
): Promise<RecoveryReport> {
  const report: RecoveryReport = { actions: [], unresolved: [] };
  if (options.engineRunning !== null && options.engineRunning !== undefined) {
    const pid = options.engineRunning > 0 ? ` (pid ${options.engineRunning})` : '';
    // A live engine (another process) owns its in-flight trades and will settle them from the venues' answers.
    const inFlight = deps.store.inFlightTrades().length;
    if (inFlight > 0) report.actions.push(`${inFlight} arbitrage trade(s) in flight or armed, left to the running engine${pid}`);
    return report;
  }
  for (const trade of deps.store.inFlightTrades()) {
    if (trade.state === 'planned') {
      report.actions.push(`arb #${trade.id}: no order was sent; ${options.dryRun ? 'would release' : 'released'} its reservations`);
      if (!options.dryRun) abandon(deps, trade.id, 'interrupted before any order was sent');
      continue;
    }
    if (trade.state === 'reserved') {
      // The engine reconciling itself after a pause still holds these armed: nothing was sent, nothing to settle.
      if (options.keepArmed?.has(trade.id) === true) continue;
      if (options.dryRun) report.actions.push(`arb #${trade.id}: armed; would ask the venues whether its orders were sent, and release it if not`);
      else await contained(deps, trade, report, () => recoverArmed(deps, trade, report));
      continue;
    }
    if (options.dryRun) {
      report.actions.push(`arb #${trade.id}: orders were sent; would ask the venues by client order id and settle from their answers`);
      continue;
    }
    await contained(deps, trade, report, () => recoverSent(deps, trade, report));
  }
  for (const line of await settleFollowUp(deps, options)) report.actions.push(line);
  return report;
}

/**
 * A trade whose orders were sent: each leg still without a verdict is asked about by client order id, and the trade
 * is booked from the answers (quarantine.ts): settled, or what can be trusted of it booked and the rest held for the
 * venue or a person, or left pending while a venue cannot answer.
 */
async function recoverSent(deps: ArbDeps, trade: ArbTrade, report: RecoveryReport): Promise<void> {
  const answers = new Map<number, LegAnswer>();
  const unanswered: ArbLeg[] = [];
  for (const leg of deps.store.legsOf(trade.id)) {
    if ((leg.leg !== 'a' && leg.leg !== 'b') || !AWAITING_VERDICT.includes(leg.state)) continue;
    const venue = deps.venues.get(leg.venue);
    const answer = venue ? await resolveUnknown(deps, leg, venue, 'recovering after restart') : null;
    answers.set(leg.id, answer);
    if (answer === null) unanswered.push(leg);
  }
  reportBooked(report, trade, bookAnswers(deps, trade.id, answers), () =>
    unanswered.map((leg) => `leg ${leg.leg.toUpperCase()} on ${leg.venue} (${leg.client_order_id}) outcome unknown (venue unreachable)`).join(', '),
  );
}

/** What became of a recovered trade, as report lines; `unknown`: why a pending trade is still unknown. */
function reportBooked(report: RecoveryReport, trade: ArbTrade, booked: Booked, unknown: () => string, how = "settled from the venues' reports"): void {
  if (booked.kind === 'pending') {
    report.unresolved.push(`arb #${trade.id}: ${unknown()}`);
    return;
  }
  if (booked.kind === 'settled') {
    const held = trade.attention === null ? '' : ' (it needed attention: the venue now answers sanely)';
    report.actions.push(`arb #${trade.id}: ${how} (${booked.settlement.trade.outcome ?? 'none'})${held}`);
    return;
  }
  const positions = booked.settlement.positions;
  if (positions.length > 0) {
    const what = positions.map((p) => `position ${p.id} (${p.venue} ${p.market}, ${p.kind === 'arb_hedged' ? 'hedged' : 'unhedged'})`).join(', ');
    report.actions.push(`arb #${trade.id}: booked ${what} from what its venue reported believably`);
  }
  report.unresolved.push(`arb #${trade.id} needs attention: ${booked.claim}; its funds held until the venue answers sanely or \`arbbot resolve-trade ${trade.id}\` records what happened`);
}

/**
 * Runs one trade's recovery step so that a venue reporting the impossible (VenueProtocolError) in a way no step
 * judged cannot stop start-up for everything else: nothing of its report is booked (the step's transaction rolls
 * back), the trade stays in flight with its funds held, marked with the claim, and is reported unresolved.
 */
async function contained(deps: ArbDeps, trade: ArbTrade, report: RecoveryReport, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!(error instanceof VenueProtocolError)) throw error;
    deps.store.setTradeAttention(trade.id, error.message);
    report.unresolved.push(`arb #${trade.id} needs attention, its funds held: ${error.message}`);
  }
}

/**
 * An armed trade found at start-up: its client order ids are durable, its orders' sizes may not be. Each venue is
 * asked by client order id. Neither has an order → released. Either has one → the trade is recorded sent with the
 * terms the venue reports, then booked from the answers, as a trade recorded sent before a crash would be. A leg its
 * venue reports the impossible about (an order beyond the leg's bounds, a report that cannot be true) is recorded
 * sent at its bounds — the most it could have been sent with, which its reservation holds — and held. A venue that
 * cannot answer leaves the trade armed and held for a later reconcile.
 */
async function recoverArmed(deps: ArbDeps, trade: ArbTrade, report: RecoveryReport): Promise<void> {
  const legs = deps.store.legsOf(trade.id).filter((leg) => (leg.leg === 'a' || leg.leg === 'b') && leg.state === 'reserved');
  const found = new Map<number, OrderReport | null>();
  const claims = new Map<number, VenueProtocolError>();
  for (const leg of legs) {
    const venue = deps.venues.get(leg.venue);
    const answer = venue ? await lookupOrder(venue, leg.client_order_id, leg.market, deps.config.arbitrage.orderTimeoutMs) : 'unreachable';
    if (answer === 'unreachable') {
      const claim = [...claims.values()].at(-1);
      if (claim) deps.store.setTradeAttention(trade.id, claim.message);
      report.unresolved.push(`arb #${trade.id} (armed): ${leg.venue} cannot say whether order ${leg.client_order_id} was sent${claim ? `; needs attention: ${claim.message}` : ''}`);
      return;
    }
    const claim = answer instanceof VenueProtocolError ? answer : answer === null ? null : outsideArmedBounds(leg, answer);
    if (claim) claims.set(leg.id, claim);
    else found.set(leg.id, answer as OrderReport | null);
  }
  const reports = [...found.values()].filter((answer): answer is OrderReport => answer !== null);
  if (reports.length === 0 && claims.size === 0) {
    abandon(deps, trade.id, `${RELEASED_UNUSED}: no order at the venues after a restart`);
    report.actions.push(`arb #${trade.id}: armed, no order at the venues; released its reservations`);
    return;
  }
  const booked = deps.ledger.transaction(() => {
    recordArmedSent(deps, trade, legs, found, claims);
    const answers = new Map<number, LegAnswer>();
    for (const leg of legs) {
      const answer = found.get(leg.id) ?? null;
      const claim = claims.get(leg.id);
      answers.set(leg.id, claim ? { kind: 'claim', claim } : answer === null ? { kind: 'rejected', reason: `${leg.venue} has no order ${leg.client_order_id}: never placed (armed trade recovered after a restart)` } : { kind: 'report', report: answer });
    }
    return bookAnswers(deps, trade.id, answers);
  });
  reportBooked(report, trade, booked, () => 'outcome unknown', "armed, orders found at the venues; recorded sent and settled from their reports");
}

/**
 * Records an armed trade's orders as sent, inside the caller's transaction: with the terms the venue holds; without
 * them, the size from the fills and what remained, and the armed bound as the limit. A leg the venue never received
 * is recorded at its partner's size (both legs are sent with one) and the armed bound; one the venue reported the
 * impossible about, at its armed bounds. A size of zero (a venue reporting none) falls back to the armed bound.
 */
function recordArmedSent(deps: ArbDeps, trade: ArbTrade, legs: readonly ArbLeg[], found: ReadonlyMap<number, OrderReport | null>, claims: ReadonlyMap<number, VenueProtocolError>): void {
  const ordered = (answer: OrderReport | null) =>
    answer === null ? 0 : (answer.terms?.quantity ?? Math.max(answer.filledQuantity + answer.remainingQuantity, answer.filledQuantity));
  const sizes = [...found.values()].map(ordered);
  const contracts = (sizes.length > 0 ? Math.max(...sizes) : 0) || trade.contracts;
  const fired = legs.map((leg) => {
    const answer = found.get(leg.id) ?? null;
    if (claims.has(leg.id)) return { leg, quantity: leg.quantity, limitPrice: leg.limit_price };
    return { leg, quantity: ordered(answer) || contracts, limitPrice: answer?.terms?.limitPrice ?? leg.limit_price };
  });
  deps.store.fireArmedWithin(trade.id, { contracts, expectedNetEdge: trade.expected_net_edge }, fired, "sent from the armed trade; recorded after a restart from the venues' answers");
}

/**
 * An armed leg's row holds the most its order could be: contracts and limit price. A venue reporting an order under
 * its client order id beyond either (a phantom, or another order's record) reports the impossible; recorded as sent,
 * it would overwrite the leg with terms we never ordered. The venue's claim, or null when the order fits.
 */
function outsideArmedBounds(leg: ArbLeg, answer: OrderReport): VenueProtocolError | null {
  const quantity = Math.max(answer.terms?.quantity ?? answer.filledQuantity + answer.remainingQuantity, answer.filledQuantity);
  if (quantity > leg.quantity) {
    return new VenueProtocolError(leg.venue, 'order quantity', `order ${leg.client_order_id} reported for ${formatMicros(quantity)} contracts; at most ${formatMicros(leg.quantity)} could have been sent`);
  }
  const limit = answer.terms?.limitPrice;
  if (limit !== undefined && limit > leg.limit_price) {
    return new VenueProtocolError(leg.venue, 'order limit price', `order ${leg.client_order_id} reported at ${formatMicros(limit)}; at most ${formatMicros(leg.limit_price)} could have been sent`);
  }
  return null;
}
