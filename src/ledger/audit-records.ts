// Audit records: what reconcile repaired and why, and other events worth keeping. Not money movements.
import type Database from 'better-sqlite3';
import type { LedgerCore } from './ledger-core.js';
import { param, prepareQuery } from './statements.js';

export class AuditRecords {
  private readonly q;

  constructor(private readonly core: LedgerCore) {
    this.q = prepareAuditQueries(core.db);
  }


  /** Appends an audit record; returns its id. */
  addAudit(kind: string, venue: string | null, detail: string): number {
    return this.core.transaction(() => Number(this.q.insertAudit.run({ kind, venue, detail, at: this.core.timestamp() }).lastInsertRowid));
  }
}

function prepareAuditQueries(db: Database.Database) {
  return {
    insertAudit: prepareQuery<{ kind: string; venue: string | null; detail: string; at: string }, never>(db, (qb) =>
      qb.insertInto('audit_log').values({ kind: param('kind'), venue: param('venue'), detail: param('detail'), created_at: param('at') }),
    ),
  };
}
