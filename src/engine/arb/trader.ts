// Arbitrage inside the engine: on every accepted quote of a paired market, scan the pair; when the best direction
// clears the pair's minimum edge, neither venue is paused and the pair has room in flight, execute it (from the
// pair's armed trade when it fits: armed.ts), apply the unhedged-leg policy to whatever did not hedge, and arm the
// pair again.
import type { PairConfig } from '../../config/config.js';
import type { UnhedgedState } from '../../domain/arb.js';
import type { LocalBooks, TopOfBook } from '../../venues/venue.js';
import { transientStorageFault } from '../../ledger/database.js';
import type { EngineEvent } from '../events.js';
import type { RiskGate } from '../risk-gate.js';
import { ArmedTrades, likelierDirection } from './armed.js';
import { opposite } from '../../domain/market.js';
import { pairBooks, pairBooksNow } from './books.js';
import { executeArb, type ArbDeps, type ArbResult } from './executor.js';
import { asksMayClear, edgePossible, scanPair, withLegCostCap, type Opportunity } from './scanner.js';
import { exitUnhedged, handleUnhedged } from './unhedged.js';

export interface ArbStats {
  arbsFound: number;
  arbsExecuted: number;
  arbsFailed: number;
  /** Trades a venue reported the impossible about: held for the venue to answer sanely or for a person. */
  arbsNeedingAttention: number;
  arbOutcomes: Map<string, number>;
  unhedgedLegs: number;
  unhedgedResolved: Map<string, number>;
}

/** A pair as seen from one of its markets' quotes, with its venues looked up once. */
interface PairRoute {
  readonly pair: PairConfig;
  /** Each venue's in-memory books, when it has them (null: its books are a request away). */
  readonly booksA: LocalBooks | null;
  readonly booksB: LocalBooks | null;
  /** Each leg's live top of book, once its venue has one (kept: the venue updates it in place). */
  topA: TopOfBook | null;
  topB: TopOfBook | null;
}

/** What the engine lends the trader: its risk limits (null: none configured) and what to do after funds moved. */
export interface TraderHooks {
  readonly risk: RiskGate | null;
  /** Called after each trade (and the pair armed again) and each exit of an unhedged leg: locked funds changed. */
  readonly fundsMoved: () => void;
  /** The wall clock a quote's arrival was read on, in milliseconds: what an arbitrage's latency is measured with. */
  readonly wallClockMs: () => number;
}

/**
 * A follow-up order that failed is held under TP/SL; one the ledger could not record is the storage pause's, whose
 * reconcile finishes it from the venue's answer.
 */
function heldUnlessStorageFault(error: unknown): 'held' {
  if (transientStorageFault(error)) throw error;
  return 'held';
}

const NO_HOOKS: TraderHooks = { risk: null, fundsMoved: () => undefined, wallClockMs: () => performance.now() };

export function actionable(pair: PairConfig, opportunity: Opportunity): boolean {
  return opportunity.netEdge > 0 && opportunity.netEdgeBps >= pair.minEdgeBps;
}

/**
 * Whether the venues' cheapest asks, read from memory, already rule out an actionable edge in both directions (the
 * scanner's edgePossible bound). False when a venue can only answer by request: then the full scan decides.
 */
function edgeRuledOut(route: PairRoute): boolean {
  const { pair, booksA: venueA, booksB: venueB } = route;
  if (venueA === null || venueB === null) return false;
  // Every quote of a paired market lands here: the live views spare a lookup of each market per quote.
  const topA = (route.topA ??= venueA.topOfBookNow(pair.a.market));
  const topB = (route.topB ??= venueB.topOfBookNow(pair.b.market));
  // A market not quoted yet has no asks (as bestAskNow would say), so no edge.
  if (topA === null || topB === null) return true;
  const yesA = venueA.bestAskIn(topA, pair.a.yesIs);
  const noA = venueA.bestAskIn(topA, opposite(pair.a.yesIs));
  const yesB = venueB.bestAskIn(topB, pair.b.yesIs);
  const noB = venueB.bestAskIn(topB, opposite(pair.b.yesIs));
  return !asksMayClear(yesA, noB, pair.minEdgeBps) && !asksMayClear(noA, yesB, pair.minEdgeBps);
}

export class ArbTrader {
  /** Pairs by venue, then market: a quote finds its pairs without building a key. */
  private readonly routes = new Map<string, Map<string, PairRoute[]>>();
  /** Each confirmed pair's next trade, committed ahead (config arbitrage.armAhead): null when arming is off. */
  private readonly armed: ArmedTrades | null;

  constructor(
    readonly deps: ArbDeps,
    private readonly stats: ArbStats,
    private readonly emit: (event: EngineEvent) => void,
    private readonly hooks: TraderHooks = NO_HOOKS,
  ) {
    this.armed = deps.config.arbitrage.armAhead ? new ArmedTrades(deps) : null;
    for (const pair of deps.config.pairs.values()) {
      const route: PairRoute = {
        pair,
        booksA: deps.venues.get(pair.a.venue)?.localBooks ?? null,
        booksB: deps.venues.get(pair.b.venue)?.localBooks ?? null,
        topA: null,
        topB: null,
      };
      for (const leg of [pair.a, pair.b]) {
        let markets = this.routes.get(leg.venue);
        if (!markets) {
          markets = new Map();
          this.routes.set(leg.venue, markets);
        }
        const routes = markets.get(leg.market) ?? [];
        // Both legs on one market is no arbitrage, but listing the pair twice would trade it twice per quote.
        if (!routes.includes(route)) markets.set(leg.market, [...routes, route]);
      }
    }
  }

  /**
   * An accepted quote of `market` on `venue`. Synchronous and without SQLite when no pair of the market can have an
   * edge (nearly every quote); otherwise the returned promise settles once the pairs are traded. `arrivedMs`: when the
   * quote reached the engine (hooks.wallClockMs), for the latency each arbitrage reports; null: not measured.
   */
  onQuote(venue: string, market: string, isPaused: (venue: string) => boolean, arrivedMs: number | null = null): Promise<void> | void {
    const routes = this.routes.get(venue)?.get(market);
    if (routes === undefined) return;
    let tradable: PairConfig[] | null = null;
    for (const route of routes) {
      if (!this.worthScanning(route, isPaused)) continue;
      tradable ??= [];
      tradable.push(route.pair);
    }
    if (tradable === null) return;
    return this.tradePairs(tradable, arrivedMs);
  }

  /** Cheapest checks first: the price bound needs neither SQLite nor a book; the in-flight count reads the ledger. */
  private worthScanning(route: PairRoute, isPaused: (venue: string) => boolean): boolean {
    const pair = route.pair;
    if (!pair.confirmed || isPaused(pair.a.venue) || isPaused(pair.b.venue)) return false;
    if (edgeRuledOut(route)) return false;
    return this.deps.store.inFlightCount(pair.name) < this.deps.config.arbitrage.inFlightPerPairMax;
  }

  /**
   * Arms every confirmed pair that is not armed yet, each in its own commit, facing the direction its books are
   * closest to paying in. A pair whose wallets hold nothing free stays unarmed: its opportunities commit first.
   */
  async armAll(): Promise<void> {
    if (!this.armed) return;
    for (const pair of this.deps.config.pairs.values()) await this.arm(pair);
  }

  private async arm(pair: PairConfig): Promise<void> {
    if (!this.armed || !pair.confirmed || this.armed.get(pair.name)) return;
    const books = await pairBooks(this.deps.ledger, this.deps.venues, pair).catch(() => null);
    this.armed.arm(pair, likelierDirection(books));
  }

  /** The trades this engine holds armed: its own reconcile after a pause leaves them as they are. */
  armedTradeIds(): ReadonlySet<number> {
    return new Set(this.armed?.tradeIds() ?? []);
  }

  /** Releases every armed trade (nothing was sent under them): at a clean stop. */
  disarmAll(reason: string): void {
    this.armed?.disarmAll(reason);
  }

  private async tradePairs(pairs: readonly PairConfig[], arrivedMs: number | null): Promise<void> {
    for (const pair of pairs) {
      const held = this.armed?.heldFor(pair.name);
      // In-memory books need no await: the orders then leave before this quote's turn of the event loop ends.
      // A venue whose books cannot be read now (unreachable, or answering the impossible) skips this pair this time.
      const books = pairBooksNow(this.deps.ledger, this.deps.venues, pair, held) ?? (await this.readBooks(pair, held));
      if (books === null) continue;
      // Most quotes leave no edge at any size: skip the sizing search, the scanner's whole cost, when none can pay.
      if (!edgePossible(books, pair.minEdgeBps)) continue;
      const risk = this.hooks.risk;
      const best = scanPair(withLegCostCap(books, risk?.legCostMaxMicros ?? null), true)[0];
      if (!best || !actionable(pair, best)) continue;
      this.stats.arbsFound += 1;
      // Both legs become positions: the pair needs room for two, and neither venue may be held by a daily-loss limit.
      if (risk && !risk.admit([pair.a.venue, pair.b.venue], 2)) continue;
      let handedMs: number | null = null;
      const result = await this.execute(best, () => (handedMs = this.hooks.wallClockMs()));
      const latencyMs = arrivedMs === null || handedMs === null ? null : handedMs - arrivedMs;
      this.emit({ kind: 'arb', opportunity: best, result, latencyMs });
      if (result.status === 'settled') await this.handleUnhedged(result);
      // Armed anew once this trade's unused funds are back, so the next opportunity is carried too.
      await this.arm(pair);
      this.hooks.fundsMoved();
    }
  }

  private async readBooks(pair: PairConfig, held: Parameters<typeof pairBooks>[3]): Promise<Awaited<ReturnType<typeof pairBooks>> | null> {
    try {
      return await pairBooks(this.deps.ledger, this.deps.venues, pair, held);
    } catch (error) {
      this.emit({ kind: 'warning', message: `arb ${pair.name}: books not read, pair skipped: ${(error as Error).message}` });
      return null;
    }
  }

  private async execute(opportunity: Opportunity, handed: () => void): Promise<ArbResult> {
    try {
      const result = await executeArb(this.deps, opportunity, this.armed, handed);
      if (result.status === 'settled') {
        this.stats.arbsExecuted += 1;
        const outcome = result.settlement.trade.outcome ?? 'none';
        this.stats.arbOutcomes.set(outcome, (this.stats.arbOutcomes.get(outcome) ?? 0) + 1);
      } else if (result.status === 'failed') this.stats.arbsFailed += 1;
      else if (result.status === 'needs_attention') this.stats.arbsNeedingAttention += 1;
      return result;
    } catch (error) {
      // The ledger could not be written: the engine pauses, and the reconcile that ends the pause settles whatever
      // was sent from the venues' answers (storage-pause.ts). Counted as failed, the trade would look finished.
      if (transientStorageFault(error)) throw error;
      // An unexpected exception mid-way: whatever was sent is settled by reconcile from the venues' answers.
      this.stats.arbsFailed += 1;
      return { status: 'failed', tradeId: null, reason: `unexpected error: ${(error as Error).message}` };
    }
  }

  private async handleUnhedged(result: Extract<ArbResult, { status: 'settled' }>): Promise<void> {
    for (const excess of result.settlement.unhedged) {
      this.stats.unhedgedLegs += 1;
      const record = this.deps.store.unhedgedForPosition(excess.positionId);
      if (!record) continue;
      const outcome = await handleUnhedged(this.deps, record).catch(heldUnlessStorageFault);
      if (outcome === 'hedged' || outcome === 'unwound') this.stats.unhedgedResolved.set(outcome, (this.stats.unhedgedResolved.get(outcome) ?? 0) + 1);
      this.emit({ kind: 'unhedged', tradeId: result.tradeId, positionId: excess.positionId, outcome });
    }
  }

  /** The ladder says exit an unhedged leg: sell its contracts at the venue (the position closes from the fill). */
  async exitUnhedged(positionId: number): Promise<void> {
    const record = this.deps.store.unhedgedForPosition(positionId);
    if (!record || record.state !== 'open') return;
    const outcome = await exitUnhedged(this.deps, record).catch(heldUnlessStorageFault);
    if (outcome === 'unwound') this.stats.unhedgedResolved.set(outcome, (this.stats.unhedgedResolved.get(outcome) ?? 0) + 1);
    this.emit({ kind: 'unhedged', tradeId: record.trade_id, positionId, outcome });
    this.hooks.fundsMoved();
  }

  /** Called inside the transaction that closed a position: an unhedged leg's record follows its position. */
  positionClosed(positionId: number, state: Exclude<UnhedgedState, 'open' | 'hedged'>, note: string): void {
    const record = this.deps.store.unhedgedForPosition(positionId);
    if (record && record.state === 'open' && this.deps.store.resolveUnhedged(record.id, state, note)) {
      this.stats.unhedgedResolved.set(state, (this.stats.unhedgedResolved.get(state) ?? 0) + 1);
    }
  }
}
