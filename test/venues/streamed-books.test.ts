// The local books a streaming venue's hot path reads: what the stream's books hold while they are live, an empty book
// (nothing to buy) while one cannot be trusted, and a top-of-book view that is one object per market and follows the
// book in place. Driven with parsed frames through Kalshi's protocol: the books are the real streamed books.
import { describe, expect, it } from 'vitest';
import { KalshiBookProtocol } from '../../src/venues/kalshi/stream-client.js';
import { StreamedBooks } from '../../src/venues/stream/streamed-books.js';

const TICKER = 'KXRAIN-26DEC31-T2';
const OTHER = 'KXSNOW-26DEC31-T1';

function snapshot(ticker: string, sid: number, yesDollars: string[][], noDollars: string[][]): string {
  return JSON.stringify({ type: 'orderbook_snapshot', sid, seq: 1, msg: { market_ticker: ticker, yes_dollars_fp: yesDollars, no_dollars_fp: noDollars } });
}

function delta(ticker: string, sid: number, seq: number, side: 'yes' | 'no', priceDollars: string, change: number): string {
  return JSON.stringify({ type: 'orderbook_delta', sid, seq, msg: { market_ticker: ticker, price_dollars: priceDollars, delta_fp: `${change}.00`, side } });
}

/** Kalshi's protocol subscribed to both markets (which makes their books), and the local books over them. */
function streamed(): { protocol: KalshiBookProtocol; books: StreamedBooks } {
  const protocol = new KalshiBookProtocol();
  protocol.subscriptions([TICKER, OTHER]);
  return { protocol, books: new StreamedBooks('kalshi', protocol.books) };
}

function empty(market: string, outcome: 'yes' | 'no') {
  return { venue: 'kalshi', market, outcome, bids: [], asks: [], timestampMs: 0 };
}

describe('streamed books', () => {
  it('reads the stream book while it is live, and follows each applied change', () => {
    const { protocol, books } = streamed();
    protocol.receive(snapshot(TICKER, 3, [['0.4200', '10.00']], [['0.5500', '3.00']]), 1_000);
    expect(protocol.books.get(TICKER)?.state).toBe('live');
    for (const outcome of ['yes', 'no'] as const) expect(books.bookNow(TICKER, outcome)).toEqual(protocol.books.get(TICKER)?.book(outcome));
    expect(books.bookNow(TICKER, 'yes')).toMatchObject({ bids: [{ price: 420_000, size: 10_000_000 }], asks: [{ price: 450_000, size: 3_000_000 }], timestampMs: 1_000 });
    expect(books.bestAskNow(TICKER, 'yes')).toBe(450_000);
    expect(books.bestAskNow(TICKER, 'no')).toBe(580_000);

    // Control: a change moves what is read; reading the earlier book again would fail here.
    protocol.receive(delta(TICKER, 3, 2, 'no', '0.5700', 2), 1_100);
    expect(books.bookNow(TICKER, 'yes')).toEqual(protocol.books.get(TICKER)?.book('yes'));
    expect(books.bookNow(TICKER, 'yes').asks[0]).toEqual({ price: 430_000, size: 2_000_000 });
    expect(books.bestAskNow(TICKER, 'yes')).toBe(430_000);
  });

  it('reads a book with no snapshot yet, or an unknown market, as empty with no best ask', () => {
    const { protocol, books } = streamed();
    expect(protocol.books.get(TICKER)?.state).toBe('awaiting_snapshot');
    for (const outcome of ['yes', 'no'] as const) {
      expect(books.bookNow(TICKER, outcome)).toEqual(empty(TICKER, outcome));
      expect(books.bestAskNow(TICKER, outcome)).toBeNull();
      expect(books.bookNow('KXUNKNOWN', outcome)).toEqual(empty('KXUNKNOWN', outcome));
      expect(books.bestAskNow('KXUNKNOWN', outcome)).toBeNull();
    }
    // Control: the snapshot is what makes it readable.
    protocol.receive(snapshot(TICKER, 3, [['0.4200', '10.00']], [['0.5500', '3.00']]), 1_000);
    expect(books.bookNow(TICKER, 'yes').bids).toHaveLength(1);
    expect(books.bestAskNow(TICKER, 'yes')).toBe(450_000);
  });

  it('reads a broken book as empty until its new snapshot, without touching the other markets', () => {
    const { protocol, books } = streamed();
    protocol.receive(snapshot(TICKER, 3, [['0.4200', '10.00']], [['0.5500', '3.00']]), 1_000);
    protocol.receive(snapshot(OTHER, 4, [['0.1000', '1.00']], [['0.8000', '1.00']]), 1_000);
    // Control: both live and readable before the gap.
    expect(books.bestAskNow(TICKER, 'yes')).toBe(450_000);

    protocol.receive(delta(TICKER, 3, 3, 'yes', '0.4300', 1), 1_100); // seq 3 after 1: a gap
    expect(protocol.books.get(TICKER)?.state).toBe('broken');
    for (const outcome of ['yes', 'no'] as const) {
      expect(books.bookNow(TICKER, outcome)).toEqual(empty(TICKER, outcome));
      expect(books.bestAskNow(TICKER, outcome)).toBeNull();
    }
    expect(books.bestAskNow(OTHER, 'yes')).toBe(200_000);

    // A book broken from outside (a dropped connection) reads empty too.
    protocol.books.get(OTHER)?.markBroken('stream connection closed');
    expect(books.bookNow(OTHER, 'yes')).toEqual(empty(OTHER, 'yes'));
    expect(books.bestAskNow(OTHER, 'no')).toBeNull();

    protocol.receive(snapshot(TICKER, 5, [['0.4000', '1.00']], [['0.5900', '1.00']]), 1_200);
    expect(books.bestAskNow(TICKER, 'yes')).toBe(410_000);
  });

  it('hands out one top-of-book view per market, which follows the book in place', () => {
    const { protocol, books } = streamed();
    const view = books.topOfBookNow(TICKER);
    expect(view).not.toBeNull();
    expect(books.topOfBookNow(TICKER)).toBe(view);
    // Control: another market has its own view, so sameness above is not one object for every market.
    expect(books.topOfBookNow(OTHER)).not.toBe(view);
    expect(books.topOfBookNow(OTHER)).toBe(books.topOfBookNow(OTHER));
    // A market the stream does not keep has no view (the caller asks again later), rather than an empty one for ever.
    expect(books.topOfBookNow('KXUNKNOWN-26DEC31')).toBeNull();

    // Before the snapshot the view has nothing to buy.
    expect(books.bestAskIn(view!, 'yes')).toBeNull();
    protocol.receive(snapshot(TICKER, 3, [['0.4200', '10.00']], [['0.5500', '3.00']]), 1_000);
    expect({ bid: view!.bid, ask: view!.ask }).toEqual({ bid: 420_000, ask: 450_000 });
    protocol.receive(delta(TICKER, 3, 2, 'yes', '0.4400', 1), 1_100);
    protocol.receive(delta(TICKER, 3, 3, 'no', '0.5700', 1), 1_100);
    expect({ bid: view!.bid, ask: view!.ask }).toEqual({ bid: 440_000, ask: 430_000 });
    expect(books.topOfBookNow(TICKER)).toBe(view);

    protocol.receive(delta(TICKER, 3, 9, 'yes', '0.4400', 1), 1_200);
    expect(books.bestAskIn(view!, 'yes')).toBeNull();
    expect(books.bestAskIn(view!, 'no')).toBeNull();
  });

  it('reads a view for an outcome as bestAskNow reads the market for it', () => {
    const { protocol, books } = streamed();
    protocol.receive(snapshot(TICKER, 3, [['0.4200', '10.00']], [['0.5500', '3.00']]), 1_000);
    const view = books.topOfBookNow(TICKER)!;
    expect(books.bestAskIn(view, 'no')).toBe(books.bestAskNow(TICKER, 'no'));
    expect(books.bestAskIn(view, 'yes')).toBe(books.bestAskNow(TICKER, 'yes'));
    // Control: the two outcomes differ here, so reading the wrong one would be noticed.
    expect(books.bestAskIn(view, 'no')).toBe(580_000);
    expect(books.bestAskIn(view, 'yes')).toBe(450_000);
    protocol.receive(delta(TICKER, 3, 2, 'yes', '0.4500', 2), 1_100);
    expect(books.bestAskIn(view, 'no')).toBe(books.bestAskNow(TICKER, 'no'));
    expect(books.bestAskIn(view, 'no')).toBe(550_000);
  });
});
