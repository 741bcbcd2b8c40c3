// Opening a position by hand (`arbbot open`): within the risk limits, judged inside the same transaction that opens it,
// so no other process can change their figures in between.
import type { Config } from '../config/config.js';
import { assertWithinRiskLimits, positionKeyUsed } from '../engine/risk-check.js';
import { openPosition, type OpenRequest } from '../engine/trading.js';
import type { Ledger } from '../ledger/ledger.js';

/** What a person opens: an engine open request, the costs coming from the config. */
export type ManualOpen = Omit<OpenRequest, 'costs'>;

export function openManualPosition(ledger: Ledger, config: Config, request: ManualOpen): ReturnType<typeof openPosition> {
  return ledger.transaction(() => {
    // A replayed key opens nothing: the position it names is already counted.
    if (!(request.idempotencyKey !== undefined && positionKeyUsed(ledger, request.idempotencyKey))) {
      assertWithinRiskLimits(ledger, config.risk, { venues: [request.venue], count: 1, largestCostMicros: request.size }, 'open');
    }
    return openPosition(ledger, { ...request, costs: config.costs });
  });
}
