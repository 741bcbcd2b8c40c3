// SX Bet over HTTP: the REST API and, for the USDC balance, the chain's JSON-RPC endpoint. The REST API needs no
// API key (API reference, API Key: the key is for the realtime websocket and heartbeats only), so nothing is signed
// here: fills carry their own EIP-712 signature in the body.
import type { Micros } from '../../domain/money.js';
import { collectPages } from '../http/paginate.js';
import type { VenueHttpClient } from '../http/venue-http-client.js';
import { parseMarkets, type SxMarket } from './markets.js';
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

/** Trades per page requested (the documented default; no maximum is documented). */
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

  /** The market's resting maker orders in USDC: the baseToken filter keeps orders in other tokens out of the book. */
  async getMakerOrders(marketHash: string, usdc: Hex): Promise<SxMakerOrder[]> {
    const response = await this.http.request({ method: 'GET', path: SX_PATHS.orders, query: { marketHashes: marketHash, baseToken: usdc }, kind: 'read', idempotent: true });
    return parseMakerOrders(response.body, usdc);
  }

  async getMarkets(marketHash: string): Promise<SxMarket[]> {
    const response = await this.http.request({ method: 'GET', path: SX_PATHS.markets, query: { marketHashes: marketHash }, kind: 'read', idempotent: true });
    return parseMarkets(response.body);
  }

  /**
   * Not retried: a re-sent fill salt is refused (FILL_ALREADY_SUBMITTED), which after a lost answer says no more than
   * the lost answer did, so an unknown outcome is looked up among our trades instead.
   */
  async postFill(body: FillBody, clientOrderId: string): Promise<FillResult> {
    const response = await this.http.request({ method: 'POST', path: SX_PATHS.fill, body, kind: 'write', idempotent: false, clientOrderId });
    return parseFillResult(response.body);
  }

  /** Our taker trades in USDC in one market, all pages. */
  async getTakerTrades(bettor: Hex, marketHash: string, usdc: Hex): Promise<SxTrade[]> {
    const trades = await collectPages(this.http.venue, `trades in ${marketHash}`, async (cursor) => {
      const response = await this.http.request({
        method: 'GET',
        path: SX_PATHS.trades,
        query: { bettor, marketHashes: marketHash, baseToken: usdc, pageSize: String(TRADES_PAGE_SIZE), paginationKey: cursor ?? undefined },
        kind: 'read',
        idempotent: true,
      });
      return parseTradesPage(response.body, usdc);
    });
    return trades.filter((trade) => !trade.maker);
  }

  async getUsdcBalance(usdc: Hex, owner: Hex): Promise<Micros> {
    const response = await this.rpc().request({ method: 'POST', path: '', body: balanceOfCall(usdc, owner), kind: 'read', idempotent: true });
    return parseBalanceOfResult(response.body);
  }
}
