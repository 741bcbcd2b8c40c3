// wallet-check's queries, prepared once per connection. Each reads what one check needs and no more: the checks from a
// checkpoint look only at the rows the walked part of the log touches (through the partial indexes on position_id and
// reservation_id), and those from the first row read every row in one grouped pass.
import type Database from 'better-sqlite3';
import type { PositionStatus } from '../domain/position.js';
import type { ReservationState, WalletTransactionType } from '../domain/wallet.js';
import type { Ledger } from './ledger.js';
import { connectionOf } from './connections.js';
import { VIOLATIONS_LISTED_MAX } from './log-audit.js';
import { param, prepareQuery, preparePragma, queryBuilder, sql, type QueryBuilder } from './statements.js';

/** What each wallet's pending reservations and open positions hold locked. */
export interface Holdings {
  readonly venue: string;
  readonly pending: number;
  readonly positions: number;
}

/** A position closed by more than one record. */
export interface CloseCount {
  readonly id: number;
  readonly n: number;
}

/** A position whose close records do not match its status (closed: exactly one; open: none). */
export interface CloseMismatch {
  readonly id: number;
  readonly status: string;
  readonly n: number;
}

/** A reservation without exactly one reserve record. */
export interface ReservationMismatch {
  readonly id: number;
  readonly state: string;
  readonly amount: number;
  readonly reserves: number;
}

// Constants written into the SQL, not bound, as the partial indexes' WHERE clauses name them: a bound value keeps
// SQLite off a partial index.
const OPEN = sql.lit<PositionStatus>('open');
const CLOSED = sql.lit<PositionStatus>('closed');
const PENDING = sql.lit<ReservationState>('pending');
const RESERVE = sql.lit<WalletTransactionType>('reserve');
/** Written in too: with a bound LIMIT, SQLite's planner walks every position rather than the open ones. */
const LISTED = sql.lit(VIOLATIONS_LISTED_MAX);
/** The records that close a position. */
const CLOSES = [sql.lit<WalletTransactionType>('position_close'), sql.lit<WalletTransactionType>('settlement')];

/** The positions closed by the log's rows after `throughId`. */
function walkedCloses() {
  return queryBuilder
    .selectFrom('wallet_transactions')
    .select('position_id')
    .where('id', '>', param('throughId'))
    .where('type', 'in', CLOSES)
    .where('position_id', 'is not', null);
}

/** Positions with `n`, their count of close records. */
function positionsWithCloses(qb: QueryBuilder) {
  return qb.selectFrom('positions as p').select((eb) => [
    'p.id as id',
    'p.status as status',
    eb.selectFrom('wallet_transactions as t').select(eb.fn.countAll<number>().as('n')).whereRef('t.position_id', '=', 'p.id').where('t.type', 'in', CLOSES).as('n'),
  ]);
}

/** Closed with other than one close record, or open with any (`n` as positionsWithCloses selects it). */
const CLOSES_WRONG = sql<boolean>`NOT ((p.status = ${CLOSED} AND n = 1) OR (p.status = ${OPEN} AND n = 0))`;

// eslint-disable-next-line max-lines-per-function -- a declared table: wallet-check's prepared queries, one entry each
function prepareHealthQueries(db: Database.Database) {
  const count = (table: 'positions' | 'reservations' | 'wallet_transactions') =>
    prepareQuery<Record<string, never>, { n: number }>(db, (qb) => qb.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')));
  return {
    holdings: prepareQuery<Record<string, never>, Holdings>(db, (qb) =>
      qb.selectFrom('wallets as w').select((eb) => [
        'w.venue as venue',
        eb
          .selectFrom('reservations as r')
          .select(sql<number>`coalesce(sum(r.amount), 0)`.as('pending'))
          .whereRef('r.venue', '=', 'w.venue')
          .where('r.state', '=', PENDING)
          .as('pending'),
        eb
          .selectFrom('positions as p')
          .select(sql<number>`coalesce(sum(p.cost_basis + p.close_reserve), 0)`.as('positions'))
          .whereRef('p.venue', '=', 'w.venue')
          .where('p.status', '=', OPEN)
          .as('positions'),
      ]),
    ),
    positionCount: count('positions'),
    openPositionCount: prepareQuery<Record<string, never>, { n: number }>(db, (qb) =>
      qb.selectFrom('positions').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', OPEN),
    ),
    reservationCount: count('reservations'),
    transactionCount: count('wallet_transactions'),
    // A position closed twice has its second record after its first, so it is among the positions the walked rows
    // close; the index on position_id finds all of their records.
    doubleClosesWalked: prepareQuery<{ throughId: number }, CloseCount>(db, (qb) =>
      qb
        .selectFrom('wallet_transactions')
        .select((eb) => ['position_id as id', eb.fn.countAll<number>().as('n')])
        .where('type', 'in', CLOSES)
        .where('position_id', 'is not', null)
        .where('position_id', 'in', walkedCloses())
        .groupBy('position_id')
        .having((eb) => eb.fn.countAll(), '>', 1)
        .orderBy('position_id')
        .limit(LISTED),
    ),
    doubleClosesEvery: prepareQuery<Record<string, never>, CloseCount>(db, (qb) =>
      qb
        .selectFrom('wallet_transactions')
        .select((eb) => ['position_id as id', eb.fn.countAll<number>().as('n')])
        .where('type', 'in', CLOSES)
        .where('position_id', 'is not', null)
        .groupBy('position_id')
        .having((eb) => eb.fn.countAll(), '>', 1)
        .orderBy('position_id')
        .limit(LISTED),
    ),
    // The positions the walked rows close, and the open positions (few, and indexed) with any close record at all.
    closeMismatchesWalked: prepareQuery<{ throughId: number }, CloseMismatch>(db, (qb) =>
      positionsWithCloses(qb).where('p.id', 'in', walkedCloses()).where(CLOSES_WRONG).orderBy('p.id').limit(LISTED),
    ),
    closeMismatchesOpen: prepareQuery<Record<string, never>, CloseMismatch>(db, (qb) =>
      positionsWithCloses(qb).where('p.status', '=', OPEN).where(CLOSES_WRONG).orderBy('p.id').limit(LISTED),
    ),
    closeMismatchesEvery: prepareQuery<Record<string, never>, CloseMismatch>(db, (qb) =>
      qb
        .selectFrom('positions as p')
        .leftJoin('wallet_transactions as t', (join) => join.onRef('t.position_id', '=', 'p.id').on('t.type', 'in', CLOSES))
        .select((eb) => ['p.id as id', 'p.status as status', eb.fn.count<number>('t.id').as('n')])
        .groupBy('p.id')
        .having((eb) =>
          eb.or([
            eb.and([eb('p.status', '=', CLOSED), eb(eb.fn.count('t.id'), '<>', 1)]),
            eb.and([eb('p.status', '=', OPEN), eb(eb.fn.count('t.id'), '<>', 0)]),
          ]),
        )
        .orderBy('p.id')
        .limit(LISTED),
    ),
    // The reservations the walked rows reserve, each with exactly one reserve record (found by the index on reservation_id).
    reservationMismatchesWalked: prepareQuery<{ throughId: number }, ReservationMismatch>(db, (qb) =>
      qb
        .selectFrom('reservations as r')
        .select((eb) => [
          'r.id as id',
          'r.state as state',
          'r.amount as amount',
          eb
            .selectFrom('wallet_transactions as t')
            .select(eb.fn.countAll<number>().as('n'))
            .whereRef('t.reservation_id', '=', 'r.id')
            .where('t.type', '=', RESERVE)
            .as('reserves'),
        ])
        .where('r.id', 'in', (eb) =>
          eb
            .selectFrom('wallet_transactions')
            .select('reservation_id')
            .where('id', '>', param('throughId'))
            .where('type', '=', RESERVE)
            .where('reservation_id', 'is not', null),
        )
        .where(sql.ref('reserves'), '<>', 1)
        .orderBy('r.id')
        .limit(LISTED),
    ),
    reservationMismatchesEvery: prepareQuery<Record<string, never>, ReservationMismatch>(db, (qb) =>
      qb
        .selectFrom('reservations as r')
        .leftJoin(
          (eb) =>
            eb
              .selectFrom('wallet_transactions')
              .select((inner) => ['reservation_id', inner.fn.countAll<number>().as('n')])
              .where('type', '=', RESERVE)
              .where('reservation_id', 'is not', null)
              .groupBy('reservation_id')
              .as('t'),
          (join) => join.onRef('t.reservation_id', '=', 'r.id'),
        )
        .select((eb) => ['r.id as id', 'r.state as state', 'r.amount as amount', eb.fn.coalesce('t.n', sql.lit(0)).as('reserves')])
        .where((eb) => eb(eb.fn.coalesce('t.n', sql.lit(0)), '<>', 1))
        .orderBy('r.id')
        .limit(LISTED),
    ),
    integrityCheck: preparePragma<{ integrity_check: string }>(db, 'integrity_check'),
    foreignKeyCheck: preparePragma<{ table: string; rowid: number; parent: string }>(db, 'foreign_key_check'),
  };
}

export type HealthQueries = ReturnType<typeof prepareHealthQueries>;

const prepared = new WeakMap<Ledger, HealthQueries>();

/** The ledger's wallet-check queries, prepared on first use. */
export function healthQueries(ledger: Ledger): HealthQueries {
  let q = prepared.get(ledger);
  if (!q) {
    q = prepareHealthQueries(connectionOf(ledger));
    prepared.set(ledger, q);
  }
  return q;
}
