// Live quotes by polling each venue's book (venues without a usable stream). A failing venue backs off
// exponentially and, after a few failures in a row, is reported disconnected — which pauses trading on it — until
// a poll succeeds again (reconnect). Quotes carry the venue's best YES bid and ask as decimal text.
import { setTimeout as sleep } from 'node:timers/promises';
import { formatMicros } from '../domain/money.js';
import type { Venue } from '../venues/venue.js';
import type { Feed, FeedEvent } from './events.js';

export interface PolledMarket {
  readonly venue: string;
  readonly market: string;
}

export interface VenuePollOptions {
  readonly pollIntervalMs: number;
  /** Consecutive failed polls of a venue before it is reported disconnected. */
  readonly failuresBeforeDisconnect?: number;
  readonly backoffMsMax?: number;
  readonly now?: () => number;
}

const FAILURES_BEFORE_DISCONNECT_DEFAULT = 3;
const BACKOFF_MS_MAX_DEFAULT = 30_000;

export class VenuePollFeed implements Feed {
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly venues: ReadonlyMap<string, Venue>,
    private readonly markets: readonly PolledMarket[],
    private readonly options: VenuePollOptions,
  ) {}

  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  async *events(): AsyncIterable<FeedEvent> {
    const now = this.options.now ?? Date.now;
    const failures = new Map<string, number>();
    const disconnected = new Set<string>();
    const failuresMax = this.options.failuresBeforeDisconnect ?? FAILURES_BEFORE_DISCONNECT_DEFAULT;
    let waitMs = this.options.pollIntervalMs;
    while (!this.stopped) {
      let anyFailed = false;
      for (const { venue: name, market } of this.markets) {
        const venue = this.venues.get(name);
        if (!venue || this.stopped) continue;
        try {
          const book = await venue.getBook(market, 'yes');
          const bid = book.bids[0];
          const ask = book.asks[0];
          failures.set(name, 0);
          if (disconnected.delete(name)) yield { type: 'reconnect', venue: name, timestampMs: now() };
          if (bid && ask) yield { type: 'quote', venue: name, market, bid: formatMicros(bid.price), ask: formatMicros(ask.price), timestampMs: now() };
        } catch {
          anyFailed = true;
          const count = (failures.get(name) ?? 0) + 1;
          failures.set(name, count);
          if (count >= failuresMax && !disconnected.has(name)) {
            disconnected.add(name);
            yield { type: 'disconnect', venue: name, timestampMs: now() };
          }
        }
      }
      waitMs = anyFailed ? Math.min(waitMs * 2, this.options.backoffMsMax ?? BACKOFF_MS_MAX_DEFAULT) : this.options.pollIntervalMs;
      try {
        await sleep(waitMs, undefined, { signal: this.abort.signal });
      } catch {
        break; // stopped
      }
    }
  }
}
