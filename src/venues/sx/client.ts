// SX Bet over HTTP: the REST API (X-Api-Key) and, for the USDC balance, the chain's JSON-RPC endpoint.
import type { Micros } from '../../domain/money.js';
import { collectPages } from '../http/paginate.js';
import type { VenueHttpClient } from '../http/venue-http-client.js';
import {
  balanceOfCall,
  parseBalanceOfResult,
  parseFillResult,
  parseMakerOrders,
  parseMetadata,
  parseTradesPage,
  SX_PATHS,
  type FillBody,
  type FillResult,
  type Hex,
  type SxMakerOrder,
  type SxMetadata,
  type SxTrade,
} from './models.js';

/** Trades per page requested (SX allows up to 300). */
const TRADES_PAGE_SIZE = 100;

export class SxClient {
  constructor(
    readonly http: VenueHttpClient,
    private readonly rpc: () => VenueHttpClient,
  ) {}

  async getMetadata(): Promise<SxMetadata> {
    const response = await this.http.request({ method: 'GET', path: SX_PATHS.metadata, kind: 'read', idempotent: true });
    return parseMetadata(response.body);
  }

  async getMakerOrders(marketHash: string): Promise<SxMakerOrder[]> {
    const response = await this.http.request({ method: 'GET', path: SX_PATHS.orders, query: { marketHashes: marketHash }, kind: 'read', idempotent: true });
    return parseMakerOrders(response.body);
  }

  /** Not retried: whether SX dedupes a re-sent fill salt is not documented, so an unknown outcome is looked up instead. */
  async postFill(body: FillBody, clientOrderId: string): Promise<FillResult> {
    const response = await this.http.request({ method: 'POST', path: SX_PATHS.fill, body, kind: 'write', idempotent: false, clientOrderId });
    return parseFillResult(response.body);
  }

  /** Our taker trades in one market, all pages. */
  async getTakerTrades(bettor: Hex, marketHash: string): Promise<SxTrade[]> {
    const trades = await collectPages(this.http.venue, `trades in ${marketHash}`, async (cursor) => {
      const response = await this.http.request({
        method: 'GET',
        path: SX_PATHS.trades,
        query: { bettor, marketHashes: marketHash, pageSize: String(TRADES_PAGE_SIZE), paginationKey: cursor ?? undefined },
        kind: 'read',
        idempotent: true,
      });
      return parseTradesPage(response.body);
    });
    return trades.filter((trade) => !trade.maker);
  }

  async getUsdcBalance(usdc: Hex, owner: Hex): Promise<Micros> {
    const response = await this.rpc().request({ method: 'POST', path: '', body: balanceOfCall(usdc, owner), kind: 'read', idempotent: true });
    return parseBalanceOfResult(response.body);
  }
}
