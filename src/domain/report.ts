// Is it making money? The figures `arbbot report` answers with, computed from the ledger's facts and nothing else:
// equity now (the wallets, what owed deficits take away, and each open position valued as closing it would pay)
// against the money put in, split into what is realised, what open positions would realise at their last price,
// and the edge hedged arbitrage pairs have locked in until their market resolves. Integers throughout.
import { closeFigures, settlementFigures, walletChangeOnClose, type CostModel } from './costs.js';
import { payout } from './market.js';
import type { Micros, PriceMicros } from './money.js';
import type { Position } from './position.js';
import type { Wallet } from './wallet.js';

/** Money put in and taken out of one venue's wallet (a starting balance is a deposit). */
export interface VenueFlow {
  readonly venue: string;
  readonly deposits: Micros;
  readonly withdrawals: Micros;
}

/** The positions one venue closed on one UTC day. */
export interface ClosedDay {
  readonly venue: string;
  /** YYYY-MM-DD (UTC). */
  readonly day: string;
  readonly closed: number;
  readonly netPnl: Micros;
  /** Entry and exit fees of those positions. */
  readonly fees: Micros;
}

/** A hedged arbitrage pair still open: its legs pay 1 per contract on one side and 0 on the other when it resolves. */
export interface HeldPair {
  readonly tradeId: number;
  readonly pair: string;
  readonly legs: readonly Position[];
}

/** One configured pair's arbitrage trades. */
export interface PairTotals {
  readonly pair: string;
  readonly trades: number;
  readonly hedged: number;
  /** Trades that left some or all of one leg unhedged. */
  readonly unhedged: number;
  /** Net PnL of the pair's positions already closed (resolved, unwound, or closed under TP/SL). */
  readonly realisedNet: Micros;
}

/** What archives moved out of the ledger, per venue, cumulative: the report counts it as it counted it before. */
export interface ArchivedVenue {
  readonly venue: string;
  readonly deposits: Micros;
  readonly withdrawals: Micros;
  readonly realised: Micros;
  readonly fees: Micros;
  readonly closed: number;
}

export interface ReportFacts {
  readonly wallets: readonly Wallet[];
  readonly archived: readonly ArchivedVenue[];
  /** The latest archive's date: days before it are archived (null: nothing archived). */
  readonly archivedBefore: string | null;
  readonly flows: readonly VenueFlow[];
  readonly days: readonly ClosedDay[];
  /** Every open position, hedged pairs' legs included. */
  readonly open: readonly Position[];
  readonly heldPairs: readonly HeldPair[];
  readonly pairs: readonly PairTotals[];
  /** The last accepted price of an open position's market on its own side (a NO position: the NO price); null: none yet. */
  readonly markOf: (position: Position) => PriceMicros | null;
}

export interface VenueReport {
  readonly venue: string;
  readonly netDeposits: Micros;
  readonly equity: Micros;
  readonly realised: Micros;
  readonly unrealised: Micros;
  readonly lockedEdge: Micros;
  readonly fees: Micros;
  readonly deficit: Micros;
  readonly openPositions: number;
}

export interface DayReport {
  readonly day: string;
  readonly closed: number;
  readonly realised: Micros;
  readonly fees: Micros;
  /** Realised net PnL of every day up to and including this one. */
  readonly cumulative: Micros;
}

export interface PairReport extends PairTotals {
  /** What the pair's hedged positions still open will realise at resolution, whichever way it goes (the worse way). */
  readonly lockedEdge: Micros;
  readonly held: number;
}

export interface Report {
  readonly netDeposits: Micros;
  readonly equity: Micros;
  /** equity − net deposits: what trading made or lost, all told. */
  readonly pnl: Micros;
  readonly realised: Micros;
  readonly unrealised: Micros;
  readonly lockedEdge: Micros;
  readonly fees: Micros;
  readonly deficit: Micros;
  /** Open positions with no accepted price yet, valued at their entry price. */
  readonly unpriced: number;
  readonly venues: readonly VenueReport[];
  readonly days: readonly DayReport[];
  readonly pairs: readonly PairReport[];
  /** What archives hold: their positions' realised net PnL counts in every total, and the days start after it. */
  readonly archived: { readonly before: string; readonly realised: Micros; readonly closed: number } | null;
}

/** An open position's value against what its wallet holds for it, and its PnL, if closed at `mark` now. */
function markedValue(costs: CostModel, position: Position, mark: PriceMicros): { walletChange: Micros; netPnl: Micros } {
  const figures = closeFigures(costs, position, mark);
  return { walletChange: walletChangeOnClose(figures, position.entryFeeCharged), netPnl: figures.netPnl };
}

/** A contract that wins pays this at resolution; one that loses, nothing. */
const WINS = payout('yes', 'yes');
const LOSES = payout('yes', 'no');

interface Settled {
  readonly netPnl: number;
  /** Per venue: what its wallet's total changes by, and the legs' net PnL there. */
  readonly byVenue: ReadonlyMap<string, { readonly walletChange: number; readonly netPnl: number }>;
}

/**
 * A hedged pair at resolution: exactly one of its legs pays. Every way is computed and the worse kept, so a pair whose
 * legs differ (a partial fill hedged in part) is never counted above what it is sure to bring.
 */
function settledValue(pair: HeldPair): Settled {
  const ways = pair.legs.map((winner): Settled => {
    const byVenue = new Map<string, { walletChange: number; netPnl: number }>();
    let netPnl = 0;
    for (const leg of pair.legs) {
      const figures = settlementFigures(leg, leg === winner ? WINS : LOSES);
      const entry = byVenue.get(leg.venue) ?? { walletChange: 0, netPnl: 0 };
      byVenue.set(leg.venue, { walletChange: entry.walletChange + walletChangeOnClose(figures, leg.entryFeeCharged), netPnl: entry.netPnl + figures.netPnl });
      netPnl += figures.netPnl;
    }
    return { netPnl, byVenue };
  });
  return ways.reduce((worse, way) => (way.netPnl < worse.netPnl ? way : worse));
}

function add(map: Map<string, number>, key: string, amount: number): void {
  map.set(key, (map.get(key) ?? 0) + amount);
}

/** The report from the ledger's facts: every sum exact; a venue's figures add up to the totals. */
export function buildReport(facts: ReportFacts, costs: CostModel): Report {
  const held = new Set(facts.heldPairs.flatMap((pair) => pair.legs.map((leg) => leg.id)));
  const equityDelta = new Map<string, number>();
  const unrealised = new Map<string, number>();
  const locked = new Map<string, number>();
  const openCount = new Map<string, number>();
  let unpriced = 0;
  for (const position of facts.open) {
    add(openCount, position.venue, 1);
    if (held.has(position.id)) continue;
    const mark = facts.markOf(position);
    if (mark === null) unpriced += 1;
    const value = markedValue(costs, position, mark ?? position.entryPrice);
    add(equityDelta, position.venue, value.walletChange);
    add(unrealised, position.venue, value.netPnl);
  }
  const pairLocked = new Map<string, { edge: number; held: number }>();
  for (const pair of facts.heldPairs) {
    const value = settledValue(pair);
    for (const [venue, { walletChange, netPnl }] of value.byVenue) {
      add(equityDelta, venue, walletChange);
      add(locked, venue, netPnl);
    }
    const entry = pairLocked.get(pair.pair) ?? { edge: 0, held: 0 };
    pairLocked.set(pair.pair, { edge: entry.edge + value.netPnl, held: entry.held + 1 });
  }
  const venues = venueReports(facts, { equityDelta, unrealised, locked, openCount });
  const sum = (pick: (venue: VenueReport) => number) => venues.reduce((total, venue) => total + pick(venue), 0) as Micros;
  const equity = sum((v) => v.equity);
  const netDeposits = sum((v) => v.netDeposits);
  return {
    netDeposits,
    equity,
    pnl: (equity - netDeposits) as Micros,
    realised: sum((v) => v.realised),
    unrealised: sum((v) => v.unrealised),
    lockedEdge: sum((v) => v.lockedEdge),
    fees: sum((v) => v.fees),
    deficit: sum((v) => v.deficit),
    unpriced,
    venues,
    days: dayReports(facts.days, facts.archived.reduce((total, venue) => total + venue.realised, 0)),
    archived:
      facts.archivedBefore === null
        ? null
        : {
            before: facts.archivedBefore,
            realised: facts.archived.reduce((total, venue) => total + venue.realised, 0) as Micros,
            closed: facts.archived.reduce((total, venue) => total + venue.closed, 0),
          },
    pairs: facts.pairs.map((pair) => ({ ...pair, lockedEdge: (pairLocked.get(pair.pair)?.edge ?? 0) as Micros, held: pairLocked.get(pair.pair)?.held ?? 0 })),
  };
}

interface Adjustments {
  readonly equityDelta: ReadonlyMap<string, number>;
  readonly unrealised: ReadonlyMap<string, number>;
  readonly locked: ReadonlyMap<string, number>;
  readonly openCount: ReadonlyMap<string, number>;
}

function venueReports(facts: ReportFacts, adjustments: Adjustments): VenueReport[] {
  const deposits = new Map<string, number>();
  const realised = new Map<string, number>();
  const fees = new Map<string, number>();
  for (const flow of facts.flows) add(deposits, flow.venue, flow.deposits - flow.withdrawals);
  for (const venue of facts.archived) {
    add(deposits, venue.venue, venue.deposits - venue.withdrawals);
    add(realised, venue.venue, venue.realised);
    add(fees, venue.venue, venue.fees);
  }
  for (const day of facts.days) {
    add(realised, day.venue, day.netPnl);
    add(fees, day.venue, day.fees);
  }
  for (const position of facts.open) if (position.entryFeeCharged) add(fees, position.venue, position.entryFee);
  return facts.wallets.map((wallet) => {
    const netDeposits = (deposits.get(wallet.venue) ?? 0) as Micros;
    return {
      venue: wallet.venue,
      netDeposits,
      equity: (wallet.total - wallet.deficit + (adjustments.equityDelta.get(wallet.venue) ?? 0)) as Micros,
      realised: (realised.get(wallet.venue) ?? 0) as Micros,
      unrealised: (adjustments.unrealised.get(wallet.venue) ?? 0) as Micros,
      lockedEdge: (adjustments.locked.get(wallet.venue) ?? 0) as Micros,
      fees: (fees.get(wallet.venue) ?? 0) as Micros,
      deficit: wallet.deficit,
      openPositions: adjustments.openCount.get(wallet.venue) ?? 0,
    };
  });
}

/** The days with closes, in order, each with the realised net PnL of everything up to it (`archived`: what came before). */
function dayReports(days: readonly ClosedDay[], archived: number): DayReport[] {
  const byDay = new Map<string, { closed: number; realised: number; fees: number }>();
  for (const day of days) {
    const entry = byDay.get(day.day) ?? { closed: 0, realised: 0, fees: 0 };
    byDay.set(day.day, { closed: entry.closed + day.closed, realised: entry.realised + day.netPnl, fees: entry.fees + day.fees });
  }
  let cumulative = archived;
  return [...byDay.keys()].sort().map((day) => {
    const entry = byDay.get(day) ?? { closed: 0, realised: 0, fees: 0 };
    cumulative += entry.realised;
    return { day, closed: entry.closed, realised: entry.realised as Micros, fees: entry.fees as Micros, cumulative: cumulative as Micros };
  });
}
