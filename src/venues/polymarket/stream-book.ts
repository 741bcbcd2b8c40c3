// One Polymarket market's book kept in memory from the market channel: both outcome tokens, each a bid and an ask
// ladder, from a snapshot (`book`) and then level changes (`price_change`). The channel has no sequence numbers, so
// what a sequence would catch is caught from what it does carry: timestamps (a change older than the token's last one
// is out of order), order hashes (the same change twice is a duplicate) and each change's best bid and ask (a top of
// book that disagrees means a change was missed). A book that doubts itself is not repaired by guessing: it turns
// broken and answers null until every token has had a new snapshot (resubscribing, or REST GET /book).
//
// Rules that are choices, not the venue's word:
//   - a crossed or locked book is no fault: Polymarket's YES and NO books are matched against each other, and a
//     token's own book can briefly lock;
//   - the best bid/ask check runs once per event and token, against the token's last change in the event: correct
//     whether the venue computes those bests after each change or after the whole event;
//   - a REST snapshot (applyRestBook) carries the venue's timestamp: changes stamped before it are already in it or
//     superseded by it and are skipped without a fault; changes at its very millisecond are applied, which is safe
//     because sizes are absolute (applying a change twice leaves the same total);
//   - a change for another token is skipped: routing by condition id is optional for the caller, token ids are unique.
import type { PriceMicros, QtyMicros } from '../../domain/money.js';
import type { StreamBookState, StreamedMarket } from '../stream/streamed-market.js';
import type { BookLevel, OrderBook, Outcome } from '../venue.js';
import type { PolymarketBookEvent, PolymarketLevelChange, PolymarketPriceChangeEvent } from './stream-models.js';

/**
 * Price levels one side of one token may hold. The finest Polymarket tick is 0.0001, so a real side has fewer than
 * ten thousand; more means the stream is wrong, and the book breaks rather than growing without bound.
 */
export const STREAM_LEVELS_PER_SIDE_MAX = 10_000;

/**
 * Distinct changes of one token remembered within one millisecond, to recognise a change sent twice. A token does
 * not change thousands of times in a millisecond; past this the book cannot tell a duplicate and breaks.
 */
export const CHANGES_PER_MILLISECOND_MAX = 4_096;

export interface RestBookLevels {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

interface TokenBook {
  readonly outcome: Outcome;
  readonly tokenId: string;
  /** Size (micro-shares) by price (micros). */
  readonly bids: Map<number, number>;
  readonly asks: Map<number, number>;
  /** A snapshot came since the last break: its changes may be applied. */
  whole: boolean;
  /** The venue timestamp of the last snapshot or change applied. */
  lastTimestampMs: number;
  /** The venue timestamp of the last REST snapshot: changes before it are skipped; null after a stream snapshot. */
  restSnapshotMs: number | null;
  /** The changes applied at lastTimestampMs, by identity: a second one alike is a duplicate. */
  readonly changesAtTimestamp: Set<string>;
}

interface Ladders {
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export class PolymarketStreamBook implements StreamedMarket {
  private readonly tokens: Record<Outcome, TokenBook>;
  private updatedAtMs = 0;
  private current: StreamBookState = 'awaiting_snapshot';
  private reason: string | null = null;
  /** The sorted ladders per outcome, built on the first read after a change. */
  private ladders: Partial<Record<Outcome, Ladders>> = {};

  constructor(
    private readonly venue: string,
    /** The condition id. */
    readonly market: string,
    tokenIds: Readonly<Record<Outcome, string>>,
  ) {
    if (tokenIds.yes === tokenIds.no) throw new Error(`market ${market}: YES and NO have the same token id ${tokenIds.yes}`);
    this.tokens = { yes: emptyToken('yes', tokenIds.yes), no: emptyToken('no', tokenIds.no) };
  }

  get state(): StreamBookState {
    return this.current;
  }

  get brokenReason(): string | null {
    return this.reason;
  }

  /** A snapshot of one token; a book of another token is skipped. Returns the state after it. */
  applyBook(event: PolymarketBookEvent, receivedMs: number): StreamBookState {
    const token = this.tokenOf(event.assetId);
    if (token === null) return this.current;
    this.replace(token, event, event.timestampMs, null, receivedMs);
    return this.current;
  }

  /**
   * A REST GET /book snapshot of one outcome (as parseBook reads it), stamped with the venue's timestamp in
   * milliseconds; stream changes stamped before it are then skipped (see the header).
   */
  applyRestBook(outcome: Outcome, levels: RestBookLevels, timestampMs: number, receivedMs: number): StreamBookState {
    this.replace(this.tokens[outcome], levels, timestampMs, timestampMs, receivedMs);
    return this.current;
  }

  /** The changes of one event that concern this market's tokens, in order. Returns the state after them. */
  applyChanges(event: PolymarketPriceChangeEvent, receivedMs: number): StreamBookState {
    const lastChange = new Map<TokenBook, PolymarketLevelChange>();
    for (const change of event.changes) {
      const token = this.tokenOf(change.assetId);
      if (token === null || !this.accepts(token, event.timestampMs)) continue;
      const fault = this.change(token, change, event.timestampMs);
      if (fault !== null) {
        this.markBroken(fault);
        continue;
      }
      lastChange.set(token, change);
      this.updatedAtMs = receivedMs;
    }
    for (const [token, change] of lastChange) {
      // A fault in a later change has un-wholed the token; its bests no longer tell anything.
      if (!token.whole) continue;
      const fault = topFault(token, change, event.timestampMs);
      if (fault !== null) this.markBroken(fault);
    }
    return this.current;
  }

  /** Breaks the book from outside; the first reason is kept, and every token needs a new snapshot. */
  markBroken(reason: string): void {
    if (this.current !== 'broken') {
      this.current = 'broken';
      this.reason = reason;
    }
    for (const token of Object.values(this.tokens)) token.whole = false;
    this.ladders = {};
  }

  book(outcome: Outcome): OrderBook | null {
    if (this.current !== 'live') return null;
    const token = this.tokens[outcome];
    const ladders = (this.ladders[outcome] ??= { bids: ladderOf(token.bids, 'bids'), asks: ladderOf(token.asks, 'asks') });
    // Keys in parseBook's order, so that a streamed and a REST book of the same levels serialise alike.
    return { venue: this.venue, market: this.market, outcome, bids: ladders.bids, asks: ladders.asks, timestampMs: this.updatedAtMs };
  }

  private tokenOf(assetId: string): TokenBook | null {
    if (assetId === this.tokens.yes.tokenId) return this.tokens.yes;
    if (assetId === this.tokens.no.tokenId) return this.tokens.no;
    return null;
  }

  private replace(token: TokenBook, levels: RestBookLevels, timestampMs: number, restSnapshotMs: number | null, receivedMs: number): void {
    for (const [side, given] of [[token.bids, levels.bids], [token.asks, levels.asks]] as const) {
      side.clear();
      // A level listed twice keeps its last size, as a change to it would; a zero level is no level.
      for (const level of given) {
        if (level.size > 0) side.set(level.price, level.size);
        else side.delete(level.price);
      }
    }
    token.lastTimestampMs = timestampMs;
    token.restSnapshotMs = restSnapshotMs;
    token.changesAtTimestamp.clear();
    token.whole = true;
    this.updatedAtMs = receivedMs;
    this.ladders = {};
    if (token.bids.size > STREAM_LEVELS_PER_SIDE_MAX || token.asks.size > STREAM_LEVELS_PER_SIDE_MAX) {
      this.markBroken(`snapshot of ${token.outcome} at ${timestampMs} has more than ${STREAM_LEVELS_PER_SIDE_MAX} levels on a side`);
      return;
    }
    if (this.tokens.yes.whole && this.tokens.no.whole) {
      this.current = 'live';
      this.reason = null;
    }
  }

  /** Whether a change of this token is to be applied at all; a change before its first snapshot breaks the book. */
  private accepts(token: TokenBook, timestampMs: number): boolean {
    if (!token.whole) {
      // While broken, changes of a token awaiting its new snapshot build on what was lost: skipped.
      if (this.current !== 'broken') this.markBroken(`change of ${token.outcome} at ${timestampMs} before its snapshot`);
      return false;
    }
    return token.restSnapshotMs === null || timestampMs >= token.restSnapshotMs;
  }

  /** Applies one change to a whole token, or says why it cannot follow what the token has seen. */
  private change(token: TokenBook, change: PolymarketLevelChange, timestampMs: number): string | null {
    if (timestampMs < token.lastTimestampMs) return `out-of-order change of ${token.outcome} at ${timestampMs} after ${token.lastTimestampMs}`;
    if (timestampMs > token.lastTimestampMs) token.changesAtTimestamp.clear();
    // Keyed by content as well as hash: an order placed and cancelled in one millisecond shares its hash.
    const identity = `${change.hash ?? ''}|${change.side}|${change.price}|${change.size}`;
    if (change.hash !== null && token.changesAtTimestamp.has(identity)) return `duplicate change of ${token.outcome} at ${timestampMs} (hash ${change.hash})`;
    if (token.changesAtTimestamp.size >= CHANGES_PER_MILLISECOND_MAX) return `more than ${CHANGES_PER_MILLISECOND_MAX} changes of ${token.outcome} at ${timestampMs}`;
    const side = change.side === 'bid' ? token.bids : token.asks;
    if (change.size === 0) side.delete(change.price);
    else side.set(change.price, change.size);
    if (side.size > STREAM_LEVELS_PER_SIDE_MAX) return `change at ${timestampMs} grows ${token.outcome} ${change.side}s past ${STREAM_LEVELS_PER_SIDE_MAX} levels`;
    token.changesAtTimestamp.add(identity);
    token.lastTimestampMs = timestampMs;
    this.ladders = {};
    return null;
  }
}

function emptyToken(outcome: Outcome, tokenId: string): TokenBook {
  return { outcome, tokenId, bids: new Map(), asks: new Map(), whole: false, lastTimestampMs: 0, restSnapshotMs: null, changesAtTimestamp: new Set() };
}

/** Why the token's top of book disagrees with what the venue says it is after the change, or null. */
function topFault(token: TokenBook, change: PolymarketLevelChange, timestampMs: number): string | null {
  const bestBid = bestOf(token.bids, 'bids');
  const bestAsk = bestOf(token.asks, 'asks');
  if (bestBid === change.bestBid && bestAsk === change.bestAsk) return null;
  return `missed change of ${token.outcome} before ${timestampMs}: top is ${priceText(bestBid)}/${priceText(bestAsk)}, the venue says ${priceText(change.bestBid)}/${priceText(change.bestAsk)}`;
}

function bestOf(side: ReadonlyMap<number, number>, which: 'bids' | 'asks'): number | null {
  let bestPrice: number | null = null;
  for (const price of side.keys()) {
    if (bestPrice === null || (which === 'bids' ? price > bestPrice : price < bestPrice)) bestPrice = price;
  }
  return bestPrice;
}

function priceText(price: number | null): string {
  return price === null ? 'none' : `${price} micros`;
}

/** Bids best (highest) first, asks best (lowest) first. */
function ladderOf(side: ReadonlyMap<number, number>, which: 'bids' | 'asks'): BookLevel[] {
  const levels: BookLevel[] = [];
  for (const [price, size] of side) levels.push({ price: price as PriceMicros, size: size as QtyMicros });
  return levels.sort((left, right) => (which === 'bids' ? right.price - left.price : left.price - right.price));
}
