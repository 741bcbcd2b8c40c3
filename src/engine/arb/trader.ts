// Arbitrage inside the engine: on every accepted quote of a paired market, scan the pair; when the best direction
// clears the pair's minimum edge, neither venue is paused and the pair has room in flight, execute it, then apply
// the unhedged-leg policy to whatever did not hedge.
import type { PairConfig } from '../../config/config.js';
import { ratioPpm } from '../../domain/money.js';
import type { UnhedgedState } from '../../domain/arb.js';
import type { EngineEvent } from '../events.js';
import { pairBooks } from './books.js';
import { executeArb, type ArbDeps, type ArbResult } from './executor.js';
import { edgePossible, scanPair, type Opportunity } from './scanner.js';
import { exitUnhedged, handleUnhedged } from './unhedged.js';

export interface ArbStats {
  arbsFound: number;
  arbsExecuted: number;
  arbsFailed: number;
  arbOutcomes: Map<string, number>;
  unhedgedLegs: number;
  unhedgedResolved: Map<string, number>;
}

export function actionable(pair: PairConfig, opportunity: Opportunity): boolean {
  return opportunity.netEdge > 0 && opportunity.netEdgeBps >= pair.minEdgeBps;
}

export class ArbTrader {
  private readonly pairsByMarket = new Map<string, PairConfig[]>();
  private readonly utilizationWarned = new Set<string>();

  constructor(
    readonly deps: ArbDeps,
    private readonly stats: ArbStats,
    private readonly emit: (event: EngineEvent) => void,
  ) {
    for (const pair of deps.config.pairs.values()) {
      for (const leg of [pair.a, pair.b]) {
        const key = `${leg.venue}\u0000${leg.market}`;
        this.pairsByMarket.set(key, [...(this.pairsByMarket.get(key) ?? []), pair]);
      }
    }
  }

  onQuote(venue: string, market: string, isPaused: (venue: string) => boolean): Promise<void> | void {
    const pairs = this.pairsByMarket.get(`${venue}\u0000${market}`);
    if (!pairs) return;
    const tradable = pairs.filter(
      (pair) =>
        pair.confirmed &&
        !isPaused(pair.a.venue) &&
        !isPaused(pair.b.venue) &&
        this.deps.store.inFlightCount(pair.name) < this.deps.config.arbitrage.inFlightPerPairMax,
    );
    if (tradable.length === 0) return;
    return this.tradePairs(tradable);
  }

  private async tradePairs(pairs: readonly PairConfig[]): Promise<void> {
    for (const pair of pairs) {
      const books = await pairBooks(this.deps.ledger, this.deps.venues, pair);
      // Most quotes leave no edge at any size: skip the sizing search, the scanner's whole cost, when none can pay.
      if (!edgePossible(books)) continue;
      const best = scanPair(books)[0];
      if (!best || !actionable(pair, best)) continue;
      this.stats.arbsFound += 1;
      const result = await this.execute(best);
      this.emit({ kind: 'arb', opportunity: best, result });
      if (result.status === 'settled') await this.handleUnhedged(result);
      this.checkUtilization([pair.a.venue, pair.b.venue]);
    }
  }

  private async execute(opportunity: Opportunity): Promise<ArbResult> {
    try {
      const result = await executeArb(this.deps, opportunity);
      if (result.status === 'settled') {
        this.stats.arbsExecuted += 1;
        const outcome = result.settlement.trade.outcome ?? 'none';
        this.stats.arbOutcomes.set(outcome, (this.stats.arbOutcomes.get(outcome) ?? 0) + 1);
      } else if (result.status === 'failed') this.stats.arbsFailed += 1;
      return result;
    } catch (error) {
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
      const outcome = await handleUnhedged(this.deps, record).catch(() => 'held' as const);
      if (outcome === 'hedged' || outcome === 'unwound') this.stats.unhedgedResolved.set(outcome, (this.stats.unhedgedResolved.get(outcome) ?? 0) + 1);
      this.emit({ kind: 'unhedged', tradeId: result.tradeId, positionId: excess.positionId, outcome });
    }
  }

  /** The ladder says exit an unhedged leg: sell its contracts at the venue (the position closes from the fill). */
  async exitUnhedged(positionId: number): Promise<void> {
    const record = this.deps.store.unhedgedForPosition(positionId);
    if (!record || record.state !== 'open') return;
    const outcome = await exitUnhedged(this.deps, record).catch(() => 'held' as const);
    if (outcome === 'unwound') this.stats.unhedgedResolved.set(outcome, (this.stats.unhedgedResolved.get(outcome) ?? 0) + 1);
    this.emit({ kind: 'unhedged', tradeId: record.trade_id, positionId, outcome });
  }

  /** Called inside the transaction that closed a position: an unhedged leg's record follows its position. */
  positionClosed(positionId: number, state: Exclude<UnhedgedState, 'open' | 'hedged'>, note: string): void {
    const record = this.deps.store.unhedgedForPosition(positionId);
    if (record && record.state === 'open' && this.deps.store.resolveUnhedged(record.id, state, note)) {
      this.stats.unhedgedResolved.set(state, (this.stats.unhedgedResolved.get(state) ?? 0) + 1);
    }
  }

  private checkUtilization(venues: readonly string[]): void {
    for (const name of venues) {
      const wallet = this.deps.ledger.getWallet(name);
      if (!wallet || wallet.total <= 0) continue;
      const utilizationPpm = ratioPpm(wallet.locked, wallet.total);
      const over = utilizationPpm > this.deps.config.arbitrage.utilizationWarnPpm;
      if (over && !this.utilizationWarned.has(name)) this.emit({ kind: 'utilization', venue: name, utilizationPpm });
      if (over) this.utilizationWarned.add(name);
      else this.utilizationWarned.delete(name);
    }
  }
}
