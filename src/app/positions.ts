// Opening a position by hand (`arbbot open`): within the risk limits, judged inside the same transaction that opens it,
// so no other process can change their figures in between.
import type { Config } from '../config/config.js';
import type { Micros, PriceMicros } from '../domain/money.js';
import type { LadderConfig, Side } from '../domain/position.js';
import { assertWithinRiskLimits, positionKeyUsed } from '../engine/risk-check.js';
import { openPosition } from '../engine/trading.js';
import type { Ledger } from '../ledger/ledger.js';

export interface ManualOpen {
  readonly venue: string;
  readonly market: string;
  readonly side: Side;
  readonly size: Micros;
  readonly price: PriceMicros;
  readonly ladder: LadderConfig;
  readonly predictionMarket: boolean;
  readonly idempotencyKey: string | null;
}

export function openManualPosition(ledger: Ledger, config: Config, request: ManualOpen): ReturnType<typeof openPosition> {
  return ledger.transaction(() => {
    // A replayed key opens nothing: the position it names is already counted.
    if (!(request.idempotencyKey && positionKeyUsed(ledger, request.idempotencyKey))) {
      assertWithinRiskLimits(ledger, config.risk, { venues: [request.venue], count: 1, largestCostMicros: request.size }, 'open');
    }
    return openPosition(ledger, {
      venue: request.venue,
      market: request.market,
      side: request.side,
      size: request.size,
      price: request.price,
      ladder: request.ladder,
      costs: config.costs,
      predictionMarket: request.predictionMarket,
      ...(request.idempotencyKey ? { idempotencyKey: request.idempotencyKey } : {}),
    });
  });
}
