// The risk limits inside the engine. The day's realised losses are held in memory: read from the ledger once per UTC
// day, then followed through the wallet transaction log from the last id seen (every close writes one in its commit,
// whichever process closes), only when this engine or another process has written. So a quote costs nothing here,
// and a decision to open costs a clock read, a few comparisons and, with maxOpenPositions set, one count on an index.
import { dailyLossBreachFor, dailyLossBreaches, DailyLoss, DAY_MS, hasAnyLimit, hasDailyLossLimit, openPositionsBreach, utcDayLabel, utcDayStartMs, type RiskBreach, type RiskLimits } from '../domain/risk.js';
import type { Micros } from '../domain/money.js';
import type { Ledger } from '../ledger/ledger.js';
import { ledgerNowMs, RiskReads } from '../ledger/risk-reads.js';
import type { EngineEvent } from './events.js';

export class RiskGate {
  /** Opportunities passed over (demo positions and arbitrage), by the config key of the limit that refused them. */
  readonly skipped = new Map<string, number>();
  private readonly reads: RiskReads;
  private readonly tracksLoss: boolean;
  private day: DailyLoss | null = null;
  /** The day's bounds as the ledger writes a close's time, so a close is placed in its day by comparing text. */
  private dayFromIso = '';
  private dayToIso = '';
  /** Positions already in the day's figure: a position has several rows in the log, and is counted once. */
  private readonly counted = new Set<number>();
  private transactionSeen = 0;
  private writesSeen = -1;
  private foreignWrites = false;
  private lossBreaches: readonly RiskBreach[] = [];
  private openPositionsHeld: RiskBreach | null = null;

  private constructor(
    private readonly ledger: Ledger,
    private readonly limits: RiskLimits,
    private readonly emit: (event: EngineEvent) => void,
  ) {
    this.reads = new RiskReads(ledger);
    this.tracksLoss = hasDailyLossLimit(limits);
  }

  /** A gate when any limit is configured; null otherwise, so an engine without limits pays nothing for them. */
  static create(ledger: Ledger, limits: RiskLimits, emit: (event: EngineEvent) => void): RiskGate | null {
    return hasAnyLimit(limits) ? new RiskGate(ledger, limits, emit) : null;
  }

  /** The most cost one arbitrage leg may have (risk.maxPositionUsd), or null. */
  get legCostMaxMicros(): Micros | null {
    return this.limits.maxPositionMicros;
  }

  /**
   * On every feed event. Only while a daily-loss limit holds does the clock matter: the first event of a new UTC day
   * lifts it. Otherwise one comparison.
   */
  tick(): void {
    if (this.lossBreaches.length === 0 || this.day === null) return;
    if (ledgerNowMs(this.ledger) >= this.day.dayStartMs + DAY_MS) this.refresh();
  }

  /** Another connection committed (seen by the engine's data_version check): its closes are read at the next refresh. */
  foreignWrite(): void {
    this.foreignWrites = true;
  }

  /** After the engine moved funds (a close, an arbitrage): follow the day's closes and announce a limit as it is reached. */
  fundsMoved(): void {
    if (this.tracksLoss) this.refresh();
  }

  /**
   * Whether `count` new positions on `venues` may open now. A refusal is counted; a limit that starts or stops
   * refusing is announced once (a daily-loss limit when reached, maxOpenPositions when it first holds something back).
   */
  admit(venues: readonly string[], count: number): boolean {
    if (this.tracksLoss) this.refresh();
    const crowded = this.limits.maxOpenPositions === null ? null : openPositionsBreach(this.limits, this.reads.openPositionCount(), count);
    this.noteOpenPositions(crowded);
    const breach = crowded ?? dailyLossBreachFor(this.lossBreaches, venues);
    if (breach === null) return true;
    this.skipped.set(breach.limit, (this.skipped.get(breach.limit) ?? 0) + 1);
    return false;
  }

  private noteOpenPositions(crowded: RiskBreach | null): void {
    const held = this.openPositionsHeld;
    if (crowded && !held) this.emit({ kind: 'risk_limit', state: 'reached', breach: crowded, reason: null });
    if (!crowded && held) this.emit({ kind: 'risk_limit', state: 'lifted', breach: held, reason: 'positions closed: there is room again' });
    this.openPositionsHeld = crowded;
  }

  private refresh(): void {
    const today = utcDayStartMs(ledgerNowMs(this.ledger));
    const newDay = this.day !== null && today !== this.day.dayStartMs;
    if (this.day === null || newDay) this.loadDay(today);
    else if (this.ledger.positionWrites.version !== this.writesSeen || this.foreignWrites) this.follow();
    this.announce(newDay);
  }

  /** The whole day read from the ledger: at the first decision, and once each UTC day after. */
  private loadDay(dayStartMs: number): void {
    this.writesSeen = this.ledger.positionWrites.version;
    this.foreignWrites = false;
    const { closes, lastTransactionId } = this.reads.closedOnDay(dayStartMs);
    this.day = new DailyLoss(dayStartMs);
    this.dayFromIso = new Date(dayStartMs).toISOString();
    this.dayToIso = new Date(dayStartMs + DAY_MS).toISOString();
    this.counted.clear();
    for (const close of closes) {
      this.counted.add(close.id);
      this.day.add(close.venue, close.netPnl);
    }
    this.transactionSeen = lastTransactionId;
  }

  /** The closes recorded since the last read, from the log's ids onward: what is new, never the whole table. */
  private follow(): void {
    const day = this.day;
    if (day === null) return;
    this.writesSeen = this.ledger.positionWrites.version;
    this.foreignWrites = false;
    const { closes, lastTransactionId } = this.reads.closedSince(this.transactionSeen);
    this.transactionSeen = lastTransactionId;
    for (const close of closes) {
      // A close stamped with another day (another process's clock, in a replay) belongs to that day's figure.
      if (this.counted.has(close.id) || close.closedAt < this.dayFromIso || close.closedAt >= this.dayToIso) continue;
      this.counted.add(close.id);
      day.add(close.venue, close.netPnl);
    }
  }

  /**
   * Says which daily-loss limits were reached, and which a new day lifted. Within a day a reached limit only stays
   * reached (the day's loss is its deepest point); a new day lifts every limit of the day before, and announces anew
   * any the new day's closes already reach.
   */
  private announce(newDay: boolean): void {
    const day = this.day;
    if (day === null) return;
    const now = dailyLossBreaches(this.limits, day);
    const before = newDay ? [] : this.lossBreaches;
    if (newDay) {
      for (const held of this.lossBreaches) {
        this.emit({ kind: 'risk_limit', state: 'lifted', breach: held, reason: `a new UTC day began (${utcDayLabel(day.dayStartMs)})` });
      }
    }
    for (const breach of now) {
      if (!before.some((held) => held.limit === breach.limit)) this.emit({ kind: 'risk_limit', state: 'reached', breach, reason: null });
    }
    this.lossBreaches = now;
  }
}
