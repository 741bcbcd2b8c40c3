// Where a live venue's book stream comes from, if anywhere: the configured wsUrl, or the venue's own stream when its
// REST API is the venue's own too. A local or demo REST server given as baseUrl is not assumed to stream: its books
// are polled unless a wsUrl is given beside it. `stream: false` polls in any case.
import type { VenueConfig } from '../../config/config.js';
import type { BookSocketOptions } from './book-socket.js';

export interface StreamDefaults {
  readonly baseUrl: string;
  readonly wsUrl: string;
}

/** The stream's URL, or null when the books are to be read over REST (`streamBooks` false: not the engine). */
export function streamUrlFor(config: VenueConfig, defaults: StreamDefaults, streamBooks: boolean | undefined): string | null {
  const live = config.live;
  if (streamBooks !== true || !live.stream) return null;
  if (live.wsUrl !== null) return live.wsUrl;
  return live.baseUrl === null || live.baseUrl === defaults.baseUrl ? defaults.wsUrl : null;
}

/** The socket options the config sets (the connection's staleness); the rest keep their defaults. */
export function socketOptionsFor(config: VenueConfig, url: string): BookSocketOptions {
  return { url, ...(config.live.streamStaleAfterMs === null ? {} : { staleAfterMs: config.live.streamStaleAfterMs }) };
}
