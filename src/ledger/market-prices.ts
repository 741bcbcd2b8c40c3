// The last accepted price per market, so the price guard keeps its reference across restarts.
import type Database from 'better-sqlite3';
import type { MarketPrice } from '../domain/market.js';
import type { LedgerCore } from './ledger-core.js';
import { toMarketPrice, type MarketPriceRow } from './mappers.js';
import { param, prepareQuery, sql } from './statements.js';

export class MarketPrices {
  private readonly q;

  constructor(private readonly core: LedgerCore) {
    this.q = prepareMarketPriceQueries(core.db);
  }


  // ---- market prices (price guard reference) ---------------------------------------------------

  loadMarketPrices(): MarketPrice[] {
    return this.q.allMarketPrices.all({}).map(toMarketPrice);
  }


  /** The last accepted price of one market, if the engine has saved one. */
  marketPrice(venue: string, market: string): MarketPrice | undefined {
    const row = this.q.marketPrice.get({ venue, market });
    return row ? toMarketPrice(row) : undefined;
  }


  saveMarketPrices(prices: Iterable<MarketPrice>): void {
    this.core.transaction(() => {
      const at = this.core.timestamp();
      for (const price of prices) this.q.upsertMarketPrice.run({ ...price, at });
    });
  }
}

function prepareMarketPriceQueries(db: Database.Database) {
  return {
    allMarketPrices: prepareQuery<Record<string, never>, MarketPriceRow>(db, (qb) =>
      qb.selectFrom('market_prices').select(['venue', 'market', 'bid', 'ask']),
    ),
    marketPrice: prepareQuery<{ venue: string; market: string }, MarketPriceRow>(db, (qb) =>
      qb.selectFrom('market_prices').select(['venue', 'market', 'bid', 'ask']).where('venue', '=', param('venue')).where('market', '=', param('market')),
    ),
    upsertMarketPrice: prepareQuery<{ venue: string; market: string; bid: number; ask: number; at: string }, never>(db, (qb) =>
      qb
        .insertInto('market_prices')
        .values({ venue: param('venue'), market: param('market'), bid: param('bid'), ask: param('ask'), updated_at: param('at') })
        .onConflict((oc) =>
          oc.columns(['venue', 'market']).doUpdateSet({
            bid: sql`excluded.bid`,
            ask: sql`excluded.ask`,
            updated_at: sql`excluded.updated_at`,
          }),
        ),
    ),
  };
}
