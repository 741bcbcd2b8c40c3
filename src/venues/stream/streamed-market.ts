// What every venue's streamed book offers the shared stream machinery: one market's book kept in memory from a
// websocket, that answers null whenever it cannot be trusted (before its snapshot, after a fault) rather than a
// guess. The venue-specific parts (wire shapes, sequence rules, how a snapshot is fetched again) live in the
// venue's folder; the socket, the local-books view and the feed's pause logic are shared.
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

/** What a venue's stream protocol tells whoever trades on its books. */
export interface StreamedMarketListener {
  /** The market's book changed and is live (a snapshot or a change applied in order). */
  changed(market: string, receivedMs: number): void;
  /** The market's book stopped being trustworthy: why. It stays null until a new snapshot makes it live. */
  broken(market: string, reason: string): void;
}
