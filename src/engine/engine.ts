// The engine: takes feed events one at a time, runs each quote through the price guard and the network pause,
// and applies the TP/SL ladder to the open positions of that market (held in memory by the ladder index, so a quote
// that moves nothing reads nothing; every step is written through the ledger). Start-up is reconcile (crash-only:
// the same code as `arbbot reconcile`), and every ladder step is stored, so a restart resumes.
import type { Config } from '../config/config.js';
import { formatPpmPct, formatUsd, ratioPpm, type Micros, type PriceMicros } from '../domain/money.js';
import { evaluateLadder, type CloseTrigger, type LadderDecision, type LadderState } from '../domain/position.js';
import type { FeedEvent, RawQuote, ResolveEvent } from '../feeds/events.js';
import type { CloseResult, LadderPositionRow, Ledger, PositionRow } from '../ledger/ledger.js';
import type { EngineListener } from './events.js';
import { isQuiet, LadderIndex, type MarketLadder } from './ladder-index.js';
import { NetworkPause } from './network-pause.js';
import { PriceGuard, type AcceptedQuote, type RejectReason } from './price-guard.js';
import { MARKET_RESOLVED, reconcile } from './reconcile.js';
import { markPrice, openPosition } from './trading.js';
import { capToPositionLimit } from '../domain/risk.js';
import { RiskGate } from './risk-gate.js';
import { UtilizationWatch } from './utilization-watch.js';
import { ArbTrader, type ArbStats } from './arb/trader.js';
import { positionMarket } from './arb/settle.js';
import { ArbStore } from '../ledger/arb-store.js';
import { InsufficientBalanceError, OperationalError } from '../domain/errors.js';
import type { Venue } from '../venues/venue.js';

export interface EngineStats extends ArbStats {
  events: number;
  quotesAccepted: number;
  badLines: number;
  opened: number;
  closedByReason: Map<string, number>;
  realisedNetPnl: number;
  tiersHit: number;
  resolutions: number;
}

export interface DemoOptions {
  /** Markets the demo opens positions on. */
  readonly markets: readonly { readonly venue: string; readonly market: string }[];
  readonly sizeMicros: Micros;
  readonly openPositionsMax: number;
  readonly opensMax: number;
}

/**
 * What the engine tells a simulated venue: its book follows the accepted quotes, it writes the books that changed
 * where other processes read them when asked, and it pays out on resolution.
 */
export interface SimulatedBook {
  setQuote(market: string, bid: PriceMicros, ask: PriceMicros, depth: null, timestampMs: number): void;
  flushBooks(): void;
  /** `resolutionId`: the ledger's record of this resolution; the venue applies each one once. */
  resolve(market: string, outcome: 'yes' | 'no', resolutionId: number): unknown;
}

export interface EngineOptions {
  readonly ledger: Ledger;
  readonly config: Config;
  readonly paperVenues: ReadonlyMap<string, SimulatedBook>;
  /** Every configured venue (paper and live): arbitrage trades on these, and reconcile asks them. */
  readonly venues?: ReadonlyMap<string, Venue>;
  readonly listener: EngineListener;
  readonly demo?: DemoOptions | null;
  /** Wall clock in milliseconds (performance.now by default): paces price flushes and the check for other processes' writes. */
  readonly wallClockMs?: () => number;
}

/**
 * How often (wall time) the prices that changed are written to the ledger; they are also written at stop. They only
 * seed the price guard after a restart, so losing a few seconds of them costs nothing. Wall time, not feed time: a
 * fast replay would otherwise spend as much on these writes as on its quotes.
 */
export const PRICE_FLUSH_INTERVAL_MS = 5_000;

/**
 * How often (wall time) the paper books that changed are written to the paper state file; they are also written at
 * stop. `open`, `close` and `arb` in other processes fill at these books, so they trail the engine by at most this
 * much. One batched write a second costs the engine next to nothing; one per quote would cost it its throughput.
 */
export const BOOK_FLUSH_INTERVAL_MS = 1_000;

/** What a quote that moves no ladder passes on: nothing to exit. */
const NO_EXITS: readonly number[] = [];

export class Engine {
  readonly guard: PriceGuard;
  readonly pause: NetworkPause;
  readonly stats: EngineStats = {
    events: 0,
    quotesAccepted: 0,
    badLines: 0,
    opened: 0,
    closedByReason: new Map(),
    realisedNetPnl: 0,
    tiersHit: 0,
    resolutions: 0,
    arbsFound: 0,
    arbsExecuted: 0,
    arbsFailed: 0,
    arbOutcomes: new Map(),
    unhedgedLegs: 0,
    unhedgedResolved: new Map(),
  };
  readonly arb: ArbTrader | null;
  readonly ladders: LadderIndex;
  /** The risk limits (config `risk`, per-venue daily losses); null when none is configured. */
  readonly risk: RiskGate | null;
  private readonly utilization: UtilizationWatch;
  /** Feed time: drives staleness, so a replay pauses a venue the same way at any speed. */
  private nowMs = 0;
  private readonly wallClockMs: () => number;
  private lastFlushWallMs: number;
  private bookFlushTimer: NodeJS.Timeout | null = null;
  private demoSide: 'long' | 'short' = 'long';
  /**
   * Positions whose close or settlement failed in this run: marked in the ledger for a person and left out of the
   * ladder until the next start, so one position's failure neither stops the engine nor repeats on every quote.
   */
  private readonly needsAttention = new Set<number>();
  private readonly isPaused = (venue: string): boolean => this.pause.isPaused(venue);

  constructor(private readonly options: EngineOptions) {
    const config = options.config;
    const isPredictionMarket = (venue: string): boolean => config.venues.get(venue)?.predictionMarket ?? false;
    this.guard = new PriceGuard(config.priceGuard.maxJumpPpm, isPredictionMarket);
    this.pause = new NetworkPause(config.priceGuard.staleAfterMs);
    this.ladders = new LadderIndex(options.ledger, isPredictionMarket);
    this.wallClockMs = options.wallClockMs ?? performance.now.bind(performance);
    this.lastFlushWallMs = this.wallClockMs();
    this.risk = RiskGate.create(options.ledger, config.risk, (event) => this.emit(event));
    this.utilization = new UtilizationWatch(options.ledger, config.arbitrage.utilizationWarnPpm, (event) => this.emit(event));
    const hooks = { risk: this.risk, fundsMoved: () => this.fundsMoved() };
    this.arb = options.venues && config.arbitrage.enabled && config.pairs.size > 0
      ? new ArbTrader({ ledger: options.ledger, store: new ArbStore(options.ledger), venues: options.venues, config }, this.stats, (event) => this.emit(event), hooks)
      : null;
  }

  get ledger(): Ledger {
    return this.options.ledger;
  }

  /** The latest feed time seen, epoch milliseconds; 0 before the first timed event. */
  get feedTimeMs(): number {
    return this.nowMs;
  }

  /** Crash-only start-up: reconcile, then restore the guard's reference prices. */
  async start(): Promise<void> {
    const report = await reconcile(this.ledger, this.options.config, { dryRun: false, ...(this.options.venues ? { venues: this.options.venues } : {}) });
    this.guard.restore(this.ledger.loadMarketPrices());
    const open = this.ledger.listPositions('open');
    const locked = this.ledger.listWallets().reduce((sum, wallet) => sum + wallet.locked, 0);
    this.emit({ kind: 'reconciled', report, openPositions: open.length, locked });
    await this.arb?.armAll();
    this.fundsMoved();
    this.startBookFlushes();
  }

  /**
   * On a timer rather than checked per event: a quiet feed (stdin between two lines) must still get its last quote
   * written, and the quotes themselves carry no extra work.
   */
  private startBookFlushes(): void {
    if (this.options.paperVenues.size === 0 || this.bookFlushTimer) return;
    this.bookFlushTimer = setInterval(() => {
      try {
        this.flushBooks();
      } catch (error) {
        // The books stay marked changed, so the next flush writes them: a busy file must not stop the engine.
        this.emit({ kind: 'warning', message: `paper books not written yet: ${(error as Error).message}` });
      }
    }, BOOK_FLUSH_INTERVAL_MS);
    // The engine's run loop keeps the process alive while it runs; this timer must not keep it alive after.
    this.bookFlushTimer.unref();
  }

  /** Writes the paper books changed since the last flush (the venues share one state file: one transaction). */
  flushBooks(): void {
    for (const book of this.options.paperVenues.values()) book.flushBooks();
  }

  /** Applies one feed event. Synchronous except when a resume needs to reconcile first. */
  handle(event: FeedEvent): void | Promise<void> {
    this.stats.events += 1;
    if (event.type === 'bad_line') {
      this.stats.badLines += 1;
      this.emit({ kind: 'bad_line', line: event.line, reason: event.reason });
      return;
    }
    this.advanceClock(event.timestampMs);
    switch (event.type) {
      case 'quote':
        return this.onQuote(event);
      case 'disconnect':
        if (this.pause.disconnect(event.venue)) this.emit({ kind: 'paused', venue: event.venue, reason: 'disconnect' });
        return;
      case 'reconnect':
        if (this.pause.reconnect(event.venue, this.nowMs)) return this.resume(event.venue);
        return;
      case 'resolve':
        this.onResolve(event);
        return;
    }
  }

  /** Feed time drives staleness, so a replay pauses the same way at any speed; wall time paces the bookkeeping. */
  private advanceClock(timestampMs: number): void {
    if (timestampMs > this.nowMs) this.nowMs = timestampMs;
    for (const venue of this.pause.checkStale(this.nowMs)) this.emit({ kind: 'paused', venue, reason: 'stale' });
    const wallMs = this.wallClockMs();
    if (this.ladders.checkForeignWrites(wallMs)) {
      this.risk?.foreignWrite();
      this.fundsMoved();
    }
    this.risk?.tick();
    if (wallMs - this.lastFlushWallMs >= PRICE_FLUSH_INTERVAL_MS) this.flushPrices();
  }

  private onQuote(raw: RawQuote): void | Promise<void> {
    const verdict = this.guard.check(raw);
    if (!verdict.ok) {
      this.emit({ kind: 'quote_rejected', venue: raw.venue, market: raw.market, reason: verdict.reason, detail: verdict.detail });
      return;
    }
    this.stats.quotesAccepted += 1;
    const quote = verdict.quote;
    this.options.paperVenues.get(quote.venue)?.setQuote(quote.market, quote.bid, quote.ask, null, quote.timestampMs);
    const resumedFromStale = this.pause.quoted(quote.venue, this.nowMs);
    if (resumedFromStale) return this.resume(quote.venue).then(() => this.trade(quote));
    return this.trade(quote);
  }

  private trade(quote: AcceptedQuote): void | Promise<void> {
    if (this.pause.isPaused(quote.venue)) return; // no decisions on prices from a venue we cannot trust
    const ladder = this.ladders.forQuote(quote.venue, quote.market);
    const exits = isQuiet(ladder, quote.bid, quote.ask) ? NO_EXITS : this.applyLadderToMarket(ladder, quote);
    this.maybeOpenDemo(quote);
    const arb = this.arb;
    if (!arb) return;
    if (exits.length === 0) return arb.onQuote(quote.venue, quote.market, this.isPaused);
    return (async () => {
      for (const positionId of exits) await arb.exitUnhedged(positionId);
      await arb.onQuote(quote.venue, quote.market, this.isPaused);
    })();
  }

  /** Applies the ladder to a market's positions, YES then NO; returns the unhedged legs it says to exit at their venue. */
  private applyLadderToMarket(ladder: MarketLadder, quote: AcceptedQuote): number[] {
    const exits: number[] = [];
    this.applyLadderToRows(ladder.rows, quote, exits);
    if (ladder.noRows.length > 0) {
      // NO contracts are marked from the YES quote: NO bid = 1 − YES ask, NO ask = 1 − YES bid.
      const no = { bid: (1_000_000 - quote.ask) as PriceMicros, ask: (1_000_000 - quote.bid) as PriceMicros };
      this.applyLadderToRows(ladder.noRows, no, exits);
    }
    return exits;
  }

  /**
   * The held rows carry only the ladder's columns (hedged pairs, held to resolution, are left out); the whole row is
   * read, fresh, only for a position whose ladder moves at this price. A row can trail another process's close by up
   * to the index's check interval: the fresh row says whether the position is still one the ladder manages.
   */
  private applyLadderToRows(rows: readonly LadderPositionRow[], quote: { bid: number; ask: number }, exits: number[]): void {
    for (const row of rows) {
      const price = markPrice(row.side, quote);
      if (!ladderMoves(ladderDecision(row, price))) continue;
      if (this.needsAttention.has(row.id)) continue;
      const position = this.ledger.getPosition(row.id);
      if (!position || position.status !== 'open' || position.kind === 'arb_hedged') continue;
      try {
        if (this.applyLadder(position, price) === 'exit_at_venue') exits.push(position.id);
      } catch (error) {
        this.flagAttention(position, 'the ladder could not close it', error);
      }
    }
  }

  private applyLadder(position: PositionRow, price: PriceMicros): 'exit_at_venue' | null {
    const decision = ladderDecision(position, price);
    if (!ladderMoves(decision)) return null;
    // An unhedged arbitrage leg's contracts are held at its venue: closing it only in the ledger would book proceeds
    // the venue never paid. Its exit is a sale at the venue instead (the arbitrage trader's unwind).
    const atVenue = position.kind === 'arb_unhedged' && this.arb !== null;
    // The tier flags, the new stop and (when triggered) the close are stored in one transaction.
    const result = this.ledger.transaction(() => {
      if (decision.events.length > 0) this.ledger.updateLadder(position.id, decision.state);
      if (!decision.close || atVenue) return null;
      const closed = this.ledger.closePosition(position.id, {
        exitPrice: decision.close.price,
        reason: closeReason(decision.close.trigger, position),
        costs: this.options.config.costs,
      });
      if (closed.status === 'closed') this.arb?.positionClosed(position.id, 'unwound', `closed by the ladder: ${decision.close.trigger}`);
      return closed;
    });
    for (const tier of decision.events) {
      this.stats.tiersHit += 1;
      this.emit({ kind: 'tier', position, tier: tier.kind, price: tier.price, newStop: tier.newStop });
    }
    if (result?.status === 'closed' && decision.close) {
      this.emit({ kind: 'closing', position, trigger: decision.close.trigger, price: decision.close.price });
      this.recordClose(result, decision.close.trigger);
      this.fundsMoved();
    }
    return decision.close && atVenue ? 'exit_at_venue' : null;
  }

  private recordClose(result: Extract<CloseResult, { status: 'closed' }>, label: string): void {
    this.stats.closedByReason.set(label, (this.stats.closedByReason.get(label) ?? 0) + 1);
    this.stats.realisedNetPnl += result.figures.netPnl;
    this.emit({ kind: 'closed', result });
  }

  /** A resolved prediction market: every open position on it settles at 1 (YES won) or 0 per contract. */
  private onResolve(event: ResolveEvent): void {
    // Only a prediction market pays 1 or 0: a resolve line for any other market (a bad or misrouted feed line)
    // would otherwise settle, say, a SOL-USD position at $0 or $1.
    if (this.options.config.venues.get(event.venue)?.predictionMarket !== true) {
      this.emit({ kind: 'warning', message: `resolve ignored: ${event.venue} ${event.market} is not a prediction market` });
      return;
    }
    // Every settlement and the record of the resolution commit together: a crash leaves all of them or none. The paper
    // venue (another file) applies the resolution after; if a crash cuts it off, reconcile replays it from the record.
    const { closes, failed, resolutionId } = this.ledger.transaction(() => {
      const closes: Extract<CloseResult, { status: 'closed' }>[] = [];
      const failed: { position: PositionRow; error: unknown }[] = [];
      for (const outcome of ['yes', 'no'] as const) {
        const payout = (event.outcome === outcome ? 1_000_000 : 0) as PriceMicros;
        for (const position of this.ledger.listOpenPositionsForMarket(event.venue, positionMarket(event.market, outcome))) {
          try {
            // A savepoint each: a position that cannot settle is rolled back alone and the others still settle.
            const closed = this.ledger.transaction(() => this.settleResolved(position, payout, event.outcome));
            if (closed) closes.push(closed);
          } catch (error) {
            if (isOperatingError(error)) throw error;
            failed.push({ position, error });
          }
        }
      }
      const recorded = this.ledger.addAudit(MARKET_RESOLVED, event.venue, JSON.stringify({ market: event.market, outcome: event.outcome }));
      return { closes, failed, resolutionId: recorded };
    });
    for (const { position, error } of failed) this.flagAttention(position, `settling the ${event.outcome.toUpperCase()} resolution failed`, error);
    for (const result of closes) this.recordClose(result, `resolved_${event.outcome}`);
    this.options.paperVenues.get(event.venue)?.resolve(event.market, event.outcome, resolutionId);
    this.stats.resolutions += 1;
    this.emit({ kind: 'resolved', venue: event.venue, market: event.market, outcome: event.outcome, settled: closes.length });
    this.fundsMoved();
  }

  private settleResolved(position: PositionRow, payout: PriceMicros, outcome: 'yes' | 'no'): Extract<CloseResult, { status: 'closed' }> | null {
    const closed = this.ledger.closePosition(position.id, {
      exitPrice: payout,
      reason: `Resolved ${outcome.toUpperCase()}`,
      costs: this.options.config.costs,
      kind: 'settlement',
    });
    if (closed.status !== 'closed') return null;
    this.arb?.positionClosed(position.id, payout > 0 ? 'unwound' : 'written_off', `market resolved ${outcome.toUpperCase()}`);
    return closed;
  }

  /**
   * One position's close or settlement failed: record why on the position, tell the listener, and go on. An operating
   * error (the database unreadable, the disk full) is not one position's problem: it stops the engine.
   */
  private flagAttention(position: PositionRow, what: string, error: unknown): void {
    if (isOperatingError(error)) throw error;
    const reason = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    this.needsAttention.add(position.id);
    this.ledger.setAttention(position.id, reason);
    this.emit({ kind: 'attention', positionId: position.id, market: position.market, reason });
  }

  /** Positions marked as needing a person in this run. */
  get attentionCount(): number {
    return this.needsAttention.size;
  }

  private async resume(venue: string): Promise<void> {
    // Reconcile settles every armed trade it finds as a crash left it: this engine's own are released first.
    this.arb?.disarmAll('the engine reconciles after a pause');
    const report = await reconcile(this.ledger, this.options.config, { dryRun: false, ...(this.options.venues ? { venues: this.options.venues } : {}) });
    this.emit({ kind: 'resumed', venue, report });
    await this.arb?.armAll();
    this.fundsMoved();
  }

  private maybeOpenDemo(quote: AcceptedQuote): void {
    const demo = this.options.demo;
    if (!demo || this.stats.opened >= demo.opensMax) return;
    if (!demo.markets.some((m) => m.venue === quote.venue && m.market === quote.market)) return;
    if (this.ledger.listOpenPositionsForMarket(quote.venue, quote.market).length > 0) return;
    // Arbitrage legs are not demo positions: count only the ladder positions the demo opened.
    if (this.ledger.listPositions('open').filter((p) => p.kind === 'single').length >= demo.openPositionsMax) return;
    // The engine sizes its own positions: within the position limit, as arbitrage sizes its legs.
    const size = this.risk ? capToPositionLimit(this.options.config.risk, demo.sizeMicros) : demo.sizeMicros;
    const wallet = this.ledger.getWallet(quote.venue);
    if (!wallet || wallet.available < size) return;
    if (this.risk && !this.risk.admit([quote.venue], 1)) return;
    const side = this.demoSide;
    this.demoSide = side === 'long' ? 'short' : 'long';
    const venueConfig = this.options.config.venues.get(quote.venue);
    const opened = this.tryOpen({
      venue: quote.venue,
      market: quote.market,
      side,
      size,
      price: side === 'long' ? quote.ask : quote.bid,
      ladder: this.options.config.tpsl,
      costs: this.options.config.costs,
      predictionMarket: venueConfig?.predictionMarket ?? false,
    });
    if (!opened) return;
    this.stats.opened += 1;
    this.emit({ kind: 'opened', position: opened.position, walletBefore: opened.walletBefore, walletAfter: opened.walletAfter });
    this.fundsMoved();
  }

  /** Locked funds changed (here or in another process): the risk figures follow, and utilisation is judged. */
  private fundsMoved(): void {
    this.risk?.fundsMoved();
    this.utilization.check();
  }

  /** A demo open the wallet cannot fund (its cost and what its close may cost need to be free) is skipped, not fatal. */
  private tryOpen(request: Parameters<typeof openPosition>[1]): ReturnType<typeof openPosition> | null {
    try {
      return openPosition(this.ledger, request);
    } catch (error) {
      if (error instanceof InsufficientBalanceError) return null;
      throw error;
    }
  }

  /** Writes the last accepted price of every market that changed since the previous flush (no transaction when none did). */
  flushPrices(): void {
    this.lastFlushWallMs = this.wallClockMs();
    const changed = this.guard.changedPrices();
    if (changed.length > 0) this.ledger.saveMarketPrices(changed);
    // Only once written: a flush that throws leaves them to the next one.
    this.guard.markPricesSaved();
  }

  /** Clean stop: write what is only in memory, and release the armed trades' funds. Every other change is already committed. */
  stop(): void {
    if (this.bookFlushTimer) clearInterval(this.bookFlushTimer);
    this.bookFlushTimer = null;
    this.flushPrices();
    try {
      this.arb?.disarmAll('the engine stopped');
    } catch (error) {
      // Left armed (the ledger busy or read-only): the next start-up or `arbbot reconcile` asks the venues and
      // releases them, as after a crash. A stop must not hide the error that may have caused it.
      this.emit({ kind: 'warning', message: `armed trades left for the next reconcile to release: ${(error as Error).message}` });
    }
    this.flushBooks();
  }

  rejectedByReason(): ReadonlyMap<RejectReason, number> {
    return this.guard.rejected;
  }

  private emit(event: Parameters<EngineListener>[0]): void {
    this.options.listener(event);
  }
}

function ladderDecision(position: LadderPositionRow, price: PriceMicros): LadderDecision {
  const state: LadderState = { tp1Hit: position.tp1_hit === 1, tp2Hit: position.tp2_hit === 1, stopPrice: position.stop_price as PriceMicros };
  const levels = {
    tp1Price: position.tp1_price as PriceMicros,
    tp2Price: position.tp2_price as PriceMicros,
    tp3Price: position.tp3_price as PriceMicros,
    slPrice: position.sl_price as PriceMicros,
    liquidationPrice: position.liquidation_price as PriceMicros | null,
  };
  return evaluateLadder(position.side, position.entry_price as PriceMicros, levels, state, price);
}

/** Errors that are about the machine, not one position: the database or the disk. They stop the engine (exit 3). */
function isOperatingError(error: unknown): boolean {
  return error instanceof OperationalError;
}

function ladderMoves(decision: LadderDecision): boolean {
  return decision.events.length > 0 || decision.close !== null;
}

/** "TP3 (+10%) reached", "Stop loss (-5%) hit", … — the percentage measured from the position's own levels. */
export function closeReason(trigger: CloseTrigger, position: PositionRow): string {
  // Measured in the position's favour: a short's TP3 below entry reads +10%, its stop above entry -5%.
  const direction = position.side === 'long' ? 1 : -1;
  const pct = (level: number) => trimPct(formatPpmPct(ratioPpm(direction * (level - position.entry_price), position.entry_price)));
  switch (trigger) {
    case 'tp3':
      return `TP3 (${pct(position.tp3_price)}) reached`;
    case 'stop_loss':
      return `Stop loss (${pct(position.sl_price)}) hit`;
    case 'breakeven_stop':
      return 'Breakeven stop hit after TP1';
    case 'trailing_stop':
      return `Trailing stop at TP1 (${pct(position.tp1_price)}) hit after TP2`;
    case 'liquidation':
      return `Liquidation price ${formatUsd(position.liquidation_price ?? 0, 4)} reached: the money set aside for it is used up`;
  }
}

function trimPct(text: string): string {
  return text.replace(/\.?0+%$/, '%');
}
