// What feeds produce: raw quotes (prices still unparsed: the price guard decides what is acceptable) and
// connectivity / resolution events. A line a feed cannot understand becomes a `bad_line` event, never a crash.
import type { Outcome } from '../domain/market.js';

export interface RawQuote {
  readonly type: 'quote';
  readonly venue: string;
  readonly market: string;
  readonly bid?: unknown;
  readonly ask?: unknown;
  readonly price?: unknown;
  /** Feed time, epoch milliseconds (replays drive the engine clock with it). */
  readonly timestampMs: number;
}

export interface ConnectivityEvent {
  readonly type: 'disconnect' | 'reconnect';
  readonly venue: string;
  /** What went wrong, in a few words ("kalshi stream: gap: seq 9 after 7"), when the feed knows. */
  readonly detail?: string;
  readonly timestampMs: number;
}

export interface ResolveEvent {
  readonly type: 'resolve';
  readonly venue: string;
  readonly market: string;
  readonly outcome: Outcome;
  readonly timestampMs: number;
}

export interface BadLine {
  readonly type: 'bad_line';
  readonly line: number;
  readonly reason: string;
}

export type FeedEvent = RawQuote | ConnectivityEvent | ResolveEvent | BadLine;

/** A source of feed events. `done` resolves when the source is exhausted (file EOF) or stopped. */
export interface Feed {
  events(): AsyncIterable<FeedEvent>;
  stop(): void;
}
