// `arbbot arb`: one-shot and cron-friendly. Lists each pair's best opportunity per direction with the edge after
// fees and the age of each paper leg's quote; `--execute <pair>` executes the best one now (app/arbitrage.ts does the
// work: settling what a previous run left in flight, the checks, the orders); this file parses and renders.
import type { Command } from 'commander';
import type { PairConfig } from '../../config/config.js';
import { InputError } from '../../domain/errors.js';
import { formatMicros, formatUsd, parseMicros } from '../../domain/money.js';
import { executePair, listOpportunities, openArbSession, requirePair, type ArbSession, type ExecuteOutcome, type ListedOpportunity, type PaperQuotes } from '../../app/arbitrage.js';
import type { ArbDeps, ArbResult } from '../../engine/arb/executor.js';
import type { Opportunity } from '../../engine/arb/scanner.js';
import { actionable } from '../../engine/arb/trader.js';
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
        const session = await openArbSession(ledger, venues, config, options.feed ?? null);
        if (!pair) return renderList(ctx.out, await listOpportunities(session, [...config.pairs.values()], sizeCap), session.quotes);
        const outcome = await executePair(session, pair, { sizeCap, dryRun: options.dryRun === true, dbPath: ctx.dbPath, debug: (line) => ctx.out.debug(line) });
        renderExecution(ctx.out, session, pair, outcome);
        ctx.exitWith(outcome.kind === 'nothing' || (outcome.kind === 'executed' && outcome.result.status !== 'settled') ? EXIT.checkFailed : EXIT.ok);
      } finally {
        await venues.close();
      }
    });
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

/** "quote 0.8 s old" / "configured quote" for a paper leg, "live book" for a live venue's. */
function quoteText(quotes: PaperQuotes, venue: string, market: string): string {
  const time = quotes.of(venue, market);
  return time ? quoteAgeText(time) : 'live book';
}

function renderList(out: Output, rows: readonly ListedOpportunity[], quotes: PaperQuotes): void {
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
      `${quoteText(quotes, o.a.venue, o.a.market)} / ${quoteText(quotes, o.b.venue, o.b.market)}`,
      !pair.confirmed ? 'unconfirmed' : actionable(pair, o) ? 'actionable' : 'below minEdge',
    ]),
  );
}

function renderExecution(out: Output, session: ArbSession, pair: PairConfig, outcome: ExecuteOutcome): void {
  const { quotes, deps } = session;
  if (outcome.kind === 'nothing') {
    if (out.json) return out.printJson({ pair: pair.name, executed: false, reason: outcome.why, opportunity: outcome.best ? opportunityJson(pair, outcome.best, quotes) : null });
    return out.line(out.role.warn(`No opportunity on ${pair.name}: ${outcome.why}`));
  }
  const best = outcome.best;
  if (outcome.kind === 'dry_run') return renderDryRun(out, pair, best, quotes);
  const warnPpm = deps.config.arbitrage.utilizationWarnPpm;
  if (out.json) {
    const utilizationWarnings = utilizationWarningsJson(outcome.wallets, warnPpm);
    return out.printJson({ pair: pair.name, executed: true, opportunity: opportunityJson(pair, best, quotes), result: resultJson(deps, outcome.result), unhedged: outcome.unhedged, utilizationWarnings });
  }
  out.line(out.role.muted(`quotes: ${best.a.venue} ${best.a.market} ${quoteText(quotes, best.a.venue, best.a.market)}, ${best.b.venue} ${best.b.market} ${quoteText(quotes, best.b.venue, best.b.market)}`));
  for (const line of arbLines(out, best, outcome.result)) out.line(line);
  for (const u of outcome.unhedged) out.line(u.outcome === 'held' ? out.role.warn(`⚠ unhedged position ${u.positionId} held under TP/SL`) : `unhedged position ${u.positionId}: ${u.outcome}`);
  for (const line of utilizationWarningLines(outcome.wallets, warnPpm)) out.line(out.role.warn(line));
}

function renderDryRun(out: Output, pair: PairConfig, best: Opportunity, quotes: PaperQuotes): void {
  if (out.json) return out.printJson({ pair: pair.name, dryRun: true, opportunity: opportunityJson(pair, best, quotes) });
  out.line(`Would execute ${pair.name} (nothing placed):`);
  for (const [name, plan] of [['A', best.a], ['B', best.b]] as const) {
    out.line(
      `  leg ${name}: buy ${formatMicros(plan.quantity)} ${plan.outcome.toUpperCase()} on ${plan.venue} ${plan.market}, limit ${formatUsd(plan.limitPrice, 4)}, cost ${formatUsd(plan.cost)} + fee ${formatUsd(plan.fee, 4)} (${quoteText(quotes, plan.venue, plan.market)})`,
    );
  }
  out.line(`  net edge ${formatUsd(best.netEdge, 4)} (${best.netEdgeBps} bps)`);
}

function resultJson(deps: ArbDeps, result: ArbResult): Record<string, unknown> {
  if (result.status === 'failed' || result.status === 'pending') return { status: result.status, tradeId: result.tradeId, reason: result.reason };
  return {
    status: result.status,
    tradeId: result.tradeId,
    outcome: result.settlement.trade.outcome,
    // The venue's claim a trade that needs attention is held on; null for a settled one.
    needsAttention: result.status === 'needs_attention' ? result.reason : null,
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
    positions: result.settlement.positions.map((p) => ({ id: p.id, venue: p.venue, market: p.market, kind: p.kind, costBasis: formatMicros(p.costBasis) })),
  };
}
