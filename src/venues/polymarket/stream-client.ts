// Polymarket's side of the book stream (the CLOB's market channel): the token ids of each configured market read
// before the first connection, one subscription of every token, events routed to each market's book by token id,
// "PING" as the channel's keep-alive, and a broken book's new snapshot read over REST (GET /book of both tokens):
// the channel takes no second subscription on a live connection, and its changes carry absolute sizes stamped with
// the venue's time, so a REST book with its timestamp is a base later changes can follow.
import type { Outcome } from '../venue.js';
import { readFrame, type StreamProtocol } from '../stream/streamed-market.js';
import type { PolymarketCatalog } from './market-catalog.js';
import { tokenFor } from './models.js';
import { PolymarketStreamBook } from './stream-book.js';
import { parsePolymarketStreamMessage, polymarketMarketSubscription, POLYMARKET_PONG } from './stream-models.js';

const OUTCOMES: readonly Outcome[] = ['yes', 'no'];

export class PolymarketBookProtocol implements StreamProtocol {
  readonly books = new Map<string, PolymarketStreamBook>();
  readonly keepAliveText = 'PING';
  private readonly byToken = new Map<string, PolymarketStreamBook>();

  constructor(
    private readonly venue: string,
    private readonly catalog: PolymarketCatalog,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async prepare(markets: readonly string[]): Promise<void> {
    for (const conditionId of markets) {
      if (this.books.has(conditionId)) continue;
      const info = await this.catalog.get(conditionId);
      const tokens = { yes: tokenFor(info, 'yes'), no: tokenFor(info, 'no') };
      const book = new PolymarketStreamBook(this.venue, conditionId, tokens);
      this.books.set(conditionId, book);
      this.byToken.set(tokens.yes, book);
      this.byToken.set(tokens.no, book);
    }
  }

  subscriptions(): string[] {
    return [polymarketMarketSubscription([...this.byToken.keys()])];
  }

  receive(text: string, receivedMs: number): Iterable<string> {
    if (text.trim() === POLYMARKET_PONG) return [];
    const frame = readFrame(text, parsePolymarketStreamMessage, this.books);
    if (frame === null) return this.books.keys();
    const events = frame.parsed;
    const touched = new Set<string>();
    for (const event of events) {
      if (event.kind === 'tick_size') {
        const book = this.byToken.get(event.assetId);
        if (book !== undefined) this.catalog.setTickSize(book.market, event.tickSize);
        continue;
      }
      if (event.kind === 'book') {
        const book = this.byToken.get(event.assetId);
        if (book === undefined) continue;
        book.applyBook(event, receivedMs);
        touched.add(book.market);
        continue;
      }
      const books = new Set(event.changes.map((change) => this.byToken.get(change.assetId)).filter((book) => book !== undefined));
      for (const book of books) {
        book.applyChanges(event, receivedMs);
        touched.add(book.market);
      }
    }
    return touched;
  }

  async resnapshot(market: string): Promise<void> {
    const book = this.books.get(market);
    if (book === undefined) return;
    for (const outcome of OUTCOMES) {
      const read = await this.catalog.book(this.venue, market, outcome, this.nowMs);
      // Without the venue's timestamp no stream change can be placed before or after it: wait for one that has it.
      if (read.venueTimestampMs === null) throw new Error(`${this.venue}: GET /book of ${market} has no timestamp`);
      book.applyRestBook(outcome, read.book, read.venueTimestampMs, this.nowMs());
    }
  }
}
