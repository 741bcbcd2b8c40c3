// Ledger-side reconcile: the transaction log is the source of truth and a wallet row is its running projection.
// Repairs what is provably derivable (a wallet row that drifted from its log) with an audit record of why, and
// reports as unresolved what it cannot decide (the log disagrees with reservations and positions).
// The engine runs this same code at start-up: crash recovery and cron reconcile are one path.
import { formatMicros } from '../domain/money.js';
import type { Wallet } from '../domain/wallet.js';
import { connectionOf } from './connections.js';
import { holdings } from './health.js';
import { auditLog, dropCheckpoint, readCheckpoint, type WalletLog } from './log-audit.js';
import type { Ledger } from './ledger.js';
import { param, prepareQuery } from './statements.js';

export interface ReconcileAction {
  readonly venue: string | null;
  readonly kind: 'wallet_rebuilt' | 'checkpoint_dropped';
  readonly detail: string;
}

export interface ReconcileIssue {
  readonly venue: string | null;
  readonly kind: 'locked_disagrees_with_holdings' | 'broken_chain' | 'negative_available';
  readonly detail: string;
}

export interface LedgerReconcileReport {
  readonly dryRun: boolean;
  readonly actions: readonly ReconcileAction[];
  readonly unresolved: readonly ReconcileIssue[];
}

export function reconcileLedger(ledger: Ledger, options: { dryRun: boolean }): LedgerReconcileReport {
  // IMMEDIATE so nothing moves between reading the log and repairing the projection.
  return ledger.transaction(() => {
    const actions: ReconcileAction[] = [];
    const unresolved: ReconcileIssue[] = [];
    // The log from the last proven checkpoint: what wallet-check has proven is not walked again…
    const checkpoint = readCheckpoint(ledger);
    let log = auditLog(ledger, checkpoint);
    const wallets = ledger.listWallets();
    if (checkpoint && wallets.some((wallet) => drifted(wallet, log.wallets.get(wallet.venue)))) {
      // …except before a repair: a wallet is rewritten only from the whole log, never from the checkpoint's figures
      // alone, so an edited checkpoint can never become the books.
      log = auditLog(ledger, null, checkpoint);
      if (log.checkpointErrors.length > 0) {
        // The checkpoint is derived data (a record of a past proof), so one the log disproves is dropped, with an audit
        // record of why; the next wallet-check walks from the first row and records a true one.
        const detail = `log checkpoint at #${checkpoint.throughId} disagrees with the log: ${log.checkpointErrors.join('; ')}`;
        actions.push({ venue: null, kind: 'checkpoint_dropped', detail });
        if (!options.dryRun) {
          dropCheckpoint(ledger);
          ledger.addAudit('checkpoint_dropped', null, detail);
        }
      }
    }
    const chain = log.breaks;
    const brokenVenues = chain.venues;
    if (chain.count > 0) {
      unresolved.push({
        venue: null,
        kind: 'broken_chain',
        detail: `${chain.count} wallet transaction(s) break the before/after chain (first: #${chain.listed[0]?.id}); the log itself needs a person`,
      });
    }
    const sums = log.wallets;
    const held = holdings(ledger);
    for (const wallet of wallets) {
      const total = sums.get(wallet.venue)?.total ?? 0;
      const locked = sums.get(wallet.venue)?.locked ?? 0;
      const deficit = sums.get(wallet.venue)?.deficit ?? 0;
      const heldLocked = (held.get(wallet.venue)?.pending ?? 0) + (held.get(wallet.venue)?.positions ?? 0);
      if (locked !== heldLocked) {
        unresolved.push({
          venue: wallet.venue,
          kind: 'locked_disagrees_with_holdings',
          detail: `log says locked ${formatMicros(locked)} but pending reservations and open positions hold ${formatMicros(heldLocked)}`,
        });
        continue;
      }
      if (total - locked < 0) {
        unresolved.push({
          venue: wallet.venue,
          kind: 'negative_available',
          detail: `log gives total ${formatMicros(total)} below locked ${formatMicros(locked)}`,
        });
        continue;
      }
      if (brokenVenues.has(wallet.venue)) continue;
      if (!drifted(wallet, sums.get(wallet.venue))) continue;
      const detail = `wallet row drifted from its log: total ${formatMicros(wallet.total)} → ${formatMicros(total)}, available ${formatMicros(
        wallet.available,
      )} → ${formatMicros(total - locked)}, locked ${formatMicros(wallet.locked)} → ${formatMicros(locked)}${
        wallet.deficit === deficit ? '' : `, deficit ${formatMicros(wallet.deficit)} → ${formatMicros(deficit)}`
      }`;
      actions.push({ venue: wallet.venue, kind: 'wallet_rebuilt', detail });
      if (!options.dryRun) {
        rebuildWallet(ledger).run({ venue: wallet.venue, total, available: total - locked, locked, deficit, at: ledger.timestamp() });
        ledger.addAudit('wallet_rebuilt', wallet.venue, detail);
      }
    }
    return { dryRun: options.dryRun, actions, unresolved };
  });
}

function drifted(wallet: Wallet, log: WalletLog | undefined): boolean {
  const total = log?.total ?? 0;
  const locked = log?.locked ?? 0;
  return wallet.total !== total || wallet.locked !== locked || wallet.available !== total - locked || wallet.deficit !== (log?.deficit ?? 0);
}

/** The wallet row rewritten from its log (a repair is rare: prepared when one is made). */
function rebuildWallet(ledger: Ledger) {
  return prepareQuery<{ venue: string; total: number; available: number; locked: number; deficit: number; at: string }, never>(connectionOf(ledger), (qb) =>
    qb
      .updateTable('wallets')
      .set({ total: param('total'), available: param('available'), locked: param('locked'), deficit: param('deficit'), updated_at: param('at') })
      .where('venue', '=', param('venue')),
  );
}
