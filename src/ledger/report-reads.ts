// What `arbbot report` reads: money in and out per venue, the closed positions' figures per venue and UTC day, the
// hedged arbitrage pairs still held, and each pair's trades. Aggregates in SQL (exact integer sums), read in one
// transaction so every figure describes the same state of the file.
import type Database from 'better-sqlite3';
import type { Micros } from '../domain/money.js';
import type { ReportFacts } from '../domain/report.js';
import { readArchiveBase } from './archive-base.js';
import type { Position } from '../domain/position.js';
import type { WalletTransactionType } from '../domain/wallet.js';
import type { Ledger } from './ledger.js';
import { connectionOf } from './connections.js';
import { storedMicros } from './rows.js';
import { prepareQuery, sql } from './statements.js';

interface FlowRow {
  readonly venue: string;
  readonly deposits: number;
  readonly withdrawals: number;
}

interface DayRow {
  readonly venue: string;
  readonly day: string;
  readonly closed: number;
  readonly net_pnl: number;
  readonly fees: number;
}

interface HeldRow {
  readonly trade_id: number;
  readonly pair: string;
  readonly position_id: number;
  readonly status: string;
}

interface PairRow {
  readonly pair: string;
  readonly trades: number;
  readonly hedged: number;
  readonly unhedged: number;
}

interface PairPnlRow {
  readonly pair: string;
  readonly realised_net: number;
}

/** The facts a report is built from, but the prices (the application reads those). */
export type ReportRows = Omit<ReportFacts, 'markOf'>;

function prepareReportQueries(db: Database.Database) {
  return {
    flows: prepareQuery<Record<string, never>, FlowRow>(db, (qb) =>
      qb
        .selectFrom('wallet_transactions')
        .select([
          'venue',
          sql<number>`coalesce(sum(amount) FILTER (WHERE type = 'deposit'), 0)`.as('deposits'),
          sql<number>`coalesce(-sum(amount) FILTER (WHERE type = 'withdrawal'), 0)`.as('withdrawals'),
        ])
        .where('type', 'in', [sql.lit<WalletTransactionType>('deposit'), sql.lit<WalletTransactionType>('withdrawal')])
        .groupBy('venue')
        .orderBy('venue'),
    ),
    // No index serves closed_at: one walk of the positions table per report, which is a command, not a tick.
    days: prepareQuery<Record<string, never>, DayRow>(db, (qb) =>
      qb
        .selectFrom('positions')
        .select([
          'venue',
          sql<string>`substr(closed_at, 1, 10)`.as('day'),
          sql<number>`count(*)`.as('closed'),
          sql<number>`coalesce(sum(net_pnl), 0)`.as('net_pnl'),
          sql<number>`coalesce(sum(entry_fee + coalesce(exit_fee, 0)), 0)`.as('fees'),
        ])
        .where('status', '=', sql.lit('closed'))
        .groupBy(['venue', sql`substr(closed_at, 1, 10)`])
        .orderBy('day')
        .orderBy('venue'),
    ),
    // Every hedged leg of each trade that still holds one open: a pair is held whole only while all of its legs are.
    held: prepareQuery<Record<string, never>, HeldRow>(db, (qb) =>
      qb
        .selectFrom('arb_legs as l')
        .innerJoin('arb_trades as t', 't.id', 'l.trade_id')
        .innerJoin('positions as p', 'p.id', 'l.hedged_position_id')
        .select(['l.trade_id as trade_id', 't.pair as pair', 'p.id as position_id', 'p.status as status'])
        .where('l.trade_id', 'in', (sub) =>
          sub
            .selectFrom('arb_legs as l2')
            .innerJoin('positions as p2', 'p2.id', 'l2.hedged_position_id')
            .select('l2.trade_id')
            .where('p2.status', '=', sql.lit('open')),
        )
        .orderBy('l.trade_id')
        .orderBy('p.id'),
    ),
    pairs: prepareQuery<Record<string, never>, PairRow>(db, (qb) =>
      qb
        .selectFrom('arb_trades')
        .select([
          'pair',
          sql<number>`count(*)`.as('trades'),
          sql<number>`count(*) FILTER (WHERE outcome = 'hedged')`.as('hedged'),
          sql<number>`count(*) FILTER (WHERE outcome IN ('partial', 'unhedged'))`.as('unhedged'),
        ])
        .groupBy('pair')
        .orderBy('pair'),
    ),
    pairPnl: prepareQuery<Record<string, never>, PairPnlRow>(db, (qb) =>
      qb
        .selectFrom('arb_legs as l')
        .innerJoin('arb_trades as t', 't.id', 'l.trade_id')
        .innerJoin('positions as p', (join) => join.on(sql<boolean>`p.id IN (l.hedged_position_id, l.unhedged_position_id)`))
        .select(['t.pair as pair', sql<number>`coalesce(sum(p.net_pnl), 0)`.as('realised_net')])
        .where('p.status', '=', sql.lit('closed'))
        .groupBy('t.pair'),
    ),
  };
}

export class ReportReads {
  private readonly q;
  private readonly readTransaction: Database.Transaction<(history: boolean) => ReportRows>;

  constructor(private readonly ledger: Ledger) {
    const db = connectionOf(ledger);
    this.q = prepareReportQueries(db);
    this.readTransaction = db.transaction((history: boolean) => this.readAll(history));
  }

  /** Every fact of the report, from one state of the file. */
  read(): ReportRows {
    return this.readTransaction.deferred(true);
  }

  /**
   * What equity needs and nothing more (no days, no pairs), each part served by an index: cheap enough for a running
   * engine's status line.
   */
  readEquity(): ReportRows {
    return this.readTransaction.deferred(false);
  }

  private readAll(history: boolean): ReportRows {
    const open = this.ledger.listPositions('open');
    const byId = new Map(open.map((position) => [position.id, position]));
    const held = new Map<number, { pair: string; legs: Position[]; whole: boolean }>();
    for (const row of this.q.held.all({})) {
      const entry = held.get(row.trade_id) ?? { pair: row.pair, legs: [], whole: true };
      const leg = byId.get(row.position_id);
      if (leg) entry.legs.push(leg);
      else entry.whole = false;
      held.set(row.trade_id, entry);
    }
    // A pair one of whose legs has already closed (its venue resolved first) is no hedge any more: what is left of it
    // is valued as any open position is.
    const heldPairs = [...held].filter(([, entry]) => entry.whole && entry.legs.length >= 2).map(([tradeId, { pair, legs }]) => ({ tradeId, pair, legs }));
    const realisedByPair = new Map((history ? this.q.pairPnl.all({}) : []).map((row) => [row.pair, storedMicros('positions', row.pair, 'net_pnl (sum)', row.realised_net)]));
    const archive = readArchiveBase(this.ledger);
    const archived = [...(archive?.wallets.values() ?? [])].map((wallet) => ({
      venue: wallet.venue,
      deposits: storedMicros('archive_checkpoint_wallets', wallet.venue, 'deposits', wallet.deposits),
      withdrawals: storedMicros('archive_checkpoint_wallets', wallet.venue, 'withdrawals', wallet.withdrawals),
      realised: storedMicros('archive_checkpoint_wallets', wallet.venue, 'realised', wallet.realised),
      fees: storedMicros('archive_checkpoint_wallets', wallet.venue, 'fees', wallet.fees),
      closed: wallet.closed,
    }));
    return {
      wallets: this.ledger.listWallets(),
      archived,
      archivedBefore: archive?.record.before_date ?? null,
      flows: this.q.flows.all({}).map((row) => ({
        venue: row.venue,
        deposits: storedMicros('wallet_transactions', row.venue, 'amount (deposits)', row.deposits),
        withdrawals: storedMicros('wallet_transactions', row.venue, 'amount (withdrawals)', row.withdrawals),
      })),
      days: (history ? this.q.days.all({}) : []).map((row) => ({
        venue: row.venue,
        day: row.day,
        closed: row.closed,
        netPnl: storedMicros('positions', `${row.venue} ${row.day}`, 'net_pnl (sum)', row.net_pnl),
        fees: storedMicros('positions', `${row.venue} ${row.day}`, 'fees (sum)', row.fees),
      })),
      open,
      heldPairs,
      pairs: (history ? this.q.pairs.all({}) : []).map((row) => ({ ...row, realisedNet: realisedByPair.get(row.pair) ?? (0 as Micros) })),
    };
  }
}
