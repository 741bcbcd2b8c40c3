// What every live adapter's factory accepts and how it resolves its HTTP settings from the venue's config.
import { InputError } from '../../domain/errors.js';
import { formatScaled } from '../../domain/money.js';
import type { VenueConfig, VenueType } from '../../config/config.js';
import { VenueRejectedError } from '../venue.js';
import { DEFAULT_TUNING, type HttpTuning } from './venue-http-client.js';

export interface LiveVenueOptions {
  /** Where credentials are read from when no credentials file is configured (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The fetch implementation (default the global one). */
  readonly fetch?: typeof fetch;
  /** Verbose log sink; lines never contain secrets. */
  readonly log?: (line: string) => void;
  /** Retry and backoff timings (tests shorten them); requestTimeoutMs comes from the config when set there. */
  readonly tuning?: Partial<HttpTuning>;
}

export interface VenueDefaults {
  readonly baseUrl: string;
  readonly readsPerSecond: number;
  readonly writesPerSecond: number;
}

export interface ResolvedHttpSettings {
  readonly baseUrl: string;
  readonly readsPerSecond: number;
  readonly writesPerSecond: number;
  readonly tuning: HttpTuning;
  readonly fetch: typeof fetch;
  readonly env: NodeJS.ProcessEnv;
  readonly log: ((line: string) => void) | undefined;
}

export function resolveHttpSettings(
  config: VenueConfig,
  expectedType: VenueType,
  defaults: VenueDefaults,
  options: LiveVenueOptions = {},
): ResolvedHttpSettings {
  if (config.type !== expectedType) {
    throw new InputError(`venue ${config.name}: is of type ${config.type}, not ${expectedType}`);
  }
  const live = config.live;
  const tuning: HttpTuning = {
    ...DEFAULT_TUNING,
    ...options.tuning,
    ...(live.requestTimeoutMs === null ? {} : { requestTimeoutMs: live.requestTimeoutMs }),
  };
  return {
    baseUrl: live.baseUrl ?? defaults.baseUrl,
    readsPerSecond: live.readsPerSecond ?? defaults.readsPerSecond,
    writesPerSecond: live.writesPerSecond ?? defaults.writesPerSecond,
    tuning,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    env: options.env ?? process.env,
    log: options.log,
  };
}

/**
 * Renders micro-units with exactly `decimals` decimals, refusing (before anything is sent) a value the venue cannot
 * represent rather than rounding it silently: 560_000 at 4 decimals → "0.5600"; 560_050 at 4 → refused.
 */
export function microsToDecimal(venue: string, value: number, decimals: number, label: string): string {
  const unit = 10 ** (6 - decimals);
  if (!Number.isSafeInteger(value) || value % unit !== 0) {
    throw new VenueRejectedError(venue, null, `${venue}: ${label} ${formatScaled(value, 6)} has more than ${decimals} decimals`);
  }
  return formatScaled(value / unit, decimals);
}
