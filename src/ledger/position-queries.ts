// The positions table's queries, prepared once per connection.
import type Database from 'better-sqlite3';
import type { PositionKind, PositionStatus } from '../domain/position.js';
import type { LadderPositionRow, PositionRow } from './mappers.js';
import { param, prepareQuery, sql } from './statements.js';

// Constants that select rows through a partial index are written into the SQL, not bound: a bound value compared
// with the index's WHERE (positions_open) makes SQLite re-prepare the statement on every run, which cost more than
// the query itself on the ladder's per-tick read.
const OPEN = sql.lit<PositionStatus>('open');

// eslint-disable-next-line max-lines-per-function -- a declared table: the table's prepared queries, one entry each
export function preparePositionQueries(db: Database.Database) {
  return {
    insertPosition: prepareQuery<Record<string, unknown>, never>(db, (qb) =>
      qb.insertInto('positions').values({
        venue: param('venue'),
        market: param('market'),
        side: param('side'),
        kind: param('kind'),
        quantity: param('quantity'),
        entry_price: param('entry_price'),
        cost_basis: param('cost_basis'),
        entry_fee: param('entry_fee'),
        entry_fee_charged: param('entry_fee_charged'),
        tp1_price: param('tp1_price'),
        tp2_price: param('tp2_price'),
        tp3_price: param('tp3_price'),
        sl_price: param('sl_price'),
        stop_price: param('stop_price'),
        reservation_id: param('reservation_id'),
        idempotency_key: param('idempotency_key'),
        close_reserve: param('close_reserve'),
        liquidation_price: param('liquidation_price'),
        opened_at: param('at'),
      }),
    ),
    positionById: prepareQuery<{ id: number }, PositionRow>(db, (qb) => qb.selectFrom('positions').selectAll().where('id', '=', param('id'))),
    positionByKey: prepareQuery<{ key: string }, PositionRow>(db, (qb) =>
      qb.selectFrom('positions').selectAll().where('idempotency_key', '=', param('key')),
    ),
    allPositions: prepareQuery<Record<string, never>, PositionRow>(db, (qb) => qb.selectFrom('positions').selectAll().orderBy('id')),
    positionsByStatus: prepareQuery<{ status: string }, PositionRow>(db, (qb) =>
      qb.selectFrom('positions').selectAll().where('status', '=', param('status')).orderBy('id'),
    ),
    // Newest first, so the cost is the limit's whatever the ledger's age (the primary key is walked backwards).
    latestClosedPositions: prepareQuery<{ limit: number }, PositionRow>(db, (qb) =>
      qb.selectFrom('positions').selectAll().where('status', '=', sql.lit<PositionStatus>('closed')).orderBy('id', 'desc').limit(param('limit')),
    ),
    positionTotals: prepareQuery<Record<string, never>, { open: number; closed: number; realised_net_pnl: number }>(db, (qb) =>
      qb
        .selectFrom('positions')
        .select([
          sql<number>`count(*) FILTER (WHERE status = 'open')`.as('open'),
          sql<number>`count(*) FILTER (WHERE status = 'closed')`.as('closed'),
          sql<number>`coalesce(sum(net_pnl), 0)`.as('realised_net_pnl'),
        ]),
    ),
    openPositionsForMarket: prepareQuery<{ venue: string; market: string }, PositionRow>(db, (qb) =>
      qb
        .selectFrom('positions')
        .selectAll()
        .where('status', '=', OPEN)
        .where('venue', '=', param('venue'))
        .where('market', '=', param('market'))
        .orderBy('id'),
    ),
    ladderPositionsForMarket: prepareQuery<{ venue: string; market: string }, LadderPositionRow>(db, (qb) =>
      qb
        .selectFrom('positions')
        .select(['id', 'side', 'entry_price', 'tp1_price', 'tp2_price', 'tp3_price', 'sl_price', 'stop_price', 'tp1_hit', 'tp2_hit', 'liquidation_price'])
        .where('status', '=', OPEN)
        .where('kind', '<>', sql.lit<PositionKind>('arb_hedged'))
        .where('venue', '=', param('venue'))
        .where('market', '=', param('market'))
        .orderBy('id'),
    ),
    setKind: prepareQuery<{ id: number; kind: PositionKind }, never>(db, (qb) =>
      qb.updateTable('positions').set({ kind: param('kind') }).where('id', '=', param('id')).where('status', '=', OPEN),
    ),
    setAttention: prepareQuery<{ id: number; reason: string | null }, never>(db, (qb) =>
      qb.updateTable('positions').set({ attention: param('reason') }).where('id', '=', param('id')).where('status', '=', OPEN),
    ),
    updateLadder: prepareQuery<{ id: number; tp1: number; tp2: number; stop: number }, never>(db, (qb) =>
      qb
        .updateTable('positions')
        .set({ tp1_hit: param('tp1'), tp2_hit: param('tp2'), stop_price: param('stop') })
        .where('id', '=', param('id'))
        .where('status', '=', 'open'),
    ),
    closePosition: prepareQuery<Record<string, unknown>, never>(db, (qb) =>
      qb
        .updateTable('positions')
        .set({
          status: 'closed',
          exit_price: param('exit_price'),
          exit_value: param('exit_value'),
          gross_pnl: param('gross_pnl'),
          exit_fee: param('exit_fee'),
          spread_cost: param('spread_cost'),
          slippage_cost: param('slippage_cost'),
          total_costs: param('total_costs'),
          net_pnl: param('net_pnl'),
          close_reason: param('reason'),
          closed_at: param('at'),
          attention: null,
        })
        .where('id', '=', param('id'))
        .where('status', '=', 'open'),
    ),
    venueHoldings: prepareQuery<Record<string, never>, { venue: string; total: number; deficit: number; held: number; singles: number }>(db, (qb) =>
      qb
        .selectFrom('wallets as w')
        .select((eb) => [
          'w.venue as venue',
          'w.total as total',
          'w.deficit as deficit',
          eb.selectFrom('positions as p').select(sql<number>`coalesce(sum(p.cost_basis), 0)`.as('held')).whereRef('p.venue', '=', 'w.venue').where('p.status', '=', OPEN).as('held'),
          eb.selectFrom('positions as p').select(sql<number>`count(*)`.as('singles')).whereRef('p.venue', '=', 'w.venue').where('p.kind', '=', 'single').as('singles'),
        ])
        .orderBy('w.venue'),
    ),
  };
}
