// Arbitrage records: trades, their legs (client order id stored before any order is sent), every leg transition
// (checked against the one transition table), and unhedged legs with their lifecycle.
import type Database from 'better-sqlite3';
import { assertLegTransition, assertTradeTransition, type LegState, type TradeState, type UnhedgedState } from '../domain/arb.js';
import { scrubNullable } from '../security/secrets.js';
import { prepareArbQueries } from './arb-queries.js';
import type { ArbLeg, ArbTrade, FiredLeg, NewLeg, NewTrade, UnhedgedLeg } from './arb-types.js';
import type { Ledger } from './ledger.js';
import { connectionOf } from './connections.js';
import { storedMicros } from './rows.js';
import type { Micros } from '../domain/money.js';

export type { ArbLeg, ArbTrade, FiredLeg, NewLeg, NewTrade, UnhedgedLeg } from './arb-types.js';

/** A hedged arbitrage pair's positions, as far as they have come. */
export interface HedgedPair {
  readonly tradeId: number;
  readonly pair: string;
  readonly legs: readonly { readonly positionId: number; readonly venue: string; readonly market: string; readonly closed: boolean; readonly netPnl: Micros | null }[];
}

/** The columns a leg transition may patch besides its state, in the order its UPDATE sets them. */
const LEG_PATCH_COLUMNS = [
  'venue_order_id',
  'reservation_id',
  'filled_quantity',
  'filled_notional',
  'fee',
  'hedged_position_id',
  'unhedged_position_id',
  'error',
] as const;

export type LegPatch = Partial<Pick<ArbLeg, (typeof LEG_PATCH_COLUMNS)[number]>>;


export class ArbStore {
  private readonly q;
  private readonly legUpdates = new Map<number, Database.Statement>();
  private readonly newEventStatements = new Map<number, Database.Statement>();

  constructor(private readonly ledger: Ledger) {
    this.q = prepareArbQueries(connectionOf(ledger));
  }

  /** Records a trade and its legs, all planned. Returns the rows exactly as inserted (reading them back would only repeat them). */
  createTrade(input: NewTrade): { trade: ArbTrade; legs: ArbLeg[] } {
    return this.ledger.transaction(() => this.createTradeWithin(input));
  }

  /**
   * createTrade inside the caller's transaction, without a savepoint: for a caller that lets any failure here leave
   * its transaction (which then rolls back whole), the savepoint would only cost two statements.
   */
  createTradeWithin(input: NewTrade): { trade: ArbTrade; legs: ArbLeg[] } {
    const trade = this.insertTradeWithin(input, 'planned');
    return { trade, legs: input.legs.map((leg) => this.insertLeg(plannedLeg(trade.id, leg, trade.created_at))) };
  }

  /**
   * The commit before a new trade's orders are sent, inside the caller's transaction (no savepoint: a failure leaves
   * it, and it rolls back whole). The trade and its legs are written already submitted: first the trade, so that
   * `reserve` can describe each leg's reservation by the trade's id and return their ids, in the legs' order; then
   * the legs, each holding its reservation, with both of each leg's transitions (planned → reserved → submitted)
   * kept as events: the history of a leg written planned and then moved, in three statements instead of seven.
   * Returns the rows as inserted.
   */
  submitNewTradeWithin(input: NewTrade, reserve: (tradeId: number) => readonly number[]): { trade: ArbTrade; legs: ArbLeg[] } {
    return this.newReservedTradeWithin(input, reserve, 'submitted');
  }

  /**
   * An armed trade, inside the caller's transaction: written reserved, its legs' client order ids and reservations
   * durable, so its orders may later be sent before anything more is written (`fireArmedWithin` records them just
   * after). Each leg's quantity and limit price are the most it may order; the firing writes the order's own.
   */
  armNewTradeWithin(input: NewTrade, reserve: (tradeId: number) => readonly number[]): { trade: ArbTrade; legs: ArbLeg[] } {
    return this.newReservedTradeWithin(input, reserve, 'reserved');
  }

  private newReservedTradeWithin(input: NewTrade, reserve: (tradeId: number) => readonly number[], state: 'reserved' | 'submitted'): { trade: ArbTrade; legs: ArbLeg[] } {
    assertTradeTransition('planned', 'reserved');
    assertLegTransition('planned', 'reserved');
    if (state === 'submitted') {
      assertTradeTransition('reserved', 'submitted');
      assertLegTransition('reserved', 'submitted');
    }
    const trade = this.insertTradeWithin(input, state);
    const reservationIds = reserve(trade.id);
    if (reservationIds.length !== input.legs.length) throw new Error(`arb trade ${trade.id}: ${reservationIds.length} reservations for ${input.legs.length} legs`);
    const at = trade.created_at;
    const legs = input.legs.map((leg, index) =>
      this.insertLeg({ ...plannedLeg(trade.id, leg, at), state, reservation_id: reservationIds[index] ?? null }),
    );
    const eventArgs: unknown[] = [];
    for (const leg of legs) eventArgs.push(...(state === 'submitted' ? [leg.id, at, leg.id, at] : [leg.id, at]));
    this.newLegEvents(legs.length, state).run(...eventArgs);
    return { trade, legs };
  }

  /**
   * An armed trade whose orders were just sent: the trade and each leg move reserved → submitted with the orders'
   * own quantity and limit price, inside the caller's transaction. Throws (and the caller's transaction rolls back)
   * when the trade is no longer armed. Returns the legs as updated, in the order given.
   */
  fireArmedWithin(tradeId: number, fired: { contracts: number; expectedNetEdge: number }, legs: readonly FiredLeg[], detail: string | null): ArbLeg[] {
    if (!connectionOf(this.ledger).inTransaction) throw new Error('firing an armed arb trade must run inside a ledger transaction');
    assertTradeTransition('reserved', 'submitted');
    assertLegTransition('reserved', 'submitted');
    const at = this.ledger.timestamp();
    if (this.q.fireTrade.run({ id: tradeId, contracts: fired.contracts, edge: fired.expectedNetEdge, at }).changes !== 1) {
      throw new Error(`arb trade ${tradeId} is not armed: its orders cannot be recorded as sent`);
    }
    const updated: ArbLeg[] = [];
    for (const { leg, quantity, limitPrice } of legs) {
      if (leg.trade_id !== tradeId) throw new Error(`arb leg ${leg.id} is not a leg of trade ${tradeId}`);
      if (this.q.fireLeg.run({ id: leg.id, quantity, limit_price: limitPrice, at }).changes !== 1) throw new Error(`arb leg ${leg.id} is not armed`);
      this.q.insertEvent.run({ leg_id: leg.id, from: 'reserved', to: 'submitted', detail, at });
      updated.push({ ...leg, quantity, limit_price: limitPrice, state: 'submitted', updated_at: at });
    }
    return updated;
  }

  private insertTradeWithin(input: Omit<NewTrade, 'legs'>, state: 'planned' | 'reserved' | 'submitted'): ArbTrade {
    if (!connectionOf(this.ledger).inTransaction) throw new Error('recording an arb trade this way must run inside a ledger transaction');
    const at = this.ledger.timestamp();
    const id = Number(
      this.q.insertTrade.run({ pair: input.pair, direction: input.direction, contracts: input.contracts, edge: input.expectedNetEdge, state, at })
        .lastInsertRowid,
    );
    return {
      id,
      pair: input.pair,
      direction: input.direction,
      contracts: input.contracts,
      expected_net_edge: input.expectedNetEdge,
      state,
      outcome: null,
      note: null,
      created_at: at,
      updated_at: at,
      attention: null,
    };
  }

  /** Adds a leg (a later hedge or unwind order) to a trade; its client order id is stored before it is sent. */
  addLeg(tradeId: number, leg: NewLeg, at = this.ledger.timestamp()): ArbLeg {
    return this.ledger.transaction(() => this.insertLeg(plannedLeg(tradeId, leg, at)));
  }

  /** Inserts a leg's row as built and returns it with its id. */
  private insertLeg(row: ArbLeg): ArbLeg {
    row.id = Number(this.q.insertLeg.run(row).lastInsertRowid);
    return row;
  }

  /**
   * The events of legs written reserved (planned → reserved) or submitted (and reserved → submitted) in one INSERT,
   * prepared once per leg count and state.
   */
  private newLegEvents(legCount: number, state: 'reserved' | 'submitted'): Database.Statement {
    const key = legCount * 2 + (state === 'submitted' ? 1 : 0);
    let statement = this.newEventStatements.get(key);
    if (!statement) {
      const perLeg = state === 'submitted' ? "(?, 'planned', 'reserved', NULL, ?), (?, 'reserved', 'submitted', NULL, ?)" : "(?, 'planned', 'reserved', NULL, ?)";
      const rows = Array.from({ length: legCount }, () => perLeg);
      statement = connectionOf(this.ledger).prepare(`INSERT INTO arb_leg_events (leg_id, from_state, to_state, detail, created_at) VALUES ${rows.join(', ')}`);
      this.newEventStatements.set(key, statement);
    }
    return statement;
  }

  /** The trade's state alone, undefined when there is no such trade. */
  tradeState(id: number): TradeState | undefined {
    return this.q.tradeState.get({ id })?.state;
  }

  requireTrade(id: number): ArbTrade {
    const trade = this.q.trade.get({ id });
    if (!trade) throw new Error(`no arb trade ${id}`);
    return trade;
  }

  requireLeg(id: number): ArbLeg {
    const leg = this.q.leg.get({ id });
    if (!leg) throw new Error(`no arb leg ${id}`);
    return leg;
  }

  legsOf(tradeId: number): ArbLeg[] {
    return this.q.legsOfTrade.all({ id: tradeId });
  }

  inFlightTrades(): ArbTrade[] {
    return this.q.inFlight.all({});
  }

  inFlightCount(pair: string): number {
    return this.q.inFlightForPair.get({ pair })?.n ?? 0;
  }

  recentTrades(limit: number): ArbTrade[] {
    return this.q.recentTrades.all({ limit });
  }

  /** Moves a leg along the transition table, records the event, and applies the patch — one transaction. */
  transitionLeg(legId: number, to: LegState, patch: LegPatch = {}, detail: string | null = null): ArbLeg {
    return this.ledger.transaction(() => {
      const leg = this.requireLeg(legId);
      if (leg.state !== to) assertLegTransition(leg.state, to);
      const at = this.ledger.timestamp();
      // The row as the UPDATE leaves it: reading it back would only repeat it. Every patched column is already a
      // property of the row, so assigning it keeps the object's shape.
      const updated: Record<string, unknown> = { ...leg, state: to, updated_at: at };
      const args: unknown[] = [to, at];
      let columns = 0;
      for (const column in patch) {
        const index = LEG_PATCH_COLUMNS.indexOf(column as keyof LegPatch);
        if (index < 0) throw new Error(`arb legs have no patchable column "${column}"`);
        columns |= 1 << index;
      }
      for (let index = 0; index < LEG_PATCH_COLUMNS.length; index += 1) {
        if ((columns & (1 << index)) === 0) continue;
        const column = LEG_PATCH_COLUMNS[index] as keyof LegPatch;
        // A venue's error text may echo what was sent to it: stored scrubbed of every registered secret.
        const value = column === 'error' ? scrubNullable(patch.error ?? null) : (patch[column] ?? null);
        args.push(value);
        updated[column] = value;
      }
      args.push(legId);
      this.legUpdate(columns).run(...args);
      this.q.insertEvent.run({ leg_id: legId, from: leg.state, to, detail: scrubNullable(detail), at });
      return updated as ArbLeg;
    });
  }

  /**
   * The UPDATE for one set of patched columns (a bit per column of LEG_PATCH_COLUMNS, set in that order), prepared
   * once: preparing costs more than running it, and four leg transitions follow every trade. At most 2^8 statements.
   */
  private legUpdate(columns: number): Database.Statement {
    let statement = this.legUpdates.get(columns);
    if (!statement) {
      const patched = LEG_PATCH_COLUMNS.filter((_, index) => (columns & (1 << index)) !== 0);
      const assignments = ['state = ?', 'updated_at = ?', ...patched.map((column) => `${column} = ?`)].join(', ');
      statement = connectionOf(this.ledger).prepare(`UPDATE arb_legs SET ${assignments} WHERE id = ?`);
      this.legUpdates.set(columns, statement);
    }
    return statement;
  }

  /** Moves a trade along the transition table; a trade that settles or fails needs no one any more (its attention is cleared). */
  setTradeState(id: number, to: TradeState, fields: { outcome?: ArbTrade['outcome']; note?: string | null } = {}): void {
    this.ledger.transaction(() => {
      const trade = this.q.tradeState.get({ id });
      if (!trade) throw new Error(`no arb trade ${id}`);
      if (trade.state !== to) assertTradeTransition(trade.state, to);
      const attention = to === 'settled' || to === 'failed' ? null : trade.attention;
      this.q.setTrade.run({ id, state: to, outcome: fields.outcome ?? trade.outcome, note: scrubNullable(fields.note ?? trade.note), attention, at: this.ledger.timestamp() });
    });
  }

  /**
   * Marks a trade in flight as needing a person, with the venue's claim (stored scrubbed, like every venue text), or
   * clears the mark (null). A later claim replaces an earlier one: the latest is what the venue says now. Throws for
   * a trade not in flight.
   */
  setTradeAttention(id: number, claim: string | null): void {
    this.ledger.transaction(() => {
      if (this.q.setAttention.run({ id, attention: scrubNullable(claim), at: this.ledger.timestamp() }).changes !== 1) throw new Error(`arb trade ${id} is not in flight`);
    });
  }

  /** Trades in flight that a venue reported the impossible about, oldest first. */
  tradesNeedingAttention(): ArbTrade[] {
    return this.q.needingAttention.all({});
  }

  addUnhedged(tradeId: number, legId: number, positionId: number, quantity: number): void {
    this.ledger.transaction(() => {
      this.q.insertUnhedged.run({ trade_id: tradeId, leg_id: legId, position_id: positionId, quantity, at: this.ledger.timestamp() });
    });
  }

  unhedgedForPosition(positionId: number): UnhedgedLeg | undefined {
    return this.q.unhedgedByPosition.get({ id: positionId });
  }

  /**
   * The other half of a hedged pair: for a position filled from one leg of a trade, the open hedged position on the
   * other side of that trade (of equal quantity when there are several). Null when the position came from no leg.
   */
  hedgePartnerOf(position: { readonly id: number; readonly quantity: number }): { tradeId: number; legId: number; positionId: number } | null {
    const leg = this.q.legOfPosition.get({ id: position.id });
    if (!leg) return null;
    const partner = this.q.hedgePartners.get({ trade: leg.trade_id, venue: leg.venue, market: leg.market, outcome: leg.outcome, quantity: position.quantity });
    return partner ? { tradeId: leg.trade_id, legId: partner.leg_id, positionId: partner.id } : null;
  }

  /** The trade a hedged position belongs to and every hedged position of it (null: the position is no arbitrage leg). */
  hedgedPairOf(positionId: number): HedgedPair | null {
    const leg = this.q.tradeOfHedgedPosition.get({ id: positionId });
    if (!leg) return null;
    const trade = this.requireTrade(leg.trade_id);
    const legs = this.q.hedgedPositionsOfTrade.all({ trade: trade.id }).map((row) => ({
      positionId: row.id,
      venue: row.venue,
      market: row.market,
      closed: row.status === 'closed',
      netPnl: row.net_pnl === null ? null : storedMicros('positions', row.id, 'net_pnl', row.net_pnl),
    }));
    return { tradeId: trade.id, pair: trade.pair, legs };
  }

  openUnhedged(): UnhedgedLeg[] {
    return this.q.openUnhedged.all({});
  }

  allUnhedged(): UnhedgedLeg[] {
    return this.q.allUnhedged.all({});
  }

  resolveUnhedged(id: number, state: Exclude<UnhedgedState, 'open'>, note: string | null): boolean {
    return this.ledger.transaction(() => this.q.resolveUnhedged.run({ id, state, note: scrubNullable(note), at: this.ledger.timestamp() }).changes === 1);
  }
}

/** A leg's row as it is inserted: planned, nothing filled or linked yet (its id is SQLite's to give). */
function plannedLeg(tradeId: number, leg: NewLeg, at: string): ArbLeg {
  return {
    id: 0,
    trade_id: tradeId,
    leg: leg.leg,
    venue: leg.venue,
    market: leg.market,
    outcome: leg.outcome,
    side: leg.side,
    quantity: leg.quantity,
    limit_price: leg.limitPrice,
    client_order_id: leg.clientOrderId,
    venue_order_id: null,
    reservation_id: null,
    state: 'planned',
    filled_quantity: 0,
    filled_notional: 0,
    fee: 0,
    hedged_position_id: null,
    unhedged_position_id: null,
    error: null,
    created_at: at,
    updated_at: at,
  };
}
