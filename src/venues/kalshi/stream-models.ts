// Kalshi websocket wire shapes of the `orderbook_delta` channel and their translation to typed messages. Kept apart
// from models.ts (REST) so the stream's field names, which are less settled, change in one place.
//
// Shapes as this file reads them (envelope `{ type, sid, seq, msg }`):
//   orderbook_snapshot  msg: { market_ticker, yes_dollars: [[price_dollars, count], …], no_dollars: […] }
//   orderbook_delta     msg: { market_ticker, price_dollars, delta, side: 'yes' | 'no' }
// Uncertain: Kalshi's fixed-point migration added `_fp` twins on REST (`orderbook_fp`, counts as "10.00"), and its
// stream may send `yes_dollars_fp` / `delta_fp` beside or instead of the fields read here. Counts and deltas are
// therefore read as decimal text or integers alike, and a missing field fails by name rather than reading as zero.
import { SCALE, type PriceMicros } from '../../domain/money.js';
import { Wire } from '../http/wire.js';
import type { BookLevel, Outcome } from '../venue.js';
import { KALSHI, parseBidLevels } from './models.js';

export const KALSHI_STREAM_BOOK_CHANNEL = 'orderbook_delta';

interface StreamEnvelope {
  /** The subscription this message belongs to; seq counts within it. */
  readonly sid: number;
  readonly seq: number;
  readonly ticker: string;
}

export interface StreamSnapshot extends StreamEnvelope {
  readonly kind: 'snapshot';
  readonly yesBids: readonly BookLevel[];
  readonly noBids: readonly BookLevel[];
}

export interface StreamDelta extends StreamEnvelope {
  readonly kind: 'delta';
  /** Which bid ladder changes: Kalshi's books are bids only, per outcome. */
  readonly side: Outcome;
  readonly price: PriceMicros;
  /** Signed change of the level's size, contracts in micro-units. */
  readonly sizeDeltaMicros: number;
}

export type StreamBookMessage = StreamSnapshot | StreamDelta;

/**
 * A stream message of the book channel, or null for any other type (subscription acknowledgements, errors, other
 * channels), which the caller handles or ignores. Throws VenueResponseError naming the field when a book message does
 * not have the shape above.
 */
export function parseStreamMessage(raw: unknown): StreamBookMessage | null {
  const envelope = Wire.of(KALSHI, 'stream message', raw);
  const type = envelope.optionalString('type');
  if (type !== 'orderbook_snapshot' && type !== 'orderbook_delta') return null;
  const sid = envelope.integer('sid');
  const seq = envelope.integer('seq');
  const msg = envelope.object('msg');
  const ticker = msg.string('market_ticker');
  if (type === 'orderbook_snapshot') {
    return { kind: 'snapshot', sid, seq, ticker, yesBids: parseBidLevels(msg, 'yes_dollars'), noBids: parseBidLevels(msg, 'no_dollars') };
  }
  const sideText = msg.string('side');
  if (sideText !== 'yes' && sideText !== 'no') return msg.fail(`side: expected "yes" or "no", got "${sideText}"`);
  const side: Outcome = sideText;
  const price = msg.price('price_dollars');
  if (price >= SCALE) msg.fail('price_dollars: must be below 1');
  const sizeDeltaMicros = msg.micros('delta', { label: 'delta', allowNegative: true });
  return { kind: 'delta', sid, seq, ticker, side, price, sizeDeltaMicros };
}
