// Opening the ledger the way every command needs it: the configured pragmas, and a wallet (with its starting balance
// as a deposit) for every configured venue seen for the first time.
import type { Config } from '../config/config.js';
import { Ledger } from '../ledger/ledger.js';

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

/** Whether an error is about the ledger's file (full, locked, malformed…) rather than the code: exit 3, not a bug. */
export { isStorageError } from '../ledger/database.js';
