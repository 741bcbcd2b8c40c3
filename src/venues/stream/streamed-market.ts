// What every venue's streamed book offers the shared stream machinery: one market's book kept in memory from a
// websocket, that answers null whenever it cannot be trusted (before its snapshot, after a fault) rather than a
// guess. The venue-specific parts (wire shapes, sequence rules, how a snapshot is fetched again) live in the
// venue's folder; the socket, the local-books view and the stream's pause logic are shared.
import type { OrderBook, Outcome } from '../venue.js';

export type StreamBookState = 'awaiting_snapshot' | 'live' | 'broken';

export interface StreamedMarket {
  /** The market id as the config names it (Kalshi ticker, Polymarket condition id). */
  readonly market: string;
  readonly state: StreamBookState;
  /** Why the book is broken; null while it is not. */
  readonly brokenReason: string | null;
  /** Breaks the book from outside (an unreadable message, a dropped or stale connection); the first reason is kept. */
  markBroken(reason: string): void;
  /** The outcome's book, best level first on both sides, or null while the book is not live. */
  book(outcome: Outcome): OrderBook | null;
}

/**
 * A venue's side of its stream: the wire shapes and sequence rules. The shared BookSocketStream owns the connection,
 * the heartbeat and the reconnects, and calls these.
 */
export interface StreamProtocol {
  /** Books by config market id; a market appears once its book exists (it may need the venue's ids first). */
  readonly books: ReadonlyMap<string, StreamedMarket>;
  /**
   * Work before the first connection (Polymarket reads each market's token ids): retried like a connection when it
   * fails. Absent: nothing to do.
   */
  prepare?(markets: readonly string[]): Promise<void>;
  /** The messages sent on every (re)connection, before anything else. */
  subscriptions(markets: readonly string[]): readonly string[];
  /** Applies one text frame; returns the markets whose books it touched (changed or broke). Never throws. */
  receive(text: string, receivedMs: number): Iterable<string>;
  /**
   * Asks for a new snapshot of a market whose book broke while the connection lives: by a message on the socket
   * (`send`) or a request over REST. The book stays null until the snapshot arrives.
   */
  resnapshot(market: string, send: (text: string) => void): Promise<void> | void;
  /** A text frame the venue wants as a keep-alive (Polymarket: "PING"); absent: websocket pings only. */
  readonly keepAliveText?: string;
}

/**
 * Reads one frame with the venue's parser, or — when it cannot be read — breaks every book and returns null: which
 * market the frame was for cannot be trusted either, so every book may have missed its change.
 */
export function readFrame<T>(text: string, parse: (raw: unknown) => T, books: ReadonlyMap<string, StreamedMarket>): { readonly parsed: T } | null {
  try {
    return { parsed: parse(JSON.parse(text)) };
  } catch (error) {
    for (const book of books.values()) book.markBroken(`unreadable stream message: ${(error as Error).message}`);
    return null;
  }
}
