// The one-shot arbitrage behind `arbbot arb`: list each pair's best opportunity per direction, or execute a pair's
// best one now — after settling whatever an earlier run left in flight, within the risk limits, refusing a stale
// paper quote. The CLI only parses and renders; every step that reads or writes the books is here.
import type { Config, PairConfig } from '../config/config.js';
import { InputError } from '../domain/errors.js';
import { formatUsd, type Micros } from '../domain/money.js';
import { ArbStore } from '../ledger/arb-store.js';
import type { Wallet } from '../domain/wallet.js';
import type { Ledger } from '../ledger/ledger.js';
import { pairBooks } from '../engine/arb/books.js';
import { executeArb, type ArbDeps, type ArbResult } from '../engine/arb/executor.js';
import { scanPair, withLegCostCap, type Opportunity } from '../engine/arb/scanner.js';
import { actionable } from '../engine/arb/trader.js';
import { handleUnhedged, type UnhedgedOutcome } from '../engine/arb/unhedged.js';
import { runningEngine } from '../ledger/engine-lock.js';
import { PriceGuard } from '../engine/price-guard.js';
import { assertFresh, quoteTime, type QuoteTime } from '../engine/quotes.js';
import { reconcile } from '../engine/reconcile.js';
import { assertWithinRiskLimits } from '../engine/risk-check.js';
import { JsonlFeed } from '../feeds/jsonl.js';
import type { VenueSet } from '../venues/registry.js';

/**
 * The time of each paper leg's quote, read when the session started (the paper books were loaded then). A live
 * venue's book is fetched when scanned: it has no quote time here.
 */
export class PaperQuotes {
  constructor(
    private readonly venues: VenueSet,
    private readonly nowMs: number,
  ) {}

  of(venue: string, market: string): QuoteTime | null {
    const quotedAtMs = this.venues.venues.get(venue)?.simulation?.quotedAtMs(market) ?? null;
    return quotedAtMs === null ? null : quoteTime(quotedAtMs, this.nowMs);
  }

  assertFresh(pair: PairConfig, staleAfterMs: number): void {
    for (const leg of [pair.a, pair.b]) {
      const time = this.of(leg.venue, leg.market);
      if (time) assertFresh(`${leg.venue} ${leg.market}`, time, staleAfterMs, 'is arbbot run going? (or pass --feed FILE)');
    }
  }
}

export interface ArbSession {
  readonly deps: ArbDeps;
  readonly quotes: PaperQuotes;
  /** The quotes came from a feed file the user named: they are the ones asked for, whatever their time. */
  readonly fromFeed: boolean;
}

/** The venues' books ready to scan: a feed file's quotes loaded into the paper books first, when one is given. */
export async function openArbSession(ledger: Ledger, venues: VenueSet, config: Config, feedPath: string | null): Promise<ArbSession> {
  if (feedPath) await loadFeed(venues, config, feedPath);
  return { deps: { ledger, store: new ArbStore(ledger), venues: venues.venues, config }, quotes: new PaperQuotes(venues, Date.now()), fromFeed: feedPath !== null };
}

export function requirePair(config: Config, name: string): PairConfig {
  const pair = config.pairs.get(name);
  if (!pair) throw new InputError(`unknown pair "${name}" (configured: ${[...config.pairs.keys()].join(', ') || 'none'})`);
  return pair;
}

export interface ListedOpportunity {
  readonly pair: PairConfig;
  readonly opportunity: Opportunity;
}

export async function listOpportunities(session: ArbSession, pairs: readonly PairConfig[], sizeCap: Micros | null): Promise<ListedOpportunity[]> {
  const rows: ListedOpportunity[] = [];
  for (const pair of pairs) for (const opportunity of await scan(session.deps, capped(pair, sizeCap))) rows.push({ pair, opportunity });
  return rows;
}

/** A pair's best opportunity now (null: none), or why its books could not be read; one pair's failure is its own. */
export interface PairEdge {
  readonly pair: PairConfig;
  readonly best: Opportunity | null;
  readonly error: string | null;
}

export async function bestEdges(session: ArbSession, pairs: readonly PairConfig[]): Promise<PairEdge[]> {
  const edges: PairEdge[] = [];
  for (const pair of pairs) {
    try {
      edges.push({ pair, best: (await scan(session.deps, pair))[0] ?? null, error: null });
    } catch (error) {
      edges.push({ pair, best: null, error: (error as Error).message });
    }
  }
  return edges;
}

export type ExecuteOutcome =
  | { readonly kind: 'nothing'; readonly best: Opportunity | null; readonly why: string }
  | { readonly kind: 'dry_run'; readonly best: Opportunity }
  | {
      readonly kind: 'executed';
      readonly best: Opportunity;
      readonly result: ArbResult;
      readonly unhedged: readonly { positionId: number; outcome: UnhedgedOutcome }[];
      readonly wallets: readonly Wallet[];
    };

/** Executes a confirmed pair's best opportunity, or says why not. Nothing is written before every check has passed. */
export async function executePair(
  session: ArbSession,
  pair: PairConfig,
  options: { readonly sizeCap: Micros | null; readonly dryRun: boolean; readonly dbPath: string; readonly debug: (line: string) => void },
): Promise<ExecuteOutcome> {
  const { deps } = session;
  if (!pair.confirmed) throw new InputError(`pair ${pair.name} is not confirmed: a person must set "confirmed": true after checking both markets resolve alike`);
  if (!session.fromFeed) session.quotes.assertFresh(pair, deps.config.priceGuard.staleAfterMs);
  // Listing needs no credentials; trading does: say so before anything is written or sent.
  for (const leg of [pair.a, pair.b]) deps.venues.get(leg.venue)?.assertCanTrade?.();
  // Before anything is written: both legs become positions, on two venues either of which a daily-loss limit may hold.
  assertWithinRiskLimits(deps.ledger, deps.config.risk, { venues: [pair.a.venue, pair.b.venue], count: 2, largestCostMicros: null }, `arb --execute ${pair.name}`);
  if (!options.dryRun) {
    // Crash-only: finish whatever an earlier run left in flight before placing anything new.
    const recovered = await reconcile(deps.ledger, deps.config, { dryRun: false, venues: deps.venues, engineRunning: runningEngine(options.dbPath) });
    for (const action of recovered.actions) options.debug(`reconcile: ${action.detail}`);
  }
  const best = (await scan(deps, capped(pair, options.sizeCap)))[0] ?? null;
  if (!best || !actionable(pair, best)) {
    const why = best ? `best net edge ${formatUsd(best.netEdge, 4)} (${best.netEdgeBps} bps, minimum ${pair.minEdgeBps})` : 'no executable size';
    return { kind: 'nothing', best, why };
  }
  if (options.dryRun) return { kind: 'dry_run', best };
  const result = await executeArb(deps, best);
  const unhedged = result.status === 'settled' ? await followUp(deps, result) : [];
  return { kind: 'executed', best, result, unhedged, wallets: deps.ledger.listWallets() };
}

function capped(pair: PairConfig, sizeCap: Micros | null): PairConfig {
  return sizeCap === null || sizeCap >= pair.maxSizeMicros ? pair : { ...pair, maxSizeMicros: sizeCap };
}

/** Each leg sized within the position limit (risk.maxPositionUsd), as the engine sizes it. */
async function scan(deps: ArbDeps, pair: PairConfig): Promise<Opportunity[]> {
  return scanPair(withLegCostCap(await pairBooks(deps.ledger, deps.venues, pair), deps.config.risk.maxPositionMicros));
}

async function followUp(deps: ArbDeps, result: Extract<ArbResult, { status: 'settled' }>): Promise<{ positionId: number; outcome: UnhedgedOutcome }[]> {
  const outcomes: { positionId: number; outcome: UnhedgedOutcome }[] = [];
  for (const excess of result.settlement.unhedged) {
    const record = deps.store.unhedgedForPosition(excess.positionId);
    if (record) outcomes.push({ positionId: excess.positionId, outcome: await handleUnhedged(deps, record) });
  }
  return outcomes;
}

/** Loads a feed's quotes into the paper books (each through the price guard); other events are ignored here. */
async function loadFeed(venues: VenueSet, config: Config, path: string): Promise<void> {
  const guard = PriceGuard.forConfig(config);
  for await (const event of new JsonlFeed(path, 'max').events()) {
    if (event.type !== 'quote') continue;
    const verdict = guard.check(event);
    if (verdict.ok) venues.venues.get(verdict.quote.venue)?.simulation?.setQuote(verdict.quote.market, verdict.quote.bid, verdict.quote.ask, null, verdict.quote.timestampMs);
  }
}
