// The arbitrage tables' queries, prepared once per connection.
import type Database from 'better-sqlite3';
import type { TradeState, UnhedgedState } from '../domain/arb.js';
import type { ArbLeg, ArbTrade, UnhedgedLeg } from './arb-types.js';
import { param, prepareQuery, sql } from './statements.js';

/**
 * In flight: neither settled nor failed. Written into the SQL, exactly as the partial index arb_trades_open says it,
 * so SQLite reads that small index instead of every trade ever made (bound values cannot select a partial index).
 */
const IN_FLIGHT = sql<boolean>`state NOT IN ('settled', 'failed')`;

// eslint-disable-next-line max-lines-per-function -- a declared table: the table's prepared queries, one entry each
export function prepareArbQueries(db: Database.Database) {
  return {
    insertTrade: prepareQuery<Record<string, unknown>, never>(db, (qb) =>
      qb.insertInto('arb_trades').values({
        pair: param('pair'),
        direction: param('direction'),
        contracts: param('contracts'),
        expected_net_edge: param('edge'),
        state: param('state'),
        outcome: null,
        note: null,
        created_at: param('at'),
        updated_at: param('at'),
      }),
    ),
    // Named as the row's own columns, so a leg's row as built (plannedLeg) is the statement's parameters.
    insertLeg: prepareQuery<ArbLeg, never>(db, (qb) =>
      qb.insertInto('arb_legs').values({
        trade_id: param('trade_id'),
        leg: param('leg'),
        venue: param('venue'),
        market: param('market'),
        outcome: param('outcome'),
        side: param('side'),
        quantity: param('quantity'),
        limit_price: param('limit_price'),
        client_order_id: param('client_order_id'),
        venue_order_id: null,
        reservation_id: param('reservation_id'),
        state: param('state'),
        hedged_position_id: null,
        unhedged_position_id: null,
        error: null,
        created_at: param('created_at'),
        updated_at: param('updated_at'),
      }),
    ),
    trade: prepareQuery<{ id: number }, ArbTrade>(db, (qb) => qb.selectFrom('arb_trades').selectAll().where('id', '=', param('id'))),
    leg: prepareQuery<{ id: number }, ArbLeg>(db, (qb) => qb.selectFrom('arb_legs').selectAll().where('id', '=', param('id'))),
    legsOfTrade: prepareQuery<{ id: number }, ArbLeg>(db, (qb) =>
      qb.selectFrom('arb_legs').selectAll().where('trade_id', '=', param('id')).orderBy('id'),
    ),
    inFlight: prepareQuery<Record<string, never>, ArbTrade>(db, (qb) => qb.selectFrom('arb_trades').selectAll().where(IN_FLIGHT).orderBy('id')),
    inFlightForPair: prepareQuery<{ pair: string }, { n: number }>(db, (qb) =>
      qb
        .selectFrom('arb_trades')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where(IN_FLIGHT)
        // An armed trade holds funds for the pair's next orders; it is not an arbitrage in flight.
        .where('state', '!=', 'reserved')
        .where('pair', '=', param('pair')),
    ),
    fireTrade: prepareQuery<{ id: number; contracts: number; edge: number; at: string }, never>(db, (qb) =>
      qb
        .updateTable('arb_trades')
        .set({ state: 'submitted', contracts: param('contracts'), expected_net_edge: param('edge'), updated_at: param('at') })
        .where('id', '=', param('id'))
        .where('state', '=', 'reserved'),
    ),
    fireLeg: prepareQuery<{ id: number; quantity: number; limit_price: number; at: string }, never>(db, (qb) =>
      qb
        .updateTable('arb_legs')
        .set({ state: 'submitted', quantity: param('quantity'), limit_price: param('limit_price'), updated_at: param('at') })
        .where('id', '=', param('id'))
        .where('state', '=', 'reserved'),
    ),
    tradeState: prepareQuery<{ id: number }, Pick<ArbTrade, 'state' | 'outcome' | 'note' | 'attention'>>(db, (qb) =>
      qb.selectFrom('arb_trades').select(['state', 'outcome', 'note', 'attention']).where('id', '=', param('id')),
    ),
    recentTrades: prepareQuery<{ limit: number }, ArbTrade>(db, (qb) => qb.selectFrom('arb_trades').selectAll().orderBy('id', 'desc').limit(param('limit'))),
    setTrade: prepareQuery<{ id: number; state: TradeState; outcome: string | null; note: string | null; attention: string | null; at: string }, never>(db, (qb) =>
      qb
        .updateTable('arb_trades')
        .set({ state: param('state'), outcome: param('outcome'), note: param('note'), attention: param('attention'), updated_at: param('at') })
        .where('id', '=', param('id')),
    ),
    // Only a trade in flight can need a person (the schema refuses it on a settled or failed one).
    setAttention: prepareQuery<{ id: number; attention: string | null; at: string }, never>(db, (qb) =>
      qb.updateTable('arb_trades').set({ attention: param('attention'), updated_at: param('at') }).where('id', '=', param('id')).where(IN_FLIGHT),
    ),
    needingAttention: prepareQuery<Record<string, never>, ArbTrade>(db, (qb) =>
      qb.selectFrom('arb_trades').selectAll().where(IN_FLIGHT).where('attention', 'is not', null).orderBy('id'),
    ),
    insertEvent: prepareQuery<{ leg_id: number; from: string; to: string; detail: string | null; at: string }, never>(db, (qb) =>
      qb.insertInto('arb_leg_events').values({ leg_id: param('leg_id'), from_state: param('from'), to_state: param('to'), detail: param('detail'), created_at: param('at') }),
    ),
    insertUnhedged: prepareQuery<Record<string, unknown>, never>(db, (qb) =>
      qb.insertInto('unhedged_legs').values({
        trade_id: param('trade_id'),
        leg_id: param('leg_id'),
        position_id: param('position_id'),
        quantity: param('quantity'),
        state: 'open',
        note: null,
        created_at: param('at'),
        resolved_at: null,
      }),
    ),
    // A position's newest record: a hedge broken by hand makes it unhedged again after an earlier record was resolved.
    unhedgedByPosition: prepareQuery<{ id: number }, UnhedgedLeg>(db, (qb) =>
      qb.selectFrom('unhedged_legs').selectAll().where('position_id', '=', param('id')).orderBy('id', 'desc').limit(1),
    ),
    // The trade a hedged position belongs to, and every hedged position of that trade, open or closed: a pair is
    // resolved when the last of them closes.
    tradeOfHedgedPosition: prepareQuery<{ id: number }, { trade_id: number }>(db, (qb) =>
      qb.selectFrom('arb_legs').select('trade_id').where('hedged_position_id', '=', param('id')).limit(1),
    ),
    hedgedPositionsOfTrade: prepareQuery<{ trade: number }, { id: number; venue: string; market: string; status: string; net_pnl: number | null }>(db, (qb) =>
      qb
        .selectFrom('arb_legs as l')
        .innerJoin('positions as p', 'p.id', 'l.hedged_position_id')
        .select(['p.id as id', 'p.venue as venue', 'p.market as market', 'p.status as status', 'p.net_pnl as net_pnl'])
        .where('l.trade_id', '=', param('trade'))
        .orderBy('p.id'),
    ),
    // The leg a position was filled from: the position was opened out of that leg's reservation.
    legOfPosition: prepareQuery<{ id: number }, ArbLeg>(db, (qb) =>
      qb
        .selectFrom('arb_legs as l')
        .innerJoin('positions as p', 'p.reservation_id', 'l.reservation_id')
        .selectAll('l')
        .where('p.id', '=', param('id')),
    ),
    // The open hedged positions of a trade filled from legs on the other side of the pair, an equal quantity first.
    hedgePartners: prepareQuery<{ trade: number; venue: string; market: string; outcome: string; quantity: number }, { id: number; leg_id: number }>(
      db,
      (qb) =>
        qb
          .selectFrom('positions as p')
          .innerJoin('arb_legs as l', 'l.reservation_id', 'p.reservation_id')
          .select(['p.id as id', 'l.id as leg_id'])
          .where('l.trade_id', '=', param('trade'))
          .where('p.status', '=', 'open')
          .where('p.kind', '=', 'arb_hedged')
          .where((eb) => eb.not(eb.and([eb('l.venue', '=', param('venue')), eb('l.market', '=', param('market')), eb('l.outcome', '=', param('outcome'))])))
          .orderBy(sql`p.quantity = ${param('quantity')}`, 'desc')
          .orderBy('p.id'),
    ),
    openUnhedged: prepareQuery<Record<string, never>, UnhedgedLeg>(db, (qb) =>
      qb.selectFrom('unhedged_legs').selectAll().where('state', '=', 'open').orderBy('id'),
    ),
    allUnhedged: prepareQuery<Record<string, never>, UnhedgedLeg>(db, (qb) => qb.selectFrom('unhedged_legs').selectAll().orderBy('id')),
    resolveUnhedged: prepareQuery<{ id: number; state: UnhedgedState; note: string | null; at: string }, never>(db, (qb) =>
      qb
        .updateTable('unhedged_legs')
        .set({ state: param('state'), note: param('note'), resolved_at: param('at') })
        .where('id', '=', param('id'))
        .where('state', '=', 'open'),
    ),
  };
}
