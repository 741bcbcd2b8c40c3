// Polymarket (CLOB V2) live adapter: the factory the venue registry calls.
//
// Books come from the CLOB's market channel where a stream is configured (or by default with the default API), else
// by polling GET /book (each call paced by the token bucket and retried with backoff by the HTTP layer).
import type { VenueConfig } from '../../config/config.js';
import { lazy } from '../http/credentials.js';
import { httpClientSettings, resolveHttpSettings, type LiveVenueOptions } from '../http/live-options.js';
import { VenueHttpClient } from '../http/venue-http-client.js';
import type { Venue } from '../venue.js';
import { loadPolymarketCredentials, POLYMARKET_CREDENTIALS_HINT, polyL2Headers } from './auth.js';
import { BookSocketStream } from '../stream/book-socket.js';
import { socketOptionsFor, streamUrlFor } from '../stream/stream-settings.js';
import { PolymarketClient } from './client.js';
import { PolymarketCatalog } from './market-catalog.js';
import { PolymarketBookProtocol } from './stream-client.js';
import { describePolymarketError } from './models.js';
import { PolymarketVenue } from './polymarket-venue.js';

export { polymarketTakerFee } from './fees.js';
export { PolymarketVenue } from './polymarket-venue.js';

export const POLYMARKET_DEFAULTS = {
  baseUrl: 'https://clob.polymarket.com',
  // "WSS Overview": the market channel is public and needs no authentication.
  wsUrl: 'wss://ws-subscriptions-clob.polymarket.com/ws/market',
  // Far below the published bursts (/book 1500 per 10 s, POST /order 3500 per 10 s): an arbitrage bot needs few calls.
  readsPerSecond: 50,
  writesPerSecond: 20,
} as const;

export function createPolymarketVenue(config: VenueConfig, options: LiveVenueOptions = {}): Venue {
  const settings = resolveHttpSettings(config, 'polymarket', POLYMARKET_DEFAULTS, options);
  const credentials = lazy(() => loadPolymarketCredentials(config.name, config.live.credentialsFile, settings.env));
  const http = new VenueHttpClient({
    ...httpClientSettings(settings),
    venue: config.name,
    sign: (request) => polyL2Headers(credentials(), Date.now(), request),
    describeError: describePolymarketError,
    credentialsHint: POLYMARKET_CREDENTIALS_HINT,
  });
  const client = new PolymarketClient(http);
  const catalog = new PolymarketCatalog(client);
  const fees = { takerRate: config.live.fees.takerRate, exponent: config.live.fees.exponent };
  const url = streamUrlFor(config, POLYMARKET_DEFAULTS, options.streamBooks);
  const stream = url === null ? null : new BookSocketStream(new PolymarketBookProtocol(config.name, catalog), socketOptionsFor(config, url));
  return new PolymarketVenue(config.name, client, credentials, fees, Date.now, catalog, stream);
}
