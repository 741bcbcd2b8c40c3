// Kalshi live adapter: the factory the venue registry calls, and what tests and tools need from this folder.
import type { VenueConfig } from '../../config/config.js';
import { lazy } from '../http/credentials.js';
import { httpClientSettings, resolveHttpSettings, type LiveVenueOptions } from '../http/live-options.js';
import { VenueHttpClient } from '../http/venue-http-client.js';
import type { Venue } from '../venue.js';
import { BookSocketStream } from '../stream/book-socket.js';
import { socketOptionsFor, streamUrlFor } from '../stream/stream-settings.js';
import { KALSHI_CREDENTIALS_HINT, kalshiAuthHeaders, kalshiCredentialsConfigured, loadKalshiCredentials, type KalshiCredentials } from './auth.js';
import { KalshiBookProtocol } from './stream-client.js';
import { KalshiClient } from './client.js';
import { parseKalshiMultiplierPpm } from './fees.js';
import { KalshiVenue } from './kalshi-venue.js';
import { describeKalshiError } from './models.js';

export { kalshiTakerFee } from './fees.js';
export { KalshiVenue } from './kalshi-venue.js';

export const KALSHI_DEFAULTS = {
  baseUrl: 'https://external-api.kalshi.com/trade-api/v2',
  // Kalshi "WebSocket Connection": the production stream, signed like a GET of its path.
  wsUrl: 'wss://api.elections.kalshi.com/trade-api/ws/v2',
  // Kalshi "Rate Limits": the Basic tier's 200 read and 100 write tokens a second, at the default 10 tokens a request.
  readsPerSecond: 20,
  writesPerSecond: 10,
} as const;

export function createKalshiVenue(config: VenueConfig, options: LiveVenueOptions = {}): Venue {
  const settings = resolveHttpSettings(config, 'kalshi', KALSHI_DEFAULTS, options);
  // Loaded on the first signed request: a bad key fails that request with a clear message, and nothing earlier.
  const credentials = lazy(() => loadKalshiCredentials(config.name, config.live.credentialsFile, settings.env));
  const http = new VenueHttpClient({
    ...httpClientSettings(settings),
    venue: config.name,
    sign: (request) => kalshiAuthHeaders(credentials(), Date.now(), request),
    describeError: describeKalshiError,
    credentialsHint: KALSHI_CREDENTIALS_HINT,
  });
  // Market data needs no credentials (Kalshi: "No authentication is required"), so with none configured it is read
  // unsigned and only private calls fail, naming what is missing. With credentials configured every request is signed,
  // as Kalshi's SDK does: a rejected key then stops a trade at its first book read, before either leg is sent.
  const signPublicReads = kalshiCredentialsConfigured(config.live.credentialsFile, settings.env);
  return new KalshiVenue(config.name, new KalshiClient(http, signPublicReads), parseKalshiMultiplierPpm(config.live.fees.multiplier), Date.now, credentials, kalshiStream(config, options, signPublicReads, credentials));
}

/**
 * The book stream, where there is one to use. Kalshi signs every websocket handshake (timestamp + GET + the path), so
 * without credentials configured the books are polled instead.
 */
function kalshiStream(config: VenueConfig, options: LiveVenueOptions, credentialsConfigured: boolean, credentials: () => KalshiCredentials): BookSocketStream | null {
  const url = streamUrlFor(config, KALSHI_DEFAULTS, options.streamBooks);
  if (url === null || !credentialsConfigured) return null;
  const pathname = new URL(url).pathname;
  return new BookSocketStream(new KalshiBookProtocol(), {
    ...socketOptionsFor(config, url),
    headers: () => kalshiAuthHeaders(credentials(), Date.now(), { method: 'GET', pathname, bodyText: '' }),
  });
}
