// The venues' open markets as they last listed them, for finding pairs: replaced whole per venue, read back whole.
import type Database from 'better-sqlite3';
import type { ListedMarket } from '../domain/pairing.js';
import type { LedgerCore } from './ledger-core.js';
import type { MarketListingsTable } from './schema.js';
import { param, prepareQuery } from './statements.js';

/** One venue's cached listing and when it was fetched (null: never listed). */
export interface CachedListing {
  readonly venue: string;
  readonly fetchedAt: string | null;
  readonly markets: readonly ListedMarket[];
}

/** A row as the table holds it. */
type ListingRow = { [K in keyof MarketListingsTable]: MarketListingsTable[K] };

export class MarketListings {
  private prepared: ReturnType<typeof prepareListingQueries> | null = null;

  constructor(private readonly core: LedgerCore) {}

  /** Prepared on first use: a ledger opened only to read other tables never needs this one to exist. */
  private get q(): ReturnType<typeof prepareListingQueries> {
    this.prepared ??= prepareListingQueries(this.core.db);
    return this.prepared;
  }

  /** Replaces the venue's cached markets with `markets`, all stamped with one fetch time; returns that time. */
  replaceMarketListings(venue: string, markets: readonly ListedMarket[]): string {
    return this.core.transaction(() => {
      const fetchedAt = this.core.timestamp();
      this.q.deleteVenue.run({ venue });
      for (const market of markets) {
        // A listing of another venue under this one's name would pair a market with itself: a bug, never cached.
        if (market.venue !== venue) throw new Error(`a market of ${market.venue} listed as ${venue}'s`);
        this.q.insert.run({ venue, market: market.market, title: market.title, close_time: market.closeTime, rules: market.rules, yes_outcome: market.yesOutcome, fetched_at: fetchedAt });
      }
      return fetchedAt;
    });
  }

  marketListings(venue: string): CachedListing {
    const rows = this.q.byVenue.all({ venue });
    const markets = rows.map((row): ListedMarket => ({ venue: row.venue, market: row.market, title: row.title, closeTime: row.close_time, rules: row.rules, yesOutcome: row.yes_outcome }));
    return { venue, fetchedAt: rows[0]?.fetched_at ?? null, markets };
  }
}

function prepareListingQueries(db: Database.Database) {
  return {
    deleteVenue: prepareQuery<{ venue: string }, never>(db, (qb) => qb.deleteFrom('market_listings').where('venue', '=', param('venue'))),
    insert: prepareQuery<ListingRow, never>(db, (qb) =>
      qb.insertInto('market_listings').values({
        venue: param('venue'),
        market: param('market'),
        title: param('title'),
        close_time: param('close_time'),
        rules: param('rules'),
        yes_outcome: param('yes_outcome'),
        fetched_at: param('fetched_at'),
      }),
    ),
    byVenue: prepareQuery<{ venue: string }, ListingRow>(db, (qb) =>
      qb.selectFrom('market_listings').selectAll().where('venue', '=', param('venue')).orderBy('market'),
    ),
  };
}
