// Crash recovery for arbitrage, run by start-up and `arbbot reconcile` (one code path): every trade that was in
// flight is finished exactly as if the process had lived. Nothing sent → released. Sent → each venue is asked by
// client order id and the trade is settled from its answer. An order is never placed again.
import type { ArbLeg } from '../../ledger/arb-store.js';
import { abandon, resolveUnknown, type ArbDeps } from './executor.js';
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
    if (inFlight > 0) report.actions.push(`${inFlight} arbitrage trade(s) in flight, left to the running engine (pid ${options.engineRunning})`);
    return report;
  }
  for (const trade of deps.store.inFlightTrades()) {
    if (trade.state === 'planned' || trade.state === 'reserved') {
      report.actions.push(`arb #${trade.id}: no order was sent; ${options.dryRun ? 'would release' : 'released'} its reservations`);
      if (!options.dryRun) abandon(deps, trade.id, 'interrupted before any order was sent');
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
      recordKnownVerdicts(deps.ledger, deps.store, verdicts);
      report.unresolved.push(
        `arb #${trade.id}: ${unknown.map((leg) => `leg ${leg.leg.toUpperCase()} on ${leg.venue} (${leg.client_order_id})`).join(', ')} outcome unknown (venue unreachable)`,
      );
      continue;
    }
    const settled = settleTrade(deps.ledger, deps.store, deps.config, trade.id, verdicts);
    report.actions.push(`arb #${trade.id}: settled from the venues' reports (${settled.trade.outcome ?? 'none'})`);
  }
  for (const line of await settleFollowUp(deps, options)) report.actions.push(line);
  return report;
}
