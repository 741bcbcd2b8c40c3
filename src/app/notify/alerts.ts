// Which engine events a person should hear about at once, and in what words: an unhedged leg, a position or trade
// needing attention, a deficit booked, a risk limit reached, a pause that lasts, a reconcile that left something
// unresolved, a wallet above the utilisation warning. Everything else is for the log and the metrics.
import { formatPpmPct, formatUsd } from '../../domain/money.js';
import type { EngineEvent } from '../../engine/events.js';
import type { ReconcileReport } from '../../engine/reconcile.js';
import type { Alert } from './channels.js';

function reconcileAlert(report: ReconcileReport, where: string, at: Date): Alert | null {
  if (report.unresolved.length === 0) return null;
  const first = report.unresolved[0];
  const detail = first ? `${first.venue ? `[${first.venue}] ` : ''}${first.detail}` : '';
  return { kind: 'reconcile', text: `arbbot: ${where} reconcile left ${report.unresolved.length} unresolved: ${detail}`, at };
}

/** The alert an event calls for, or null. Pure: pauses, which need a timer, are PauseAlerts' business. */
export function alertOf(event: EngineEvent, at: Date): Alert | null {
  switch (event.kind) {
    case 'unhedged':
      return { kind: 'unhedged_leg', text: `arbbot: unhedged leg: position ${event.positionId} of arb #${event.tradeId}, ${event.outcome}`, at };
    case 'attention':
      return { kind: 'attention', text: `arbbot: position ${event.positionId} (${event.market}) needs attention: ${event.reason}`, at };
    case 'arb':
      if (event.result.status !== 'needs_attention') return null;
      return { kind: 'attention', text: `arbbot: arb #${event.result.tradeId} (${event.opportunity.pair}) needs attention: ${event.result.reason}`, at };
    case 'closed': {
      const { deficitBooked, position } = event.result;
      if (deficitBooked <= 0) return null;
      return { kind: 'deficit', text: `arbbot: deficit booked on ${position.venue}: ${formatUsd(deficitBooked, 4)} owed after closing position ${position.id} (${position.market})`, at };
    }
    case 'risk_limit':
      return event.state === 'reached' ? { kind: 'risk_limit', text: `arbbot: risk limit reached: ${event.breach.message}`, at } : null;
    case 'reconciled':
      return reconcileAlert(event.report, 'start-up', at);
    case 'resumed':
      return reconcileAlert(event.report, `${event.venue} resume`, at);
    case 'utilization':
      if (event.state !== 'above') return null;
      return {
        kind: 'utilization',
        text: `arbbot: ${event.venue} utilisation ${formatPpmPct(event.utilizationPpm, false)} is above the ${formatPpmPct(event.warnPpm, false)} warning (locked ${formatUsd(event.locked)} of ${formatUsd(event.total)})`,
        at,
      };
    default:
      return null;
  }
}

/**
 * A venue paused for longer than `afterMs` (wall time: a person is told while it lasts) is alerted about once per
 * pause; a resume before then cancels it. Timers never keep the process alive.
 */
export class PauseAlerts {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly afterMs: number,
    private readonly raise: (alert: Alert) => void,
  ) {}

  observe(event: EngineEvent): void {
    if (event.kind === 'paused' && !this.timers.has(event.venue)) {
      const { venue, reason } = event;
      const timer = setTimeout(() => {
        this.timers.delete(venue);
        this.raise({ kind: 'paused', text: `arbbot: ${venue} paused (${reason}) for over ${Math.round(this.afterMs / 1000)} s: no trading on it`, at: new Date() });
      }, this.afterMs);
      timer.unref();
      this.timers.set(venue, timer);
    }
    if (event.kind === 'resumed') {
      clearTimeout(this.timers.get(event.venue));
      this.timers.delete(event.venue);
    }
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
