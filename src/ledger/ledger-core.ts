// What every part of the ledger shares: the connection, the clock, and the one way to run a transaction.
import type Database from 'better-sqlite3';

export interface LedgerCore {
  readonly db: Database.Database;
  /** The clock as ISO-8601 text, as every row records it. */
  timestamp(): string;
  /** Runs `fn` as one BEGIN IMMEDIATE transaction (a savepoint when already inside one). */
  transaction<T>(fn: () => T): T;
}
