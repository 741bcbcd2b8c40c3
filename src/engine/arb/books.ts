// Gathering what the scanner needs for a pair: both outcomes' books on both venues, each wallet's available
// balance, minimum sizes and each venue's fee formula.
import type { PairConfig, PairLegConfig } from '../../config/config.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Outcome, Venue } from '../../venues/venue.js';
import type { LegBook, PairBooks } from './scanner.js';

const opposite = (outcome: Outcome): Outcome => (outcome === 'yes' ? 'no' : 'yes');

async function legBook(ledger: Ledger, venue: Venue, leg: PairLegConfig, outcome: Outcome): Promise<LegBook> {
  const book = await venue.getBook(leg.market, outcome);
  return {
    venue: leg.venue,
    market: leg.market,
    outcome,
    asks: book.asks,
    availableMicros: ledger.getWallet(leg.venue)?.available ?? (0 as never),
    minContracts: leg.minContracts,
    takerFee: (quantity, price) => venue.takerFee(leg.market, quantity, price),
  };
}

export async function pairBooks(ledger: Ledger, venues: ReadonlyMap<string, Venue>, pair: PairConfig): Promise<PairBooks> {
  const venueA = venues.get(pair.a.venue);
  const venueB = venues.get(pair.b.venue);
  if (!venueA || !venueB) throw new Error(`pair ${pair.name}: venue ${!venueA ? pair.a.venue : pair.b.venue} is not configured`);
  const [aYes, aNo, bYes, bNo] = await Promise.all([
    legBook(ledger, venueA, pair.a, pair.a.yesIs),
    legBook(ledger, venueA, pair.a, opposite(pair.a.yesIs)),
    legBook(ledger, venueB, pair.b, pair.b.yesIs),
    legBook(ledger, venueB, pair.b, opposite(pair.b.yesIs)),
  ]);
  return { pair: pair.name, aYes, aNo, bYes, bNo, maxSizeMicros: pair.maxSizeMicros };
}
