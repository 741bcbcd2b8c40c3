// What this process knows of Polymarket's markets (token ids, tick, minimum, fees), read once per market and kept
// current from each book read over REST: the tick tightens near 0 and 1, and every book carries the current one. The
// venue (sizes, orders) and its book stream (token ids, REST resnapshots) share one catalogue.
import type { PriceMicros } from '../../domain/money.js';
import type { OrderBook, Outcome } from '../venue.js';
import { BoundedMap } from '../http/report.js';
import type { PolymarketClient } from './client.js';
import { parseBook, parseBookRules, parseBookTimestampMs, tokenFor, type PolymarketMarket } from './models.js';

const MARKETS_CACHED_MAX = 1_000;

export interface RestBookRead {
  readonly book: OrderBook;
  /** The book's own timestamp in milliseconds, null when it gives none. */
  readonly venueTimestampMs: number | null;
}

export class PolymarketCatalog {
  private readonly markets = new BoundedMap<string, PolymarketMarket>(MARKETS_CACHED_MAX);

  constructor(private readonly client: PolymarketClient) {}

  /** The market as last read, or undefined before its first read (no request). */
  peek(conditionId: string): PolymarketMarket | undefined {
    return this.markets.get(conditionId);
  }

  async get(conditionId: string): Promise<PolymarketMarket> {
    const cached = this.markets.get(conditionId);
    if (cached) return cached;
    const market = await this.client.getMarket(conditionId);
    this.markets.set(conditionId, market);
    return market;
  }

  /** The market's tick changed (the stream says so): orders keep to the new one. A market never read is left alone. */
  setTickSize(conditionId: string, tickSize: PriceMicros): void {
    const info = this.markets.get(conditionId);
    if (info && info.tickSize !== tickSize) this.markets.set(conditionId, { ...info, tickSize });
  }

  /** One outcome's book over REST (GET /book of its token), as `venue` names itself; refreshes the tick and minimum. */
  async book(venue: string, conditionId: string, outcome: Outcome, receivedMs: () => number): Promise<RestBookRead> {
    const info = await this.get(conditionId);
    const body = await this.client.getBookBody(tokenFor(info, outcome));
    const rules = parseBookRules(body);
    const tickSize = rules.tickSize ?? info.tickSize;
    const minOrderSize = rules.minOrderSize ?? info.minOrderSize;
    if (tickSize !== info.tickSize || minOrderSize !== info.minOrderSize) this.markets.set(conditionId, { ...info, tickSize, minOrderSize });
    return { book: parseBook(body, venue, conditionId, outcome, receivedMs()), venueTimestampMs: parseBookTimestampMs(body) };
  }
}
