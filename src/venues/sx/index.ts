// SX Bet live adapter: the factory the venue registry calls.
import type { VenueConfig } from '../../config/config.js';
import { parseScaled } from '../../domain/money.js';
import { lazy } from '../http/credentials.js';
import { httpClientSettings, resolveHttpSettings, type LiveVenueOptions } from '../http/live-options.js';
import { VenueHttpClient } from '../http/venue-http-client.js';
import type { Venue } from '../venue.js';
import { loadSxCredentials, SX_CREDENTIALS_HINT, SX_DEFAULT_RPC_URL } from './auth.js';
import { SxClient } from './client.js';
import { describeSxError } from './models.js';
import { SxVenue } from './sx-venue.js';

export { SxVenue } from './sx-venue.js';

/** The API URL is References → Mainnet's; SX documents a rate limiter but not its figures, so these are cautious. */
export const SX_DEFAULTS = {
  baseUrl: 'https://api.sx.bet',
  readsPerSecond: 10,
  writesPerSecond: 5,
} as const;

export function createSxVenue(config: VenueConfig, options: LiveVenueOptions = {}): Venue {
  const settings = resolveHttpSettings(config, 'sx', SX_DEFAULTS, options);
  const credentials = lazy(() => loadSxCredentials(config.name, config.live.credentialsFile, settings.env));
  const common = { ...httpClientSettings(settings), describeError: describeSxError, credentialsHint: SX_CREDENTIALS_HINT };
  const http = new VenueHttpClient({ ...common, venue: config.name });
  // The RPC endpoint comes with the credentials (SX_RPC_URL), and is held to the same transport rules.
  const rpc = lazy(() => {
    const rpcUrl = credentials().rpcUrl;
    const source = config.live.credentialsFile === null ? 'SX_RPC_URL' : `"rpcUrl" in ${config.live.credentialsFile}`;
    return new VenueHttpClient({ ...common, venue: `${config.name} rpc`, baseUrl: rpcUrl, baseUrlSource: rpcUrl === SX_DEFAULT_RPC_URL ? 'the default SX RPC URL' : source });
  });
  // API reference, Fees: 0% for makers and takers; the rate is configurable for when that changes.
  const feeRatePpm = config.live.fees.takerRate === null ? 0 : parseScaled(config.live.fees.takerRate, 6, { label: 'fees.takerRate', allowZero: true });
  return new SxVenue(config.name, new SxClient(http, rpc), credentials, feeRatePpm);
}
