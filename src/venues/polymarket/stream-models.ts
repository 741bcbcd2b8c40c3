// Polymarket CLOB websocket, market channel (wss://ws-subscriptions-clob.polymarket.com/ws/market): wire shapes and
// their translation to typed events. Kept apart from models.ts (REST) so the stream's field names, which have changed
// once already, change in one place.
//
// Confirmed against:
//   - docs.polymarket.com "Market Channel" (market-data/websocket/market-channel) and the older
//     developers/CLOB/websocket/market-channel page with its field tables;
//   - docs.polymarket.com "Market channel migration guide": price_change changed on 2025-09-15 from
//     `{asset_id, changes:[{price, side, size}], hash}` to `{market, price_changes:[{asset_id, price, size, side, hash,
//     best_bid, best_ask}], timestamp}`; only the new shape is read here;
//   - the official TypeScript SDK (github.com/Polymarket/ts-sdk, packages/bindings, market event schemas): book
//     `{event_type, market, asset_id, bids, asks, hash?, timestamp?}`, price change entries as above with `hash`,
//     `best_bid`, `best_ask` optional, side upper-cased before it is read (so "buy" occurs), and its changeset
//     dev-415: the socket sends an absent best_bid/best_ask as the empty string.
// Shapes as this file reads them:
//   book          { event_type:"book", asset_id, market, bids:[{price,size}], asks:[…], timestamp:"<ms>", hash }
//   price_change  { event_type:"price_change", market, timestamp:"<ms>", price_changes:[{asset_id, price, size,
//                   side:"BUY"|"SELL", hash, best_bid, best_ask}] }  — size is the level's new total ("0" removes it);
//                   BUY is the bid ladder, SELL the ask ladder; best_bid/best_ask are that token's top after the change.
// Where the sources disagree or are silent, what is read:
//   - the docs' examples write prices as ".48" (no leading zero) while other examples and the SDK show "0.48": both
//     are read, exactly;
//   - the older docs' field table names the book sides `buys`/`sells` while every example says `bids`/`asks`:
//     `bids`/`asks`, falling back to `buys`/`sells` only when the former are absent;
//   - an empty side's best is "" (SDK), "0" (docs' example, no bid) or "1" (docs' example, no ask): all read as no
//     level; "1" as a best bid is impossible and fails;
//   - the SDK allows `timestamp` and `hash` to be absent. Timestamps are required here (ordering depends on them) and
//     fail by name; an absent hash reads as null and only turns off the duplicate check for that change;
//   - that the reply to a subscription is a JSON array of book events is not in the docs; third-party clients read it
//     so, and single events come as objects: both are read.
// tick_size_change `{asset_id, market, old_tick_size, new_tick_size, timestamp}` is read for its new tick. Other event
// types (last_trade_price, best_bid_ask, new_market, market_resolved), objects without an event_type and the
// keep-alive text "PONG" are not book events and yield nothing.
import { formatMicrosTrim, parsePrice, SCALE, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { VenueProtocolError } from '../errors.js';
import { describeJson, parseWireDecimal, Wire } from '../http/wire.js';
import type { BookLevel } from '../venue.js';
import { POLYMARKET } from './models.js';

export const POLYMARKET_MARKET_CHANNEL_PATH = '/ws/market';

/** What the server answers to the client's "PING" text. */
export const POLYMARKET_PONG = 'PONG';

export interface PolymarketBookEvent {
  readonly kind: 'book';
  readonly assetId: string;
  readonly conditionId: string;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly timestampMs: number;
  /** The venue's hash of the book's content; null when it sends none. */
  readonly hash: string | null;
}

export interface PolymarketLevelChange {
  readonly assetId: string;
  readonly side: 'bid' | 'ask';
  readonly price: PriceMicros;
  /** The level's new total size; 0 removes the level. */
  readonly size: QtyMicros;
  /** The order's hash that caused the change; null when the venue sends none. */
  readonly hash: string | null;
  /** The token's best bid and ask after the change; null when that side is empty. */
  readonly bestBid: PriceMicros | null;
  readonly bestAsk: PriceMicros | null;
}

export interface PolymarketPriceChangeEvent {
  readonly kind: 'price_change';
  readonly conditionId: string;
  readonly timestampMs: number;
  readonly changes: readonly PolymarketLevelChange[];
}

/**
 * The market's tick changed (it tightens near 0 and 1): `{event_type: "tick_size_change", asset_id, market,
 * old_tick_size, new_tick_size, timestamp}`. Streamed books are read without REST, so this is how orders keep to it.
 */
export interface PolymarketTickSizeEvent {
  readonly kind: 'tick_size';
  readonly assetId: string;
  readonly conditionId: string;
  readonly tickSize: PriceMicros;
}

export type PolymarketStreamEvent = PolymarketBookEvent | PolymarketPriceChangeEvent | PolymarketTickSizeEvent;

/** The channel's subscribe message, sent once after connecting (the channel takes no unsubscribe). */
export function polymarketMarketSubscription(tokenIds: readonly string[]): string {
  if (tokenIds.length === 0) throw new Error('a market channel subscription needs at least one token id');
  return JSON.stringify({ assets_ids: tokenIds, type: 'market' });
}

/**
 * The book events of one frame (its JSON value, or the text itself when it is not JSON, like "PONG"), in the order
 * sent. Throws VenueResponseError naming the field when a book or price_change event does not have the shape above,
 * and for any other text or non-object, which is no frame this channel sends.
 */
export function parsePolymarketStreamMessage(raw: unknown): PolymarketStreamEvent[] {
  if (typeof raw === 'string' && raw.trim() === POLYMARKET_PONG) return [];
  if (Array.isArray(raw)) {
    const events: PolymarketStreamEvent[] = [];
    raw.forEach((item, index) => {
      const event = parseEvent(Wire.of(POLYMARKET, `stream message[${index}]`, item));
      if (event !== null) events.push(event);
    });
    return events;
  }
  const event = parseEvent(Wire.of(POLYMARKET, 'stream message', raw));
  return event === null ? [] : [event];
}

function parseEvent(wire: Wire): PolymarketStreamEvent | null {
  const type = wire.has('event_type') && typeof wire.value.event_type === 'string' ? wire.value.event_type : null;
  if (type === 'book') return parseBookEvent(wire);
  if (type === 'price_change') return parsePriceChangeEvent(wire);
  if (type === 'tick_size_change') return { kind: 'tick_size', assetId: wire.string('asset_id'), conditionId: wire.string('market'), tickSize: probability(wire, 'new_tick_size') };
  return null;
}

function parseBookEvent(wire: Wire): PolymarketBookEvent {
  const bidsKey = wire.value.bids === undefined && wire.value.buys !== undefined ? 'buys' : 'bids';
  const asksKey = wire.value.asks === undefined && wire.value.sells !== undefined ? 'sells' : 'asks';
  return {
    kind: 'book',
    assetId: wire.string('asset_id'),
    conditionId: wire.string('market'),
    bids: levels(wire, bidsKey),
    asks: levels(wire, asksKey),
    timestampMs: timestamp(wire),
    hash: wire.optionalString('hash'),
  };
}

function levels(wire: Wire, key: string): BookLevel[] {
  if (!wire.has(key)) wire.fail(`${key}: expected an array, got ${describeJson(wire.value[key])}`);
  return wire.objects(key).map((level) => ({ price: probability(level, 'price'), size: level.qty('size', { allowZero: false }) }));
}

function parsePriceChangeEvent(wire: Wire): PolymarketPriceChangeEvent {
  if (!Array.isArray(wire.value.price_changes)) wire.fail(`price_changes: expected an array, got ${describeJson(wire.value.price_changes)}`);
  return {
    kind: 'price_change',
    conditionId: wire.string('market'),
    timestampMs: timestamp(wire),
    changes: wire.objects('price_changes').map(parseLevelChange),
  };
}

function parseLevelChange(change: Wire): PolymarketLevelChange {
  const sideText = change.string('side').toUpperCase();
  if (sideText !== 'BUY' && sideText !== 'SELL') change.fail(`side: expected "BUY" or "SELL", got "${sideText}"`);
  return {
    assetId: change.string('asset_id'),
    side: sideText === 'BUY' ? 'bid' : 'ask',
    price: probability(change, 'price'),
    size: change.qty('size', { allowZero: true }),
    hash: change.optionalString('hash'),
    bestBid: best(change, 'best_bid', false),
    bestAsk: best(change, 'best_ask', true),
  };
}

/** Milliseconds since the epoch, sent as decimal text; required, because the book orders changes by it. */
function timestamp(wire: Wire): number {
  const timestampMs = wire.integer('timestamp');
  if (timestampMs < 0) wire.fail(`timestamp: must not be negative, got ${timestampMs}`);
  return timestampMs;
}

/** A level's price, in (0, 1): nothing rests at 0 or 1. ".48" (the docs' spelling) is read as 0.48. */
function probability(wire: Wire, key: string): PriceMicros {
  const price = parseWireDecimal(POLYMARKET, wire.what, () => parsePrice(withLeadingZero(wire.value[key]), { label: key }));
  if (price >= SCALE) throw new VenueProtocolError(POLYMARKET, `${wire.what}.${key}`, `${formatMicrosTrim(price)} is outside (0, 1)`);
  return price;
}

/**
 * A token's best price after a change, or null when that side is empty: sent as "" or absent (SDK), "0" for no bid
 * and "1" for no ask (the docs' example). A best ask of 0 is read as empty too, as a bid of 0 would be.
 */
function best(wire: Wire, key: string, isAsk: boolean): PriceMicros | null {
  const value = wire.value[key];
  if (value === undefined || value === null || value === '') return null;
  const price = parseWireDecimal(POLYMARKET, wire.what, () => parsePrice(withLeadingZero(value), { label: key, allowZero: true }));
  if (price === 0 || (isAsk && price === SCALE)) return null;
  if (price >= SCALE) throw new VenueProtocolError(POLYMARKET, `${wire.what}.${key}`, `${formatMicrosTrim(price)} is outside (0, 1)`);
  return price;
}

function withLeadingZero(value: unknown): unknown {
  return typeof value === 'string' && value.startsWith('.') ? `0${value}` : value;
}

