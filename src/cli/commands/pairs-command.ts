// `arbbot pairs suggest | confirm <id> | list`: finding the same event on two venues. `suggest` lists both venues' open
// markets (cached in the ledger) and proposes candidates with each venue's own title, close time, rules and YES
// outcome side by side; it never confirms. `confirm` writes one suggestion into the config file as a confirmed pair,
// the only way a suggestion ever becomes tradable. `list` shows the configured pairs, confirmed or not.
import type { Command } from 'commander';
import { bestEdges, openArbSession, type PairEdge } from '../../app/arbitrage.js';
import { configuredPairs, confirmSuggestedPair, suggestPairsBetween } from '../../app/pairs.js';
import type { PairConfig } from '../../config/config.js';
import { formatMicros, formatMicrosTrim, formatUsd } from '../../domain/money.js';
import { actionable } from '../../engine/arb/trader.js';
import type { ListedMarket, PairSuggestion } from '../../domain/pairing.js';
import { CommandContext } from '../context.js';
import type { Output } from '../output.js';

/** Rules are shown up to this many characters a side; --json carries them whole. */
const RULES_SHOWN_CHARS_MAX = 400;

export function registerPairsCommand(program: Command): void {
  const pairs = program.command('pairs').description('find, confirm and list the pairs of markets arbitrage trades');
  pairs
    .command('suggest')
    .description('list two venues\' open markets and propose candidate pairs (never confirms one)')
    .option('--venues <a,b>', 'the two configured venues to compare (default: the first two that list markets)')
    .option('--query <text>', 'only markets whose titles hold every word of this text')
    .action(async (options: { venues?: string; query?: string }, command: Command) => {
      const ctx = CommandContext.from(command);
      const named = options.venues === undefined ? null : options.venues.split(',').map((name) => name.trim()).filter((name) => name !== '');
      const ledger = ctx.openLedger();
      const set = await ctx.openVenues();
      try {
        const result = await suggestPairsBetween(ledger, set.venues, named, options.query ?? null);
        if (ctx.out.json) ctx.out.printJson(result);
        else renderSuggestions(ctx.out, result.listings, result.suggestions);
      } finally {
        await set.close();
      }
    });
  pairs
    .command('confirm')
    .description('write a suggested pair into the config file as confirmed')
    .argument('<id>', 'the suggestion\'s id, as `pairs suggest` shows it')
    .action((id: string, _options: unknown, command: Command) => {
      const ctx = CommandContext.from(command);
      const confirmed = confirmSuggestedPair(ctx.openLedgerToRead(), ctx.config, id);
      if (ctx.out.json) ctx.out.printJson({ id, pair: confirmed.name, outcome: confirmed.outcome, a: confirmed.suggestion.a.market, b: confirmed.suggestion.b.market });
      else if (confirmed.outcome === 'already confirmed') ctx.out.line(`pair ${confirmed.name} is already confirmed; ${ctx.config.source} unchanged`);
      else ctx.out.line(ctx.out.role.success(`pair ${confirmed.name} confirmed in ${ctx.config.source}: ${legText(confirmed.suggestion.a)} / ${legText(confirmed.suggestion.b)}`));
    });
  pairs
    .command('list')
    .description('the configured pairs, confirmed or not, with the best edge their books offer now')
    .action(async (_options: unknown, command: Command) => {
      const ctx = CommandContext.from(command);
      const list = configuredPairs(ctx.config);
      if (list.length === 0) {
        if (ctx.out.json) ctx.out.printJson({ pairs: [] });
        else ctx.out.line(ctx.out.role.muted('no pairs configured (arbbot pairs suggest finds candidates)'));
        return;
      }
      const venues = await ctx.openVenues({ readonly: true });
      try {
        const edges = await bestEdges(await openArbSession(ctx.openLedger(), venues, ctx.config, null), list);
        if (ctx.out.json) ctx.out.printJson({ pairs: edges.map((edge) => ({ ...pairJson(edge.pair), bestEdge: edgeJson(edge) })) });
        else ctx.out.table(['pair', 'a', 'b', 'min edge', 'max size', 'confirmed', 'best edge now'], edges.map((edge) => [edge.pair.name, pairLeg(edge.pair.a), pairLeg(edge.pair.b), `${edge.pair.minEdgeBps} bps`, formatUsd(edge.pair.maxSizeMicros), edge.pair.confirmed ? 'yes' : ctx.out.role.warn('no'), edgeText(ctx.out, edge)]));
      } finally {
        await venues.close();
      }
    });
}

/** The best net edge after fees, in dollars and basis points, or none, or why the books could not be read. */
function edgeText(out: Output, edge: PairEdge): string {
  if (edge.error !== null) return out.role.warn(`books unavailable: ${edge.error}`);
  if (edge.best === null) return out.role.muted('none');
  const text = `${formatUsd(edge.best.netEdge)} (${edge.best.netEdgeBps} bps) × ${formatMicrosTrim(edge.best.a.quantity, 2)}`;
  return actionable(edge.pair, edge.best) ? out.role.money(edge.best.netEdge, text) : text;
}

function edgeJson(edge: PairEdge): Record<string, unknown> {
  if (edge.error !== null) return { error: edge.error };
  if (edge.best === null) return { none: true };
  return { netEdge: formatMicros(edge.best.netEdge), netEdgeBps: edge.best.netEdgeBps, contracts: formatMicros(edge.best.a.quantity), actionable: actionable(edge.pair, edge.best) };
}

function pairJson(pair: PairConfig) {
  const leg = (spec: PairConfig['a']) => ({ venue: spec.venue, market: spec.market, yesIs: spec.yesIs, minContracts: formatMicrosTrim(spec.minContracts, 0) });
  return { name: pair.name, a: leg(pair.a), b: leg(pair.b), minEdgeBps: pair.minEdgeBps, maxSize: formatMicrosTrim(pair.maxSizeMicros, 2), confirmed: pair.confirmed };
}

function pairLeg(leg: PairConfig['a']): string {
  return `${leg.venue} ${leg.market}${leg.yesIs === 'no' ? ' (NO is YES)' : ''}`;
}

function legText(market: ListedMarket): string {
  return `${market.venue} ${market.market}`;
}

function renderSuggestions(out: Output, listings: readonly { venue: string; markets: number; fetchedAt: string }[], suggestions: readonly PairSuggestion[]): void {
  for (const listing of listings) out.line(out.role.muted(`${listing.venue}: ${listing.markets} open market(s), fetched ${listing.fetchedAt}`));
  if (suggestions.length === 0) out.line('no candidate pairs');
  for (const suggestion of suggestions) {
    const gap = suggestion.closeGapHours === null ? 'a close time unknown' : `close times ${suggestion.closeGapHours.toFixed(1)} h apart`;
    const mark = suggestion.closeDatesDiffer ? out.role.warn(` — ${gap}: not the same event unless the rules say so`) : '';
    out.line('');
    out.line(`${suggestion.id}  similarity ${suggestion.similarity.toFixed(2)}${mark}`);
    for (const side of [suggestion.a, suggestion.b]) {
      out.line(`  ${side.venue} ${side.market}: “${side.title}”, closes ${side.closeTime ?? 'unknown'}, YES is “${side.yesOutcome}”`);
      const rules = side.rules === null ? '(no rules in the listing)' : side.rules.length > RULES_SHOWN_CHARS_MAX ? `${side.rules.slice(0, RULES_SHOWN_CHARS_MAX)}…` : side.rules;
      out.line(out.role.muted(`    rules: ${rules.replace(/\s+/g, ' ')}`));
    }
  }
  if (suggestions.length > 0) out.line(out.role.muted('\nNone is confirmed. Read both rules, then: arbbot pairs confirm <id>'));
}
