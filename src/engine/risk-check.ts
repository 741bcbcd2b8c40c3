// The risk limits for a one-shot command (`open`, `arb --execute`): the day's figure and the open positions read
// from the ledger, judged by the pure rules in domain/risk.ts.
import { RiskLimitError } from '../domain/errors.js';
import { dailyLossBreaches, hasAnyLimit, hasDailyLossLimit, newPositionsBreach, utcDayStartMs, type NewPositions, type RiskBreach, type RiskLimits } from '../domain/risk.js';
import type { Ledger } from '../ledger/ledger.js';
import { ledgerNowMs, RiskReads } from '../ledger/risk-reads.js';

/** The first limit that opening `request` would break, or null. "Today" is the UTC day of the ledger's clock. */
export function newPositionsRefusal(ledger: Ledger, limits: RiskLimits, request: NewPositions): RiskBreach | null {
  if (!hasAnyLimit(limits)) return null;
  const reads = new RiskReads(ledger);
  const dailyLoss = hasDailyLossLimit(limits) ? dailyLossBreaches(limits, reads.dailyLoss(utcDayStartMs(ledgerNowMs(ledger)))) : [];
  const openPositions = limits.maxOpenPositions === null ? 0 : reads.openPositionCount();
  return newPositionsBreach(limits, request, { openPositions, dailyLoss });
}

/**
 * Throws a RiskLimitError (exit 2) naming the first limit `request` would break. Called inside the transaction
 * that opens, the figures it judges cannot change before the open commits (another process waits for the lock).
 */
export function assertWithinRiskLimits(ledger: Ledger, limits: RiskLimits, request: NewPositions, what: string): void {
  const breach = newPositionsRefusal(ledger, limits, request);
  if (breach) throw new RiskLimitError(breach.limit, `${what} refused by ${breach.message}`);
}

/** Whether a position was already opened under this key: a replay opens nothing, so no limit applies to it. */
export function positionKeyUsed(ledger: Ledger, key: string): boolean {
  return new RiskReads(ledger).positionKeyUsed(key);
}
