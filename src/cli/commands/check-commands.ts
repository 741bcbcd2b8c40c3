// wallet-check and reconcile: cron-friendly proofs that the books balance. Exit 0 when all holds, 1 otherwise.
import type { Command } from 'commander';
import { proveBooks, reconcileBooks, type LogScope } from '../../app/books.js';
import { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { healthJson } from '../present.js';
import { formatUsd } from '../../domain/money.js';

export function registerCheckCommands(program: Command): void {
  program
    .command('wallet-check')
    .description('verify every wallet against its transaction log, reservations and positions; exit 1 on any violation')
    .option('--deep', 'walk the whole log rather than from the last checkpoint, prove the checkpoint, and run SQLite integrity_check and foreign_key_check')
    .action((options: { deep?: boolean }, command: Command) => {
      const ctx = CommandContext.from(command);
      const ledger = ctx.openLedgerToCheck();
      const report = proveBooks(ledger, { deep: options.deep === true });
      if (ctx.out.json) {
        ctx.out.printJson(healthJson(report));
      } else {
        for (const check of report.checks.filter((c) => !c.ok)) {
          ctx.out.line(ctx.out.role.error(`✗ ${check.name}${check.venue ? ` [${check.venue}]` : ''}: ${check.detail}`));
        }
        const passed = report.checks.filter((c) => c.ok).length;
        ctx.out.line(ctx.out.role.muted(logScopeText(report.log)));
        for (const wallet of report.wallets) {
          ctx.out.line(
            `${report.healthy ? ctx.out.role.success('✓') : ' '} ${wallet.venue}: Total=${formatUsd(wallet.total)}, Available=${formatUsd(
              wallet.available,
            )}, Locked=${formatUsd(wallet.locked)}${wallet.deficit > 0 ? `, Deficit (owed)=${formatUsd(wallet.deficit, 4)}` : ''}`,
          );
        }
        ctx.out.line(
          report.healthy
            ? ctx.out.role.success(`HEALTHY (${passed}/${report.checks.length} checks passed)`)
            : ctx.out.role.error(`UNHEALTHY (${report.checks.length - passed} of ${report.checks.length} checks failed)`),
        );
      }
      ctx.exitWith(report.healthy ? EXIT.ok : EXIT.checkFailed);
    });

  program
    .command('reconcile')
    .description('re-derive wallets from the transaction log, settle in-flight orders with the venues, report what is unresolved')
    .option('--dry-run', 'show what would change without writing')
    .action(async (options: { dryRun?: boolean }, command: Command) => {
      const ctx = CommandContext.from(command);
      const dryRun = options.dryRun === true;
      // A dry run reads: the ledger must exist, and neither it nor the paper venue's books are created or written.
      const ledger = dryRun ? ctx.openLedgerToRead() : ctx.openLedger();
      const venues = await ctx.openVenues({ readonly: dryRun });
      let report;
      try {
        report = await reconcileBooks(ledger, ctx.config, venues, { dryRun, dbPath: ctx.dbPath });
      } finally {
        await venues.close();
      }
      if (ctx.out.json) {
        ctx.out.printJson(report);
      } else {
        const verb = report.dryRun ? 'would repair' : 'repaired';
        for (const action of report.actions) {
          // Wallet rebuilds are repairs; the rest (recovered trades, replayed resolutions, notes) say what happened.
          const text = action.kind === 'wallet_rebuilt' ? `⟳ ${verb} ${action.venue ?? ''}: ${action.detail}` : `⟳ ${action.venue ? `[${action.venue}] ` : ''}${action.detail}`;
          ctx.out.line(ctx.out.role.warn(text));
        }
        for (const issue of report.unresolved) ctx.out.line(ctx.out.role.error(`✗ unresolved${issue.venue ? ` [${issue.venue}]` : ''}: ${issue.detail}`));
        for (const check of report.venueBalances.filter((c) => c.agrees)) {
          ctx.out.line(ctx.out.role.success(`✓ ${check.venue}: venue holds ${check.venueCash}, as the ledger expects`));
        }
        if (report.actions.length === 0 && report.unresolved.length === 0) ctx.out.line(ctx.out.role.success('✓ ledger consistent: nothing to repair'));
        else if (report.consistent) ctx.out.line(ctx.out.role.success(report.dryRun ? '✓ consistent once repaired' : '✓ ledger consistent after repair'));
      }
      ctx.exitWith(report.consistent ? EXIT.ok : EXIT.checkFailed);
    });
}

function logScopeText(log: LogScope): string {
  const walked = `${log.rowsWalked.toLocaleString('en-US')} transaction(s)`;
  const scope = log.deep ? `whole log walked (--deep): ${walked}` : log.fromId === 0 ? `whole log walked: ${walked}` : `walked ${walked} added after checkpoint #${log.fromId}`;
  return `${scope}; ${log.checkpointRecorded ? `checkpoint now at #${log.throughId}` : 'checkpoint unchanged'}`;
}
