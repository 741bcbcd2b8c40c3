// Kalshi websocket wire shapes of the `orderbook_delta` channel and their translation to typed messages. Kept apart
// from models.ts (REST) so the stream's field names change in one place.
//
// Source: Kalshi's AsyncAPI spec, https://docs.kalshi.com/asyncapi.yaml ("Kalshi Market Data WebSocket API" 2.0.0,
// AsyncAPI 3.0.0), schemas orderbookSnapshotPayload and orderbookDeltaPayload and their published examples (copied in
// test/fixtures/venues/kalshi-ws-docs.ts). Envelope `{ type, sid, seq, msg }`, sid and seq integers (seq per
// subscription, from 1):
//   orderbook_snapshot  msg: { market_ticker, market_id, yes_dollars_fp?, no_dollars_fp? }
//                       each side an array of [price_in_dollars, contract_count_fp], both strings ("0.0800", "300.00");
//                       a side's key is absent when it has no bids. `id` is added when it answers a get_snapshot.
//   orderbook_delta     msg: { market_ticker, market_id, price_dollars, delta_fp, side: "yes" | "no",
//                              client_order_id?, subaccount?, ts? (deprecated RFC 3339), ts_ms? }
//                       price_dollars a string in dollars, delta_fp a signed string of contracts with 2 decimals.
// Prices of the NO side are NO prices (the spec's default `use_yes_price: false`, which stream-client.ts sends
// explicitly, since Kalshi plans to flip the default).
// Older shapes are not read: `yes` / `no` (cents), `yes_dollars` / `no_dollars` and an integer `delta` appear in no
// current source. A snapshot carrying one of them without the `_fp` key fails by name instead of reading as an empty
// side, and a delta without `delta_fp` fails by name. Amounts are read exactly from their decimal text (a JSON number
// is read through its shortest text, as the REST parser does). market_id, client_order_id, subaccount and the
// timestamps are not needed and not read.
import { SCALE, type PriceMicros } from '../../domain/money.js';
import { Wire } from '../http/wire.js';
import type { BookLevel, Outcome } from '../venue.js';
import { KALSHI, parseBidLevels } from './models.js';

export const KALSHI_STREAM_BOOK_CHANNEL = 'orderbook_delta';

/** Snapshot keys of earlier shapes, by side: present without the spec's key, they mean the format changed. */
const LEGACY_SNAPSHOT_KEYS: Record<Outcome, readonly string[]> = { yes: ['yes_dollars', 'yes'], no: ['no_dollars', 'no'] };

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
    return { kind: 'snapshot', sid, seq, ticker, yesBids: snapshotSide(msg, 'yes'), noBids: snapshotSide(msg, 'no') };
  }
  const sideText = msg.string('side');
  if (sideText !== 'yes' && sideText !== 'no') return msg.fail(`side: expected "yes" or "no", got "${sideText}"`);
  const side: Outcome = sideText;
  const price = msg.price('price_dollars');
  if (price >= SCALE) msg.fail('price_dollars: must be below 1');
  const sizeDeltaMicros = msg.micros('delta_fp', { label: 'delta_fp', allowNegative: true });
  return { kind: 'delta', sid, seq, ticker, side, price, sizeDeltaMicros };
}

/** One side's bids: `<side>_dollars_fp`, absent when the side is empty (as the spec says), never an older key. */
function snapshotSide(msg: Wire, side: Outcome): BookLevel[] {
  const key = `${side}_dollars_fp`;
  if (!msg.has(key)) {
    const legacy = LEGACY_SNAPSHOT_KEYS[side].find((name) => msg.array(name).length > 0);
    if (legacy !== undefined) msg.fail(`${key}: absent, but "${legacy}" is present: not the documented snapshot shape`);
  }
  return parseBidLevels(msg, key);
}
