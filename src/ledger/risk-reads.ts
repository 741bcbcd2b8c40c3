// What the risk limits read from the ledger: the realised net PnL of the positions closed in a UTC day, the closes
// recorded after a given wallet transaction (so a running engine follows the day's figure without re-reading it),
// and how many positions are open.
import type Database from 'better-sqlite3';
import type { Micros } from '../domain/money.js';
import type { PositionStatus } from '../domain/position.js';
import { DailyLoss, DAY_MS } from '../domain/risk.js';
import type { Ledger } from './ledger.js';
import { storedMicros } from './rows.js';
import { param, prepareQuery, sql } from './statements.js';
import { connectionOf } from './connections.js';

/** A closed position's share of a day's figure. */
export interface ClosedPnl {
  readonly id: number;
  readonly venue: string;
  readonly netPnl: Micros;
  /** When it closed, as the ledger's clock wrote it (ISO-8601). */
  readonly closedAt: string;
}

interface ClosedPnlRow {
  readonly id: number;
  readonly venue: string;
  readonly net_pnl: number;
  readonly closed_at: string;
}

function toClosedPnl(row: ClosedPnlRow): ClosedPnl {
  return { id: row.id, venue: row.venue, netPnl: storedMicros('positions', row.id, 'net_pnl', row.net_pnl), closedAt: row.closed_at };
}

/** Written into the SQL, not bound: a bound value compared with a partial index's WHERE keeps SQLite off the index. */
const OPEN = sql.lit<PositionStatus>('open');
const CLOSED = sql.lit<PositionStatus>('closed');

export class RiskReads {
  private readonly q;
  private readonly readTransaction: Database.Transaction<(read: () => unknown) => unknown>;

  constructor(ledger: Ledger) {
    const db = connectionOf(ledger);
    // One read transaction: the last transaction id and the closes before it come from the same state of the file.
    this.readTransaction = db.transaction((read: () => unknown) => read());
    this.q = {
      // No index serves closed_at: this walks the positions table, so it runs once per day (and per command), not per quote.
      closedBetween: prepareQuery<{ from: string; to: string }, ClosedPnlRow>(db, (qb) =>
        qb
          .selectFrom('positions')
          .select(['id', 'venue', 'net_pnl', 'closed_at'])
          .where('status', '=', CLOSED)
          .where('closed_at', '>=', param('from'))
          .where('closed_at', '<', param('to'))
          // In the order they were recorded: a day's loss is the deepest its running total reached.
          .orderBy('closed_at')
          .orderBy('id')
          .$narrowType<{ net_pnl: number; closed_at: string }>(),
      ),
      // A range of the log's primary key, then each row's position by its primary key: the cost of what is new.
      closedAfterTransaction: prepareQuery<{ after: number; through: number }, ClosedPnlRow>(db, (qb) =>
        qb
          .selectFrom('wallet_transactions as t')
          .innerJoin('positions as p', 'p.id', 't.position_id')
          .select(['p.id as id', 'p.venue as venue', 'p.net_pnl as net_pnl', 'p.closed_at as closed_at'])
          .where('t.id', '>', param('after'))
          .where('t.id', '<=', param('through'))
          .where('p.status', '=', CLOSED)
          .orderBy('t.id')
          .$narrowType<{ net_pnl: number; closed_at: string }>(),
      ),
      lastTransactionId: prepareQuery<Record<string, never>, { last: number | null }>(db, (qb) =>
        qb.selectFrom('wallet_transactions').select((eb) => eb.fn.max('id').as('last')),
      ),
      openPositionCount: prepareQuery<Record<string, never>, { n: number }>(db, (qb) =>
        qb.selectFrom('positions').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', OPEN),
      ),
      positionByKey: prepareQuery<{ key: string }, { id: number }>(db, (qb) =>
        qb.selectFrom('positions').select('id').where('idempotency_key', '=', param('key')),
      ),
    };
  }

  /** The positions closed in the UTC day starting at `dayStartMs`, and the last wallet transaction id they were read at. */
  closedOnDay(dayStartMs: number): { closes: ClosedPnl[]; lastTransactionId: number } {
    const from = new Date(dayStartMs).toISOString();
    const to = new Date(dayStartMs + DAY_MS).toISOString();
    return this.snapshot(() => ({
      lastTransactionId: this.q.lastTransactionId.get({})?.last ?? 0,
      closes: this.q.closedBetween.all({ from, to }).map(toClosedPnl),
    }));
  }

  /**
   * The positions closed by a wallet transaction after `afterTransactionId` (a position may appear more than once:
   * each of its rows in the range), and the last transaction id read. Every close writes its wallet transaction in
   * the same commit, so following the log's ids misses no close, whichever process made it.
   */
  closedSince(afterTransactionId: number): { closes: ClosedPnl[]; lastTransactionId: number } {
    return this.snapshot(() => {
      const last = this.q.lastTransactionId.get({})?.last ?? 0;
      if (last <= afterTransactionId) return { closes: [], lastTransactionId: afterTransactionId };
      return { closes: this.q.closedAfterTransaction.all({ after: afterTransactionId, through: last }).map(toClosedPnl), lastTransactionId: last };
    });
  }

  private snapshot<T>(read: () => T): T {
    return this.readTransaction.deferred(read) as T;
  }

  openPositionCount(): number {
    return this.q.openPositionCount.get({})?.n ?? 0;
  }

  /** Whether a position was already opened under this idempotency key (replaying it opens nothing). */
  positionKeyUsed(key: string): boolean {
    return this.q.positionByKey.get({ key }) !== undefined;
  }

  /** The realised losses of the UTC day starting at `dayStartMs`, close by close. */
  dailyLoss(dayStartMs: number): DailyLoss {
    const day = new DailyLoss(dayStartMs);
    for (const close of this.closedOnDay(dayStartMs).closes) day.add(close.venue, close.netPnl);
    return day;
  }
}

/** The ledger's clock (the feed's time in a replay), in epoch milliseconds. */
export function ledgerNowMs(ledger: Ledger): number {
  return Date.parse(ledger.timestamp());
}
