// The live feed over streamed and polled venues: a changed streamed market is quoted from its local book, many changes
// before a read are one quote, a break pauses the venue (disconnect) until every broken book is whole (reconnect),
// polled venues are merged in, quiet whole books are quoted again, and stop ends it. Streams are driven by hand
// through the listener the feed gives them; the books are real streamed books where the feed reads them.
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../src/feeds/events.js';
import { LiveFeed, type LiveFeedOptions } from '../../src/feeds/live.js';
import type { PolledMarket } from '../../src/feeds/venue-poll.js';
import type { Micros, PriceMicros, QtyMicros } from '../../src/domain/money.js';
import { KalshiBookProtocol } from '../../src/venues/kalshi/stream-client.js';
import { StreamedBooks } from '../../src/venues/stream/streamed-books.js';
import type { BookStream, BookStreamListener, LocalBooks, OrderBook, Outcome, TopOfBook, Venue } from '../../src/venues/venue.js';

const RAIN = 'KXRAIN-26DEC31-T2';
const SNOW = 'KXSNOW-26DEC31-T1';
const NOW_MS = 1_000;
/** The longest a read may wait before the test fails: a bound, not a measure. */
const READ_WAIT_MS = 5_000;
/** No requote within a test unless it asks for one. */
const QUIET: LiveFeedOptions = { pollIntervalMs: 10, requoteIntervalMs: 600_000, now: () => NOW_MS };

/** A stream driven by hand: it keeps what start gave it. */
class HandStream implements BookStream {
  starts = 0;
  markets: readonly string[] = [];
  private heard: BookStreamListener | null = null;

  start(markets: readonly string[], listener: BookStreamListener): void {
    this.starts += 1;
    this.markets = markets;
    this.heard = listener;
  }

  get listener(): BookStreamListener {
    if (this.heard === null) throw new Error('the feed has not started this stream');
    return this.heard;
  }

  async close(): Promise<void> {}
}

/** A venue with only what a feed reads; its order entry refuses, and its polls are counted. */
function venueOf(name: string, parts: Partial<Venue> & { getBook?: Venue['getBook'] }): Venue & { polls: number } {
  const refuse = () => Promise.reject(new Error(`${name}: no trading here`));
  const getBook = parts.getBook ?? (() => Promise.reject(new Error(`${name} is not polled`)));
  const venue = {
    name,
    predictionMarket: true,
    takerFee: () => 0 as Micros,
    getBalance: refuse,
    placeOrder: refuse,
    getOrderByClientId: refuse,
    cancelOrder: refuse,
    ...parts,
    polls: 0,
    getBook: (market: string, outcome: Outcome) => {
      venue.polls += 1;
      return getBook(market, outcome);
    },
  };
  return venue;
}

/** Kalshi's streamed books, read through StreamedBooks, with a hand stream telling the feed what happened to them. */
function streamedKalshi() {
  const protocol = new KalshiBookProtocol();
  protocol.subscriptions([RAIN, SNOW]);
  const stream = new HandStream();
  const venue = venueOf('kalshi', { stream, localBooks: new StreamedBooks('kalshi', protocol.books) });
  let sid = 10;
  const sids = new Map<string, { sid: number; seq: number }>();
  return {
    venue,
    stream,
    protocol,
    /** A new snapshot of the market (whole again), told as a change. */
    snapshot(market: string, yesBid = '0.4200', noBid = '0.5500'): void {
      sid += 1;
      sids.set(market, { sid, seq: 1 });
      protocol.receive(JSON.stringify({ type: 'orderbook_snapshot', sid, seq: 1, msg: { market_ticker: market, yes_dollars_fp: [[yesBid, '10.00']], no_dollars_fp: [[noBid, '3.00']] } }), NOW_MS);
      stream.listener.changed(market, NOW_MS);
    },
    /** The next delta of the market's subscription, told as a change. */
    delta(market: string, priceDollars: string, change: number): void {
      const at = sids.get(market)!;
      at.seq += 1;
      protocol.receive(JSON.stringify({ type: 'orderbook_delta', sid: at.sid, seq: at.seq, msg: { market_ticker: market, price_dollars: priceDollars, delta_fp: `${change}.00`, side: 'yes' } }), NOW_MS);
      stream.listener.changed(market, NOW_MS);
    },
    /** A gap in the market's subscription: the book breaks and the break is told. */
    gap(market: string): void {
      const at = sids.get(market)!;
      protocol.receive(JSON.stringify({ type: 'orderbook_delta', sid: at.sid, seq: at.seq + 2, msg: { market_ticker: market, price_dollars: '0.4200', delta_fp: '1.00', side: 'yes' } }), NOW_MS);
      const book = protocol.books.get(market)!;
      expect(book.state).toBe('broken');
      stream.listener.broken(market, book.brokenReason!);
    },
  };
}

/** The feed's events read one at a time, as the engine reads them; the first read is asked at once, which starts the streams. */
class Reader {
  private readonly iterator: AsyncIterator<FeedEvent>;
  private pending: Promise<IteratorResult<FeedEvent>> | null;

  constructor(readonly feed: LiveFeed) {
    this.iterator = feed.events()[Symbol.asyncIterator]();
    this.pending = this.iterator.next();
  }

  async result(): Promise<IteratorResult<FeedEvent>> {
    const next = this.pending ?? this.iterator.next();
    this.pending = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no feed event within ${READ_WAIT_MS} ms`)), READ_WAIT_MS)));
    try {
      return await Promise.race([next, bound]);
    } finally {
      clearTimeout(timer);
    }
  }

  async take(): Promise<FeedEvent> {
    const result = await this.result();
    if (result.done === true) throw new Error('the feed ended');
    return result.value;
  }

  /** Events up to and including the first quote: the connectivity the engine had waiting, then that quote. */
  async untilQuote(): Promise<FeedEvent[]> {
    const events: FeedEvent[] = [];
    for (let count = 0; count < 1_000; count += 1) {
      const event = await this.take();
      events.push(event);
      if (event.type === 'quote') return events;
    }
    throw new Error('no quote in 1000 events');
  }
}

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.reverse()) step();
  cleanup = [];
});

function feedOf(venues: Venue[], markets: PolledMarket[], options: LiveFeedOptions = QUIET): Reader {
  const feed = new LiveFeed(new Map(venues.map((venue) => [venue.name, venue])), markets, options);
  cleanup.push(() => feed.stop());
  return new Reader(feed);
}

const kalshiMarkets = (...markets: string[]): PolledMarket[] => markets.map((market) => ({ venue: 'kalshi', market }));
const quote = (venue: string, market: string, bid: string, ask: string) => ({ type: 'quote', venue, market, bid, ask, timestampMs: NOW_MS });
const kinds = (events: readonly FeedEvent[]) => events.map((event) => (event.type === 'quote' ? `quote ${event.market}` : event.type));

/** Kalshi streaming RAIN and SNOW, both whole, and the feed's first two quotes (one of each) already taken. */
async function bothWhole() {
  const kalshi = streamedKalshi();
  const reader = feedOf([kalshi.venue], kalshiMarkets(RAIN, SNOW));
  kalshi.snapshot(RAIN);
  kalshi.snapshot(SNOW);
  await reader.take();
  await reader.take();
  return { kalshi, reader };
}

describe('live feed: streamed quotes', () => {
  it('quotes a changed market with its top of book as decimal text, read when the engine takes it', async () => {
    const kalshi = streamedKalshi();
    const reader = feedOf([kalshi.venue], kalshiMarkets(RAIN, SNOW));
    expect(reader.feed.streamedVenues).toEqual(['kalshi']);
    expect(kalshi.stream.markets).toEqual([RAIN, SNOW]);
    expect(kalshi.stream.starts).toBe(1);

    kalshi.snapshot(RAIN);
    expect(await reader.take()).toEqual(quote('kalshi', RAIN, '0.420000', '0.450000'));
    // Control: the next change is quoted with the book as it is then.
    kalshi.snapshot(RAIN, '0.4400', '0.5300');
    expect(await reader.take()).toEqual(quote('kalshi', RAIN, '0.440000', '0.470000'));
    expect(kalshi.venue.polls).toBe(0);
  });

  it('coalesces many changes before a read into one quote of the book as it is at the read', async () => {
    const kalshi = streamedKalshi();
    const reader = feedOf([kalshi.venue], kalshiMarkets(RAIN, SNOW));
    kalshi.snapshot(RAIN);
    for (let count = 0; count < 10_000; count += 1) kalshi.delta(RAIN, '0.4200', 1);
    kalshi.delta(RAIN, '0.4300', 1);
    kalshi.snapshot(SNOW); // read after RAIN's quote: a second quote of RAIN would come before it
    expect(await reader.take()).toEqual(quote('kalshi', RAIN, '0.430000', '0.450000'));
    expect(await reader.take()).toEqual(quote('kalshi', SNOW, '0.420000', '0.450000'));
  });

  it('control: a change after each read is a quote each', async () => {
    const kalshi = streamedKalshi();
    const reader = feedOf([kalshi.venue], kalshiMarkets(RAIN, SNOW));
    kalshi.snapshot(RAIN);
    expect(await reader.take()).toMatchObject({ type: 'quote', market: RAIN, bid: '0.420000' });
    kalshi.delta(RAIN, '0.4300', 1);
    expect(await reader.take()).toMatchObject({ type: 'quote', market: RAIN, bid: '0.430000' });
    kalshi.delta(RAIN, '0.4400', 1);
    expect(await reader.take()).toMatchObject({ type: 'quote', market: RAIN, bid: '0.440000' });
  });
});

describe('live feed: breaks', () => {
  it('pauses the venue on a break, naming the market and why, and quotes nothing of the broken market', async () => {
    const kalshi = streamedKalshi();
    const reader = feedOf([kalshi.venue], kalshiMarkets(RAIN, SNOW));
    kalshi.snapshot(RAIN);
    kalshi.snapshot(SNOW);
    expect(kinds([await reader.take(), await reader.take()])).toEqual([`quote ${RAIN}`, `quote ${SNOW}`]);

    kalshi.delta(RAIN, '0.4300', 1); // marked for a quote, then broken before the read
    kalshi.gap(RAIN);
    kalshi.delta(SNOW, '0.4300', 1);
    expect(await reader.take()).toEqual({ type: 'disconnect', venue: 'kalshi', detail: `${RAIN} stream book: gap: seq 4 after 2`, timestampMs: NOW_MS });
    expect(await reader.take()).toMatchObject({ type: 'quote', market: SNOW });

    kalshi.snapshot(RAIN, '0.4000');
    expect(await reader.untilQuote()).toEqual([{ type: 'reconnect', venue: 'kalshi', timestampMs: NOW_MS }, quote('kalshi', RAIN, '0.400000', '0.450000')]);
  });

  it('says reconnect only once every broken market of the venue is whole again', async () => {
    const { kalshi, reader } = await bothWhole();
    kalshi.gap(RAIN);
    kalshi.gap(SNOW);
    expect(await reader.take()).toMatchObject({ type: 'disconnect', detail: expect.stringContaining(RAIN) });

    kalshi.snapshot(RAIN);
    // SNOW is still broken: the venue stays paused, and RAIN is quoted.
    expect(kinds(await reader.untilQuote())).toEqual([`quote ${RAIN}`]);
    kalshi.snapshot(SNOW);
    expect(kinds(await reader.untilQuote())).toEqual(['reconnect', `quote ${SNOW}`]);
  });

  it('tells a break and its repair before the engine reads as a disconnect then a reconnect', async () => {
    const kalshi = streamedKalshi();
    const reader = feedOf([kalshi.venue], kalshiMarkets(RAIN, SNOW));
    kalshi.snapshot(RAIN);
    await reader.take();
    kalshi.gap(RAIN);
    kalshi.snapshot(RAIN);
    expect(kinds(await reader.untilQuote())).toEqual(['disconnect', 'reconnect', `quote ${RAIN}`]);
  });

  it('leaves one disconnect and reconnect waiting after three quick break and repair cycles, ending whole', async () => {
    const { kalshi, reader } = await bothWhole();
    for (let cycle = 0; cycle < 3; cycle += 1) {
      kalshi.gap(RAIN);
      kalshi.snapshot(RAIN);
    }
    kalshi.delta(SNOW, '0.4300', 1);
    expect(kinds(await reader.untilQuote())).toEqual(['disconnect', 'reconnect', `quote ${RAIN}`]);
  });

  it('control: three cycles that end broken leave the disconnect last, and quote nothing of the broken market', async () => {
    const { kalshi, reader } = await bothWhole();
    for (let cycle = 0; cycle < 3; cycle += 1) {
      kalshi.gap(RAIN);
      kalshi.snapshot(RAIN);
    }
    kalshi.gap(RAIN);
    kalshi.delta(SNOW, '0.4300', 1);
    expect(kinds(await reader.untilQuote())).toEqual(['disconnect', `quote ${SNOW}`]);
  });

  // Once the engine has taken a disconnect, each break and repair before its next read would add two waiting events
  // if a waiting reconnect were not dropped on the next break: the queue must stay at two however many cycles.
  it('keeps at most two connectivity events waiting for a venue whose disconnect the engine has taken', async () => {
    const { kalshi, reader } = await bothWhole();
    kalshi.gap(RAIN);
    expect(await reader.take()).toMatchObject({ type: 'disconnect' });
    for (let cycle = 0; cycle < 100; cycle += 1) {
      kalshi.snapshot(RAIN);
      kalshi.gap(RAIN);
    }
    kalshi.snapshot(RAIN);
    kalshi.delta(SNOW, '0.4300', 1);
    const waiting = (await reader.untilQuote()).filter((event) => event.type !== 'quote');
    expect(waiting.at(-1)?.type).toBe('reconnect');
    expect(waiting.length).toBeLessThanOrEqual(2);
  });
});

/** Local books kept by hand, as the port asks (a broken market reads empty), counting the reads of each market. */
class HandBooks implements LocalBooks {
  readonly books = new Map<string, { bid: number; ask: number }>();
  readonly broken = new Set<string>();
  readonly reads = new Map<string, number>();

  bookNow(market: string, outcome: Outcome): OrderBook {
    this.reads.set(market, (this.reads.get(market) ?? 0) + 1);
    const top = this.broken.has(market) ? undefined : this.books.get(market);
    const level = (price: number) => [{ price: price as PriceMicros, size: 1_000_000 as QtyMicros }];
    return { venue: 'hand', market, outcome, bids: top ? level(top.bid) : [], asks: top ? level(top.ask) : [], timestampMs: NOW_MS };
  }

  bestAskNow(market: string): PriceMicros | null {
    return this.broken.has(market) ? null : ((this.books.get(market)?.ask ?? null) as PriceMicros | null);
  }

  topOfBookNow(market: string): TopOfBook | null {
    return this.books.get(market) ?? null;
  }

  bestAskIn(view: TopOfBook): PriceMicros | null {
    return view.ask as PriceMicros;
  }
}

describe('live feed: requotes', () => {
  it('quotes a whole but quiet market again, and does not read a broken one again until it is whole', async () => {
    const stream = new HandStream();
    const books = new HandBooks();
    books.books.set('A', { bid: 400_000, ask: 450_000 });
    books.books.set('B', { bid: 300_000, ask: 350_000 });
    const hand = venueOf('hand', { stream, localBooks: books });
    const reader = feedOf([hand], [{ venue: 'hand', market: 'A' }, { venue: 'hand', market: 'B' }], { ...QUIET, requoteIntervalMs: 20 });
    stream.listener.changed('A', NOW_MS);
    stream.listener.changed('B', NOW_MS);
    // One change each, then quotes of each again without another change.
    const first: FeedEvent[] = [];
    const quotesOf = (events: readonly FeedEvent[], market: string) => events.filter((event) => event.type === 'quote' && event.market === market).length;
    while (quotesOf(first, 'A') < 2 || quotesOf(first, 'B') < 2) first.push(await reader.take());
    expect(first.every((event) => event.type === 'quote')).toBe(true);

    books.broken.add('B');
    stream.listener.broken('B', 'gap');
    expect(await reader.take()).toEqual({ type: 'disconnect', venue: 'hand', detail: 'B stream book: gap', timestampMs: NOW_MS });
    const readsBefore = books.reads.get('B') ?? 0;
    const paused: FeedEvent[] = [];
    for (let count = 0; count < 6; count += 1) paused.push(await reader.take());
    expect(kinds(paused)).toEqual(Array(6).fill('quote A'));
    // Six requotes of A; B read at most once more (a mark left from before its break), not once a requote.
    expect((books.reads.get('B') ?? 0) - readsBefore).toBeLessThanOrEqual(1);

    // Control: whole again, B is requoted too (two quotes: at most one is of the change itself).
    books.broken.delete('B');
    stream.listener.changed('B', NOW_MS);
    const after: FeedEvent[] = [];
    while (quotesOf(after, 'B') < 2) after.push(await reader.take());
    expect(after[0]).toMatchObject({ type: 'reconnect', venue: 'hand' });
  });
});

describe('live feed: polled venues', () => {
  it('polls a venue without a stream, a quote per poll, merged with the streamed quotes', async () => {
    const kalshi = streamedKalshi();
    let polls = 0;
    const sx = venueOf('sx', {
      getBook: async (market, outcome) => {
        polls += 1;
        const level = (price: number) => [{ price: price as PriceMicros, size: 1_000_000 as QtyMicros }];
        return { venue: 'sx', market, outcome, bids: level(100_000 + polls * 10_000), asks: level(900_000), timestampMs: NOW_MS };
      },
    });
    const reader = feedOf([kalshi.venue, sx], [...kalshiMarkets(RAIN), { venue: 'sx', market: 'SX-1' }]);
    expect(reader.feed.streamedVenues).toEqual(['kalshi']);
    kalshi.snapshot(RAIN);
    const events: FeedEvent[] = [];
    const polledBids = () => events.flatMap((event) => (event.type === 'quote' && event.venue === 'sx' ? [event.bid] : []));
    while (polledBids().length < 3 || !events.some((event) => event.type === 'quote' && event.venue === 'kalshi')) events.push(await reader.take());
    // Every poll is a quote of its own: none coalesced, none lost.
    expect(polledBids().slice(0, 3)).toEqual(['0.110000', '0.120000', '0.130000']);
    expect(events).toContainEqual(quote('kalshi', RAIN, '0.420000', '0.450000'));
    expect(events.every((event) => event.type === 'quote')).toBe(true);
    expect(kalshi.venue.polls).toBe(0);
  });

  it('takes polled and streamed events in turn: a poller with many events waiting does not hold a streamed quote back', async () => {
    const kalshi = streamedKalshi();
    const sx = venueOf('sx', {
      getBook: async (market, outcome) => ({ venue: 'sx', market, outcome, bids: [{ price: 100_000 as PriceMicros, size: 1 as QtyMicros }], asks: [{ price: 900_000 as PriceMicros, size: 1 as QtyMicros }], timestampMs: NOW_MS }),
    });
    const reader = feedOf([kalshi.venue, sx], [...kalshiMarkets(RAIN), { venue: 'sx', market: 'SX-1' }], { ...QUIET, pollIntervalMs: 1 });
    await reader.take(); // the streams have started
    // The poller fills what may wait (it polls every millisecond while nothing is read), then a streamed change.
    for (let waitedMs = 0; sx.polls < 60 && waitedMs < READ_WAIT_MS; waitedMs += 5) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(sx.polls).toBeGreaterThanOrEqual(60);
    kalshi.snapshot(RAIN);
    const next = [await reader.take(), await reader.take()];
    expect(next.map((event) => (event.type === 'quote' ? event.venue : event.type))).toContain('kalshi');
  });

  it('polls a venue that has a stream but no local books to read it, and never starts that stream', async () => {
    const stream = new HandStream();
    const half = venueOf('half', {
      stream,
      getBook: async (market, outcome) => ({ venue: 'half', market, outcome, bids: [{ price: 200_000 as PriceMicros, size: 1 as QtyMicros }], asks: [{ price: 300_000 as PriceMicros, size: 1 as QtyMicros }], timestampMs: NOW_MS }),
    });
    const reader = feedOf([half], [{ venue: 'half', market: 'H' }]);
    expect(reader.feed.streamedVenues).toEqual([]);
    expect(await reader.take()).toEqual(quote('half', 'H', '0.200000', '0.300000'));
    expect(stream.starts).toBe(0);
    expect(half.polls).toBeGreaterThanOrEqual(1);
  });
});

describe('live feed: stop', () => {
  it('ends the events, also while the engine is waiting for one', async () => {
    const kalshi = streamedKalshi();
    const sx = venueOf('sx', { getBook: () => Promise.reject(new Error('down')) });
    const reader = feedOf([kalshi.venue, sx], [...kalshiMarkets(RAIN), { venue: 'sx', market: 'SX-1' }]);
    // Control: the feed is live before the stop.
    kalshi.snapshot(RAIN);
    expect(await reader.take()).toMatchObject({ type: 'quote', market: RAIN });
    const waiting = reader.result();
    reader.feed.stop();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await reader.result()).toEqual({ done: true, value: undefined });
  });
});
