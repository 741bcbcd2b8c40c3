// `arbbot open <venue> <market> --side long|short --size <usd> [--price <p>]`: opens a position on a paper venue,
// filled at --price or at the current quote (ask for a long, bid for a short; refused when stale), with its TP/SL
// ladder.
import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { isPredictionPrice } from '../../domain/market.js';
import { formatMicros, formatUsd, parseMicros, parsePct, parsePrice, type Ppm } from '../../domain/money.js';
import type { LadderConfig } from '../../domain/position.js';
import { assertPlausibleManualPrice } from '../../app/manual-price.js';
import { openManualPosition } from '../../app/positions.js';
import { entryQuote, type QuotedPrice } from '../../engine/quotes.js';
import type { Wallet } from '../../domain/wallet.js';
import { CommandContext } from '../context.js';
import type { Output } from '../output.js';
import { parseMarket, parseSide } from '../parse.js';
import { lockedText, positionJson, quoteAgeText, quoteJson, utilizationWarningLines, utilizationWarningsJson } from '../present.js';

interface OpenOptions {
  side: string;
  size: string;
  price?: string;
  tp1?: string;
  tp2?: string;
  tp3?: string;
  sl?: string;
  key?: string;
  force?: boolean;
}

export function registerOpenCommand(program: Command): void {
  program
    .command('open')
    .description('open a position (paper: at --price, or at the current ask for long / bid for short)')
    .argument('<venue>', 'venue name, e.g. paper')
    .argument('<market>', 'market id, e.g. SOL-USD')
    .requiredOption('--side <side>', 'long or short')
    .requiredOption('--size <usd>', 'cost basis in USD')
    .option('--price <price>', 'fill price (paper)')
    .option('--tp1 <pct>', 'TP1 percentage (default from config tpsl.tp1Pct)')
    .option('--tp2 <pct>', 'TP2 percentage')
    .option('--tp3 <pct>', 'TP3 percentage')
    .option('--sl <pct>', 'stop-loss percentage')
    .option('--key <idempotencyKey>', 'idempotency key: replaying it opens nothing new')
    .option('--force', "book a --price farther from the market's last accepted price than the price guard allows")
    .action(async (venue: string, market: string, options: OpenOptions, command: Command) => {
      const ctx = CommandContext.from(command);
      parseMarket(market);
      const side = parseSide(options.side);
      const size = parseMicros(options.size, { label: '--size' });
      const explicitPrice = options.price === undefined ? null : parsePrice(options.price, { label: '--price' });
      const config = ctx.config;
      const ladder = ladderOverrides(config.tpsl, options);
      const venueConfig = config.venues.get(venue);
      if (!venueConfig) throw new InputError(`unknown venue "${venue}" (configured: ${[...config.venues.keys()].join(', ')})`);
      if (venueConfig.type !== 'paper') throw new InputError(`open places paper positions only; ${venue} is ${venueConfig.type}`);
      // Checked before the ledger is opened, so a refused price never creates or touches the database.
      if (explicitPrice !== null && venueConfig.predictionMarket && !isPredictionPrice(explicitPrice)) {
        throw new InputError(`price must be below 1 on prediction market ${venue}`);
      }
      // Read before the ledger is opened too: a stale quote is refused with nothing written.
      const { price, quote } =
        explicitPrice !== null
          ? { price: explicitPrice, quote: null }
          : await ctx.quoteFrom(venue, (paper, clock) => entryQuote(paper, market, side, clock)).then((read) => ({ price: read.price, quote: read }));
      const ledger = ctx.openLedger();
      if (explicitPrice !== null) assertPlausibleManualPrice(ledger, config, { venue, market, price: explicitPrice, force: options.force === true });
      const result = openManualPosition(ledger, config, {
        venue,
        market,
        side,
        size,
        price,
        ladder,
        predictionMarket: venueConfig.predictionMarket,
        ...(options.key ? { idempotencyKey: options.key } : {}),
      });
      renderOpened(ctx.out, result, quote, ledger.listWallets(), config.arbitrage.utilizationWarnPpm, options.key);
    });
}

function renderOpened(out: Output, result: ReturnType<typeof openManualPosition>, quote: QuotedPrice | null, wallets: readonly Wallet[], warnPpm: Ppm, key: string | undefined): void {
  if (out.json) {
    const filledAtQuote = result.status === 'opened' && quote ? { price: formatMicros(quote.price), ...quoteJson(quote) } : null;
    return out.printJson({ status: result.status, position: positionJson(result.position), quote: filledAtQuote, utilizationWarnings: utilizationWarningsJson(wallets, warnPpm) });
  }
  const p = result.position;
  if (result.status === 'exists') return out.line(out.role.warn(`Position ${p.id} already opened under key ${key}; nothing changed`));
  const filledAt = `${p.side} ${p.market} @ ${formatUsd(p.entryPrice, 4)}${quote ? `, ${quoteAgeText(quote)}` : ''}`;
  out.line(out.role.success(`✓ Position opened successfully: ID ${p.id} (${filledAt})`));
  out.line(`Wallet updated: ${lockedText(p)}, Available: ${formatUsd(result.walletBefore.available)} → ${formatUsd(result.walletAfter.available)}`);
  const liquidation = p.liquidationPrice === null ? '' : `, liquidation ${formatUsd(p.liquidationPrice, 4)}`;
  out.line(
    out.role.muted(
      `${p.side} ${p.market} ${formatUsd(p.entryPrice, 4)}: TP1 ${formatUsd(p.tp1Price, 4)}, TP2 ${formatUsd(p.tp2Price, 4)}, TP3 ${formatUsd(p.tp3Price, 4)}, SL ${formatUsd(p.slPrice, 4)}${liquidation}`,
    ),
  );
  for (const line of utilizationWarningLines(wallets, warnPpm)) out.line(out.role.warn(line));
}

function ladderOverrides(base: LadderConfig, options: OpenOptions): LadderConfig {
  const pct = (text: string | undefined, fallback: number, label: string) =>
    text === undefined ? fallback : parsePct(text, { label, allowZero: false });
  return {
    tp1Ppm: pct(options.tp1, base.tp1Ppm, '--tp1'),
    tp2Ppm: pct(options.tp2, base.tp2Ppm, '--tp2'),
    tp3Ppm: pct(options.tp3, base.tp3Ppm, '--tp3'),
    slPpm: pct(options.sl, base.slPpm, '--sl'),
  } as LadderConfig;
}
