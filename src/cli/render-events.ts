// Engine events as log lines a person reads ("✓ Position opened successfully: ID 401", "Wallet updated: …").
import { formatMicros, formatMicrosTrim, formatPpmPct, formatSignedUsd, formatUsd } from '../domain/money.js';
import type { ArbResult } from '../engine/arb/executor.js';
import type { Opportunity } from '../engine/arb/scanner.js';
import type { EngineEvent } from '../engine/events.js';
import type { PauseReason } from '../engine/network-pause.js';
import { closeLines } from './commands/position-commands.js';
import { utilizationText } from './present.js';
import type { Output } from './output.js';
import { closingHeadline } from '../domain/position.js';
import { lockedText } from './present.js';

const PAUSE_TEXT: Readonly<Record<PauseReason, string>> = {
  disconnect: 'venue disconnected',
  stale: 'no fresh quotes',
  mismatch: 'its books disagree with the ledger (see the reconcile above); no new trading there until a reconcile finds them consistent',
};

export function renderEvent(out: Output, event: EngineEvent): string[] {
  const { role } = out;
  switch (event.kind) {
    case 'reconciled': {
      const repairs = event.report.actions.length;
      const unresolved = event.report.unresolved.length;
      const head = `Start-up reconcile: ${event.openPositions} open position(s), locked ${formatUsd(event.locked)}; `;
      const tail = repairs === 0 && unresolved === 0 ? 'nothing to repair' : `${repairs} repaired, ${unresolved} unresolved`;
      const lines = [unresolved > 0 ? role.warn(head + tail) : role.muted(head + tail)];
      for (const issue of event.report.unresolved) lines.push(role.error(`✗ unresolved${issue.venue ? ` [${issue.venue}]` : ''}: ${issue.detail}`));
      return lines;
    }
    case 'bad_line':
      return [role.warn(`⚠ feed line ${event.line} skipped: ${event.reason}`)];
    case 'quote_rejected':
      return [role.warn(`⚠ Rejected quote ${event.venue} ${event.market}: ${event.reason} (${event.detail})`)];
    case 'paused':
      return [role.warn(`⏸ Trading paused on ${event.venue}: ${PAUSE_TEXT[event.reason]}${event.detail ? ` (${event.detail})` : ''}`)];
    case 'resumed':
      return [
        role.success(
          `▶ ${event.venue} back: reconciled (${event.report.actions.length} repaired, ${event.report.unresolved.length} unresolved), trading resumed`,
        ),
      ];
    case 'tier': {
      const stop = formatUsd(event.newStop, 4);
      const what = event.tier === 'tp1' ? `Stop moved to breakeven (${stop})` : `Stop trailed to TP1 (${stop})`;
      return [`${event.tier.toUpperCase()} hit for position ${event.position.id} at ${formatUsd(event.price, 4)}. ${what}.`];
    }
    case 'closing':
      return [`${closingHeadline(event.trigger)} for position ${event.position.id} at ${formatUsd(event.price, 4)}. Closing position immediately.`];
    case 'closed':
      return closedLines(out, event);
    case 'pair_resolved':
      return [pairResolvedLine(out, event)];
    case 'opened':
      return [
        role.success(
          `✓ Position opened successfully: ID ${event.position.id} (${event.position.side} ${event.position.market} @ ${formatUsd(event.position.entryPrice, 4)})`,
        ),
        `Wallet updated: ${lockedText(event.position)}, Available: ${formatUsd(event.walletBefore.available)} → ${formatUsd(
          event.walletAfter.available,
        )}`,
      ];
    case 'resolved':
      return [`Market ${event.venue} ${event.market} resolved ${event.outcome.toUpperCase()}: ${event.settled} position(s) settled`];
    case 'arb':
      return arbLines(out, event.opportunity, event.result);
    case 'unhedged':
      return [
        event.outcome === 'held'
          ? role.warn(`⚠ Unhedged leg (position ${event.positionId}, arb #${event.tradeId}): hedge and unwind not possible now; held under TP/SL`)
          : event.outcome === 'pending'
            ? role.warn(`⚠ Unhedged leg (position ${event.positionId}, arb #${event.tradeId}): follow-up order outcome unknown; reconcile will settle it`)
            : role.success(`✓ Unhedged leg (position ${event.positionId}, arb #${event.tradeId}) ${event.outcome}`),
      ];
    case 'utilization':
      return [event.state === 'above' ? role.warn(`⚠ ${utilizationText(event)}`) : role.success(`✓ ${utilizationText(event)}`)];
    case 'risk_limit':
      return [riskLimitLine(out, event)];
    case 'attention':
      return [role.error(`✗ Position ${event.positionId} (${event.market}) needs attention: ${event.reason}; the engine goes on with everything else`)];
    case 'storage_paused':
    case 'storage_retry':
    case 'storage_resumed':
      // What the reconcile that ended a storage pause finished (a trade whose legs were sent but not booked, say).
      return [storageLine(out, event), ...(event.kind === 'storage_resumed' ? event.report.actions.map((action) => out.role.muted(`  ↺ ${action.detail}`)) : [])];
    case 'warning':
      return [role.warn(`⚠ ${event.message}`)];
  }
}

/** Seconds with one decimal: how long a storage pause lasted, or how long until its next retry. */
export function secondsText(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function storageLine(out: Output, event: Extract<EngineEvent, { kind: 'storage_paused' | 'storage_retry' | 'storage_resumed' }>): string {
  const { role } = out;
  switch (event.kind) {
    case 'storage_paused':
      return role.warn(
        `⏸ Trading paused on every venue: the ledger cannot be written (${event.fault.code}: ${event.fault.message}); every committed trade is kept, retrying in ${secondsText(event.retryInMs)}`,
      );
    case 'storage_retry':
      return role.muted(`⏸ ledger still not writable (${event.fault.code}): retry ${event.attempt + 1} in ${secondsText(event.retryInMs)}`);
    case 'storage_resumed': {
      const { actions, unresolved } = event.report;
      return role.success(
        `▶ Ledger writable again after ${secondsText(event.pausedMs)} (${event.attempts} attempt(s)): reconciled (${actions.length} repaired, ${unresolved.length} unresolved), trading resumed`,
      );
    }
  }
}

function riskLimitLine(out: Output, event: Extract<EngineEvent, { kind: 'risk_limit' }>): string {
  const { breach } = event;
  if (event.state === 'lifted') return out.role.success(`▶ Risk limit ${breach.limit} lifted: ${event.reason ?? 'no longer reached'}; new positions may open`);
  const where = breach.venue === null ? 'on any venue' : `on ${breach.venue}`;
  const until = breach.unit === 'usd' ? 'until the next UTC midnight' : 'until positions close';
  return out.role.error(`⛔ Risk limit reached, ${breach.message}: no new positions or arbitrage ${where} ${until}; open positions are still managed`);
}

export function arbLines(out: Output, opportunity: Opportunity, result: ArbResult): string[] {
  const { role } = out;
  const contracts = formatMicrosTrim(opportunity.contracts, 0);
  const leg = (plan: Opportunity['a']) => `${plan.outcome.toUpperCase()} ${plan.venue} ${plan.market} @ ${formatUsd(plan.averagePrice, 4)}`;
  const head = `⇄ Arb ${opportunity.pair}: ${leg(opportunity.a)} + ${leg(opportunity.b)} × ${contracts}, net edge ${formatUsd(opportunity.netEdge, 4)} (${opportunity.netEdgeBps} bps)`;
  if (result.status === 'failed') return [head, role.error(`  ✗ not executed${result.tradeId ? ` (arb #${result.tradeId})` : ''}: ${result.reason}`)];
  if (result.status === 'pending') return [head, role.warn(`  … arb #${result.tradeId} pending: ${result.reason}`)];
  const lines = [head];
  for (const l of result.settlement.legs) {
    const held = l.state === 'unknown' || l.state === 'submitted';
    const filled = held
      ? `held, its funds reserved: ${l.error ?? 'outcome unknown'}`
      : l.filled_quantity > 0
        ? `filled ${formatMicrosTrim(l.filled_quantity, 0)} for ${formatUsd(l.filled_notional)} (fee ${formatUsd(l.fee, 4)})${result.status === 'needs_attention' ? ', booked unhedged: its hedge is not known' : ''}`
        : `not filled${l.error ? `: ${l.error}` : ''}`;
    lines.push(`  leg ${l.leg.toUpperCase()} ${l.venue}: ${filled}`);
  }
  if (result.status === 'needs_attention') {
    lines.push(role.error(`✗ arb #${result.tradeId} needs attention: ${result.reason}`));
    lines.push(role.warn(`  the engine goes on; \`arbbot reconcile\` settles it once the venue answers sanely, or \`arbbot resolve-trade ${result.tradeId}\` records what happened`));
    return lines;
  }
  const outcome = result.settlement.trade.outcome ?? 'none';
  const text = `  arb #${result.tradeId} settled: ${outcome}`;
  lines.push(outcome === 'hedged' ? role.success(`✓${text.slice(1)}`) : outcome === 'none' ? role.muted(text) : role.warn(`⚠${text.slice(1)}`));
  return lines;
}

/** A hedged pair's net result, in the colour of its sign, with each leg's share. */
function pairResolvedLine(out: Output, event: Extract<EngineEvent, { kind: 'pair_resolved' }>): string {
  const legs = event.legs.map((leg) => `${leg.venue} ${leg.market} ${formatSignedUsd(leg.netPnl)}`).join(', ');
  return out.role.money(event.netPnl, `⇄ arb #${event.tradeId} ${event.pair} resolved: net ${formatSignedUsd(event.netPnl, 4)} (${legs})`);
}

/**
 * A close, its last line green for a gain and red for a loss. A hedged pair's leg settled by its market's resolution
 * is half of one bet: one quiet line, and the pair's net result follows when its last leg resolves.
 */
function closedLines(out: Output, { result, byResolution }: Extract<EngineEvent, { kind: 'closed' }>): string[] {
  const { role } = out;
  const net = result.figures.netPnl;
  if (byResolution && result.position.kind === 'arb_hedged') {
    return [role.muted(`  leg of a hedged pair: position ${result.position.id} ${result.position.venue} ${result.position.market} ${result.position.closeReason}, ${formatSignedUsd(net, 4)}`)];
  }
  const lines = closeLines(result);
  return lines.map((line, index) => (index === lines.length - 1 ? role.money(net, line) : line));
}

/** The event as one JSON object for a JSON-lines log file (money as exact decimal strings). */
export function eventJson(event: EngineEvent): Record<string, unknown> {
  switch (event.kind) {
    case 'tier':
    case 'closing':
      return { kind: event.kind, positionId: event.position.id, ...('tier' in event ? { tier: event.tier, newStop: formatMicros(event.newStop) } : { trigger: event.trigger }), price: formatMicros(event.price) };
    case 'closed':
      return {
        kind: 'closed',
        positionId: event.result.position.id,
        reason: event.result.position.closeReason,
        netPnl: formatMicros(event.result.figures.netPnl),
        grossPnl: formatMicros(event.result.figures.grossPnl),
        totalCosts: formatMicros(event.result.figures.totalCosts),
      };
    case 'pair_resolved':
      return {
        kind: 'pair_resolved',
        tradeId: event.tradeId,
        pair: event.pair,
        netPnl: formatMicros(event.netPnl),
        legs: event.legs.map((leg) => ({ positionId: leg.positionId, venue: leg.venue, market: leg.market, netPnl: formatMicros(leg.netPnl) })),
      };
    case 'opened':
      return { kind: 'opened', positionId: event.position.id, market: event.position.market, side: event.position.side, costBasis: formatMicros(event.position.costBasis) };
    case 'reconciled':
      return { kind: 'reconciled', openPositions: event.openPositions, locked: formatMicros(event.locked), actions: event.report.actions, unresolved: event.report.unresolved };
    case 'resumed':
      return { kind: 'resumed', venue: event.venue, actions: event.report.actions.length, unresolved: event.report.unresolved.length };
    case 'storage_resumed':
      return { kind: 'storage_resumed', pausedMs: event.pausedMs, attempts: event.attempts, actions: event.report.actions, unresolved: event.report.unresolved };
    case 'arb':
      return {
        kind: 'arb',
        pair: event.opportunity.pair,
        direction: event.opportunity.direction,
        contracts: formatMicros(event.opportunity.contracts),
        netEdge: formatMicros(event.opportunity.netEdge),
        status: event.result.status,
        tradeId: event.result.tradeId,
        outcome: event.result.status === 'settled' ? event.result.settlement.trade.outcome : null,
        needsAttention: event.result.status === 'needs_attention',
        reason: event.result.status === 'settled' ? null : event.result.reason,
      };
    case 'risk_limit': {
      const amount = (value: number) => (event.breach.unit === 'usd' ? formatMicros(value) : value);
      return {
        kind: 'risk_limit',
        state: event.state,
        limit: event.breach.limit,
        venue: event.breach.venue,
        value: amount(event.breach.value),
        limitValue: amount(event.breach.limitValue),
        message: event.breach.message,
        reason: event.reason,
      };
    }
    case 'utilization':
      return {
        kind: 'utilization',
        state: event.state,
        venue: event.venue,
        utilization: formatPpmPct(event.utilizationPpm, false),
        warnAbove: formatPpmPct(event.warnPpm, false),
        locked: formatMicros(event.locked),
        total: formatMicros(event.total),
      };
    default:
      return { ...event };
  }
}
