// Kalshi over HTTP: one method per endpoint, each returning parsed wire results (models.ts).
// The Venue semantics (orientation, statuses, reports) live in kalshi-venue.ts.
import { collectPages, PAGES_MAX_DEFAULT } from '../http/paginate.js';
import type { VenueHttpClient } from '../http/venue-http-client.js';
import {
  KALSHI_DUPLICATE_STATUS,
  KALSHI_PATHS,
  parseBalance,
  parseCreateOrderResponse,
  parseFillsPage,
  parseOrderEnvelope,
  parseOrdersPage,
  type KalshiCreatedOrder,
  type KalshiCreateOrderBody,
  type KalshiFill,
  type KalshiOrder,
} from './models.js';
import type { VenueBalance } from '../venue.js';

/** Fills per page requested; Kalshi's maximum is larger, but an order rarely has more than a handful. */
const FILLS_PAGE_LIMIT = 100;

export class KalshiClient {
  constructor(readonly http: VenueHttpClient) {}

  async getOrderbookBody(ticker: string): Promise<unknown> {
    const response = await this.http.request({ method: 'GET', path: KALSHI_PATHS.orderbook(ticker), kind: 'read', idempotent: true });
    return response.body;
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
   * ASSUMPTION: GET /portfolio/orders accepts a `client_order_id` filter. Kalshi documents ticker/status/event filters
   * and returns client_order_id on every order; if the filter is ignored, the match below on client_order_id still
   * finds the order (paging through the market's orders), only more slowly.
   */
  async findOrdersByClientId(clientOrderId: string, ticker: string): Promise<KalshiOrder[]> {
    const orders = await collectPages(this.http.venue, 'orders by client id', async (cursor) => {
      const response = await this.http.request({
        method: 'GET',
        path: KALSHI_PATHS.orders,
        query: { client_order_id: clientOrderId, ticker, cursor: cursor ?? undefined },
        kind: 'read',
        idempotent: true,
      });
      return parseOrdersPage(response.body);
    });
    return orders.filter((order) => order.clientOrderId === clientOrderId);
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
    return fills.filter((fill) => fill.orderId === orderId);
  }

  async cancelOrder(orderId: string): Promise<KalshiOrder> {
    const response = await this.http.request({ method: 'DELETE', path: KALSHI_PATHS.cancelOrder(orderId), kind: 'write', idempotent: true });
    return parseOrderEnvelope(response.body);
  }
}
