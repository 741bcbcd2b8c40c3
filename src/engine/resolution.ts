// A resolved prediction market: every open position on it settles at $1 (its outcome won) or $0 per contract, and the
// resolution is recorded, all in one transaction — a crash leaves all of them or none. A position that cannot settle
// is rolled back alone (a savepoint each) and handed back, so the others still settle.
import type { Config } from '../config/config.js';
import { OperationalError } from '../domain/errors.js';
import type { PriceMicros } from '../domain/money.js';
import type { UnhedgedState } from '../domain/arb.js';
import type { Position } from '../domain/position.js';
import type { CloseResult, Ledger } from '../ledger/ledger.js';
import { payout, positionMarket, type Outcome } from '../domain/market.js';
import type { ResolveEvent } from '../feeds/events.js';

export interface ResolutionSettled {
  readonly closes: readonly Extract<CloseResult, { status: 'closed' }>[];
  /** Positions whose settlement failed for a reason of their own (never an operating error: that is thrown). */
  readonly failed: readonly { readonly position: Position; readonly error: unknown }[];
  /** The ledger's record of this resolution: a paper venue applies each one once. */
  readonly resolutionId: number;
}

/** Called inside the settlement of each position: an unhedged leg's record follows its position. */
export type OnSettled = (positionId: number, state: Exclude<UnhedgedState, 'open' | 'hedged'>, note: string) => void;

/**
 * Why a resolve event must not be applied, or null when it may be: only a prediction market pays 1 or 0 (a resolve
 * line for any other market, a bad or misrouted feed line, would settle, say, a SOL-USD position at $0 or $1), and a
 * market resolves once (a second line saying the opposite is a bad feed: paying out both ways would book money no
 * venue ever paid; the same outcome again settles what is still open, nothing usually). `conflicting`: the second case.
 */
export function resolutionRefusal(ledger: Ledger, config: Config, event: ResolveEvent): { readonly message: string; readonly conflicting: boolean } | null {
  if (config.venues.get(event.venue)?.predictionMarket !== true) {
    return { message: `resolve ignored: ${event.venue} ${event.market} is not a prediction market`, conflicting: false };
  }
  const earlier = ledger.resolvedOutcome(event.venue, event.market);
  if (earlier === null || earlier === event.outcome) return null;
  const message = `resolve refused: ${event.venue} ${event.market} already resolved ${earlier.toUpperCase()}; this line says ${event.outcome.toUpperCase()}`;
  return { message, conflicting: true };
}

export function settleResolution(ledger: Ledger, config: Config, event: ResolveEvent, onSettled: OnSettled): ResolutionSettled {
  return ledger.transaction(() => {
    const closes: Extract<CloseResult, { status: 'closed' }>[] = [];
    const failed: { position: Position; error: unknown }[] = [];
    for (const outcome of ['yes', 'no'] as const) {
      const paid = payout(outcome, event.outcome);
      for (const position of ledger.listOpenPositionsForMarket(event.venue, positionMarket(event.market, outcome))) {
        try {
          const closed = ledger.transaction(() => settleOne(ledger, config, position, paid, event.outcome, onSettled));
          if (closed) closes.push(closed);
        } catch (error) {
          if (error instanceof OperationalError) throw error;
          failed.push({ position, error });
        }
      }
    }
    const resolutionId = ledger.recordResolution(event.venue, event.market, event.outcome);
    return { closes, failed, resolutionId };
  });
}

function settleOne(
  ledger: Ledger,
  config: Config,
  position: Position,
  payout: PriceMicros,
  outcome: Outcome,
  onSettled: OnSettled,
): Extract<CloseResult, { status: 'closed' }> | null {
  const closed = ledger.closePosition(position.id, { exitPrice: payout, reason: `Resolved ${outcome.toUpperCase()}`, costs: config.costs, kind: 'settlement' });
  if (closed.status !== 'closed') return null;
  onSettled(position.id, payout > 0 ? 'unwound' : 'written_off', `market resolved ${outcome.toUpperCase()}`);
  return closed;
}
