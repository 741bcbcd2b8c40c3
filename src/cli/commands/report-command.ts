// `arbbot report`: is it making money? Equity against the money put in, split into realised, unrealised at the last
// accepted prices, and the edge hedged arbitrage pairs have locked in; then per venue, per day and per pair.
import type { Command } from 'commander';
import { ledgerReport, type DayReport, type PairReport, type Report, type VenueReport } from '../../app/report.js';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { InputError, OperationalError } from '../../domain/errors.js';
import { reportHtml } from '../report-html.js';
import { formatMicros, formatPpmPct, formatSignedUsd, formatUsd, ratioPpm } from '../../domain/money.js';
import { CommandContext } from '../context.js';
import { parseUtcDate } from '../parse.js';
import type { Output } from '../output.js';

/** How many days the table and the sparkline show unless --since says otherwise. */
const DAYS_SHOWN_DEFAULT = 30;
const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('is it making money? equity against deposits, realised and unrealised PnL, locked-in arbitrage edge, fees; per venue, day and pair')
    .option('--html <file>', 'also write the report as a self-contained HTML page with its charts (opens in any browser)')
    .option('--since <date>', `days listed from this UTC date (YYYY-MM-DD); default: the last ${DAYS_SHOWN_DEFAULT} days with closes`)
    .action((options: { since?: string; html?: string }, command: Command) => {
      const ctx = CommandContext.from(command);
      // Checked as a date; kept as its text, which compares with the days' own YYYY-MM-DD.
      const since = options.since === undefined ? null : (parseUtcDate(options.since, '--since'), options.since);
      if (options.html === '') throw new InputError('--html needs a file name');
      const report = ledgerReport(ctx.openLedgerToRead(), ctx.config);
      if (options.html !== undefined) writeHtml(ctx.out, options.html, report);
      const days = since === null ? report.days.slice(-DAYS_SHOWN_DEFAULT) : report.days.filter((day) => day.day >= since);
      if (ctx.out.json) return ctx.out.printJson(reportJson(report, days));
      renderReport(ctx.out, report, days);
    });
}

/** The page written whole or not at all: a half-written report must never pass for a report. */
function writeHtml(out: Output, file: string, report: Report): void {
  const partial = `${file}.partial-${process.pid}`;
  try {
    writeFileSync(partial, reportHtml(report, new Date()), { mode: 0o600 });
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new OperationalError(`--html ${file}: cannot write it: ${(error as Error).message}`);
  }
  out.log(out.role.muted(`report written to ${file}`));
}

/** A money figure coloured by its sign: gains green, losses red, nothing plain. */
function signed(out: Output, value: number): string {
  return out.role.money(value, formatSignedUsd(value));
}

/** One bar per value, scaled between the lowest and the highest (all alike: a flat line). */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return '';
  const low = Math.min(...values);
  const high = Math.max(...values);
  const top = SPARKS.length - 1;
  return values.map((value) => SPARKS[high === low ? 0 : Math.round(((value - low) / (high - low)) * top)]).join('');
}

function renderReport(out: Output, report: Report, days: readonly DayReport[]): void {
  const pct = report.netDeposits > 0 ? ` (${formatPpmPct(ratioPpm(report.pnl, report.netDeposits))})` : '';
  out.line(`Equity ${formatUsd(report.equity)} on ${formatUsd(report.netDeposits)} deposited: ${signed(out, report.pnl)}${pct}`);
  const held = report.pairs.reduce((count, pair) => count + pair.held, 0);
  out.line(
    `  realised ${signed(out, report.realised)} · unrealised ${signed(out, report.unrealised)} · locked-in arbitrage edge ${signed(out, report.lockedEdge)}` +
      ` (${held} hedged pair${held === 1 ? '' : 's'} awaiting resolution) · fees paid ${formatUsd(report.fees)}` +
      (report.deficit > 0 ? ` · ${out.role.error(`deficits owed ${formatUsd(report.deficit, 4)}`)}` : ''),
  );
  if (report.archived) {
    const archived = report.archived;
    out.line(out.role.muted(`  archived before ${archived.before}: ${archived.closed} closed position(s), realised ${formatSignedUsd(archived.realised)} (counted in every total)`));
  }
  if (report.unpriced > 0) out.line(out.role.warn(`  ${report.unpriced} open position(s) have no accepted price yet: valued at their entry price`));
  out.line('');
  out.table(['venue', 'deposited', 'equity', 'PnL', 'realised', 'unrealised', 'locked edge', 'fees', 'open'], report.venues.map((venue) => venueRow(out, venue)));
  if (days.length > 0) {
    out.line('');
    out.line(`Realised PnL by day ${sparkline(days.map((day) => day.realised))}  cumulative ${sparkline(days.map((day) => day.cumulative))}`);
    out.table(['day (UTC)', 'closed', 'realised', 'fees', 'cumulative'], days.map((day) => [day.day, day.closed, signed(out, day.realised), formatUsd(day.fees), signed(out, day.cumulative)]));
  }
  if (report.pairs.length > 0) {
    out.line('');
    out.table(['pair', 'trades', 'hedged', 'unhedged', 'realised', 'locked edge', 'held'], report.pairs.map((pair) => pairRow(out, pair)));
  }
}

function venueRow(out: Output, venue: VenueReport): string[] {
  return [
    venue.venue,
    formatUsd(venue.netDeposits),
    formatUsd(venue.equity),
    signed(out, venue.equity - venue.netDeposits),
    signed(out, venue.realised),
    signed(out, venue.unrealised),
    signed(out, venue.lockedEdge),
    formatUsd(venue.fees),
    String(venue.openPositions),
  ];
}

function pairRow(out: Output, pair: PairReport): string[] {
  return [pair.pair, String(pair.trades), String(pair.hedged), String(pair.unhedged), signed(out, pair.realisedNet), signed(out, pair.lockedEdge), String(pair.held)];
}

function reportJson(report: Report, days: readonly DayReport[]): Record<string, unknown> {
  return {
    equity: formatMicros(report.equity),
    netDeposits: formatMicros(report.netDeposits),
    pnl: formatMicros(report.pnl),
    realised: formatMicros(report.realised),
    unrealised: formatMicros(report.unrealised),
    lockedEdge: formatMicros(report.lockedEdge),
    fees: formatMicros(report.fees),
    deficit: formatMicros(report.deficit),
    unpriced: report.unpriced,
    archived: report.archived && { before: report.archived.before, realised: formatMicros(report.archived.realised), closed: report.archived.closed },
    venues: report.venues.map((venue) => ({
      venue: venue.venue,
      netDeposits: formatMicros(venue.netDeposits),
      equity: formatMicros(venue.equity),
      pnl: formatMicros(venue.equity - venue.netDeposits),
      realised: formatMicros(venue.realised),
      unrealised: formatMicros(venue.unrealised),
      lockedEdge: formatMicros(venue.lockedEdge),
      fees: formatMicros(venue.fees),
      deficit: formatMicros(venue.deficit),
      openPositions: venue.openPositions,
    })),
    days: days.map((day) => ({ day: day.day, closed: day.closed, realised: formatMicros(day.realised), fees: formatMicros(day.fees), cumulative: formatMicros(day.cumulative) })),
    pairs: report.pairs.map((pair) => ({
      pair: pair.pair,
      trades: pair.trades,
      hedged: pair.hedged,
      unhedged: pair.unhedged,
      realised: formatMicros(pair.realisedNet),
      lockedEdge: formatMicros(pair.lockedEdge),
      held: pair.held,
    })),
  };
}
