// Crash recovery for arbitrage, run by start-up and `arbbot reconcile` (one code path): every trade that was in
// flight is finished exactly as if the process had lived. Nothing sent → released. Sent → each venue is asked by
// client order id and the trade is settled from its answer. Armed (its orders may have left just before the crash,
// unrecorded) → each venue is asked too: nothing there → released, else recorded sent and settled from the answers.
// An order is never placed again.
import type { ArbLeg, ArbTrade } from '../../ledger/arb-store.js';
import { formatMicros } from '../../domain/money.js';
import { VenueProtocolError } from '../../venues/http/errors.js';
import type { OrderReport } from '../../venues/venue.js';
import { abandon, resolveUnknown, type ArbDeps } from './executor.js';
import { RELEASED_UNUSED } from './armed.js';
import { lookupOrder } from './orders.js';
import { recordKnownVerdicts, settleTrade, type LegVerdict } from './settle.js';
import { settleFollowUp } from './unhedged.js';

export interface RecoveryReport {
  readonly actions: string[];
  readonly unresolved: string[];
}

export async function recoverArbs(deps: ArbDeps, options: { dryRun: boolean; engineRunning?: number | null }): Promise<RecoveryReport> {
  const report: RecoveryReport = { actions: [], unresolved: [] };
  if (options.engineRunning) {
    // A live engine (another process) owns its in-flight trades and will settle them from the venues' answers.
    const inFlight = deps.store.inFlightTrades().length;
    if (inFlight > 0) report.actions.push(`${inFlight} arbitrage trade(s) in flight or armed, left to the running engine (pid ${options.engineRunning})`);
    return report;
  }
  for (const trade of deps.store.inFlightTrades()) {
    if (trade.state === 'planned') {
      report.actions.push(`arb #${trade.id}: no order was sent; ${options.dryRun ? 'would release' : 'released'} its reservations`);
      if (!options.dryRun) abandon(deps, trade.id, 'interrupted before any order was sent');
      continue;
    }
    if (trade.state === 'reserved') {
      if (options.dryRun) report.actions.push(`arb #${trade.id}: armed; would ask the venues whether its orders were sent, and release it if not`);
      else await contained(deps, trade, report, () => recoverArmed(deps, trade, report));
      continue;
    }
    if (options.dryRun) {
      report.actions.push(`arb #${trade.id}: orders were sent; would ask the venues by client order id and settle from their answers`);
      continue;
    }
    const verdicts = new Map<number, LegVerdict>();
    const unknown: ArbLeg[] = [];
    for (const leg of deps.store.legsOf(trade.id)) {
      if (leg.leg !== 'a' && leg.leg !== 'b') continue;
      if (leg.state !== 'submitted' && leg.state !== 'unknown') continue;
      const venue = deps.venues.get(leg.venue);
      const verdict = venue ? await resolveUnknown(deps, leg, venue, 'recovering after restart') : null;
      if (verdict) verdicts.set(leg.id, verdict);
      else unknown.push(leg);
    }
    if (unknown.length > 0) {
      await contained(deps, trade, report, async () => recordKnownVerdicts(deps.ledger, deps.store, verdicts));
      // A leg whose venue answered the impossible carries its claim (kept by resolveUnknown); the others had no answer.
      const why = (leg: ArbLeg) => deps.store.requireLeg(leg.id).error ?? 'venue unreachable';
      report.unresolved.push(`arb #${trade.id}: ${unknown.map((leg) => `leg ${leg.leg.toUpperCase()} on ${leg.venue} (${leg.client_order_id}) outcome unknown (${why(leg)})`).join(', ')}`);
      continue;
    }
    await contained(deps, trade, report, async () => {
      const settled = settleTrade(deps.ledger, deps.store, deps.config, trade.id, verdicts);
      report.actions.push(`arb #${trade.id}: settled from the venues' reports (${settled.trade.outcome ?? 'none'})`);
    });
  }
  for (const line of await settleFollowUp(deps, options)) report.actions.push(line);
  return report;
}

/**
 * Runs one trade's recovery step so that a venue reporting the impossible (VenueProtocolError) cannot stop start-up
 * for everything else: nothing of its report is booked (the step's transaction rolls back), the trade stays in flight
 * with its funds held, and the claim is kept on the trade and reported unresolved.
 */
async function contained(deps: ArbDeps, trade: ArbTrade, report: RecoveryReport, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    if (!(error instanceof VenueProtocolError)) throw error;
    deps.store.setTradeState(trade.id, trade.state, { note: error.message });
    report.unresolved.push(`arb #${trade.id}: left in flight, its funds held: ${error.message}`);
  }
}

/**
 * An armed trade found at start-up: its client order ids are durable, its orders' sizes may not be. Each venue is
 * asked by client order id. Neither has an order → released. Either has one → the trade is recorded sent with the
 * terms the venue reports, then settled from the answers, as a trade recorded sent before a crash would be. A venue
 * that cannot answer leaves it held for a later reconcile.
 */
async function recoverArmed(deps: ArbDeps, trade: ArbTrade, report: RecoveryReport): Promise<void> {
  const legs = deps.store.legsOf(trade.id).filter((leg) => (leg.leg === 'a' || leg.leg === 'b') && leg.state === 'reserved');
  const found = new Map<number, OrderReport | null>();
  for (const leg of legs) {
    const venue = deps.venues.get(leg.venue);
    const answer = venue ? await lookupOrder(venue, leg.client_order_id, leg.market, deps.config.arbitrage.orderTimeoutMs) : 'unreachable';
    if (answer instanceof VenueProtocolError) throw answer;
    if (answer === 'unreachable') {
      report.unresolved.push(`arb #${trade.id} (armed): ${leg.venue} cannot say whether order ${leg.client_order_id} was sent`);
      return;
    }
    if (answer !== null) assertWithinArmedBounds(leg, answer);
    found.set(leg.id, answer);
  }
  const reports = [...found.values()].filter((answer): answer is OrderReport => answer !== null);
  if (reports.length === 0) {
    abandon(deps, trade.id, `${RELEASED_UNUSED}: no order at the venues after a restart`);
    report.actions.push(`arb #${trade.id}: armed, no order at the venues; released its reservations`);
    return;
  }
  // The order's terms as the venue holds them; without them, its size from the fills and what remained, and the
  // armed bound as its limit. A leg the venue never received is recorded at its partner's size (both legs are sent
  // with one) and the armed bound. A size of zero (a venue reporting none) falls back to the armed bound.
  const ordered = (answer: OrderReport | null) =>
    answer === null ? 0 : (answer.terms?.quantity ?? Math.max(answer.filledQuantity + answer.remainingQuantity, answer.filledQuantity));
  const contracts = Math.max(...reports.map(ordered)) || trade.contracts;
  deps.ledger.transaction(() => {
    const fired = legs.map((leg) => {
      const answer = found.get(leg.id) ?? null;
      return { leg, quantity: ordered(answer) || contracts, limitPrice: answer?.terms?.limitPrice ?? leg.limit_price };
    });
    deps.store.fireArmedWithin(trade.id, { contracts, expectedNetEdge: trade.expected_net_edge }, fired, "sent from the armed trade; recorded after a restart from the venues' answers");
  });
  const verdicts = new Map<number, LegVerdict>();
  for (const leg of legs) {
    const answer = found.get(leg.id) ?? null;
    verdicts.set(leg.id, answer === null ? { kind: 'rejected', reason: `${leg.venue} has no order ${leg.client_order_id}: never placed (armed trade recovered after a restart)` } : { kind: 'report', report: answer });
  }
  const settled = settleTrade(deps.ledger, deps.store, deps.config, trade.id, verdicts);
  report.actions.push(`arb #${trade.id}: armed, orders found at the venues; recorded sent and settled from their reports (${settled.trade.outcome ?? 'none'})`);
}

/**
 * An armed leg's row holds the most its order could be: contracts and limit price. A venue reporting an order under
 * its client order id beyond either (a phantom, or another order's record) reports the impossible; recorded as sent,
 * it would overwrite the leg with terms we never ordered.
 */
function assertWithinArmedBounds(leg: ArbLeg, answer: OrderReport): void {
  const quantity = Math.max(answer.terms?.quantity ?? answer.filledQuantity + answer.remainingQuantity, answer.filledQuantity);
  if (quantity > leg.quantity) {
    throw new VenueProtocolError(leg.venue, 'order quantity', `order ${leg.client_order_id} reported for ${formatMicros(quantity)} contracts; at most ${formatMicros(leg.quantity)} could have been sent`);
  }
  const limit = answer.terms?.limitPrice;
  if (limit !== undefined && limit > leg.limit_price) {
    throw new VenueProtocolError(leg.venue, 'order limit price', `order ${leg.client_order_id} reported at ${formatMicros(limit)}; at most ${formatMicros(leg.limit_price)} could have been sent`);
  }
}
