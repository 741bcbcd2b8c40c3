// Opening the ledger the way every command needs it: the configured pragmas, and a wallet (with its starting balance
// as a deposit) for every configured venue seen for the first time.
import { existsSync } from 'node:fs';
import type { Config } from '../config/config.js';
import { InputError } from '../domain/errors.js';
import { Ledger } from '../ledger/ledger.js';
import { canWriteBeside } from '../security/sqlite-reading.js';

export function openLedger(config: Config, dbPath: string, options: { readonly now?: () => Date } = {}): Ledger {
  const ledger = Ledger.open(dbPath, { synchronous: config.synchronous, busyTimeoutMs: config.busyTimeoutMs, ...options });
  try {
    for (const venue of config.venues.values()) {
      if (!ledger.getWallet(venue.name)) ledger.ensureWallet(venue.name, venue.startingBalance);
    }
  } catch (error) {
    ledger.close();
    throw error;
  }
  return ledger;
}

/**
 * The ledger as a command that only reads opens it: it must exist (nothing is created where there is none, not even a
 * file beside it), and nothing is written to it — no wallet for a venue configured since, no migration — so it is read
 * on a read-only file or filesystem too.
 */
export function openLedgerToRead(config: Config, dbPath: string): Ledger {
  assertLedgerExists(dbPath);
  return Ledger.open(dbPath, { readonly: true, currentSchemaOnly: true, busyTimeoutMs: config.busyTimeoutMs });
}

/**
 * The ledger as wallet-check opens it: like a reader, it must exist and nothing is created; but a check remembers how
 * far it proved the books (its checkpoint) so the next one starts there, and so it writes that one record where it
 * can. On a ledger it may not write it reads, and only cannot remember.
 */
export function openLedgerToCheck(config: Config, dbPath: string): Ledger {
  assertLedgerExists(dbPath);
  if (!canWriteBeside(dbPath)) return openLedgerToRead(config, dbPath);
  return Ledger.open(dbPath, { synchronous: config.synchronous, busyTimeoutMs: config.busyTimeoutMs });
}

function assertLedgerExists(dbPath: string): void {
  // An empty path is refused by the opener, in its own words.
  if (dbPath !== '' && !existsSync(dbPath)) throw new InputError(`no ledger at ${dbPath}: start one with \`arbbot init\` or \`arbbot run\``);
}

/** Whether an error is about the ledger's file (full, locked, malformed…) rather than the code: exit 3, not a bug. */
export { isStorageError } from '../ledger/database.js';
