// A streaming venue's books as the engine's hot path reads them (LocalBooks): from memory, no I/O. A book the stream
// cannot vouch for (no snapshot yet, a gap, a dropped connection) reads as empty — no ask to buy, so no opportunity —
// while the stream asks for a new snapshot and the feed pauses the venue.
import type { PriceMicros } from '../../domain/money.js';
import type { LocalBooks, OrderBook, Outcome, TopOfBook } from '../venue.js';
import type { StreamedMarket } from './streamed-market.js';

/** The live view topOfBookNow hands out: it reads the market's streamed book each time, so it is never out of date. */
class StreamedTop implements TopOfBook {
  constructor(private readonly books: ReadonlyMap<string, StreamedMarket>, readonly market: string) {}

  get bid(): number {
    return this.books.get(this.market)?.book('yes')?.bids[0]?.price ?? 0;
  }

  get ask(): number {
    return this.books.get(this.market)?.book('yes')?.asks[0]?.price ?? 0;
  }
}

export class StreamedBooks implements LocalBooks {
  private readonly views = new Map<string, StreamedTop>();

  constructor(
    private readonly venue: string,
    private readonly books: ReadonlyMap<string, StreamedMarket>,
  ) {}

  bookNow(market: string, outcome: Outcome): OrderBook {
    return this.books.get(market)?.book(outcome) ?? { venue: this.venue, market, outcome, bids: [], asks: [], timestampMs: 0 };
  }

  bestAskNow(market: string, outcome: Outcome): PriceMicros | null {
    return this.books.get(market)?.book(outcome)?.asks[0]?.price ?? null;
  }

  /** Null until the stream keeps the market's book (a caller asks again later); then the same view every time. */
  topOfBookNow(market: string): TopOfBook | null {
    let view = this.views.get(market);
    if (view === undefined) {
      if (!this.books.has(market)) return null;
      view = new StreamedTop(this.books, market);
      this.views.set(market, view);
    }
    return view;
  }

  bestAskIn(view: TopOfBook, outcome: Outcome): PriceMicros | null {
    return this.bestAskNow((view as StreamedTop).market, outcome);
  }
}
