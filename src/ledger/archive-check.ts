// What `wallet-check --deep` proves of archived history. In the ledger: every archive checkpoint is whole (each
// wallet's sums equal its last archived row's after-figures, nothing negative), the cuts only move forward, and no log
// row at or below the latest cut is left behind; the chain itself continues from the checkpoint's figures in the walk.
// Each archive file found where its checkpoint says: it names this ledger and this cut, its rows hash and count as
// recorded, and its log, walked from the previous checkpoint's figures, ends at this one's. A file not found is
// reported and not failed: the ledger's own proof does not need it.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type Database from 'better-sqlite3';
import { formatMicros } from '../domain/money.js';
import { archiveWallets, listArchives, type ArchiveRecord, type ArchiveWallet } from './archive-base.js';
import { digestArchiveFile, openArchiveFile, type RowsDigest } from './archive-file.js';
import { connectionOf } from './connections.js';
import type { Ledger } from './ledger.js';

interface Check {
  readonly name: string;
  readonly venue: string | null;
  readonly ok: boolean;
  readonly detail: string;
}

/** The deep check's archive checks; none when nothing was ever archived. */
export function archiveChecks(ledger: Ledger): Check[] {
  const archives = listArchives(ledger);
  const latest = archives[archives.length - 1];
  if (!latest) return [];
  const problems: string[] = [];
  let previous: ArchiveRecord | undefined;
  for (const record of archives) {
    if (previous && record.tx_through_id < previous.tx_through_id) problems.push(`archive #${record.id} cuts at #${record.tx_through_id}, below #${previous.tx_through_id}`);
    for (const w of archiveWallets(ledger, record.id).values()) problems.push(...walletProblems(record, w));
    previous = record;
  }
  const leftBehind = connectionOf(ledger).prepare('SELECT count(*) FROM wallet_transactions WHERE id <= ?').pluck().get(latest.tx_through_id) as number;
  if (leftBehind > 0) problems.push(`${leftBehind} log row(s) at or below the cut #${latest.tx_through_id} are still in the ledger`);
  const checkpoint: Check = {
    name: 'archive_checkpoint',
    venue: null,
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${archives.length} archive(s); the log is archived through #${latest.tx_through_id} (latest ${latest.file_name}, before ${latest.before_date}) and each wallet's chain continues from its figures there`
        : problems.join('; '),
  };
  return [checkpoint, ...archives.map((record, index) => archiveFileCheck(ledger, record, index === 0 ? null : (archives[index - 1] ?? null)))];
}

function walletProblems(record: ArchiveRecord, w: ArchiveWallet): string[] {
  const ok = w.total === w.balanceAfter && w.locked === w.lockedAfter && w.locked >= 0 && w.deficit >= 0 && w.total - w.locked >= 0;
  return ok
    ? []
    : [
        `archive #${record.id} ${w.venue}: total ${formatMicros(w.total)} locked ${formatMicros(w.locked)} deficit ${formatMicros(w.deficit)}, ` +
          `last archived row after ${formatMicros(w.balanceAfter)} / locked ${formatMicros(w.lockedAfter)}`,
      ];
}

function archiveFileCheck(ledger: Ledger, record: ArchiveRecord, previous: ArchiveRecord | null): Check {
  const path = isAbsolute(record.file_name) ? record.file_name : join(dirname(ledger.path), record.file_name);
  const name = 'archive_file';
  if (!existsSync(path)) return { name, venue: null, ok: true, detail: `archive #${record.id}: ${record.file_name} not found beside the ledger; its ${record.tx_count} log row(s) are not verified here` };
  const opened = openArchiveFile(path);
  if (!opened) return { name, venue: null, ok: false, detail: `archive #${record.id}: ${path} is not an arbbot archive` };
  try {
    const { info, file } = opened;
    const problems: string[] = [];
    if (info.ledger_id !== record.ledger_id) problems.push(`it belongs to ledger ${info.ledger_id}, not ${record.ledger_id}`);
    if (info.tx_through_id !== record.tx_through_id || info.tx_after_id !== (previous?.tx_through_id ?? 0)) {
      problems.push(`it holds log rows after #${info.tx_after_id} through #${info.tx_through_id}, the checkpoint says through #${record.tx_through_id}`);
    }
    problems.push(...digestProblems(record, digestArchiveFile(file)));
    const start = previous ? archiveWallets(ledger, previous.id) : new Map<string, ArchiveWallet>();
    problems.push(...chainProblems(file, start, archiveWallets(ledger, record.id)));
    return {
      name,
      venue: null,
      ok: problems.length === 0,
      detail: problems.length === 0 ? `archive #${record.id}: ${record.file_name} holds the rows it recorded (sha256 ${record.rows_sha256.slice(0, 16)}…) and its log ends at the checkpoint's figures` : `archive #${record.id} (${path}): ${problems.join('; ')}`,
    };
  } finally {
    opened.file.close();
  }
}

function digestProblems(record: ArchiveRecord, digest: RowsDigest): string[] {
  const c = digest.counts;
  const pairs: [string, number, number][] = [
    ['transactions', record.tx_count, c.wallet_transactions],
    ['positions', record.position_count, c.positions],
    ['reservations', record.reservation_count, c.reservations],
    ['trades', record.trade_count, c.arb_trades],
    ['legs', record.leg_count, c.arb_legs],
    ['leg events', record.event_count, c.arb_leg_events],
    ['unhedged records', record.unhedged_count, c.unhedged_legs],
  ];
  const problems = pairs.filter(([, recorded, found]) => recorded !== found).map(([what, recorded, found]) => `${what}: recorded ${recorded}, file holds ${found}`);
  if (digest.sha256 !== record.rows_sha256) problems.push(`its rows hash to ${digest.sha256}, recorded ${record.rows_sha256}`);
  return problems;
}

/** The file's log walked per wallet from `start`: each row continues its chain, and the walk ends at `end`. */
function chainProblems(file: Database.Database, start: ReadonlyMap<string, ArchiveWallet>, end: ReadonlyMap<string, ArchiveWallet>): string[] {
  // The chain's own figures; what the checkpoint keeps for the report (deposits, realised PnL) is not the chain's.
  const chainOf = (w: ArchiveWallet | undefined) =>
    w && { venue: w.venue, total: w.total, locked: w.locked, deficit: w.deficit, balanceAfter: w.balanceAfter, lockedAfter: w.lockedAfter, count: w.count };
  const walk = new Map([...start].map(([venue, w]) => [venue, chainOf(w) as NonNullable<ReturnType<typeof chainOf>>]));
  const problems: string[] = [];
  const rows = file.prepare('SELECT id, venue, amount, locked_delta, deficit_delta, balance_before, balance_after, locked_before, locked_after FROM wallet_transactions ORDER BY id').iterate();
  for (const r of rows as IterableIterator<{ id: number; venue: string; amount: number; locked_delta: number; deficit_delta: number; balance_before: number; balance_after: number; locked_before: number; locked_after: number }>) {
    const w = walk.get(r.venue) ?? { venue: r.venue, total: 0, locked: 0, deficit: 0, balanceAfter: 0, lockedAfter: 0, count: 0 };
    if (r.balance_before !== w.balanceAfter || r.locked_before !== w.lockedAfter || r.balance_after !== r.balance_before + r.amount || r.locked_after !== r.locked_before + r.locked_delta) {
      if (problems.length < 5) problems.push(`row #${r.id} (${r.venue}) does not continue its chain`);
    }
    walk.set(r.venue, { venue: r.venue, total: w.total + r.amount, locked: w.locked + r.locked_delta, deficit: w.deficit + r.deficit_delta, balanceAfter: r.balance_after, lockedAfter: r.locked_after, count: w.count + 1 });
  }
  for (const venue of new Set([...walk.keys(), ...end.keys()])) {
    const a = walk.get(venue);
    const b = chainOf(end.get(venue));
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push(`${venue}: its log ends at ${JSON.stringify(a ?? null)}, the checkpoint says ${JSON.stringify(b ?? null)}`);
  }
  return problems;
}
