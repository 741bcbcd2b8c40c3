// The SQLite connection behind a ledger, for the ledger's own parts (wallet-check, reconcile, the arbitrage store,
// the checkpointer) and for tests and benchmarks that read the file directly. Nothing outside src/ledger reaches it
// (lint refuses the import): every other layer goes through the ledger's methods.
import type Database from 'better-sqlite3';

const connections = new WeakMap<object, Database.Database>();

export function registerConnection(ledger: object, db: Database.Database): void {
  connections.set(ledger, db);
}

export function connectionOf(ledger: object): Database.Database {
  const db = connections.get(ledger);
  if (!db) throw new Error('ledger bug: no connection registered for this ledger');
  return db;
}
