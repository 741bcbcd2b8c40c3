// positions and close: list positions with PnL; close one (idempotent, safe against a concurrent close).
import type { Command } from 'commander';
import { isPredictionPrice } from '../../domain/market.js';
import { formatMicros, formatPpmPct, formatUsd, parsePrice, ratioPpm, type PriceMicros } from '../../domain/money.js';
import { InputError } from '../../domain/errors.js';
import { exitQuote, type QuotedPrice } from '../../engine/quotes.js';
import { closePositionAt } from '../../engine/trading.js';
import type { Position } from '../../domain/position.js';
import type { CloseResult, Ledger } from '../../ledger/ledger.js';
import { CommandContext } from '../context.js';
import type { Output } from '../output.js';
import { parseChoice, parseId, parseLimit } from '../parse.js';
import { attentionTradeJson, attentionTradeLines, POSITION_HEAD, positionJson, positionRow, quoteAgeText, quoteJson } from '../present.js';
import { assertPlausibleManualPrice } from '../../app/manual-price.js';
import { listTradesNeedingAttention } from '../../app/trades.js';

const STATUSES = ['open', 'closed', 'all'] as const;
/** How many closed positions `positions` shows unless told: the latest, after every open one. */
const CLOSED_SHOWN_DEFAULT = 20;

export function registerPositionCommands(program: Command): void {
  program
    .command('positions')
    .description('list the open positions and the latest closed ones, with their ladder and PnL')
    .option('--status <status>', 'open, closed or all', 'all')
    .option('--limit <n>', 'how many of the latest closed positions', String(CLOSED_SHOWN_DEFAULT))
    .action((options: { status: string; limit: string }, command: Command) => {
      const ctx = CommandContext.from(command);
      const status = parseChoice(options.status, STATUSES, '--status');
      const limit = parseLimit(options.limit);
      const ledger = ctx.openLedgerToRead();
      // Every open position (their set-asides bound how many there are), and of the closed only the latest: a year of
      // trading costs what a day does. The totals come from one aggregate query over the whole ledger.
      const open = status === 'closed' ? [] : ledger.listPositions('open');
      const closed = status === 'open' ? [] : ledger.latestClosedPositions(limit);
      const positions = [...open, ...closed.reverse()];
      const totals = ledger.positionTotals();
      // A trade a venue reported the impossible about may hold money and no position at all: listed beside them.
      const attention = listTradesNeedingAttention(ledger);
      if (ctx.out.json) {
        return ctx.out.printJson({
          positions: positions.map(positionJson),
          totals: { open: totals.open, closed: totals.closed, closedShown: closed.length, realisedNetPnl: formatMicros(totals.realisedNetPnl) },
          tradesNeedingAttention: attention.map(attentionTradeJson),
        });
      }
      if (positions.length === 0) ctx.out.line(ctx.out.role.muted(`no ${status === 'all' ? '' : `${status} `}positions`));
      else ctx.out.table(POSITION_HEAD, positions.map(positionRow));
      if (totals.open + totals.closed > 0) {
        const hidden = status === 'open' ? 0 : totals.closed - closed.length;
        const more = hidden > 0 ? ` (the latest ${closed.length} closed shown; --limit N for more)` : '';
        ctx.out.line(`${totals.open} open, ${totals.closed} closed${more}, realised net PnL ${formatUsd(totals.realisedNetPnl)}`);
      }
      for (const trade of attention) attentionTradeLines(trade).forEach((line, index) => ctx.out.line(index === 0 ? ctx.out.role.error(line) : line));
    });

  program
    .command('close')
    .description('close a position (idempotent: closing a closed position changes nothing)')
    .argument('<id>', 'position id')
    .option('--price <price>', 'exit price; default: a paper venue\'s current book, otherwise the last accepted quote for its market')
    .option('--reason <text>', 'reason to record', 'Manual close')
    .option('--force', "close one leg of a hedged arbitrage pair, leaving the other leg unhedged; or book a --price beyond the price guard's limit")
    .action(async (idText: string, options: { price?: string; reason: string; force?: boolean }, command: Command) => {
      const ctx = CommandContext.from(command);
      const id = parseId(idText, 'position id');
      const price = options.price === undefined ? null : parsePrice(options.price, { label: '--price' });
      const ledger = ctx.openLedger();
      const position = ledger.requirePosition(id);
      const venue = ctx.config.venues.get(position.venue);
      if (price !== null) checkClosePrice(ctx, ledger, position, price, options.force === true);
      // A paper position closes at its venue's live book, as the running engine last wrote it; a live venue's at
      // the last accepted quote the engine saved. A closed position needs no price: closing it again changes nothing.
      const quote =
        price === null && position.status === 'open' && venue?.type === 'paper'
          ? await ctx.quoteFrom(position.venue, (paper, clock) => exitQuote(paper, position.market, position.side, clock))
          : null;
      const result = closePositionAt(ledger, id, { price: quote?.price ?? price, reason: options.reason, costs: ctx.config.costs, force: options.force === true });
      const closedAtQuote = result.status === 'closed' ? quote : null;
      const broken = result.brokenHedge ?? null;
      if (ctx.out.json) {
        const quoteField = closedAtQuote && { price: formatMicros(closedAtQuote.price), ...quoteJson(closedAtQuote) };
        return ctx.out.printJson({ status: result.status, position: positionJson(result.position), quote: quoteField, brokenHedge: broken });
      }
      if (closedAtQuote) ctx.out.line(exitLine(position, closedAtQuote));
      printClose(ctx.out, result);
      if (broken) {
        ctx.out.line(
          ctx.out.role.warn(`⚠ Hedge of arb #${broken.tradeId} broken: position ${broken.positionId} is now an unhedged leg under the TP/SL ladder`),
        );
      }
    });
}

/** A typed exit price: inside (0, 1) on a prediction market, and near the market's last price unless forced. */
function checkClosePrice(ctx: CommandContext, ledger: Ledger, position: Position, price: PriceMicros, force: boolean): void {
  const venue = ctx.config.venues.get(position.venue);
  if (venue?.predictionMarket && !isPredictionPrice(price)) throw new InputError(`--price must be below 1 on prediction market ${venue.name}`);
  if (position.status !== 'open') return; // closing it again changes nothing, at any price
  const fallback = { price: position.entryPrice, what: `position ${position.id}'s entry price` };
  assertPlausibleManualPrice(ledger, ctx.config, { venue: position.venue, market: position.market, price, force, fallback });
}

/** "Exit at $105.0000 (the bid, quote 0.8 s old)": a long sells at the bid, a short buys back at the ask. */
function exitLine(position: Position, quote: QuotedPrice): string {
  return `Exit at ${formatUsd(quote.price, 4)} (the ${position.side === 'long' ? 'bid' : 'ask'}, ${quoteAgeText(quote)})`;
}

export function closeLines(result: Extract<CloseResult, { status: 'closed' }>): string[] {
  const { figures, position, walletBefore, walletAfter } = result;
  const pct = formatPpmPct(ratioPpm(figures.netPnl, position.costBasis));
  return [
    `PnL Calculation: Gross PnL=${formatUsd(figures.grossPnl)} (${formatPpmPct(ratioPpm(figures.grossPnl, position.costBasis))}), Entry Fee=${formatUsd(
      figures.entryFee,
      4,
    )}, Exit Fee=${formatUsd(figures.exitFee, 4)}, Spread=${formatUsd(figures.spreadCost, 5)}, Slippage=${formatUsd(
      figures.slippageCost,
      5,
    )}, Total Costs=${formatUsd(figures.totalCosts, 5)}, Net PnL=${formatUsd(figures.netPnl, 5)} (${pct})`,
    `Wallet updated: Freed ${formatUsd(position.costBasis + position.closeReserve, position.closeReserve === 0 ? 2 : 4)}, PnL=${formatUsd(
      figures.netPnl,
    )}, Available: ${formatUsd(walletBefore.available)} → ${formatUsd(walletAfter.available)}${
      result.deficitBooked > 0 ? `; ${formatUsd(result.deficitBooked, 4)} beyond the wallet booked as a deficit (owed)` : ''
    }`,
    `✓ Position ${position.id} closed: ${position.closeReason ?? ''}, Net PnL: ${formatUsd(figures.netPnl, 4)} (${pct})`,
  ];
}

function printClose(out: Output, result: CloseResult): void {
  if (result.status === 'already_closed') {
    out.line(out.role.warn(`Position ${result.position.id} already closed (${result.position.closeReason ?? 'closed'}); nothing changed`));
    return;
  }
  const lines = closeLines(result);
  lines.forEach((line, index) => out.line(index === lines.length - 1 ? out.role.success(line) : line));
}
