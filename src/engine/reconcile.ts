// Reconcile: the one code path for cron `arbbot reconcile` and engine start-up (crash-only). The ledger side
// re-derives wallets from the transaction log; with venues, in-flight arbitrage orders are settled from what the
// venues report, and each venue's balance is compared with what the ledger says it should hold.
import type { Config } from '../config/config.js';
import { formatMicros } from '../domain/money.js';
import { ArbStore } from '../ledger/arb-store.js';
import { walletCheck } from '../ledger/health.js';
import type { Ledger } from '../ledger/ledger.js';
import { reconcileLedger } from '../ledger/reconcile.js';
import type { Venue } from '../venues/venue.js';
import { recoverArbs } from './arb/recovery.js';

export interface ReconcileEntry {
  readonly venue: string | null;
  readonly kind: string;
  readonly detail: string;
}

export interface VenueBalanceCheck {
  readonly venue: string;
  /** What the venue reports holding in cash. */
  readonly venueCash: string;
  /** Ledger total less the cost basis of open positions held at the venue as contracts. */
  readonly expectedCash: string;
  readonly agrees: boolean;
}

export interface ReconcileReport {
  readonly dryRun: boolean;
  readonly consistent: boolean;
  readonly actions: readonly ReconcileEntry[];
  readonly unresolved: readonly ReconcileEntry[];
  readonly venueBalances: readonly VenueBalanceCheck[];
}

/** The ledger's record of a resolved market (detail: {"market", "outcome"}), written with its settlements. */

/**
 * Resolutions the ledger settled but a paper venue never applied (the process died between the two files): applied
 * now, before anything trades, so the venue's cash and contracts match what the ledger booked.
 */
function replayResolutions(ledger: Ledger, venues: ReadonlyMap<string, Venue>, dryRun: boolean): ReconcileEntry[] {
  const entries: ReconcileEntry[] = [];
  for (const [name, venue] of venues) {
    // Only a simulated venue's resolutions are driven by the engine; a live venue resolves its own markets.
    const resolving = venue.simulation;
    if (!resolving) continue;
    for (const { id, market, outcome } of ledger.resolutionsSince(name, resolving.lastResolutionId())) {
      if (!dryRun) resolving.resolve(market, outcome, id);
      entries.push({ venue: name, kind: 'resolution_replayed', detail: `${market} resolved ${outcome.toUpperCase()} in the ledger; ${dryRun ? 'would apply' : 'applied'} it at the venue` });
    }
  }
  return entries;
}

export async function reconcile(
  ledger: Ledger,
  config: Config,
  options: { dryRun: boolean; venues?: ReadonlyMap<string, Venue>; engineRunning?: number | null; keepArmed?: ReadonlySet<number> },
): Promise<ReconcileReport> {
  const ledgerReport = reconcileLedger(ledger, options);
  const actions: ReconcileEntry[] = [...ledgerReport.actions];
  const unresolved: ReconcileEntry[] = [...ledgerReport.unresolved];
  const venueBalances: VenueBalanceCheck[] = [];
  if (options.venues) {
    const deps = { ledger, store: new ArbStore(ledger), venues: options.venues, config };
    const recovered = await recoverArbs(deps, options);
    actions.push(...recovered.actions.map((detail) => ({ venue: null, kind: 'arb_recovered', detail })));
    unresolved.push(...recovered.unresolved.map((detail) => ({ venue: null, kind: 'arb_unknown', detail })));
    actions.push(...replayResolutions(ledger, options.venues, options.dryRun));
    // While another process trades, the venue and the ledger are two files changing a moment apart: not comparable.
    const engineRunning = options.engineRunning !== null && options.engineRunning !== undefined;
    const comparable = engineRunning ? [] : await compareVenueBalances(ledger, options.venues);
    if (engineRunning) actions.push({ venue: null, kind: 'venue_balance', detail: 'venue balances not compared while the engine runs' });
    for (const check of comparable) {
      venueBalances.push(check);
      if (!check.agrees) {
        unresolved.push({ venue: check.venue, kind: 'venue_balance', detail: `venue holds ${check.venueCash}, ledger expects ${check.expectedCash}` });
      }
    }
  }
  const consistent = unresolved.length === 0;
  // Books that reconcile are proven once more and the proof recorded (wallet-check's log checkpoint), so the next
  // reconcile (the engine's next start, or its next resume after a pause) walks only the rows added since, not the
  // whole log inside its IMMEDIATE transaction: about 3 s at a million rows. Books wallet-check finds unhealthy
  // record nothing, and `arbbot wallet-check` says why.
  if (consistent && !options.dryRun) walletCheck(ledger);
  return { dryRun: options.dryRun, consistent, actions, unresolved, venueBalances };
}

/**
 * Only venues whose every position went through the venue can be compared exactly (manual paper positions never
 * reach a venue's books). Pending reservations are still cash at the venue; open positions are contracts there.
 */
async function compareVenueBalances(ledger: Ledger, venues: ReadonlyMap<string, Venue>): Promise<VenueBalanceCheck[]> {
  const checks: VenueBalanceCheck[] = [];
  for (const holding of ledger.venueHoldings()) {
    const venue = venues.get(holding.venue);
    // A venue with manual paper positions is not comparable: those never reached the venue's books.
    if (!venue || holding.manualPositions > 0) continue;
    const balance = await venue.getBalance().catch(() => null);
    if (!balance) continue;
    const expected = holding.expectedCash;
    checks.push({ venue: holding.venue, venueCash: formatMicros(balance.total), expectedCash: formatMicros(expected), agrees: balance.total === expected });
  }
  return checks;
}
