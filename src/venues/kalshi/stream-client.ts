// Kalshi's side of the book stream (the `orderbook_delta` channel): one subscription per market, messages routed to
// each market's StreamBook by ticker, and a broken book's new snapshot asked for by resubscribing it. Kalshi's REST
// book carries no sequence number, so a delta could never be checked against it: the stream's own snapshot is the
// only one later deltas can follow. Commands and replies follow Kalshi's AsyncAPI spec
// (https://docs.kalshi.com/asyncapi.yaml, 2.0.0): `subscribe` answered by `subscribed {channel, sid}`, `unsubscribe
// {sids}` by `unsubscribed`, a failure by `error {id?, sid?, msg: {code, msg}}`. The spec's `update_subscription`
// action `get_snapshot` would resend a snapshot on the same sid; resubscribing is used instead, so a new snapshot
// always starts a new sid and nothing of the doubted subscription can be mistaken for part of the new book.
import { readFrame, type StreamProtocol } from '../stream/streamed-market.js';
import { StreamBook } from './stream-book.js';
import { KALSHI_STREAM_BOOK_CHANNEL, parseStreamMessage } from './stream-models.js';


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
    // use_yes_price false is the spec's default, sent because Kalshi announces it will flip: the parser reads NO-side
    // prices as NO prices, and a flipped default would otherwise misprice the NO ladder without any error.
    return this.command('subscribe', { channels: [KALSHI_STREAM_BOOK_CHANNEL], market_tickers: [ticker], use_yes_price: false });
  }

  /**
   * An `error` (`{type: "error", id?, sid?, seq?, msg: {code, msg}}`) that concerns one of our books: one answering a
   * subscribe command of ours (by id: that market has no book coming), or one scoped to the subscription a book
   * follows (by sid: codes 10 "Channel error" and 25 "Subscription buffer overflow" are terminal, the subscription
   * sends nothing more). The book breaks, which pauses the venue and asks for it again. Any other message: nothing to do.
   */
  private refusal(text: string): string[] {
    const reply = JSON.parse(text) as { type?: unknown; id?: unknown; sid?: unknown; msg?: { code?: unknown; msg?: unknown } };
    if (reply.type !== 'error') return [];
    const book = this.bookOfError(reply.id, reply.sid);
    if (book === undefined) return [];
    const reason = typeof reply.msg?.msg === 'string' ? reply.msg.msg : 'no reason given';
    const code = typeof reply.msg?.code === 'number' ? ` (code ${reply.msg.code})` : '';
    book.markBroken(`${typeof reply.sid === 'number' ? `subscription ${reply.sid} failed` : 'subscription refused'}: ${reason}${code}`);
    return [book.market];
  }

  private bookOfError(id: unknown, sid: unknown): StreamBook | undefined {
    if (typeof sid === 'number') {
      if (this.retired.has(sid)) return undefined;
      for (const book of this.books.values()) if (book.subscription === sid) return book;
    }
    const ticker = typeof id === 'number' ? this.subscribing.get(id) : undefined;
    return ticker === undefined ? undefined : this.books.get(ticker);
  }

  private command(cmd: string, params: Record<string, unknown>): string {
    return JSON.stringify({ id: this.nextCommandId++, cmd, params });
  }
}
