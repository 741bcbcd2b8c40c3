// A websocket connection to Kalshi's book channel feeding one StreamBook per market. It never repairs a book itself:
// a fault breaks the book (null until a snapshot), and a dropped connection breaks them all, then reconnects and
// resubscribes, which makes Kalshi send fresh snapshots. Whoever reads the books pauses the venue while one is null.
import WebSocket from 'ws';
import type { OrderBook, Outcome } from '../venue.js';
import { StreamBook } from './stream-book.js';
import { KALSHI_STREAM_BOOK_CHANNEL, parseStreamMessage } from './stream-models.js';

export interface KalshiStreamOptions {
  readonly url: string;
  readonly tickers: readonly string[];
  /** Handshake headers, built anew for each connection because Kalshi signs a timestamp into them. */
  readonly headers?: () => Record<string, string>;
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** In [0, 1): spreads reconnects so many clients dropped at once do not return at once. */
  readonly random?: () => number;
  readonly now?: () => number;
}

const RECONNECT_BASE_MS = 500;
const RECONNECT_MAX_MS = 30_000;
/** Doublings before the cap is reached anyway; bounds the exponent. */
const RECONNECT_DOUBLINGS_MAX = 16;

/**
 * The wait before reconnect attempt `attempt` (0 for the first): base × 2^attempt, capped, then jittered into its upper
 * half, so the wait still grows while clients spread out.
 */
export function reconnectDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const capped = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, RECONNECT_DOUBLINGS_MAX));
  return Math.round(capped / 2 + (capped / 2) * random());
}

export class KalshiStreamClient {
  readonly books: ReadonlyMap<string, StreamBook>;
  /** Connections opened so far, the first included. */
  connections = 0;
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;
  private nextCommandId = 1;
  private closed = false;

  constructor(private readonly options: KalshiStreamOptions) {
    this.books = new Map(options.tickers.map((ticker) => [ticker, new StreamBook(ticker)]));
  }

  start(): void {
    if (this.closed || this.socket !== null) return;
    this.connect();
  }

  /** The market's book, or null when it is unknown here or not trustworthy now. */
  book(ticker: string, outcome: Outcome): OrderBook | null {
    return this.books.get(ticker)?.book(outcome) ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket === null || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
  }

  private connect(): void {
    this.connections += 1;
    const socket = new WebSocket(this.options.url, { headers: this.options.headers?.() ?? {} });
    this.socket = socket;
    socket.on('open', () => this.subscribe(socket));
    socket.on('message', (data) => this.receive(String(data)));
    // 'error' is always followed by 'close', where the reconnect is decided; handling it keeps it from being thrown.
    socket.on('error', () => undefined);
    socket.on('close', () => this.dropped(socket));
  }

  private subscribe(socket: WebSocket): void {
    // One subscription per market: Kalshi numbers seq per subscription, so a market sharing one with others would
    // see the others' messages as gaps in its own sequence.
    for (const ticker of this.options.tickers) {
      const command = { id: this.nextCommandId++, cmd: 'subscribe', params: { channels: [KALSHI_STREAM_BOOK_CHANNEL], market_tickers: [ticker] } };
      socket.send(JSON.stringify(command));
    }
  }

  private receive(text: string): void {
    const receivedMs = (this.options.now ?? Date.now)();
    let message;
    try {
      message = parseStreamMessage(JSON.parse(text));
    } catch (error) {
      // Which market it was for cannot be trusted either: every book may have missed its change.
      for (const book of this.books.values()) book.markBroken(`unreadable stream message: ${(error as Error).message}`);
      return;
    }
    if (message === null) return;
    const book = this.books.get(message.ticker);
    if (book === undefined) return;
    book.apply(message, receivedMs);
    // A snapshot proves the subscription works: the next drop starts its backoff from the beginning.
    if (message.kind === 'snapshot') this.attempt = 0;
  }

  private dropped(socket: WebSocket): void {
    if (this.socket !== socket) return;
    this.socket = null;
    for (const book of this.books.values()) book.markBroken('stream connection closed');
    if (this.closed) return;
    // No attempt limit: the books stay null (the venue paused) while it is down, and the wait is capped.
    const delayMs = reconnectDelayMs(this.attempt, this.options.reconnectBaseMs ?? RECONNECT_BASE_MS, this.options.reconnectMaxMs ?? RECONNECT_MAX_MS, this.options.random ?? Math.random);
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) this.connect();
    }, delayMs);
  }
}
