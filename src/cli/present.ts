// Turning ledger records into JSON (money as exact decimal strings) and into human table cells.
import { formatMicros, formatPpmPct, formatSignedUsd, formatUsd, ratioPpm, type Ppm } from '../domain/money.js';
import { aboveUtilizationWarning, utilizationPpm, walletsAboveWarning } from '../domain/utilization.js';
import { formatAge, type QuoteTime } from '../engine/quotes.js';
import type { AttentionTrade } from '../app/trades.js';
import { tradeStatus } from '../domain/arb.js';
import type { Position } from '../domain/position.js';
import type { Wallet } from '../domain/wallet.js';
import type { HealthReport } from '../ledger/health.js';

const money = (value: number | null): string | null => (value === null ? null : formatMicros(value));

export function walletJson(wallet: Wallet): Record<string, unknown> {
  return {
    venue: wallet.venue,
    total: formatMicros(wallet.total),
    available: formatMicros(wallet.available),
    locked: formatMicros(wallet.locked),
    deficit: formatMicros(wallet.deficit),
    equity: formatMicros(wallet.total - wallet.deficit),
  };
}

/** A wallet with its utilisation (locked / total, as a percentage) and whether it is above the warning threshold. */
export function walletUtilizationJson(wallet: Wallet, warnPpm: Ppm): Record<string, unknown> {
  return { ...walletJson(wallet), utilization: formatPpmPct(utilizationPpm(wallet), false), aboveUtilizationWarning: aboveUtilizationWarning(wallet, warnPpm) };
}

/** The wallets above the utilisation warning, for a command's --json output (an empty list when none is). */
export function utilizationWarningsJson(wallets: readonly Wallet[], warnPpm: Ppm): Record<string, unknown>[] {
  return walletsAboveWarning(wallets, warnPpm).map((wallet) => ({
    venue: wallet.venue,
    utilization: formatPpmPct(utilizationPpm(wallet), false),
    warnAbove: formatPpmPct(warnPpm, false),
    locked: formatMicros(wallet.locked),
    total: formatMicros(wallet.total),
  }));
}

/** "paper utilisation 92.00% is above the 80.00% warning (locked $92.00 of $100.00)", or back under it. */
export function utilizationText(figures: {
  readonly venue: string;
  readonly state: 'above' | 'below';
  readonly utilizationPpm: number;
  readonly warnPpm: number;
  readonly locked: number;
  readonly total: number;
}): string {
  const where = figures.state === 'above' ? 'is above' : 'is back under';
  const share = `${formatPpmPct(figures.utilizationPpm, false)} ${where} the ${formatPpmPct(figures.warnPpm, false)} warning`;
  return `${figures.venue} utilisation ${share} (locked ${formatUsd(figures.locked)} of ${formatUsd(figures.total)})`;
}

/** One warning line per wallet above the utilisation warning, printed after a command's result. */
export function utilizationWarningLines(wallets: readonly Wallet[], warnPpm: Ppm): string[] {
  return walletsAboveWarning(wallets, warnPpm).map((wallet) => `⚠ ${utilizationText({ ...wallet, state: 'above', utilizationPpm: utilizationPpm(wallet), warnPpm })}`);
}

export function positionJson(position: Position): Record<string, unknown> {
  return {
    id: position.id,
    venue: position.venue,
    market: position.market,
    side: position.side,
    kind: position.kind,
    status: position.status,
    quantity: formatMicros(position.quantity),
    entryPrice: formatMicros(position.entryPrice),
    costBasis: formatMicros(position.costBasis),
    entryFee: formatMicros(position.entryFee),
    // What the position locks beyond its cost basis so that its worst close can be booked.
    closeReserve: formatMicros(position.closeReserve),
    liquidationPrice: money(position.liquidationPrice),
    needsAttention: position.attention,
    ladder: {
      tp1Price: formatMicros(position.tp1Price),
      tp2Price: formatMicros(position.tp2Price),
      tp3Price: formatMicros(position.tp3Price),
      slPrice: formatMicros(position.slPrice),
      // A leg of a hedged pair is held to resolution: no stop applies to it.
      stopPrice: position.kind === 'arb_hedged' ? null : formatMicros(position.stopPrice),
      tp1Hit: position.tp1Hit,
      tp2Hit: position.tp2Hit,
    },
    openedAt: position.openedAt,
    exitPrice: money(position.exitPrice),
    exitValue: money(position.exitValue),
    grossPnl: money(position.grossPnl),
    exitFee: money(position.exitFee),
    spreadCost: money(position.spreadCost),
    slippageCost: money(position.slippageCost),
    totalCosts: money(position.totalCosts),
    netPnl: money(position.netPnl),
    closeReason: position.closeReason,
    closedAt: position.closedAt,
  };
}

export function positionRow(position: Position): string[] {
  const pnl = position.netPnl === null ? '' : `${formatSignedUsd(position.netPnl)} (${formatPpmPct(ratioPpm(position.netPnl, position.costBasis))})`;
  const tiers = `${position.tp1Hit ? 'TP1 ' : ''}${position.tp2Hit ? 'TP2' : ''}`.trim() || '-';
  return [
    String(position.id),
    position.venue,
    position.market,
    position.side,
    position.kind === 'single' ? '' : position.kind === 'arb_hedged' ? 'arb (hedged)' : 'arb UNHEDGED',
    position.status,
    formatUsd(position.costBasis),
    formatUsd(position.entryPrice, 4),
    position.status === 'closed' ? formatUsd(position.exitPrice ?? 0, 4) : position.kind === 'arb_hedged' ? '-' : stopCell(position),
    tiers,
    pnl,
    position.attention ? `⚠ needs attention: ${position.attention}` : (position.closeReason ?? ''),
  ];
}

/** "Locked $25.07 ($25.00 cost basis + $0.0650 set aside for its close)": what opening a position took from available. */
export function lockedText(position: Position): string {
  const reserve = position.closeReserve;
  if (reserve === 0) return `Locked ${formatUsd(position.costBasis)}`;
  return `Locked ${formatUsd(position.costBasis + reserve, 4)} (${formatUsd(position.costBasis)} cost basis + ${formatUsd(reserve, 4)} set aside for its close)`;
}

/** The stop, and a short's liquidation price when it is nearer than the stop (then it closes there first). */
function stopCell(position: Position): string {
  const liquidation = position.liquidationPrice;
  if (liquidation === null || liquidation >= position.stopPrice) return formatUsd(position.stopPrice, 4);
  return `${formatUsd(liquidation, 4)} (liq.)`;
}

export const POSITION_HEAD = ['id', 'venue', 'market', 'side', 'kind', 'status', 'size', 'entry', 'stop / exit', 'tiers', 'net PnL', 'reason'];

export function healthJson(report: HealthReport): Record<string, unknown> {
  return {
    status: report.healthy ? 'HEALTHY' : 'UNHEALTHY',
    healthy: report.healthy,
    wallets: report.wallets.map(walletJson),
    checks: report.checks,
    log: report.log,
  };
}

/** "quote 0.8 s old", or "configured quote" for a price from the config's markets (which does not age). */
export function quoteAgeText(time: QuoteTime): string {
  return time.ageMs === null ? 'configured quote' : `quote ${formatAge(time.ageMs)} old`;
}

/** A quote's time (ISO text, null for a configured quote) and age in milliseconds on the wall clock. */
export function quoteJson(time: QuoteTime): Record<string, unknown> {
  const at = new Date(time.quotedAtMs);
  return {
    quotedAt: time.ageMs === null || Number.isNaN(at.getTime()) ? null : at.toISOString(),
    quoteAgeMs: time.ageMs,
    configured: time.ageMs === null,
  };
}

/** A trade that needs a person, as JSON: the venue's claim and each held leg with the money its reservation holds. */
export function attentionTradeJson({ trade, held }: AttentionTrade): Record<string, unknown> {
  return {
    tradeId: trade.id,
    pair: trade.pair,
    status: tradeStatus(trade),
    state: trade.state,
    claim: trade.attention,
    heldLegs: held.map(({ leg, reservedMicros }) => ({
      leg: leg.leg,
      venue: leg.venue,
      market: leg.market,
      outcome: leg.outcome,
      clientOrderId: leg.client_order_id,
      state: leg.state,
      reserved: formatMicros(reservedMicros),
    })),
  };
}

/** "⚠ arb #3 (fed-dec) needs attention: leg A on kalshi (…): kalshi: impossible report: …", then what is held and the way out. */
export function attentionTradeLines({ trade, held }: AttentionTrade): string[] {
  const legs = held.map(({ leg, reservedMicros }) => `leg ${leg.leg.toUpperCase()} on ${leg.venue} (${leg.client_order_id}) ${formatUsd(reservedMicros)} reserved`);
  return [
    `⚠ arb #${trade.id} (${trade.pair}) ${tradeStatus(trade)}: ${trade.attention ?? ''}`,
    `  held: ${legs.join(', ') || 'nothing'}; settled by \`arbbot reconcile\` once the venue answers sanely, or \`arbbot resolve-trade ${trade.id} --filled N [--price P] [--fee USD]\` (or --rejected) from the venue's own records`,
  ];
}
