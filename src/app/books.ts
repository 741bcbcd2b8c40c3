// Proving and repairing the books, as `wallet-check` and `reconcile` run them: a reconcile beside a running engine
// leaves that engine's in-flight arbitrage to it.
import type { Config } from '../config/config.js';
import { runningEngine } from '../ledger/engine-lock.js';
import { reconcile, type ReconcileReport } from '../engine/reconcile.js';
import { walletCheck, type HealthReport } from '../ledger/health.js';
import type { Ledger } from '../ledger/ledger.js';
import type { VenueSet } from '../venues/registry.js';

export type { HealthReport, LogScope } from '../ledger/health.js';
export type { ReconcileReport } from '../engine/reconcile.js';

export function proveBooks(ledger: Ledger, options: { readonly deep: boolean }): HealthReport {
  return walletCheck(ledger, { deep: options.deep });
}

export async function reconcileBooks(
  ledger: Ledger,
  config: Config,
  venues: VenueSet,
  options: { readonly dryRun: boolean; readonly dbPath: string },
): Promise<ReconcileReport> {
  return reconcile(ledger, config, { dryRun: options.dryRun, venues: venues.venues, engineRunning: runningEngine(options.dbPath) });
}
