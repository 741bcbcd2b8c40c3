// Polymarket CLOB over HTTP: one method per endpoint, returning parsed wire results (models.ts).
import { VenueProtocolError } from '../errors.js';
import { collectPages } from '../http/paginate.js';
import type { ListedMarket } from '../venue.js';
import { INITIAL_CURSOR, parseMarketsPage } from './listing.js';
import type { VenueHttpClient } from '../http/venue-http-client.js';
import type { Micros } from '../../domain/money.js';
import {
  parseBalance,
  parseCancelRefusal,
  parseMarket,
  parseMarketText,
  parseOrder,
  parsePostOrderResponse,
  parseTradesPage,
  parseVersion,
  POLYMARKET_PATHS,
  type PolymarketMarket,
  type PolymarketMarketText,
  type PolymarketOrder,
  type PolymarketTrade,
  type PostOrderBody,
  type PostOrderResult,
} from './models.js';

const NOT_FOUND_STATUS = 404;
/** Pages of markets read at most when listing: past it the listing fails rather than suggest pairs from part of it. */
export const MARKET_LISTING_PAGES_MAX = 50;

export class PolymarketClient {
  constructor(readonly http: VenueHttpClient) {}

  // Market data (markets, books, the version) is public: read without credentials, so listing needs none.

  async getMarket(conditionId: string): Promise<PolymarketMarket> {
    const response = await this.http.request({ method: 'GET', path: POLYMARKET_PATHS.market(conditionId), kind: 'read', idempotent: true, unsigned: true });
    return parseMarket(response.body, conditionId);
  }

  async getMarketText(conditionId: string): Promise<PolymarketMarketText> {
    const response = await this.http.request({ method: 'GET', path: POLYMARKET_PATHS.marketText(conditionId), kind: 'read', idempotent: true, unsigned: true });
    return parseMarketText(response.body);
  }

  /** Every open market, paged with next_cursor from INITIAL_CURSOR as the official clients' getMarkets does. */
  async listOpenMarkets(): Promise<ListedMarket[]> {
    return collectPages(
      this.http.venue,
      'markets',
      async (cursor) => {
        const response = await this.http.request({ method: 'GET', path: POLYMARKET_PATHS.markets, query: { next_cursor: cursor ?? INITIAL_CURSOR }, kind: 'read', idempotent: true, unsigned: true });
        return parseMarketsPage(response.body, this.http.venue);
      },
      MARKET_LISTING_PAGES_MAX,
    );
  }

  /** The order version the CLOB expects for CTF token orders. */
  async getVersion(): Promise<number> {
    const response = await this.http.request({ method: 'GET', path: POLYMARKET_PATHS.version, kind: 'read', idempotent: true, unsigned: true });
    return parseVersion(response.body);
  }

  async getBookBody(tokenId: string): Promise<unknown> {
    const response = await this.http.request({ method: 'GET', path: POLYMARKET_PATHS.book, query: { token_id: tokenId }, kind: 'read', idempotent: true, unsigned: true });
    return response.body;
  }

  async getCollateralBalance(signatureType: number): Promise<Micros> {
    const response = await this.http.request({
      method: 'GET',
      path: POLYMARKET_PATHS.balance,
      query: { asset_type: 'COLLATERAL', signature_type: String(signatureType) },
      kind: 'read',
      idempotent: true,
    });
    return parseBalance(response.body);
  }

  /**
   * Not retried: Polymarket has no client order id to dedupe on. (Re-sending the same signed order could not fill
   * twice, since the exchange tracks fills per order hash, but the adapter never needs to: it looks the hash up.)
   */
  async postOrder(body: PostOrderBody, clientOrderId: string): Promise<PostOrderResult> {
    const response = await this.http.request({ method: 'POST', path: POLYMARKET_PATHS.order, body, kind: 'write', idempotent: false, clientOrderId });
    return parsePostOrderResponse(response.body);
  }

  /** The order, or null when the CLOB has never seen this id. */
  async getOrder(orderId: string): Promise<PolymarketOrder | null> {
    const response = await this.http.request({
      method: 'GET',
      path: POLYMARKET_PATHS.orderById(orderId),
      kind: 'read',
      idempotent: true,
      acceptStatuses: [NOT_FOUND_STATUS],
    });
    if (response.status === NOT_FOUND_STATUS) return null;
    const order = parseOrder(response.body);
    // Asked for one order: another order's record in its place is no answer about ours, and not to be booked.
    if (order !== null && order.id.toLowerCase() !== orderId.toLowerCase()) throw new VenueProtocolError(this.http.venue, 'order.id', `order ${order.id} answered for order ${orderId}`);
    return order;
  }

  /** Our trades as taker for one order: paged through the market's trades since the order was created. */
  async getTakerTrades(order: PolymarketOrder): Promise<PolymarketTrade[]> {
    const after = order.createdAtSeconds === null ? undefined : String(order.createdAtSeconds - 1);
    const trades = await collectPages(this.http.venue, `trades of order ${order.id}`, async (cursor) => {
      const response = await this.http.request({
        method: 'GET',
        path: POLYMARKET_PATHS.trades,
        query: { market: order.market, asset_id: order.assetId, after, next_cursor: cursor ?? undefined },
        kind: 'read',
        idempotent: true,
      });
      return parseTradesPage(response.body);
    });
    return trades.filter((trade) => trade.takerOrderId === order.id);
  }

  /** Null when cancelled; otherwise the venue's reason. */
  async cancelOrder(orderId: string): Promise<string | null> {
    const response = await this.http.request({ method: 'DELETE', path: POLYMARKET_PATHS.order, body: { orderID: orderId }, kind: 'write', idempotent: true });
    return parseCancelRefusal(response.body, orderId);
  }
}
