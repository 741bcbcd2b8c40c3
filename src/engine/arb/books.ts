// Gathering what the scanner needs for a pair: both outcomes' books on both venues, each wallet's available
// balance, minimum sizes, the sizes each venue accepts and each venue's fee formula.
import type { PairConfig, PairLegConfig } from '../../config/config.js';
import type { Micros, QtyMicros } from '../../domain/money.js';
import type { Ledger } from '../../ledger/ledger.js';
import { opposite, type Outcome } from '../../domain/market.js';
import type { OrderBook, Venue } from '../../venues/venue.js';
import type { LegBook, PairBooks } from './scanner.js';

/** Read after the book, which tells a live venue the market's rules: the pair's minimum or the venue's, the larger. */
function legBook(venue: Venue, leg: PairLegConfig, outcome: Outcome, book: OrderBook, availableMicros: Micros): LegBook {
  const rule = venue.buySizeRule?.(leg.market) ?? null;
  return {
    venue: leg.venue,
    market: leg.market,
    outcome,
    asks: book.asks,
    availableMicros,
    minContracts: Math.max(leg.minContracts, rule?.minimum ?? 0) as QtyMicros,
    takerFee: (quantity, price) => venue.takerFee(leg.market, quantity, price),
    ...(rule ? { quantityStep: (limitPrice) => rule.step(limitPrice) } : {}),
  };
}

function requireVenues(venues: ReadonlyMap<string, Venue>, pair: PairConfig): [Venue, Venue] {
  const venueA = venues.get(pair.a.venue);
  const venueB = venues.get(pair.b.venue);
  if (!venueA || !venueB) throw new Error(`pair ${pair.name}: venue ${!venueA ? pair.a.venue : pair.b.venue} is not configured`);
  return [venueA, venueB];
}

/** Funds already held for the pair's legs (by its armed trade): spendable by its next opportunity. */
export interface HeldFunds {
  readonly a: Micros;
  readonly b: Micros;
}

const NONE_HELD: HeldFunds = { a: 0 as Micros, b: 0 as Micros };

/** Each venue's wallet read once, however many of the pair's books it funds. */
function assemble(ledger: Ledger, pair: PairConfig, venueA: Venue, venueB: Venue, books: readonly [OrderBook, OrderBook, OrderBook, OrderBook], held: HeldFunds): PairBooks {
  const walletA = ledger.getWallet(pair.a.venue)?.available ?? 0;
  const walletB = pair.b.venue === pair.a.venue ? walletA : (ledger.getWallet(pair.b.venue)?.available ?? 0);
  const availableA = (walletA + held.a) as Micros;
  const availableB = (walletB + held.b) as Micros;
  return {
    pair: pair.name,
    aYes: legBook(venueA, pair.a, pair.a.yesIs, books[0], availableA),
    aNo: legBook(venueA, pair.a, opposite(pair.a.yesIs), books[1], availableA),
    bYes: legBook(venueB, pair.b, pair.b.yesIs, books[2], availableB),
    bNo: legBook(venueB, pair.b, opposite(pair.b.yesIs), books[3], availableB),
    maxSizeMicros: pair.maxSizeMicros,
  };
}

/**
 * The pair's books when both venues hold them in memory (paper): built synchronously, so an opportunity found on a
 * quote is sent without yielding to the event loop first. Null when a venue's book is only a request away.
 */
export function pairBooksNow(ledger: Ledger, venues: ReadonlyMap<string, Venue>, pair: PairConfig, held: HeldFunds = NONE_HELD): PairBooks | null {
  const [venueA, venueB] = requireVenues(venues, pair);
  const booksA = venueA.localBooks;
  const booksB = venueB.localBooks;
  if (!booksA || !booksB) return null;
  return assemble(ledger, pair, venueA, venueB, [
    booksA.bookNow(pair.a.market, pair.a.yesIs),
    booksA.bookNow(pair.a.market, opposite(pair.a.yesIs)),
    booksB.bookNow(pair.b.market, pair.b.yesIs),
    booksB.bookNow(pair.b.market, opposite(pair.b.yesIs)),
  ], held);
}

export async function pairBooks(ledger: Ledger, venues: ReadonlyMap<string, Venue>, pair: PairConfig, held: HeldFunds = NONE_HELD): Promise<PairBooks> {
  const now = pairBooksNow(ledger, venues, pair, held);
  if (now) return now;
  const [venueA, venueB] = requireVenues(venues, pair);
  // A venue whose books are in memory (paper, a stream) is read there; only the other one is a request away.
  const read = (venue: Venue, market: string, outcome: Outcome): Promise<OrderBook> | OrderBook =>
    venue.localBooks ? venue.localBooks.bookNow(market, outcome) : venue.getBook(market, outcome);
  const books = await Promise.all([
    read(venueA, pair.a.market, pair.a.yesIs),
    read(venueA, pair.a.market, opposite(pair.a.yesIs)),
    read(venueB, pair.b.market, pair.b.yesIs),
    read(venueB, pair.b.market, opposite(pair.b.yesIs)),
  ]);
  // Wallets are read after the books arrive, as close as possible to the scan that sizes against them.
  return assemble(ledger, pair, venueA, venueB, books, held);
}
