// Reconcile: the one code path for cron `arbbot reconcile` and engine start-up (crash-only). The ledger side
// re-derives wallets from the log; venue-side settlement of in-flight orders plugs in here.
import type { Config } from '../config/config.js';
import type { Ledger } from '../ledger/ledger.js';
import { reconcileLedger, type ReconcileAction, type ReconcileIssue } from '../ledger/reconcile.js';

export interface ReconcileReport {
  readonly dryRun: boolean;
  readonly consistent: boolean;
  readonly actions: readonly ReconcileAction[];
  readonly unresolved: readonly ReconcileIssue[];
}

export async function reconcile(ledger: Ledger, _config: Config, options: { dryRun: boolean }): Promise<ReconcileReport> {
  const ledgerReport = reconcileLedger(ledger, options);
  return {
    dryRun: options.dryRun,
    consistent: ledgerReport.unresolved.length === 0,
    actions: ledgerReport.actions,
    unresolved: ledgerReport.unresolved,
  };
}
