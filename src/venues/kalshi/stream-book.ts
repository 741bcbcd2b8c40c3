// One Kalshi market's book kept in memory from the websocket: a snapshot, then deltas in strict sequence. A book that
// missed or doubted a message is not repaired by guessing: it turns broken and answers null, so nothing trades on it,
// until the caller brings a new snapshot (over REST or by resubscribing) and pauses the venue meanwhile.
import type { PriceMicros, QtyMicros } from '../../domain/money.js';
import type { StreamBookState, StreamedMarket } from '../stream/streamed-market.js';
import type { BookLevel, OrderBook, Outcome } from '../venue.js';
import { bookFromBids } from './models.js';
import type { StreamBookMessage, StreamDelta, StreamSnapshot } from './stream-models.js';

export type { StreamBookState } from '../stream/streamed-market.js';

/**
 * Price levels one bid ladder may hold. Kalshi's tick is a cent or a tenth of a cent, so a real ladder has at most a
 * thousand; far more means the stream is wrong, and the book breaks rather than growing without bound.
 */
export const STREAM_LEVELS_PER_SIDE_MAX = 10_000;

interface Ladders {
  readonly yes: readonly BookLevel[];
  readonly no: readonly BookLevel[];
}

export class StreamBook implements StreamedMarket {
  /** Bid size (micro-contracts) by price (micros), per outcome: Kalshi's books are bids only. */
  private readonly bids: Record<Outcome, Map<number, number>> = { yes: new Map(), no: new Map() };
  private subscriptionId: number | null = null;
  private lastSeq: number | null = null;
  private updatedAtMs = 0;
  private current: StreamBookState = 'awaiting_snapshot';
  private reason: string | null = null;
  /** The sorted ladders of the current levels, built on the first read after a change. */
  private ladders: Ladders | null = null;

  constructor(readonly ticker: string) {}

  get market(): string {
    return this.ticker;
  }

  /** The subscription the current snapshot came on; null before the first. */
  get subscription(): number | null {
    return this.subscriptionId;
  }

  get state(): StreamBookState {
    return this.current;
  }

  /** Why the book is broken; null while it is not. */
  get brokenReason(): string | null {
    return this.reason;
  }

  /** Applies one message of this market; returns the state after it. */
  apply(message: StreamBookMessage, receivedMs: number): StreamBookState {
    if (message.ticker !== this.ticker) {
      // Routing by ticker is the caller's job: a message of another market here is a bug, not a stream fault.
      throw new Error(`stream book ${this.ticker} was given a message of ${message.ticker}`);
    }
    if (message.kind === 'snapshot') this.replace(message, receivedMs);
    else this.change(message, receivedMs);
    return this.current;
  }

  /** Breaks the book from outside (a message that could not be parsed, a dropped connection). */
  markBroken(reason: string): void {
    if (this.current === 'broken') return;
    this.current = 'broken';
    this.reason = reason;
    this.ladders = null;
  }

  /** The outcome's book as the port shapes it, or null while there is no trustworthy book. */
  book(outcome: Outcome): OrderBook | null {
    if (this.current !== 'live') return null;
    this.ladders ??= { yes: ladderOf(this.bids.yes), no: ladderOf(this.bids.no) };
    return bookFromBids(this.ticker, outcome, this.ladders.yes, this.ladders.no, this.updatedAtMs);
  }

  private replace(snapshot: StreamSnapshot, receivedMs: number): void {
    for (const outcome of ['yes', 'no'] as const) {
      const levels = outcome === 'yes' ? snapshot.yesBids : snapshot.noBids;
      const side = this.bids[outcome];
      side.clear();
      // The parser has refused two levels at one price; a zero level is no level.
      for (const level of levels) if (level.size > 0) side.set(level.price, level.size);
    }
    this.subscriptionId = snapshot.sid;
    this.lastSeq = snapshot.seq;
    this.updatedAtMs = receivedMs;
    this.current = 'live';
    this.reason = null;
    this.ladders = null;
    if (this.bids.yes.size > STREAM_LEVELS_PER_SIDE_MAX || this.bids.no.size > STREAM_LEVELS_PER_SIDE_MAX) {
      this.markBroken(`snapshot seq ${snapshot.seq} has more than ${STREAM_LEVELS_PER_SIDE_MAX} levels on a side`);
    }
  }

  private change(delta: StreamDelta, receivedMs: number): void {
    // A broken book stays broken with its first reason: later deltas build on what it already lost.
    if (this.current === 'broken') return;
    const fault = this.sequenceFault(delta);
    if (fault !== null) return this.markBroken(fault);
    const side = this.bids[delta.side];
    const size = (side.get(delta.price) ?? 0) + delta.sizeDeltaMicros;
    if (size < 0) return this.markBroken(`delta seq ${delta.seq} takes ${delta.side} bid at ${delta.price} micros below zero (${size})`);
    if (size === 0) side.delete(delta.price);
    else side.set(delta.price, size);
    if (side.size > STREAM_LEVELS_PER_SIDE_MAX) return this.markBroken(`delta seq ${delta.seq} grows ${delta.side} past ${STREAM_LEVELS_PER_SIDE_MAX} levels`);
    this.lastSeq = delta.seq;
    this.updatedAtMs = receivedMs;
    this.ladders = null;
  }

  /** Why this delta cannot follow what the book has seen, or null when it is the very next one. */
  private sequenceFault(delta: StreamDelta): string | null {
    if (this.current === 'awaiting_snapshot' || this.lastSeq === null) return `delta seq ${delta.seq} before any snapshot`;
    if (delta.sid !== this.subscriptionId) return `delta of subscription ${delta.sid}; the snapshot came on ${String(this.subscriptionId)}`;
    const expected = this.lastSeq + 1;
    if (delta.seq === expected) return null;
    if (delta.seq > expected) return `gap: seq ${delta.seq} after ${this.lastSeq}`;
    if (delta.seq === this.lastSeq) return `duplicate seq ${delta.seq}`;
    return `out-of-order seq ${delta.seq} after ${this.lastSeq}`;
  }
}

/** A bid ladder best (highest price) first. */
function ladderOf(side: ReadonlyMap<number, number>): BookLevel[] {
  const levels: BookLevel[] = [];
  for (const [price, size] of side) levels.push({ price: price as PriceMicros, size: size as QtyMicros });
  return levels.sort((left, right) => right.price - left.price);
}
