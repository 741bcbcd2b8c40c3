// Audit records: what reconcile repaired and why, and the record of each market resolution the ledger settled (which
// a paper venue, in another file, replays from). Not money movements.
import type Database from 'better-sqlite3';
import type { Outcome } from '../domain/market.js';
import type { LedgerCore } from './ledger-core.js';
import { param, prepareQuery } from './statements.js';

/** The audit kind of a market resolution the ledger settled. */
const MARKET_RESOLVED = 'market_resolved';

export interface RecordedResolution {
  readonly id: number;
  readonly market: string;
  readonly outcome: Outcome;
}

export class AuditRecords {
  private readonly q;

  constructor(private readonly core: LedgerCore) {
    this.q = prepareAuditQueries(core.db);
  }

  /** Appends an audit record; returns its id. */
  addAudit(kind: string, venue: string | null, detail: string): number {
    return this.core.transaction(() => Number(this.q.insertAudit.run({ kind, venue, detail, at: this.core.timestamp() }).lastInsertRowid));
  }

  /** Records that `venue`'s `market` resolved `outcome`; the id orders resolutions, so a venue applies each once. */
  recordResolution(venue: string, market: string, outcome: Outcome): number {
    return this.addAudit(MARKET_RESOLVED, venue, JSON.stringify({ market, outcome }));
  }

  /** How `venue`'s `market` resolved, if the ledger has settled a resolution of it. */
  resolvedOutcome(venue: string, market: string): Outcome | null {
    return this.resolutionsSince(venue, 0).find((resolution) => resolution.market === market)?.outcome ?? null;
  }

  /** The resolutions of `venue` recorded after `afterId`, oldest first. */
  resolutionsSince(venue: string, afterId: number): RecordedResolution[] {
    return this.q.resolutionsSince.all({ kind: MARKET_RESOLVED, venue, afterId }).map((row) => {
      const { market, outcome } = JSON.parse(row.detail) as { market: string; outcome: Outcome };
      return { id: row.id, market, outcome };
    });
  }
}

function prepareAuditQueries(db: Database.Database) {
  return {
    insertAudit: prepareQuery<{ kind: string; venue: string | null; detail: string; at: string }, never>(db, (qb) =>
      qb.insertInto('audit_log').values({ kind: param('kind'), venue: param('venue'), detail: param('detail'), created_at: param('at') }),
    ),
    resolutionsSince: prepareQuery<{ kind: string; venue: string; afterId: number }, { id: number; detail: string }>(db, (qb) =>
      qb
        .selectFrom('audit_log')
        .select(['id', 'detail'])
        .where('kind', '=', param('kind'))
        .where('venue', '=', param('venue'))
        .where('id', '>', param('afterId'))
        .orderBy('id'),
    ),
  };
}
