// archive: settled history older than a date moves to an archive file; the ledger keeps a checkpoint that proves it.
// Exit 0 archived (or nothing to archive), 1 the books did not prove healthy first, 2 bad input, 3 storage.
import type { Command } from 'commander';
import { archiveBooks, defaultArchivePath, type ArchiveOutcome } from '../../app/archive.js';
import { formatMicros } from '../../domain/money.js';
import { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import { parseArchiveDate } from '../parse.js';
import { healthJson } from '../present.js';

export function registerArchiveCommand(program: Command): void {
  program
    .command('archive')
    .description('move settled history written before a date to an archive file; the ledger keeps a checkpoint that proves it')
    .requiredOption('--before <date>', 'YYYY-MM-DD (UTC): only rows written before this date move')
    .option('--to <file>', 'archive file (default beside the ledger: <ledger>.archive-<date>.db); an existing file is never replaced')
    .action((options: { before: string; to?: string }, command: Command) => {
      const ctx = CommandContext.from(command);
      const beforeDate = parseArchiveDate(options.before);
      const filePath = options.to ?? defaultArchivePath(ctx.dbPath, beforeDate);
      const outcome = archiveBooks(ctx.openLedger(), { beforeDate, filePath });
      if (ctx.out.json) ctx.out.printJson(archiveJson(outcome, beforeDate));
      else for (const line of archiveLines(outcome, beforeDate)) ctx.out.line(line.ok ? ctx.out.role.success(line.text) : ctx.out.role.error(line.text));
      ctx.exitWith(outcome.kind === 'unhealthy' ? EXIT.checkFailed : EXIT.ok);
    });
}

function archiveJson(outcome: ArchiveOutcome, beforeDate: string): Record<string, unknown> {
  if (outcome.kind === 'unhealthy') return { archived: false, before: beforeDate, reason: 'unhealthy', health: healthJson(outcome.report) };
  if (outcome.kind === 'nothing') return { archived: false, before: beforeDate, reason: 'nothing_eligible', throughId: outcome.throughId };
  const r = outcome.record;
  return {
    archived: true,
    before: beforeDate,
    file: outcome.filePath,
    fileReused: outcome.fileReused,
    checkpoint: {
      id: r.id,
      fileName: r.file_name,
      txThroughId: r.tx_through_id,
      rows: { transactions: r.tx_count, positions: r.position_count, reservations: r.reservation_count, trades: r.trade_count, legs: r.leg_count, legEvents: r.event_count, unhedgedLegs: r.unhedged_count },
      sha256: r.rows_sha256,
    },
    wallets: outcome.wallets.map((w) => ({ venue: w.venue, total: formatMicros(w.total), locked: formatMicros(w.locked), deficit: formatMicros(w.deficit), transactions: w.count })),
  };
}

function archiveLines(outcome: ArchiveOutcome, beforeDate: string): { ok: boolean; text: string }[] {
  if (outcome.kind === 'unhealthy') {
    return [
      ...outcome.report.checks.filter((c) => !c.ok).map((c) => ({ ok: false, text: `✗ ${c.name}${c.venue ? ` [${c.venue}]` : ''}: ${c.detail}` })),
      { ok: false, text: 'archive refused: the books must prove healthy first (wallet-check --deep); nothing changed' },
    ];
  }
  if (outcome.kind === 'nothing') return [{ ok: true, text: `Nothing settled before ${beforeDate} to archive; nothing changed` }];
  const r = outcome.record;
  return [
    {
      ok: true,
      text:
        `✓ Archived ${r.tx_count} transaction(s), ${r.position_count} position(s), ${r.reservation_count} reservation(s) and ${r.trade_count} trade(s) ` +
        `written before ${beforeDate} to ${outcome.filePath}${outcome.fileReused ? ' (the file already held them)' : ''}`,
    },
    { ok: true, text: `  ledger checkpoint #${r.id}: log archived through #${r.tx_through_id}, rows sha256 ${r.rows_sha256}` },
    ...outcome.wallets.map((w) => ({ ok: true, text: `  ${w.venue} at the cut: total ${formatMicros(w.total)}, locked ${formatMicros(w.locked)}, ${w.count} row(s) archived` })),
  ];
}
