// Turning ledger records into JSON (money as exact decimal strings) and into human table cells.
import { formatMicros, formatPpmPct, formatSignedUsd, formatUsd, ratioPpm } from '../domain/money.js';
import { formatAge, type QuoteTime } from '../engine/quotes.js';
import type { HealthReport } from '../ledger/health.js';
import type { PositionRow, Wallet } from '../ledger/ledger.js';

const money = (value: number | null): string | null => (value === null ? null : formatMicros(value));

export function walletJson(wallet: Wallet): Record<string, unknown> {
  return {
    venue: wallet.venue,
    total: formatMicros(wallet.total),
    available: formatMicros(wallet.available),
    locked: formatMicros(wallet.locked),
  };
}

export function positionJson(position: PositionRow): Record<string, unknown> {
  return {
    id: position.id,
    venue: position.venue,
    market: position.market,
    side: position.side,
    kind: position.kind,
    status: position.status,
    quantity: formatMicros(position.quantity),
    entryPrice: formatMicros(position.entry_price),
    costBasis: formatMicros(position.cost_basis),
    entryFee: formatMicros(position.entry_fee),
    ladder: {
      tp1Price: formatMicros(position.tp1_price),
      tp2Price: formatMicros(position.tp2_price),
      tp3Price: formatMicros(position.tp3_price),
      slPrice: formatMicros(position.sl_price),
      stopPrice: formatMicros(position.stop_price),
      tp1Hit: position.tp1_hit === 1,
      tp2Hit: position.tp2_hit === 1,
    },
    openedAt: position.opened_at,
    exitPrice: money(position.exit_price),
    exitValue: money(position.exit_value),
    grossPnl: money(position.gross_pnl),
    exitFee: money(position.exit_fee),
    spreadCost: money(position.spread_cost),
    slippageCost: money(position.slippage_cost),
    totalCosts: money(position.total_costs),
    netPnl: money(position.net_pnl),
    closeReason: position.close_reason,
    closedAt: position.closed_at,
  };
}

export function positionRow(position: PositionRow): string[] {
  const pnl = position.net_pnl === null ? '' : `${formatSignedUsd(position.net_pnl)} (${formatPpmPct(ratioPpm(position.net_pnl, position.cost_basis))})`;
  const tiers = `${position.tp1_hit ? 'TP1 ' : ''}${position.tp2_hit ? 'TP2' : ''}`.trim() || '-';
  return [
    String(position.id),
    position.venue,
    position.market,
    position.side,
    position.kind === 'single' ? '' : position.kind === 'arb_hedged' ? 'arb (hedged)' : 'arb UNHEDGED',
    position.status,
    formatUsd(position.cost_basis),
    formatUsd(position.entry_price, 4),
    position.status === 'open' ? formatUsd(position.stop_price, 4) : formatUsd(position.exit_price ?? 0, 4),
    tiers,
    pnl,
    position.close_reason ?? '',
  ];
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
