// Kalshi over HTTP: one method per endpoint, each returning parsed wire results (models.ts).
// The Venue semantics (orientation, statuses, reports) live in kalshi-venue.ts.
import { VenueProtocolError, VenueResponseError } from '../errors.js';
import { collectPages, PAGES_MAX_DEFAULT, type Page } from '../http/paginate.js';
import type { VenueHttpClient } from '../http/venue-http-client.js';
import {
  KALSHI_DUPLICATE_STATUS,
  KALSHI_PATHS,
  parseBalance,
  parseCancelOrderResponse,
  parseCreateOrderResponse,
  parseFillsPage,
  parseMarketDescription,
  parseMarketsPage,
  parseOrderEnvelope,
  parseOrdersPage,
  type KalshiCanceledOrder,
  type KalshiCreatedOrder,
  type KalshiCreateOrderBody,
  type KalshiFill,
  type KalshiOrder,
} from './models.js';
import type { ListedMarket, MarketDescription, VenueBalance } from '../venue.js';

/** Fills per page requested; an order rarely has more than a handful. */
const FILLS_PAGE_LIMIT = 100;
/** Orders per page when looking one up by client order id: Get Orders' documented default. */
const ORDERS_PAGE_LIMIT = 100;
/** Markets per page when listing: Get Markets' maximum (1-1000). */
const MARKETS_PAGE_LIMIT = 1000;
/** Pages of open markets read at most: past it the listing fails rather than suggest pairs from part of it. */
export const MARKET_LISTING_PAGES_MAX = 50;
/** Pages of a market's orders searched for one client order id before giving up (not "absent": unknown). */
export const ORDER_LOOKUP_PAGES_MAX = PAGES_MAX_DEFAULT;

export class KalshiClient {
  /** @param signPublicReads sign market-data reads too (credentials are configured); otherwise they go unsigned. */
  constructor(
    readonly http: VenueHttpClient,
    private readonly signPublicReads: boolean,
  ) {}

  /** Public market data: the "Orderbook Responses" guide says no authentication is required. */
  async getOrderbookBody(ticker: string): Promise<unknown> {
    const response = await this.http.request({ method: 'GET', path: KALSHI_PATHS.orderbook(ticker), kind: 'read', idempotent: true, unsigned: !this.signPublicReads });
    return response.body;
  }

  /** Public market data: the SDK's getMarket says "No authorization required". */
  async getMarket(ticker: string): Promise<MarketDescription> {
    const response = await this.http.request({ method: 'GET', path: KALSHI_PATHS.market(ticker), kind: 'read', idempotent: true, unsigned: !this.signPublicReads });
    return parseMarketDescription(response.body, ticker);
  }

  /**
   * Public market data: every open market, `mve_filter=exclude` leaving out the multivariate combinations (parlays
   * built from other markets, never one event's pair).
   */
  async listOpenMarkets(): Promise<ListedMarket[]> {
    return collectPages(
      this.http.venue,
      'open markets',
      async (cursor) => {
        const response = await this.http.request({
          method: 'GET',
          path: KALSHI_PATHS.markets,
          query: { status: 'open', limit: String(MARKETS_PAGE_LIMIT), mve_filter: 'exclude', cursor: cursor ?? undefined },
          kind: 'read',
          idempotent: true,
          unsigned: !this.signPublicReads,
        });
        return parseMarketsPage(response.body, this.http.venue);
      },
      MARKET_LISTING_PAGES_MAX,
    );
  }

  async getBalance(): Promise<VenueBalance> {
    const response = await this.http.request({ method: 'GET', path: KALSHI_PATHS.balance, kind: 'read', idempotent: true });
    return parseBalance(response.body);
  }

  /**
   * Kalshi dedupes on client_order_id, so placement may be retried: a retry after an accepted first attempt is
   * answered 409, reported here as 'duplicate' for the caller to look the order up.
   */
  async createOrder(body: KalshiCreateOrderBody): Promise<KalshiCreatedOrder | 'duplicate'> {
    const response = await this.http.request({
      method: 'POST',
      path: KALSHI_PATHS.createOrder,
      body,
      kind: 'write',
      idempotent: true,
      clientOrderId: body.client_order_id,
      acceptStatuses: [KALSHI_DUPLICATE_STATUS],
    });
    return response.status === KALSHI_DUPLICATE_STATUS ? 'duplicate' : parseCreateOrderResponse(response.body);
  }

  async getOrder(orderId: string): Promise<KalshiOrder> {
    const response = await this.http.request({ method: 'GET', path: KALSHI_PATHS.order(orderId), kind: 'read', idempotent: true });
    return parseOrderEnvelope(response.body);
  }

  /**
   * Get Orders has no client order id filter (only ticker, event, time, status): the market's orders are paged
   * through and matched on client_order_id, stopping at the page that holds it. Reaching the page bound without it
   * is an error, never "absent": the order may be further on, and "absent" would mean "never placed".
   */
  async findOrderByClientId(clientOrderId: string, ticker: string): Promise<KalshiOrder | null> {
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (let pageIndex = 0; pageIndex < ORDER_LOOKUP_PAGES_MAX; pageIndex += 1) {
      const page = await this.getOrdersPage(ticker, cursor);
      const matches = page.items.filter((order) => order.clientOrderId === clientOrderId);
      if (matches.length > 1) throw new VenueResponseError(this.http.venue, `${matches.length} orders carry client order id ${clientOrderId}`);
      if (matches[0] !== undefined) return matches[0];
      if (page.nextCursor === null) return null;
      if (seen.has(page.nextCursor)) throw new VenueResponseError(this.http.venue, `orders of ${ticker}: cursor "${page.nextCursor}" repeated`);
      seen.add(page.nextCursor);
      cursor = page.nextCursor;
    }
    throw new VenueResponseError(this.http.venue, `client order id ${clientOrderId} not among the first ${ORDER_LOOKUP_PAGES_MAX * ORDERS_PAGE_LIMIT} orders of ${ticker}`);
  }

  private async getOrdersPage(ticker: string, cursor: string | null): Promise<Page<KalshiOrder>> {
    const response = await this.http.request({
      method: 'GET',
      path: KALSHI_PATHS.orders,
      query: { ticker, limit: String(ORDERS_PAGE_LIMIT), cursor: cursor ?? undefined },
      kind: 'read',
      idempotent: true,
    });
    return parseOrdersPage(response.body);
  }

  async getFills(orderId: string): Promise<KalshiFill[]> {
    const fills = await collectPages(
      this.http.venue,
      `fills of order ${orderId}`,
      async (cursor) => {
        const response = await this.http.request({
          method: 'GET',
          path: KALSHI_PATHS.fills,
          query: { order_id: orderId, limit: String(FILLS_PAGE_LIMIT), cursor: cursor ?? undefined },
          kind: 'read',
          idempotent: true,
        });
        return parseFillsPage(response.body);
      },
      PAGES_MAX_DEFAULT,
    );
    // Asked for this order's fills alone: a fill of any other order is one we cannot account for, never to be booked.
    const stray = fills.findIndex((fill) => fill.orderId !== orderId);
    if (stray >= 0) throw new VenueProtocolError(this.http.venue, `fills[${stray}].order_id`, `a fill of order ${fills[stray]!.orderId} answered for order ${orderId}`);
    return fills;
  }

  /** Cancel Order (V2), with `market_ticker` so Kalshi routes it to the market's exchange shard. */
  async cancelOrder(orderId: string, ticker: string): Promise<KalshiCanceledOrder> {
    const response = await this.http.request({
      method: 'DELETE',
      path: KALSHI_PATHS.cancelOrder(orderId),
      query: { market_ticker: ticker },
      kind: 'write',
      idempotent: true,
    });
    return parseCancelOrderResponse(response.body);
  }
}
