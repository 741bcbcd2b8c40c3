// `arbbot archive --before DATE`: settled history moves to an archive file and the ledger keeps a checkpoint that
// proves it. The books are proven first (wallet-check --deep); the rows are copied and the copy verified before the
// ledger changes; then one IMMEDIATE transaction records the checkpoint and deletes exactly the rows copied. A
// failure at any point leaves the ledger as it was (and at worst a complete archive file a rerun reuses).
import { existsSync, linkSync, unlinkSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { InputError, OperationalError } from '../domain/errors.js';
import { readArchiveBase, type ArchiveBase, type ArchiveRecord, type ArchiveWallet } from './archive-base.js';
import { deletion, digestArchiveFile, digestLedgerRows, openArchiveFile, writeArchiveFile, type ArchivedTable, type ArchiveInfo, type RowsDigest } from './archive-file.js';
import { planArchive, type ArchivePlan } from './archive-plan.js';
import { connectionOf } from './connections.js';
import { walletCheck, type HealthReport } from './health.js';
import type { Ledger } from './ledger.js';
import { dropCheckpoint } from './log-audit.js';

export interface ArchiveRequest {
  /** YYYY-MM-DD, already validated: rows written before its first instant (UTC) may move. */
  readonly beforeDate: string;
  readonly filePath: string;
}

export type ArchiveOutcome =
  | { readonly kind: 'unhealthy'; readonly report: HealthReport }
  | { readonly kind: 'nothing'; readonly throughId: number }
  | { readonly kind: 'archived'; readonly record: ArchiveRecord; readonly filePath: string; readonly fileReused: boolean; readonly wallets: readonly ArchiveWallet[] };

/** Children before the rows they refer to, so every foreign key holds after each statement. */
const DELETE_ORDER: readonly ArchivedTable[] = ['arb_leg_events', 'unhedged_legs', 'arb_legs', 'arb_trades', 'wallet_transactions', 'positions', 'reservations'];

export function archiveHistory(ledger: Ledger, request: ArchiveRequest): ArchiveOutcome {
  const report = walletCheck(ledger, { deep: true, recordCheckpoint: false });
  if (!report.healthy) return { kind: 'unhealthy', report };
  const db = connectionOf(ledger);
  const beforeIso = `${request.beforeDate}T00:00:00.000Z`;
  const planned = db
    .transaction(() => {
      const base = readArchiveBase(ledger);
      const plan = planArchive(db, beforeIso, base);
      return { base, plan, digest: digestLedgerRows(db, plan) };
    })
    .deferred();
  if (Object.values(planned.digest.counts).every((n) => n === 0)) return { kind: 'nothing', throughId: planned.plan.afterId };
  const info: Omit<ArchiveInfo, 'rows_sha256'> = {
    ledger_id: ledger.identity().ledgerId,
    before_date: request.beforeDate,
    tx_after_id: planned.plan.afterId,
    tx_through_id: planned.plan.throughId,
    archived_at: ledger.timestamp(),
  };
  const created = placeFile(request.filePath, db, planned.plan, info, planned.digest);
  try {
    const record = ledger.transaction(() => commit(ledger, { ...planned, info, fileName: fileNameOf(ledger, request.filePath) }));
    return { kind: 'archived', record, filePath: request.filePath, fileReused: !created, wallets: [...planned.plan.wallets.values()] };
  } catch (error) {
    if (created) unlinkSync(request.filePath);
    throw error;
  }
}

/** The file's name as the checkpoint keeps it: its base name beside the ledger, else its absolute path. */
function fileNameOf(ledger: Ledger, filePath: string): string {
  const absolute = resolve(filePath);
  return dirname(absolute) === dirname(resolve(ledger.path)) ? basename(absolute) : absolute;
}

/**
 * Puts the archive at `path`: written to a partial file, verified, then linked into place (a link never replaces a
 * file). An existing file is reused only when it is this very archive (a rerun after the ledger's transaction failed).
 * Returns whether the file was created now.
 */
function placeFile(path: string, db: Database.Database, plan: ArchivePlan, info: Omit<ArchiveInfo, 'rows_sha256'>, expected: RowsDigest): boolean {
  if (existsSync(path)) {
    if (!sameArchive(path, info, expected)) throw new InputError(`${path} already exists and is not this archive; choose another --to`);
    return false;
  }
  const partial = `${path}.partial-${process.pid}`;
  try {
    const copied = writeArchiveFile(partial, db, plan, info);
    if (copied.sha256 !== expected.sha256) throw new OperationalError('the rows to archive changed while they were copied; nothing was archived, run archive again');
    if (!sameArchive(partial, info, expected)) throw new OperationalError(`the archive written to ${partial} does not read back as written; nothing was archived`);
    linkSync(partial, path);
  } finally {
    if (existsSync(partial)) unlinkSync(partial);
  }
  return true;
}

/** Whether the file at `path` is an archive of this ledger's rows for this cut, its rows hashing as expected. */
function sameArchive(path: string, info: Omit<ArchiveInfo, 'rows_sha256'>, expected: RowsDigest): boolean {
  const opened = openArchiveFile(path);
  if (!opened) return false;
  try {
    const found = opened.info;
    if (found.ledger_id !== info.ledger_id || found.tx_after_id !== info.tx_after_id || found.tx_through_id !== info.tx_through_id) return false;
    if (found.rows_sha256 !== expected.sha256) return false;
    const digest = digestArchiveFile(opened.file);
    return digest.sha256 === expected.sha256 && JSON.stringify(digest.counts) === JSON.stringify(expected.counts);
  } finally {
    opened.file.close();
  }
}

interface Planned {
  readonly base: ArchiveBase | null;
  readonly plan: ArchivePlan;
  readonly digest: RowsDigest;
  readonly info: Omit<ArchiveInfo, 'rows_sha256'>;
  readonly fileName: string;
}

/** Inside the IMMEDIATE transaction: the rows are still the ones copied, the checkpoint is recorded, the rows go. */
function commit(ledger: Ledger, planned: Planned): ArchiveRecord {
  const db = connectionOf(ledger);
  const { plan, digest, base } = planned;
  if ((readArchiveBase(ledger)?.record.id ?? null) !== (base?.record.id ?? null)) {
    throw new OperationalError('another archive was made meanwhile; nothing was archived, run archive again');
  }
  if (digestLedgerRows(db, plan).sha256 !== digest.sha256) {
    throw new OperationalError('the rows to archive changed after they were copied; nothing was archived, run archive again');
  }
  const previous = base?.record;
  const highest = (ids: readonly number[], before: number) => ids.reduce((max, id) => Math.max(max, id), before);
  const tradeRows = (table: string) =>
    db.prepare(`SELECT coalesce(max(id), 0) FROM ${table} WHERE trade_id IN (SELECT value FROM json_each(?))`).pluck().get(JSON.stringify(plan.tradeIds)) as number;
  const eventsMax = db
    .prepare('SELECT coalesce(max(e.id), 0) FROM arb_leg_events e JOIN arb_legs l ON l.id = e.leg_id WHERE l.trade_id IN (SELECT value FROM json_each(?))')
    .pluck()
    .get(JSON.stringify(plan.tradeIds)) as number;
  const c = digest.counts;
  const record = {
    file_name: planned.fileName,
    ledger_id: planned.info.ledger_id,
    before_date: planned.info.before_date,
    tx_through_id: plan.throughId,
    positions_through_id: highest(plan.positionIds, previous?.positions_through_id ?? 0),
    reservations_through_id: highest(plan.reservationIds, previous?.reservations_through_id ?? 0),
    trades_through_id: highest(plan.tradeIds, previous?.trades_through_id ?? 0),
    legs_through_id: Math.max(tradeRows('arb_legs'), previous?.legs_through_id ?? 0),
    events_through_id: Math.max(eventsMax, previous?.events_through_id ?? 0),
    unhedged_through_id: Math.max(tradeRows('unhedged_legs'), previous?.unhedged_through_id ?? 0),
    tx_count: c.wallet_transactions,
    position_count: c.positions,
    reservation_count: c.reservations,
    trade_count: c.arb_trades,
    leg_count: c.arb_legs,
    event_count: c.arb_leg_events,
    unhedged_count: c.unhedged_legs,
    rows_sha256: digest.sha256,
    archived_at: planned.info.archived_at,
  };
  const columns = Object.keys(record);
  const id = Number(
    db.prepare(`INSERT INTO archive_checkpoints (${columns.join(', ')}) VALUES (${columns.map((k) => `@${k}`).join(', ')})`).run(record).lastInsertRowid,
  );
  const addWallet = db.prepare(
    `INSERT INTO archive_checkpoint_wallets (archive_id, venue, total, locked, deficit, balance_after, locked_after, tx_count,
       deposits, withdrawals, realised, fees, closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const closedByVenue = archivedPositionFigures(db, plan.positionIds);
  for (const w of plan.wallets.values()) {
    const closed = closedByVenue.get(w.venue) ?? { realised: 0, fees: 0, closed: 0 };
    addWallet.run(id, w.venue, w.total, w.locked, w.deficit, w.balanceAfter, w.lockedAfter, w.count, w.deposits, w.withdrawals, w.realised + closed.realised, w.fees + closed.fees, w.closed + closed.closed);
  }
  for (const table of DELETE_ORDER) {
    const { sql, ids } = deletion(table, plan);
    const removed = db.prepare(sql).run({ ids }).changes;
    if (removed !== c[table]) throw new Error(`ledger bug: archive deleted ${removed} row(s) of ${table}, copied ${c[table]}`);
  }
  // The log checkpoint counted rows that are gone; the next wallet-check walks from the archive's cut and records a new one.
  dropCheckpoint(ledger);
  return { id, ...record };
}

/** The realised net PnL, fees and number of the positions an archive moves, per venue: what the report adds back. */
function archivedPositionFigures(db: Database.Database, positionIds: readonly number[]): Map<string, { realised: number; fees: number; closed: number }> {
  const rows = db
    .prepare(
      `SELECT venue, coalesce(sum(net_pnl), 0) AS realised, coalesce(sum(entry_fee + coalesce(exit_fee, 0)), 0) AS fees, count(*) AS closed
       FROM positions WHERE id IN (SELECT value FROM json_each(?)) GROUP BY venue`,
    )
    .all(JSON.stringify(positionIds)) as { venue: string; realised: number; fees: number; closed: number }[];
  return new Map(rows.map((row) => [row.venue, row]));
}
