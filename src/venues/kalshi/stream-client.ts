// Kalshi's side of the book stream (the `orderbook_delta` channel): one subscription per market, messages routed to
// each market's StreamBook by ticker, and a broken book's new snapshot asked for by resubscribing it. Kalshi's REST
// book carries no sequence number, so a delta could never be checked against it: the stream's own snapshot is the
// only one later deltas can follow.
import { BookSocketStream, type BookSocketOptions } from '../stream/book-socket.js';
import { readFrame, type StreamProtocol } from '../stream/streamed-market.js';
import type { OrderBook, Outcome } from '../venue.js';
import { StreamBook } from './stream-book.js';
import { KALSHI_STREAM_BOOK_CHANNEL, parseStreamMessage } from './stream-models.js';

export { reconnectDelayMs } from '../stream/book-socket.js';

/** Subscriptions given up (by a resnapshot) remembered, so their late messages are dropped rather than read as faults. */
const RETIRED_SUBSCRIPTIONS_MAX = 1_000;
/** Subscribe commands remembered by id, so an error answering one names its market. */
const PENDING_COMMANDS_MAX = 1_000;

export class KalshiBookProtocol implements StreamProtocol {
  readonly books = new Map<string, StreamBook>();
  private readonly retired = new Set<number>();
  /** The market of each subscribe command sent, by command id. */
  private readonly subscribing = new Map<number, string>();
  private nextCommandId = 1;

  subscriptions(markets: readonly string[]): string[] {
    // One subscription per market: Kalshi numbers seq per subscription, so a market sharing one with others would
    // see the others' messages as gaps in its own sequence.
    return markets.map((ticker) => {
      if (!this.books.has(ticker)) this.books.set(ticker, new StreamBook(ticker));
      return this.subscribe(ticker);
    });
  }

  receive(text: string, receivedMs: number): Iterable<string> {
    const frame = readFrame(text, parseStreamMessage, this.books);
    if (frame === null) return this.books.keys();
    const message = frame.parsed;
    if (message === null) return this.refusal(text);
    if (this.retired.has(message.sid)) return [];
    const book = this.books.get(message.ticker);
    if (book === undefined) return [];
    book.apply(message, receivedMs);
    return [message.ticker];
  }

  resnapshot(market: string, send: (text: string) => void): void {
    const sid = this.books.get(market)?.subscription ?? null;
    if (sid !== null) {
      if (this.retired.size >= RETIRED_SUBSCRIPTIONS_MAX) this.retired.clear();
      this.retired.add(sid);
      send(this.command('unsubscribe', { sids: [sid] }));
    }
    send(this.subscribe(market));
  }

  private subscribe(ticker: string): string {
    if (this.subscribing.size >= PENDING_COMMANDS_MAX) this.subscribing.clear();
    this.subscribing.set(this.nextCommandId, ticker);
    return this.command('subscribe', { channels: [KALSHI_STREAM_BOOK_CHANNEL], market_tickers: [ticker] });
  }

  /**
   * An `error` answering one of our subscribe commands (`{type: "error", id, msg: {code, msg}}`): that market has no
   * book coming, so it breaks, which pauses the venue and asks again later. Any other message: nothing to do.
   */
  private refusal(text: string): string[] {
    const reply = JSON.parse(text) as { type?: unknown; id?: unknown; msg?: { msg?: unknown } };
    const ticker = reply.type === 'error' && typeof reply.id === 'number' ? this.subscribing.get(reply.id) : undefined;
    const book = ticker === undefined ? undefined : this.books.get(ticker);
    if (book === undefined) return [];
    book.markBroken(`subscription refused: ${typeof reply.msg?.msg === 'string' ? reply.msg.msg : 'no reason given'}`);
    return [book.market];
  }

  private command(cmd: string, params: Record<string, unknown>): string {
    return JSON.stringify({ id: this.nextCommandId++, cmd, params });
  }
}

export interface KalshiStreamOptions extends BookSocketOptions {
  readonly tickers: readonly string[];
}

/** A Kalshi book stream on its own (tests, tools): the shared socket with Kalshi's protocol, for fixed tickers. */
export class KalshiStreamClient extends BookSocketStream {
  declare readonly protocol: KalshiBookProtocol;

  constructor(private readonly streamOptions: KalshiStreamOptions) {
    super(new KalshiBookProtocol(), streamOptions);
  }

  get books(): ReadonlyMap<string, StreamBook> {
    return this.protocol.books;
  }

  /** The market's book, or null when it is unknown here or not trustworthy now. */
  book(ticker: string, outcome: Outcome): OrderBook | null {
    return this.protocol.books.get(ticker)?.book(outcome) ?? null;
  }

  override start(): void {
    super.start(this.streamOptions.tickers, { changed: () => undefined, broken: () => undefined });
  }
}
