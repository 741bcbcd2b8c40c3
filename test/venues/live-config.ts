// A VenueConfig for a live adapter pointed at an imitation server, as the config loader would resolve it.
import type { VenueConfig, VenueType } from '../../src/config/config.js';
import type { Micros } from '../../src/domain/money.js';
import type { HttpTuning } from '../../src/venues/http/venue-http-client.js';

export interface LiveConfigOverrides {
  readonly requestTimeoutMs?: number;
  readonly replyBytesMax?: number;
  readonly readsPerSecond?: number;
  readonly writesPerSecond?: number;
  readonly credentialsFile?: string;
  readonly fees?: { readonly takerRate?: string; readonly exponent?: number; readonly multiplier?: string };
}

export function liveConfig(type: VenueType, baseUrl: string, overrides: LiveConfigOverrides = {}): VenueConfig {
  return {
    name: type,
    type,
    startingBalance: 0 as Micros,
    predictionMarket: true,
    markets: new Map(),
    live: {
      baseUrl,
      wsUrl: null,
      credentialsFile: overrides.credentialsFile ?? null,
      requestTimeoutMs: overrides.requestTimeoutMs ?? 2_000,
      replyBytesMax: overrides.replyBytesMax ?? null,
      // Generous by default so that pacing never slows the suite; the limiter has its own test.
      readsPerSecond: overrides.readsPerSecond ?? 1_000,
      writesPerSecond: overrides.writesPerSecond ?? 1_000,
      fees: {
        takerRate: overrides.fees?.takerRate ?? null,
        exponent: overrides.fees?.exponent ?? null,
        multiplier: overrides.fees?.multiplier ?? null,
      },
    },
  };
}

/** Short backoff so retry tests take milliseconds. */
export const FAST_TUNING: Partial<HttpTuning> = { retriesMax: 3, backoffBaseMs: 5, backoffMaxMs: 20, retryAfterMaxMs: 5_000 };
