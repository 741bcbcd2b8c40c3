// `arbbot status`: which ledger and config are in use, the venues (paper or live, and whether a live one can trade),
// whether an engine trades on this ledger, what is open, and when the books were last proven. Reads only.
import type { Command } from 'commander';
import { readStatus, type Status } from '../../app/status.js';
import { formatMicros, formatUsd } from '../../domain/money.js';
import { CommandContext } from '../context.js';
import type { Output } from '../output.js';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('which ledger, config and venues are in use, whether an engine is running on the ledger, what is open, and the last proof of the books')
    .action(async (_options: unknown, command: Command) => {
      const ctx = CommandContext.from(command);
      // Venues are built read-only and without I/O: a live venue's credentials are looked for, never sent; its stream
      // is built as run builds it (to say where run reads its books), never started.
      const venues = await ctx.openVenues({ readonly: true, streamBooks: true });
      try {
        const status = readStatus(ctx.config, ctx.dbPath, venues.venues, () => ctx.openLedgerToRead());
        if (ctx.out.json) return ctx.out.printJson(statusJson(status));
        for (const line of statusLines(ctx.out, status)) ctx.out.line(line);
      } finally {
        await venues.close();
      }
    });
}

/** The status as lines: `status` prints them, and `run` prints them as its banner. */
export function statusLines(out: Output, status: Status): string[] {
  const { role } = out;
  const ledger = status.ledger;
  const lines = [
    `ledger   ${status.ledgerPath}${ledger ? ` (id ${ledger.ledgerId.slice(0, 8)}, created ${ledger.createdAt}, ${mebibytes(ledger.bytes)})` : role.warn(' (none yet: `arbbot init` or `arbbot run` creates it)')}`,
    `config   ${status.configSource ?? 'none: the built-in paper defaults'}`,
    `engine   ${status.engine ? role.success(`running${status.engine.pid === null ? '' : `, pid ${status.engine.pid}`}${status.engine.since ? `, since ${status.engine.since}` : ''}`) : 'not running'}`,
    `venues   ${status.venues.map((venue) => `${venue.name} (${venueText(out, venue)})`).join(', ')}`,
  ];
  if (ledger) {
    lines.push(`open     ${ledger.openPositions} position(s); ${formatUsd(ledger.locked)} locked in all (positions and reservations)`);
    const proof = ledger.lastProof;
    lines.push(
      proof
        ? `books    last proven healthy ${proof.verifiedAt} through log row ${proof.throughId}${proof.rowsSince > 0 ? `; ${proof.rowsSince} row(s) since (arbbot wallet-check proves them)` : ''}`
        : role.warn('books    never proven: run arbbot wallet-check'),
    );
  }
  return lines;
}

function venueText(out: Output, venue: Status['venues'][number]): string {
  if (!venue.live) return 'paper';
  const books = `books ${venue.books}`;
  return venue.cannotTrade === null ? out.role.success(`live ${venue.type}, credentials present, ${books}`) : out.role.warn(`live ${venue.type}, ${books}, cannot trade: ${venue.cannotTrade}`);
}

function mebibytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function statusJson(status: Status): Record<string, unknown> {
  const ledger = status.ledger;
  return {
    ledger: { path: status.ledgerPath, exists: ledger !== null, ...(ledger ? { id: ledger.ledgerId, createdAt: ledger.createdAt, bytes: ledger.bytes } : {}) },
    config: status.configSource,
    engine: status.engine === null ? { running: false } : { running: true, pid: status.engine.pid, since: status.engine.since },
    venues: status.venues.map((venue) => ({ name: venue.name, type: venue.type, live: venue.live, canTrade: venue.cannotTrade === null, cannotTrade: venue.cannotTrade, books: venue.books })),
    open: ledger ? { positions: ledger.openPositions, locked: formatMicros(ledger.locked) } : null,
    lastProof: ledger?.lastProof ?? null,
  };
}
