// `arbbot arb`: one-shot and cron-friendly. Lists each pair's best opportunity per direction with the edge after
// fees and the age of each paper leg's quote; `--execute <pair>` executes the best one now (after settling anything a
// previous run left in flight), refusing a paper quote older than priceGuard.staleAfterMs.
import type { Command } from 'commander';
import type { Config, PairConfig } from '../../config/config.js';
import { InputError } from '../../domain/errors.js';
import { formatMicros, formatUsd, parseMicros, type Micros } from '../../domain/money.js';
import { pairBooks } from '../../engine/arb/books.js';
import { executeArb, type ArbDeps, type ArbResult } from '../../engine/arb/executor.js';
import { scanPair, withLegCostCap, type Opportunity } from '../../engine/arb/scanner.js';
import { actionable } from '../../engine/arb/trader.js';
import { handleUnhedged, type UnhedgedOutcome } from '../../engine/arb/unhedged.js';
import { PriceGuard } from '../../engine/price-guard.js';
import { assertFresh, quoteTime, type QuoteTime } from '../../engine/quotes.js';
import { otherEngine } from '../../engine/engine-marker.js';
import { reconcile } from '../../engine/reconcile.js';
import { assertWithinRiskLimits } from '../../engine/risk-check.js';
import { JsonlFeed } from '../../feeds/jsonl.js';
import { ArbStore } from '../../ledger/arb-store.js';
import type { VenueSet } from '../../venues/registry.js';
import { CommandContext } from '../context.js';
import { EXIT } from '../errors.js';
import type { Output } from '../output.js';
import { quoteAgeText, quoteJson, utilizationWarningLines, utilizationWarningsJson } from '../present.js';
import { arbLines } from '../render-events.js';

interface ArbOptions {
  execute?: string;
  size?: string;
  dryRun?: boolean;
  feed?: string;
}

export function registerArbCommand(program: Command): void {
  program
    .command('arb')
    .description('list arbitrage opportunities per pair (edge after fees); --execute PAIR executes the best one now')
    .option('--execute <pair>', 'execute the best opportunity of this pair')
    .option('--size <usd>', 'most USD to use (both legs together), below the pair\'s maxSize')
    .option('--dry-run', 'with --execute: show the plan, place nothing')
    .option('--feed <file>', 'load quotes from a JSON Lines file into the paper books first')
    .action(async (options: ArbOptions, command: Command) => {
      const ctx = CommandContext.from(command);
      const sizeCap = options.size === undefined ? null : parseMicros(options.size, { label: '--size' });
      const config = ctx.config;
      const pair = options.execute === undefined ? null : requirePair(config, options.execute);
      if (options.dryRun && !pair) throw new InputError('--dry-run goes with --execute <pair>');
      const ledger = ctx.openLedger();
      const venues = await ctx.openVenues();
      try {
        if (options.feed) await loadFeed(venues, config, options.feed);
        const deps: ArbDeps = { ledger, store: new ArbStore(ledger), venues: venues.venues, config };
        const quotes = new PaperQuotes(venues, Date.now());
        if (!pair) return await listOpportunities(ctx.out, deps, [...config.pairs.values()], sizeCap, quotes);
        // Quotes loaded from --feed are the ones asked for, whatever their time; otherwise a stale book is refused.
        if (!options.feed) quotes.assertFresh(pair, config.priceGuard.staleAfterMs);
        await executePair(ctx.out, deps, pair, sizeCap, options.dryRun === true, ctx.dbPath, quotes);
      } finally {
        await venues.close();
      }
    });
}

function requirePair(config: Config, name: string): PairConfig {
  const pair = config.pairs.get(name);
  if (!pair) throw new InputError(`unknown pair "${name}" (configured: ${[...config.pairs.keys()].join(', ') || 'none'})`);
  return pair;
}

function capped(pair: PairConfig, sizeCap: Micros | null): PairConfig {
  return sizeCap === null || sizeCap >= pair.maxSizeMicros ? pair : { ...pair, maxSizeMicros: sizeCap };
}

/** Each leg sized within the position limit (risk.maxPositionUsd), as the engine sizes it. */
async function scan(deps: ArbDeps, pair: PairConfig): Promise<Opportunity[]> {
  return scanPair(withLegCostCap(await pairBooks(deps.ledger, deps.venues, pair), deps.config.risk.maxPositionMicros));
}

/**
 * The time of each paper leg's quote, read when the command started (the paper books were loaded then). A live
 * venue's book is fetched by the command itself: it has none here.
 */
class PaperQuotes {
  constructor(
    private readonly venues: VenueSet,
    private readonly nowMs: number,
  ) {}

  of(venue: string, market: string): QuoteTime | null {
    const quotedAtMs = this.venues.paper.get(venue)?.quotedAtMs(market) ?? null;
    return quotedAtMs === null ? null : quoteTime(quotedAtMs, this.nowMs);
  }

  /** "quote 0.8 s old" / "configured quote" for a paper leg, "live book" for a live venue's. */
  text(venue: string, market: string): string {
    const time = this.of(venue, market);
    return time ? quoteAgeText(time) : 'live book';
  }

  assertFresh(pair: PairConfig, staleAfterMs: number): void {
    for (const leg of [pair.a, pair.b]) {
      const time = this.of(leg.venue, leg.market);
      if (time) assertFresh(`${leg.venue} ${leg.market}`, time, staleAfterMs, 'is arbbot run going? (or pass --feed FILE)');
    }
  }
}

function opportunityJson(pair: PairConfig, o: Opportunity, quotes: PaperQuotes): Record<string, unknown> {
  const leg = (plan: Opportunity['a']) => {
    const time = quotes.of(plan.venue, plan.market);
    return {
      venue: plan.venue,
      market: plan.market,
      outcome: plan.outcome,
      contracts: formatMicros(plan.quantity),
      averagePrice: formatMicros(plan.averagePrice),
      limitPrice: formatMicros(plan.limitPrice),
      cost: formatMicros(plan.cost),
      fee: formatMicros(plan.fee),
      quote: time && quoteJson(time),
    };
  };
  return {
    pair: o.pair,
    direction: o.direction,
    contracts: formatMicros(o.contracts),
    a: leg(o.a),
    b: leg(o.b),
    payout: formatMicros(o.payout),
    grossEdge: formatMicros(o.grossEdge),
    fees: formatMicros(o.fees),
    netEdge: formatMicros(o.netEdge),
    netEdgeBps: o.netEdgeBps,
    actionable: pair.confirmed && actionable(pair, o),
    confirmed: pair.confirmed,
  };
}

async function listOpportunities(out: Output, deps: ArbDeps, pairs: readonly PairConfig[], sizeCap: Micros | null, quotes: PaperQuotes): Promise<void> {
  const rows: { pair: PairConfig; opportunity: Opportunity }[] = [];
  for (const pair of pairs) for (const opportunity of await scan(deps, capped(pair, sizeCap))) rows.push({ pair, opportunity });
  if (out.json) return out.printJson({ opportunities: rows.map(({ pair, opportunity }) => opportunityJson(pair, opportunity, quotes)) });
  if (rows.length === 0) return out.line(out.role.muted('no executable size on any pair (books empty or too thin)'));
  out.table(
    ['pair', 'buy on A', 'buy on B', 'contracts', 'gross', 'fees', 'net', 'bps', 'quotes (A / B)', ''],
    rows.map(({ pair, opportunity: o }) => [
      o.pair,
      `${o.a.outcome.toUpperCase()} ${o.a.venue} @ ${formatUsd(o.a.averagePrice, 4)}`,
      `${o.b.outcome.toUpperCase()} ${o.b.venue} @ ${formatUsd(o.b.averagePrice, 4)}`,
      formatMicros(o.contracts).replace(/\.0+$/, ''),
      formatUsd(o.grossEdge, 4),
      formatUsd(o.fees, 4),
      formatUsd(o.netEdge, 4),
      o.netEdgeBps,
      `${quotes.text(o.a.venue, o.a.market)} / ${quotes.text(o.b.venue, o.b.market)}`,
      !pair.confirmed ? 'unconfirmed' : actionable(pair, o) ? 'actionable' : 'below minEdge',
    ]),
  );
}

async function executePair(
  out: Output,
  deps: ArbDeps,
  pair: PairConfig,
  sizeCap: Micros | null,
  dryRun: boolean,
  dbPath: string,
  quotes: PaperQuotes,
): Promise<void> {
  if (!pair.confirmed) throw new InputError(`pair ${pair.name} is not confirmed: a person must set "confirmed": true after checking both markets resolve alike`);
  // Listing needs no credentials; trading does: say so before anything is written or sent.
  for (const leg of [pair.a, pair.b]) deps.venues.get(leg.venue)?.assertCanTrade?.();
  // Before anything is written: both legs become positions, on two venues either of which a daily-loss limit may hold.
  assertWithinRiskLimits(deps.ledger, deps.config.risk, { venues: [pair.a.venue, pair.b.venue], count: 2, largestCostMicros: null }, `arb --execute ${pair.name}`);
  if (!dryRun) {
    // Crash-only: finish whatever an earlier run left in flight before placing anything new.
    const recovered = await reconcile(deps.ledger, deps.config, { dryRun: false, venues: deps.venues, engineRunning: otherEngine(dbPath) });
    for (const action of recovered.actions) out.debug(`reconcile: ${action.detail}`);
  }
  const best = (await scan(deps, capped(pair, sizeCap)))[0];
  if (!best || !actionable(pair, best)) {
    const why = best ? `best net edge ${formatUsd(best.netEdge, 4)} (${best.netEdgeBps} bps, minimum ${pair.minEdgeBps})` : 'no executable size';
    if (out.json) out.printJson({ pair: pair.name, executed: false, reason: why, opportunity: best ? opportunityJson(pair, best, quotes) : null });
    else out.line(out.role.warn(`No opportunity on ${pair.name}: ${why}`));
    process.exitCode = EXIT.checkFailed;
    return;
  }
  if (dryRun) {
    if (out.json) return out.printJson({ pair: pair.name, dryRun: true, opportunity: opportunityJson(pair, best, quotes) });
    out.line(`Would execute ${pair.name} (nothing placed):`);
    for (const [name, plan] of [['A', best.a], ['B', best.b]] as const) {
      out.line(
        `  leg ${name}: buy ${formatMicros(plan.quantity)} ${plan.outcome.toUpperCase()} on ${plan.venue} ${plan.market}, limit ${formatUsd(plan.limitPrice, 4)}, cost ${formatUsd(plan.cost)} + fee ${formatUsd(plan.fee, 4)} (${quotes.text(plan.venue, plan.market)})`,
      );
    }
    out.line(`  net edge ${formatUsd(best.netEdge, 4)} (${best.netEdgeBps} bps)`);
    return;
  }
  const result = await executeArb(deps, best);
  const unhedged = result.status === 'settled' ? await followUp(deps, result) : [];
  const wallets = deps.ledger.listWallets();
  const warnPpm = deps.config.arbitrage.utilizationWarnPpm;
  if (out.json) {
    const utilizationWarnings = utilizationWarningsJson(wallets, warnPpm);
    out.printJson({ pair: pair.name, executed: true, opportunity: opportunityJson(pair, best, quotes), result: resultJson(deps, result), unhedged, utilizationWarnings });
  } else {
    out.line(out.role.muted(`quotes: ${best.a.venue} ${best.a.market} ${quotes.text(best.a.venue, best.a.market)}, ${best.b.venue} ${best.b.market} ${quotes.text(best.b.venue, best.b.market)}`));
    for (const line of arbLines(out, best, result)) out.line(line);
    for (const u of unhedged) out.line(u.outcome === 'held' ? out.role.warn(`⚠ unhedged position ${u.positionId} held under TP/SL`) : `unhedged position ${u.positionId}: ${u.outcome}`);
    for (const line of utilizationWarningLines(wallets, warnPpm)) out.line(out.role.warn(line));
  }
  if (result.status !== 'settled') process.exitCode = EXIT.checkFailed;
}

async function followUp(deps: ArbDeps, result: Extract<ArbResult, { status: 'settled' }>): Promise<{ positionId: number; outcome: UnhedgedOutcome }[]> {
  const outcomes: { positionId: number; outcome: UnhedgedOutcome }[] = [];
  for (const excess of result.settlement.unhedged) {
    const record = deps.store.unhedgedForPosition(excess.positionId);
    if (record) outcomes.push({ positionId: excess.positionId, outcome: await handleUnhedged(deps, record) });
  }
  return outcomes;
}

function resultJson(deps: ArbDeps, result: ArbResult): Record<string, unknown> {
  if (result.status !== 'settled') return { status: result.status, tradeId: result.tradeId, reason: result.reason };
  return {
    status: 'settled',
    tradeId: result.tradeId,
    outcome: result.settlement.trade.outcome,
    legs: deps.store.legsOf(result.tradeId).map((leg) => ({
      leg: leg.leg,
      venue: leg.venue,
      market: leg.market,
      outcome: leg.outcome,
      side: leg.side,
      clientOrderId: leg.client_order_id,
      state: leg.state,
      quantity: formatMicros(leg.quantity),
      filledQuantity: formatMicros(leg.filled_quantity),
      filledNotional: formatMicros(leg.filled_notional),
      fee: formatMicros(leg.fee),
      error: leg.error,
    })),
    positions: result.settlement.positions.map((p) => ({ id: p.id, venue: p.venue, market: p.market, kind: p.kind, costBasis: formatMicros(p.cost_basis) })),
  };
}

/** Loads a feed's quotes into the paper books (each through the price guard); other events are ignored here. */
async function loadFeed(venues: VenueSet, config: Config, path: string): Promise<void> {
  const guard = new PriceGuard(config.priceGuard.maxJumpPpm, (venue) => config.venues.get(venue)?.predictionMarket ?? false);
  for await (const event of new JsonlFeed(path, 'max').events()) {
    if (event.type !== 'quote') continue;
    const verdict = guard.check(event);
    if (verdict.ok) venues.paper.get(verdict.quote.venue)?.setQuote(verdict.quote.market, verdict.quote.bid, verdict.quote.ask, null, verdict.quote.timestampMs);
  }
}
