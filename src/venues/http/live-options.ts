// What every live adapter's factory accepts and how it resolves its HTTP settings from the venue's config.
import { InputError } from '../../domain/errors.js';
import { formatScaled } from '../../domain/money.js';
import type { VenueConfig, VenueType } from '../../config/config.js';
import { VenueRejectedError } from '../venue.js';
import { checkEndpoint, REPLY_BYTES_MAX_DEFAULT, warnOnStderr } from './transport.js';
import { DEFAULT_TUNING, type HttpTuning } from './venue-http-client.js';

export interface LiveVenueOptions {
  /** Where credentials are read from when no credentials file is configured (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The fetch implementation (default the global one). */
  readonly fetch?: typeof fetch;
  /** Verbose log sink; lines never contain secrets. */
  readonly log?: (line: string) => void;
  /** Where warnings go (an endpoint over plain http to this machine); stderr unless given. */
  readonly warn?: (line: string) => void;
  /** Retry and backoff timings (tests shorten them); requestTimeoutMs comes from the config when set there. */
  readonly tuning?: Partial<HttpTuning>;
  /** Build the venue's book stream where it has one (the engine); absent or false: books are read over REST. */
  readonly streamBooks?: boolean;
}

export interface VenueDefaults {
  readonly baseUrl: string;
  readonly readsPerSecond: number;
  readonly writesPerSecond: number;
}

export interface ResolvedHttpSettings {
  readonly baseUrl: string;
  /** The setting baseUrl came from, for messages: "venues.<name>.baseUrl", or the venue's default. */
  readonly baseUrlSource: string;
  readonly replyBytesMax: number;
  readonly replyBytesMaxSource: string;
  readonly readsPerSecond: number;
  readonly writesPerSecond: number;
  readonly tuning: HttpTuning;
  readonly fetch: typeof fetch;
  readonly env: NodeJS.ProcessEnv;
  readonly log: ((line: string) => void) | undefined;
  readonly warn: ((line: string) => void) | undefined;
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
  // A configured wsUrl is held to the same rules as baseUrl: signed handshakes go there too (Kalshi).
  if (live.wsUrl !== null) {
    const warning = checkEndpoint(config.name, `venues.${config.name}.wsUrl`, live.wsUrl, 'wss:');
    if (warning !== null) (options.warn ?? warnOnStderr)(warning);
  }
  return {
    baseUrl: live.baseUrl ?? defaults.baseUrl,
    baseUrlSource: live.baseUrl === null ? `${config.name}'s default base URL` : `venues.${config.name}.baseUrl`,
    replyBytesMax: live.replyBytesMax ?? REPLY_BYTES_MAX_DEFAULT,
    replyBytesMaxSource: `venues.${config.name}.replyBytesMax`,
    readsPerSecond: live.readsPerSecond ?? defaults.readsPerSecond,
    writesPerSecond: live.writesPerSecond ?? defaults.writesPerSecond,
    tuning,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    env: options.env ?? process.env,
    log: options.log,
    warn: options.warn,
  };
}

/** What every VenueHttpClient of a venue shares, from its resolved settings (the transport rules' settings included). */
export function httpClientSettings(settings: ResolvedHttpSettings) {
  return {
    baseUrl: settings.baseUrl,
    baseUrlSource: settings.baseUrlSource,
    fetch: settings.fetch,
    tuning: settings.tuning,
    readsPerSecond: settings.readsPerSecond,
    writesPerSecond: settings.writesPerSecond,
    replyBytesMax: settings.replyBytesMax,
    replyBytesMaxSource: settings.replyBytesMaxSource,
    log: settings.log,
    warn: settings.warn,
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
