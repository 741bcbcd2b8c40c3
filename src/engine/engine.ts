// The engine: takes feed events one at a time, runs each quote through the price guard and the network pause,
// and applies the TP/SL ladder to the open positions of that market (held in memory by the ladder index, so a quote
// that moves nothing reads nothing; every step is written through the ledger). Start-up is reconcile (crash-only:
// the same code as `arbbot reconcile`), and every ladder step is stored, so a restart resumes.
import type { Config } from '../config/config.js';
import type { FeedEvent, RawQuote, ResolveEvent } from '../feeds/events.js';
import { ArbStore } from '../ledger/arb-store.js';
import { isStorageError } from '../ledger/database.js';
import type { CloseResult, Ledger } from '../ledger/ledger.js';
import type { Simulation, Venue } from '../venues/venue.js';
import { tradesNeedingAttention, type AttentionTrade } from './arb/quarantine.js';
import { resolvedPairs } from './arb/pair-result.js';
import { ArbTrader, type ArbStats } from './arb/trader.js';
import { DemoOpener, type DemoOptions } from './demo.js';
import type { EngineListener } from './events.js';
import { isQuiet, LadderIndex } from './ladder-index.js';
import { LadderMonitor } from './ladder-monitor.js';
import { MismatchHold } from './mismatch-hold.js';
import { NetworkPause } from './network-pause.js';
import { PriceGuard, type AcceptedQuote, type RejectReason } from './price-guard.js';
import { reconcile, type ReconcileReport } from './reconcile.js';
import { resolutionRefusal, settleResolution, type OnSettled } from './resolution.js';
import { StoragePause } from './storage-pause.js';
import { RiskGate } from './risk-gate.js';
import { UtilizationWatch } from './utilization-watch.js';

export type { DemoOptions } from './demo.js';

export interface EngineStats extends ArbStats {
  events: number;
  quotesAccepted: number;
  badLines: number;
  opened: number;
  closedByReason: Map<string, number>;
  realisedNetPnl: number;
  tiersHit: number;
  resolutions: number;
  /** Resolve lines refused because the market had already resolved the other way. */
  resolutionsRefused: number;
}


export interface EngineOptions {
  readonly ledger: Ledger;
  readonly config: Config;
  /**
   * Every configured venue (paper and live): arbitrage trades on these, and reconcile asks them. A simulated venue's
   * book follows the accepted quotes and it pays out the resolutions the ledger records.
   */
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
  /** The ledger cannot be written: the run loop applies each event through it (storage-pause.ts). */
  readonly storage: StoragePause;
  readonly stats: EngineStats = {
    events: 0,
    quotesAccepted: 0,
    badLines: 0,
    opened: 0,
    closedByReason: new Map(),
    realisedNetPnl: 0,
    tiersHit: 0,
    resolutions: 0,
    resolutionsRefused: 0,
    arbsFound: 0,
    arbsExecuted: 0,
    arbsFailed: 0,
    arbsNeedingAttention: 0,
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
  /** The venues the engine drives itself (their `simulation` capability), by name. */
  private readonly simulations = new Map<string, Simulation>();
  private lastFlushWallMs: number;
  /** When the event being handled reached the engine (wall clock): an arbitrage's latency counts from it. */
  private eventWallMs = 0;
  private bookFlushTimer: NodeJS.Timeout | null = null;
  private readonly demo: DemoOpener | null;
  private readonly monitor: LadderMonitor;
  /** Venues a reconcile left a mismatch on: no new trading there until one finds them consistent. */
  readonly hold = new MismatchHold();
  private readonly isPaused = (venue: string): boolean => this.pause.isPaused(venue) || this.hold.isHeld(venue);
  private arbStore: ArbStore | null = null;

  constructor(private readonly options: EngineOptions) {
    const config = options.config;
    const isPredictionMarket = (venue: string): boolean => config.venues.get(venue)?.predictionMarket ?? false;
    this.guard = PriceGuard.forConfig(config);
    this.pause = new NetworkPause(config.priceGuard.staleAfterMs);
    this.storage = new StoragePause({
      action: config.onStorageFault,
      resume: () => this.reconcileAfterPause(),
      emit: (event) => this.emit(event),
      // A resolution the ledger has not recorded was rolled back whole: it is applied again. One it has is done.
      needsReplay: (event) => event.type === 'resolve' && this.ledger.resolvedOutcome(event.venue, event.market) === null,
    });
    this.ladders = new LadderIndex(options.ledger, isPredictionMarket);
    this.wallClockMs = options.wallClockMs ?? performance.now.bind(performance);
    this.lastFlushWallMs = this.wallClockMs();
    for (const [name, venue] of options.venues ?? []) if (venue.simulation) this.simulations.set(name, venue.simulation);
    this.risk = RiskGate.create(options.ledger, config.risk, (event) => this.emit(event));
    this.utilization = new UtilizationWatch(options.ledger, config.arbitrage.utilizationWarnPpm, (event) => this.emit(event));
    this.demo = options.demo ? new DemoOpener(options.demo, options.ledger, config, this.risk) : null;
    const hooks = { risk: this.risk, fundsMoved: () => this.fundsMoved(), wallClockMs: this.wallClockMs };
    this.arb = options.venues && config.arbitrage.enabled && config.pairs.size > 0
      ? new ArbTrader({ ledger: options.ledger, store: new ArbStore(options.ledger), venues: options.venues, config }, this.stats, (event) => this.emit(event), hooks)
      : null;
    this.monitor = new LadderMonitor(options.ledger, config.costs, {
      emit: (event) => this.emit(event),
      tierHit: () => (this.stats.tiersHit += 1),
      closed: (result, trigger) => {
        this.recordClose(result, trigger);
        this.fundsMoved();
      },
      arb: this.arb,
    });
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
    this.holdMismatches(report);
    await this.arb?.armAll();
    this.fundsMoved();
    this.startBookFlushes();
  }

  /**
   * On a timer rather than checked per event: a quiet feed (stdin between two lines) must still get its last quote
   * written, and the quotes themselves carry no extra work.
   */
  private startBookFlushes(): void {
    if (this.simulations.size === 0 || this.bookFlushTimer) return;
    let failing = false;
    this.bookFlushTimer = setInterval(() => {
      try {
        this.flushBooks();
        failing = false;
      } catch (error) {
        // The books stay marked changed, so the next flush writes them: a busy file must not stop the engine. Said
        // once per failure, not once a second while a disk stays full.
        if (!failing) this.emit({ kind: 'warning', message: `paper books not written yet: ${(error as Error).message}` });
        failing = true;
      }
    }, BOOK_FLUSH_INTERVAL_MS);
    // The engine's run loop keeps the process alive while it runs; this timer must not keep it alive after.
    this.bookFlushTimer.unref();
  }

  /** Writes the paper books changed since the last flush (the venues share one state file: one transaction). */
  flushBooks(): void {
    for (const simulation of this.simulations.values()) simulation.flushBooks();
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
        if (this.pause.disconnect(event.venue)) this.emit({ kind: 'paused', venue: event.venue, reason: 'disconnect', ...(event.detail ? { detail: event.detail } : {}) });
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
    this.eventWallMs = wallMs;
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
    this.simulations.get(quote.venue)?.setQuote(quote.market, quote.bid, quote.ask, null, quote.timestampMs);
    const resumedFromStale = this.pause.quoted(quote.venue, this.nowMs);
    const arrivedMs = this.eventWallMs;
    if (resumedFromStale) return this.resume(quote.venue).then(() => this.trade(quote, arrivedMs));
    // A held venue's mismatch may have been cleared meanwhile (by hand, or the venue catching up): reconcile again.
    if (this.hold.recheckDue(this.wallClockMs)) return this.reconcileAfterPause().then(() => this.trade(quote, arrivedMs));
    return this.trade(quote, arrivedMs);
  }

  private trade(quote: AcceptedQuote, arrivedMs: number): void | Promise<void> {
    if (this.pause.isPaused(quote.venue)) return; // no decisions on prices from a venue we cannot trust
    const ladder = this.ladders.forQuote(quote.venue, quote.market);
    // A held venue's prices are sound: its stops still fire; only new entries and arbitrage wait (this.isPaused).
    const exits = isQuiet(ladder, quote.bid, quote.ask) ? NO_EXITS : this.monitor.applyToMarket(ladder, quote);
    if (!this.hold.isHeld(quote.venue)) this.maybeOpenDemo(quote);
    const arb = this.arb;
    if (!arb) return;
    if (exits.length === 0) return arb.onQuote(quote.venue, quote.market, this.isPaused, arrivedMs);
    return (async () => {
      for (const positionId of exits) await arb.exitUnhedged(positionId);
      await arb.onQuote(quote.venue, quote.market, this.isPaused, arrivedMs);
    })();
  }

  private recordClose(result: Extract<CloseResult, { status: 'closed' }>, label: string, byResolution = false): void {
    this.stats.closedByReason.set(label, (this.stats.closedByReason.get(label) ?? 0) + 1);
    this.stats.realisedNetPnl += result.figures.netPnl;
    this.emit({ kind: 'closed', result, byResolution });
  }

  /** A resolved prediction market: every open position on it settles at 1 (YES won) or 0 per contract. */
  private onResolve(event: ResolveEvent): void {
    const refusal = resolutionRefusal(this.ledger, this.options.config, event);
    if (refusal !== null) {
      if (refusal.conflicting) this.stats.resolutionsRefused += 1;
      this.emit({ kind: 'warning', message: refusal.message });
      return;
    }
    // The paper venue (another file) applies the resolution after the ledger's commit; if a crash cuts it off,
    // reconcile replays it from the record.
    const onSettled: OnSettled = (positionId, state, note) => this.arb?.positionClosed(positionId, state, note);
    const { closes, failed, resolutionId } = settleResolution(this.ledger, this.options.config, event, onSettled);
    for (const { position, error } of failed) this.monitor.flagAttention(position, `settling the ${event.outcome.toUpperCase()} resolution failed`, error);
    for (const result of closes) this.recordClose(result, `resolved_${event.outcome}`, true);
    this.simulations.get(event.venue)?.resolve(event.market, event.outcome, resolutionId);
    this.stats.resolutions += 1;
    this.emit({ kind: 'resolved', venue: event.venue, market: event.market, outcome: event.outcome, settled: closes.length });
    this.arbStore ??= this.arb?.deps.store ?? new ArbStore(this.ledger);
    for (const pair of resolvedPairs(this.arbStore, closes.map((close) => close.position))) this.emit({ kind: 'pair_resolved', ...pair });
    this.fundsMoved();
  }

  /** Positions marked as needing a person in this run. */
  get attentionCount(): number {
    return this.monitor.attentionCount;
  }

  /**
   * Arbitrage trades a venue reported the impossible about, held for the venue to answer sanely or for a person:
   * this run's and any earlier one's. Read from the ledger (a partial index of the trades in flight).
   */
  tradesNeedingAttention(): AttentionTrade[] {
    this.arbStore ??= this.arb?.deps.store ?? new ArbStore(this.ledger);
    return tradesNeedingAttention({ ledger: this.ledger, store: this.arbStore });
  }

  /** Holds the venues the reconcile left unresolved, releases the others, and says so. */
  private holdMismatches(report: ReconcileReport): void {
    const { held, released } = this.hold.update(report, this.wallClockMs());
    for (const venue of held) this.emit({ kind: 'paused', venue, reason: 'mismatch' });
    for (const venue of released) this.emit({ kind: 'resumed', venue, report });
  }

  private async resume(venue: string): Promise<void> {
    const report = await this.reconcileAfterPause();
    this.emit({ kind: 'resumed', venue, report });
  }

  /** The end of every pause (a venue's, or the ledger's): reconcile, arm the pairs again, and judge the funds. */
  private async reconcileAfterPause(): Promise<ReconcileReport> {
    // Reconcile settles every armed trade it finds as a crash left it, except this engine's own, which stay armed: a
    // pause that moved no money writes nothing (releasing and arming again wrote four transactions each time).
    const keepArmed = this.arb?.armedTradeIds() ?? new Set<number>();
    const report = await reconcile(this.ledger, this.options.config, { dryRun: false, keepArmed, ...(this.options.venues ? { venues: this.options.venues } : {}) });
    this.holdMismatches(report);
    await this.arb?.armAll();
    this.fundsMoved();
    return report;
  }

  private maybeOpenDemo(quote: AcceptedQuote): void {
    const opened = this.demo?.maybeOpen(quote);
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
    // A stop during a storage fault writes what it can: the prices only seed the price guard after a restart, armed
    // trades left armed are released by the next start-up or `arbbot reconcile` (they ask the venues, as after a
    // crash), and the paper books are written by the next run. A stop must not hide the error that may have caused it.
    this.stopStep('prices not saved', () => this.flushPrices(), isStorageError);
    this.stopStep('armed trades left for the next reconcile to release', () => this.arb?.disarmAll('the engine stopped'), () => true);
    this.stopStep('paper books not written', () => this.flushBooks(), isStorageError);
  }

  /** One step of a stop; an error `tolerated` accepts is reported and the stop goes on. */
  private stopStep(what: string, step: () => void, tolerated: (error: unknown) => boolean): void {
    try {
      step();
    } catch (error) {
      if (!tolerated(error)) throw error;
      this.emit({ kind: 'warning', message: `${what}: ${(error as Error).message}` });
    }
  }

  rejectedByReason(): ReadonlyMap<RejectReason, number> {
    return this.guard.rejected;
  }

  private emit(event: Parameters<EngineListener>[0]): void {
    this.options.listener(event);
  }
}
