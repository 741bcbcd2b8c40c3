// resolve-trade: settle by hand an arbitrage trade a venue reported the impossible about, from what the venue's own
// records say its held leg's order came to. Parses, calls app/trades.ts, renders.
import type { Command } from 'commander';
import { resolveTrade, type HandResolution, type HandVerdict } from '../../app/trades.js';
import { tradeStatus } from '../../domain/arb.js';
import { InputError } from '../../domain/errors.js';
import { formatMicros, formatMicrosTrim, formatUsd, parseMicros, parsePrice, parseQty, type Micros } from '../../domain/money.js';
import { CommandContext } from '../context.js';
import type { Output } from '../output.js';
import { parseChoice, parseId } from '../parse.js';

interface ResolveOptions {
  leg?: string;
  filled?: string;
  price?: string;
  fee?: string;
  rejected?: boolean;
}

export function registerTradeCommands(program: Command): void {
  program
    .command('resolve-trade')
    .description("settle a trade that needs attention from what its held leg's order really filled (the venue's own records)")
    .argument('<id>', 'arb trade id (arbbot positions lists the trades that need attention)')
    .option('--leg <leg>', 'a or b: the held leg (needed only when both legs are held)')
    .option('--filled <contracts>', "contracts the held leg's order filled")
    .option('--price <price>', "their average price per contract (default: the leg's limit, the most they can have cost)")
    .option('--fee <usd>', 'what the venue charged for them (default 0)')
    .option('--rejected', 'nothing filled: the venue refused or cancelled the order')
    .action((idText: string, options: ResolveOptions, command: Command) => {
      const ctx = CommandContext.from(command);
      const verdict = parseVerdict(idText, options);
      const ledger = ctx.openLedger();
      const resolved = resolveTrade(ledger, ctx.config, verdict);
      if (ctx.out.json) return ctx.out.printJson(resolutionJson(resolved));
      printResolution(ctx.out, resolved);
    });
}

/** Every argument checked before the ledger is opened: bad input writes nothing. */
function parseVerdict(idText: string, options: ResolveOptions): HandVerdict {
  const tradeId = parseId(idText, 'trade id');
  const leg = options.leg === undefined ? null : parseChoice(options.leg, ['a', 'b'] as const, '--leg');
  if (options.rejected) {
    if (options.filled !== undefined || options.price !== undefined || options.fee !== undefined) {
      throw new InputError('--rejected goes alone: an order that filled nothing has no --filled, --price or --fee');
    }
    return { tradeId, leg, filled: parseQty('0', { allowZero: true }), price: null, fee: 0 as Micros };
  }
  if (options.filled === undefined) throw new InputError("say what the held leg's order came to: --filled <contracts> (with --price and --fee), or --rejected");
  return {
    tradeId,
    leg,
    filled: parseQty(options.filled, { label: '--filled', allowZero: true }),
    price: options.price === undefined ? null : parsePrice(options.price, { label: '--price' }),
    fee: options.fee === undefined ? (0 as Micros) : parseMicros(options.fee, { label: '--fee', allowZero: true }),
  };
}

function resolutionJson({ booked, trade, leg, claim }: HandResolution): Record<string, unknown> {
  const settlement = booked.kind === 'pending' ? null : booked.settlement;
  return {
    tradeId: trade.id,
    status: tradeStatus(trade),
    outcome: trade.outcome,
    needsAttention: trade.attention,
    resolvedClaim: claim,
    leg: { leg: leg.leg, venue: leg.venue, clientOrderId: leg.client_order_id, state: leg.state, filledQuantity: formatMicros(leg.filled_quantity), filledNotional: formatMicros(leg.filled_notional), fee: formatMicros(leg.fee) },
    positions: (settlement?.positions ?? []).map((p) => ({ id: p.id, venue: p.venue, market: p.market, kind: p.kind, quantity: formatMicros(p.quantity), costBasis: formatMicros(p.costBasis) })),
  };
}

function printResolution(out: Output, { booked, trade, leg }: HandResolution): void {
  const what = leg.filled_quantity > 0 ? `filled ${formatMicrosTrim(leg.filled_quantity, 0)} for ${formatUsd(leg.filled_notional)} (fee ${formatUsd(leg.fee, 4)})` : 'nothing filled';
  out.line(`Leg ${leg.leg.toUpperCase()} on ${leg.venue} (${leg.client_order_id}) recorded by hand: ${what}`);
  for (const p of booked.kind === 'pending' ? [] : booked.settlement.positions) {
    out.line(`  position ${p.id}: ${p.venue} ${p.market} ${formatMicrosTrim(p.quantity, 0)} @ ${formatUsd(p.entryPrice, 4)}, ${p.kind === 'arb_hedged' ? 'arb (hedged)' : 'arb UNHEDGED'}`);
  }
  if (trade.state === 'settled') {
    const text = `✓ arb #${trade.id} settled: ${trade.outcome ?? 'none'}`;
    out.line(trade.outcome === 'hedged' || trade.outcome === 'none' ? out.role.success(text) : out.role.warn(text));
  } else if (trade.attention !== null) {
    out.line(out.role.warn(`⚠ arb #${trade.id} still needs attention: ${trade.attention}`));
  } else {
    out.line(out.role.warn(`… arb #${trade.id}: its other leg waits for its venue's answer; arbbot reconcile settles it`));
  }
}
