// The price `open`, `close` and `arb` use when none is given: a venue's current book — for a paper venue, as the
// running engine last wrote it — and how old its quote is. A book's time is its feed's; its age is measured on the
// wall clock. A quote older than priceGuard.staleAfterMs is refused (the engine has stopped, or its feed has gone
// quiet), except a quote from the config's markets: a configured price, which does not age.
import { InputError } from '../domain/errors.js';
import type { PriceMicros } from '../domain/money.js';
import type { Side } from '../domain/position.js';
import { CONFIGURED_QUOTE_MS, type Venue } from '../venues/venue.js';
import { splitPositionMarket } from '../domain/market.js';

export interface QuoteTime {
  /** The quote's feed time, epoch milliseconds; CONFIGURED_QUOTE_MS for a configured quote. */
  readonly quotedAtMs: number;
  /** Its age on the wall clock when it was read; null for a configured quote. */
  readonly ageMs: number | null;
}

export interface QuotedPrice extends QuoteTime {
  readonly price: PriceMicros;
}

export interface QuoteClock {
  readonly nowMs: number;
  readonly staleAfterMs: number;
}

export function quoteTime(quotedAtMs: number, nowMs: number): QuoteTime {
  // A feed ahead of the wall clock (the demo's simulated time runs faster) is not old.
  return { quotedAtMs, ageMs: quotedAtMs === CONFIGURED_QUOTE_MS ? null : Math.max(0, nowMs - quotedAtMs) };
}

/** Refuses a quote older than staleAfterMs: its price may be one the market left long ago. */
export function assertFresh(what: string, time: QuoteTime, staleAfterMs: number, remedy: string): void {
  if (time.ageMs === null || time.ageMs <= staleAfterMs) return;
  throw new InputError(`the quote for ${what} is ${formatAge(time.ageMs)} old (priceGuard.staleAfterMs ${formatAge(staleAfterMs)}); ${remedy}`);
}

/** The price a position opens at: a long buys at the ask, a short sells at the bid. */
export function entryQuote(venue: Venue, market: string, side: Side, clock: QuoteClock): Promise<QuotedPrice> {
  return bestPrice(venue, market, side === 'long' ? 'ask' : 'bid', clock);
}

/** The price a position closes at: a long sells at the bid, a short buys back at the ask. */
export function exitQuote(venue: Venue, market: string, side: Side, clock: QuoteClock): Promise<QuotedPrice> {
  return bestPrice(venue, market, side === 'long' ? 'bid' : 'ask', clock);
}

/** A NO position's market ("FED:no") is priced from the venue's NO book: the YES book turned over. */
async function bestPrice(venue: Venue, positionMarket: string, side: 'bid' | 'ask', clock: QuoteClock): Promise<QuotedPrice> {
  const { market, outcome } = splitPositionMarket(positionMarket);
  const book = await venue.getBook(market, outcome);
  const level = side === 'ask' ? book.asks[0] : book.bids[0];
  if (!level) throw new InputError(`no current quote for ${venue.name} ${positionMarket}; pass --price`);
  const time = quoteTime(book.timestampMs, clock.nowMs);
  assertFresh(`${venue.name} ${positionMarket}`, time, clock.staleAfterMs, 'pass --price');
  return { price: level.price, ...time };
}

/** "0.8 s", "12 min 5 s", "3 h 20 min", "2 d 4 h": integer arithmetic, rounded down. */
export function formatAge(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}.${Math.floor((ms % 1000) / 100)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
