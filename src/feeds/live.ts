// Live quotes: streamed books where a venue streams them, polled books elsewhere, as one feed. A streamed book that
// breaks (a gap, a stale or dropped connection) pauses its venue at once — a disconnect — and the stream asks for a
// new snapshot by itself; once every streamed book of the venue is whole again the feed says reconnect, which makes
// the engine reconcile before it trades there again. Until then the book reads as empty, so nothing trades on it.
//
// Every break is a pause the engine sees, however soon the new snapshot follows: the reconcile on the way back is what
// proves nothing was sent on the broken book. Memory stays bounded whatever the message rate: quotes are coalesced
// per market (a changed market is marked, and its top is read when the engine takes the next event), at most a
// disconnect and a reconnect wait per venue, and the polled feed waits for room.
import { formatMicros } from '../domain/money.js';
import type { BookStreamListener, Venue } from '../venues/venue.js';
import type { Feed, FeedEvent } from './events.js';
import { VenuePollFeed, type PolledMarket } from './venue-poll.js';

export interface LiveFeedOptions {
  readonly pollIntervalMs: number;
  /**
   * How often every whole streamed book is quoted again although it did not change: a quiet market is still known to
   * be current (the stream's heartbeat vouches for it), so the engine's staleness pause is kept for a dead stream.
   */
  readonly requoteIntervalMs?: number;
  readonly now?: () => number;
}

const REQUOTE_INTERVAL_MS_DEFAULT = 1_000;
/** Polled events held for the engine at most; the poller waits while this many are pending. */
const POLLED_PENDING_MAX = 64;
const KEY_SEPARATOR = '\u0000';

interface Connectivity {
  readonly type: 'disconnect' | 'reconnect';
  readonly detail?: string;
}

export class LiveFeed implements Feed {
  private stopped = false;
  /** Streamed markets changed since the engine last took a quote of them, as venue + separator + market. */
  private readonly dirty = new Set<string>();
  /** Per venue, the connectivity events the engine has not taken yet, oldest first: two at most. */
  private readonly connectivity = new Map<string, Connectivity[]>();
  /** Per streamed venue, its markets whose books are broken now. */
  private readonly brokenMarkets = new Map<string, Set<string>>();
  /** Streamed venues the engine was last told are disconnected. */
  private readonly down = new Set<string>();
  private readonly polled: FeedEvent[] = [];
  private wake: (() => void) | null = null;
  private polledFirst = false;
  private room: (() => void) | null = null;
  private readonly poll: VenuePollFeed | null;
  private readonly streamed: ReadonlyMap<string, readonly string[]>;
  private requoteTimer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly venues: ReadonlyMap<string, Venue>,
    markets: readonly PolledMarket[],
    private readonly options: LiveFeedOptions,
  ) {
    const streamed = new Map<string, string[]>();
    const polled: PolledMarket[] = [];
    for (const entry of markets) {
      const venue = venues.get(entry.venue);
      if (venue?.stream === undefined || venue.localBooks === undefined) {
        polled.push(entry);
        continue;
      }
      const list = streamed.get(entry.venue) ?? [];
      if (!list.includes(entry.market)) list.push(entry.market);
      streamed.set(entry.venue, list);
    }
    this.streamed = streamed;
    this.poll = polled.length > 0 ? new VenuePollFeed(venues, polled, { pollIntervalMs: options.pollIntervalMs, ...(options.now ? { now: options.now } : {}) }) : null;
  }

  /** The venues whose books come by stream here. */
  get streamedVenues(): readonly string[] {
    return [...this.streamed.keys()];
  }

  stop(): void {
    this.stopped = true;
    this.poll?.stop();
    if (this.requoteTimer !== null) clearInterval(this.requoteTimer);
    this.requoteTimer = null;
    this.signal();
    this.room?.();
  }

  async *events(): AsyncIterable<FeedEvent> {
    for (const [name, markets] of this.streamed) this.venues.get(name)!.stream!.start(markets, this.listenerFor(name));
    if (this.streamed.size > 0) this.requoteTimer = setInterval(() => this.requoteAll(), this.options.requoteIntervalMs ?? REQUOTE_INTERVAL_MS_DEFAULT);
    if (this.poll !== null) void this.pump(this.poll);
    try {
      while (!this.stopped) {
        const event = this.next();
        if (event !== null) {
          yield event;
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
      }
    } finally {
      this.stop();
    }
  }

  private listenerFor(venue: string): BookStreamListener {
    const broken = new Set<string>();
    this.brokenMarkets.set(venue, broken);
    return {
      changed: (market) => {
        broken.delete(market);
        if (broken.size === 0 && this.down.has(venue)) this.tell(venue, { type: 'reconnect' });
        this.dirty.add(venue + KEY_SEPARATOR + market);
        this.signal();
      },
      broken: (market, reason) => {
        broken.add(market);
        if (!this.down.has(venue)) this.tell(venue, { type: 'disconnect', detail: `${market} stream book: ${reason}` });
        this.signal();
      },
    };
  }

  private tell(venue: string, what: Connectivity): void {
    if (what.type === 'disconnect') this.down.add(venue);
    else this.down.delete(venue);
    const pending = this.connectivity.get(venue) ?? [];
    // A break while a reconnect still waits: the engine has seen (or will see, first) the disconnect before it, and
    // the venue is down again before it could see the reconnect, which is dropped rather than followed by another
    // disconnect. So what waits is never more than a disconnect and its reconnect.
    if (what.type === 'disconnect' && pending.at(-1)?.type === 'reconnect') pending.pop();
    else pending.push(what);
    if (pending.length === 0) this.connectivity.delete(venue);
    else this.connectivity.set(venue, pending);
  }

  private requoteAll(): void {
    for (const [venue, markets] of this.streamed) {
      const broken = this.brokenMarkets.get(venue);
      for (const market of markets) if (!broken?.has(market)) this.dirty.add(venue + KEY_SEPARATOR + market);
    }
    this.signal();
  }

  /** Connectivity first (a reconnect before the quotes that follow it), then polled events and streamed quotes in turn. */
  private next(): FeedEvent | null {
    const nowMs = (this.options.now ?? Date.now)();
    for (const [venue, pending] of this.connectivity) {
      const what = pending.shift()!;
      if (pending.length === 0) this.connectivity.delete(venue);
      return { type: what.type, venue, timestampMs: nowMs, ...(what.detail ? { detail: what.detail } : {}) };
    }
    // Polled and streamed events take turns, so neither source can hold the other back.
    this.polledFirst = !this.polledFirst;
    return this.polledFirst ? (this.nextPolled() ?? this.nextStreamed(nowMs)) : (this.nextStreamed(nowMs) ?? this.nextPolled());
  }

  private nextPolled(): FeedEvent | null {
    const polled = this.polled.shift();
    if (polled === undefined) return null;
    this.room?.();
    return polled;
  }

  private nextStreamed(nowMs: number): FeedEvent | null {
    for (const key of this.dirty) {
      this.dirty.delete(key);
      const quote = this.quoteOf(key, nowMs);
      if (quote !== null) return quote;
    }
    return null;
  }

  /** The market's top of book now, or null when it has no bid or no ask (a broken book has neither). */
  private quoteOf(key: string, nowMs: number): FeedEvent | null {
    const at = key.indexOf(KEY_SEPARATOR);
    const venue = key.slice(0, at);
    const market = key.slice(at + 1);
    const book = this.venues.get(venue)?.localBooks?.bookNow(market, 'yes');
    const bid = book?.bids[0];
    const ask = book?.asks[0];
    if (bid === undefined || ask === undefined) return null;
    return { type: 'quote', venue, market, bid: formatMicros(bid.price), ask: formatMicros(ask.price), timestampMs: nowMs };
  }

  private async pump(poll: VenuePollFeed): Promise<void> {
    for await (const event of poll.events()) {
      if (this.stopped) return;
      while (this.polled.length >= POLLED_PENDING_MAX && !this.stopped) await new Promise<void>((resolve) => (this.room = resolve));
      this.room = null;
      this.polled.push(event);
      this.signal();
    }
  }

  private signal(): void {
    this.wake?.();
  }
}
