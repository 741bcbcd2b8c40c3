// Archiving settled history (`arbbot archive`): the books proven first, then the rows moved to an archive file while
// the ledger keeps a checkpoint that proves them.
import { basename, dirname, join } from 'node:path';
import { archiveHistory, type ArchiveOutcome } from '../ledger/archive.js';
import type { Ledger } from '../ledger/ledger.js';

export type { ArchiveOutcome } from '../ledger/archive.js';
export type { ArchiveWallet } from '../ledger/archive-base.js';

/** The archive's default file: beside the ledger, named after it and the date (arbbot.db → arbbot.archive-2024-01-01.db). */
export function defaultArchivePath(dbPath: string, beforeDate: string): string {
  const name = basename(dbPath).replace(/\.db$/, '');
  return join(dirname(dbPath), `${name}.archive-${beforeDate}.db`);
}

export function archiveBooks(ledger: Ledger, request: { readonly beforeDate: string; readonly filePath: string }): ArchiveOutcome {
  return archiveHistory(ledger, request);
}
