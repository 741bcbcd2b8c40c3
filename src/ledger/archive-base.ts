// Where the ledger's log starts once history has been archived: the latest archive checkpoint, with each wallet's
// figures at its cut. wallet-check and reconcile start every wallet's chain and sums there instead of at zero.
import { connectionOf } from './connections.js';
import type { ArchiveCheckpointsTable, ArchiveCheckpointWalletsTable } from './schema.js';
import type { Ledger } from './ledger.js';

/** One wallet at an archive's cut: sums of its deltas from its first row, and its last archived row's after-figures. */
export interface ArchiveWallet {
  readonly venue: string;
  readonly total: number;
  readonly locked: number;
  readonly deficit: number;
  readonly balanceAfter: number;
  readonly lockedAfter: number;
  /** Rows of this wallet archived, by this archive and every one before it. */
  readonly count: number;
  /** Of those rows, money put in and taken out (both positive). */
  readonly deposits: number;
  readonly withdrawals: number;
  /** The archived closed positions of this venue: their realised net PnL, their fees, how many. */
  readonly realised: number;
  readonly fees: number;
  readonly closed: number;
}

export type ArchiveRecord = Omit<ArchiveCheckpointsTable, 'id'> & { readonly id: number };

export interface ArchiveBase {
  readonly record: ArchiveRecord;
  /** The last archived wallet transaction: the remaining log starts after it. */
  readonly throughId: number;
  readonly wallets: ReadonlyMap<string, ArchiveWallet>;
}

/** Every archive checkpoint, oldest first. */
export function listArchives(ledger: Ledger): ArchiveRecord[] {
  if (!hasArchiveTables(ledger)) return [];
  return connectionOf(ledger).prepare('SELECT * FROM archive_checkpoints ORDER BY id').all() as ArchiveRecord[];
}

/** The latest archive checkpoint and its wallets, or null when nothing was ever archived. */
export function readArchiveBase(ledger: Ledger): ArchiveBase | null {
  if (!hasArchiveTables(ledger)) return null;
  const db = connectionOf(ledger);
  const record = db.prepare('SELECT * FROM archive_checkpoints ORDER BY id DESC LIMIT 1').get() as ArchiveRecord | undefined;
  if (!record) return null;
  return { record, throughId: record.tx_through_id, wallets: archiveWallets(ledger, record.id) };
}

/** Each wallet's figures at one archive's cut. */
export function archiveWallets(ledger: Ledger, archiveId: number): Map<string, ArchiveWallet> {
  const rows = connectionOf(ledger)
    .prepare('SELECT * FROM archive_checkpoint_wallets WHERE archive_id = ? ORDER BY venue')
    .all(archiveId) as ArchiveCheckpointWalletsTable[];
  const wallets = new Map<string, ArchiveWallet>();
  for (const row of rows) {
    wallets.set(row.venue, {
      venue: row.venue,
      total: row.total,
      locked: row.locked,
      deficit: row.deficit,
      balanceAfter: row.balance_after,
      lockedAfter: row.locked_after,
      count: row.tx_count,
      deposits: row.deposits,
      withdrawals: row.withdrawals,
      realised: row.realised,
      fees: row.fees,
      closed: row.closed,
    });
  }
  return wallets;
}

/** A file opened for inspection only is not migrated, and one from before archives has no checkpoint table. */
function hasArchiveTables(ledger: Ledger): boolean {
  return connectionOf(ledger).prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'archive_checkpoints'").get() !== undefined;
}
