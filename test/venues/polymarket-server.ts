// An imitation of Polymarket's CLOB V2 REST API, answerable to the official definitions: every response is typed by
// the official client's types (polymarket-official-types.ts, from clob-client-v2 1.1.0), paths and behaviour follow
// the CLOB API reference and the official clients. L2 HMAC and timestamp checks; EIP-712 order signatures recovered
// with viem against its own copy of the struct and domains (CTF Exchange V2 for CTF tokens, ExchangeV3 for Protocol
// V2 position ids); books sent worst-first (the documentation does not fix an order); FOK/FAK/GTC matching; fees per
// trade; next_cursor pagination.
//
// Where the documentation is silent on what the server does, this imitation says so beside the behaviour it chose:
// the exact text of some refusals, the minimum order size for market orders, how a market order's implied price is
// matched, and one trade per level taken.
import { createHmac } from 'node:crypto';
import { hashTypedData, recoverTypedDataAddress } from 'viem';
import { ceilDiv, decimalToScaled, ImitationServer, MICRO, scaledToDecimal, type ImitationRequest, type Reply } from './imitation.js';
import type {
  BalanceAllowanceResponse,
  CancelOrdersResponse,
  ClobErrorResponseBody,
  ClobMarket,
  MarketDetails,
  NewOrderV2,
  OpenOrder,
  OrderBookSummary,
  OrderResponse,
  Trade,
  TradesPage,
  VersionResponse,
} from './polymarket-official-types.js';

const TIMESTAMP_TOLERANCE_SECONDS = 30;
const END_CURSOR = 'LTE=';

// The V2 order struct and domains, written out here independently of the adapter so a mistake there fails here.
const ORDER_TYPES = {
  Order: [
    { name: 'salt', type: 'uint256' },
    { name: 'maker', type: 'address' },
    { name: 'signer', type: 'address' },
    { name: 'tokenId', type: 'uint256' },
    { name: 'makerAmount', type: 'uint256' },
    { name: 'takerAmount', type: 'uint256' },
    { name: 'side', type: 'uint8' },
    { name: 'signatureType', type: 'uint8' },
    { name: 'timestamp', type: 'uint256' },
    { name: 'metadata', type: 'bytes32' },
    { name: 'builder', type: 'bytes32' },
  ],
} as const;
// clob-client-v2 1.1.0 src/config.ts, Polygon (MATIC_CONTRACTS).
const EXCHANGE_V2 = '0xE111180000d2663C0091e4f400237545B87B996B';
const NEG_RISK_EXCHANGE_V2 = '0xe2222d279d744050d28e00520010520000310F59';
const EXCHANGE_V3 = '0xe3333700cA9d93003F00f0F71f8515005F6c00Aa';
const MAX_UINT256 = ((1n << 256n) - 1n).toString();

type Hex = `0x${string}`;

export interface PolymarketMarketSpec {
  readonly yesToken: string;
  readonly noToken: string;
  /** As /clob-markets publishes it (a JSON number): 0.1, 0.01, 0.005, 0.0025, 0.001 or 0.0001. */
  readonly tickSize: number;
  readonly negRisk: boolean;
  /** Taker fee rate and exponent, as /clob-markets publishes them; a rate of 0 publishes no `fd` at all. */
  readonly feeRate: number;
  readonly feeExponent: number;
  /** `mos` (default 5, the reference's example). */
  readonly minOrderSize?: number;
  readonly question?: string;
  readonly endDateIso?: string;
  /**
   * The market's taker delay (`itode`): marketable orders are held this long before they are matched. The reference
   * says only that they are held for a 250 ms window; what GET /data/order shows meanwhile is not documented: here,
   * nothing (404), as the official ts-sdk's settlement wait expects of a delayed order it cannot list yet. Infinity:
   * held until releaseHeld().
   */
  readonly takerDelayMs?: number;
}

export interface PolymarketBookSpec {
  readonly bids: ReadonlyArray<readonly [string, string]>;
  readonly asks: ReadonlyArray<readonly [string, string]>;
}

export interface PolymarketImitationOptions {
  readonly apiKey: string;
  readonly secret: string;
  readonly passphrase: string;
  /** The EOA that owns the API key. */
  readonly address: Hex;
  readonly markets: Readonly<Record<string, PolymarketMarketSpec>>;
  readonly books: Readonly<Record<string, PolymarketBookSpec>>;
  readonly balanceMicros: bigint;
  readonly tradesPageSize?: number;
  /** What GET /version answers (default 2). */
  readonly orderVersion?: number;
}

interface Level {
  price: bigint;
  size: bigint;
}

interface ServerOrder {
  readonly id: Hex;
  readonly market: string;
  readonly assetId: string;
  readonly side: 'BUY' | 'SELL';
  readonly originalSize: bigint;
  readonly price: bigint;
  readonly orderType: string;
  readonly createdAt: number;
  status: 'LIVE' | 'MATCHED' | 'CANCELED';
  sizeMatched: bigint;
  readonly tradeIds: string[];
  response: OrderResponse;
}

interface ServerTrade {
  readonly id: string;
  readonly takerOrderId: string;
  readonly market: string;
  readonly assetId: string;
  readonly side: 'BUY' | 'SELL';
  readonly size: bigint;
  readonly price: bigint;
  readonly feeRateBps: bigint;
  readonly matchTime: number;
}

/** A market's rules as the server holds them now (a tick can change while the market trades). */
interface MarketState {
  tickSize: number;
  minOrderSize: number;
}

export class PolymarketImitation {
  readonly orders = new Map<string, ServerOrder>();
  readonly trades: ServerTrade[] = [];
  balanceMicros: bigint;
  /** What GET /version answers; changing it makes CTF token orders signed for version 2 refused as a mismatch. */
  orderVersion: number;
  server!: ImitationServer;
  private readonly books = new Map<string, { bids: Level[]; asks: Level[] }>();
  private readonly state = new Map<string, MarketState>();
  /** Orders held in a taker delay, by id, with the answer their POST got. */
  private readonly delayed = new Map<string, OrderResponse>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly releases: (() => void)[] = [];
  private nextTrade = 1;

  private constructor(private readonly options: PolymarketImitationOptions) {
    this.balanceMicros = options.balanceMicros;
    this.orderVersion = options.orderVersion ?? 2;
    for (const [token, spec] of Object.entries(options.books)) {
      const levels = (side: PolymarketBookSpec['bids']) => side.map(([price, size]) => ({ price: decimalToScaled(price, 6), size: decimalToScaled(size, 6) }));
      this.books.set(token, { bids: levels(spec.bids), asks: levels(spec.asks) });
    }
    for (const [conditionId, spec] of Object.entries(options.markets)) this.state.set(conditionId, { tickSize: spec.tickSize, minOrderSize: spec.minOrderSize ?? 5 });
  }

  static async start(options: PolymarketImitationOptions): Promise<PolymarketImitation> {
    const imitation = new PolymarketImitation(options);
    imitation.server = await ImitationServer.start((request) => imitation.handle(request), (_status, message) => ({ error: message }) satisfies ClobErrorResponseBody);
    return imitation;
  }

  close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    return this.server.close();
  }

  /** The market's tick or minimum changes, as Polymarket changes a tick near 0 and 1. */
  setRules(conditionId: string, rules: Partial<MarketState>): void {
    Object.assign(this.state.get(conditionId)!, rules);
  }

  private async handle(request: ImitationRequest): Promise<Reply> {
    const route = `${request.method} ${request.pathname}`;
    let match: RegExpExecArray | null;
    // Public market data: no authentication (CLOB API reference: "All data endpoints are public").
    if (route === 'GET /book') return this.book(request.query.get('token_id') ?? '');
    if (route === 'GET /version') return { status: 200, body: { version: this.orderVersion } satisfies VersionResponse };
    if ((match = /^GET \/clob-markets\/([^/]+)$/.exec(route))) return this.clobMarket(decodeURIComponent(match[1]!));
    if ((match = /^GET \/markets\/([^/]+)$/.exec(route))) return this.market(decodeURIComponent(match[1]!));
    const authFailure = this.authenticate(request);
    if (authFailure) return authFailure;
    if (route === 'GET /balance-allowance') return this.balance(request.query);
    if (route === 'POST /order') return this.postOrder(request);
    if (route === 'DELETE /order') return this.cancel(request);
    if ((match = /^GET \/data\/order\/([^/]+)$/.exec(route))) return this.getOrder(decodeURIComponent(match[1]!));
    if (route === 'GET /data/trades') return this.listTrades(request.query);
    return error(404, 'not found');
  }

  /** L2: POLY_* headers; HMAC-SHA256 (base64-decoded secret) over ts + METHOD + path + body, URL-safe base64. */
  private authenticate(request: ImitationRequest): Reply | null {
    const get = (name: string) => (typeof request.headers[name] === 'string' ? (request.headers[name] as string) : '');
    const [address, signature, timestamp, apiKey, passphrase] = ['poly_address', 'poly_signature', 'poly_timestamp', 'poly_api_key', 'poly_passphrase'].map(get);
    if (!address || !signature || !timestamp || !apiKey || !passphrase) return error(401, 'Unauthorized/Invalid api key');
    if (apiKey !== this.options.apiKey || passphrase !== this.options.passphrase) return error(401, 'Unauthorized/Invalid api key');
    if (address.toLowerCase() !== this.options.address.toLowerCase()) return error(401, 'Unauthorized/Invalid api key');
    if (!/^\d+$/.test(timestamp) || Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) {
      return error(401, 'Unauthorized/Invalid timestamp');
    }
    const expected = createHmac('sha256', Buffer.from(this.options.secret, 'base64'))
      .update(`${timestamp}${request.method}${request.pathname}${request.bodyText}`)
      .digest('base64')
      .replace(/\+/g, '-')
      .replace(/\//g, '_');
    return expected === signature ? null : error(401, 'Unauthorized/Invalid api key');
  }

  private marketOfToken(token: string): [string, PolymarketMarketSpec] | null {
    const entry = Object.entries(this.options.markets).find(([, market]) => market.yesToken === token || market.noToken === token);
    return entry ?? null;
  }

  /** MarketDetails: `nr` and `fd.to` omitted when false, `r` always present (null when unset), numbers as numbers. */
  private clobMarket(conditionId: string): Reply {
    const market = this.options.markets[conditionId];
    const state = this.state.get(conditionId);
    if (!market || !state) return error(404, 'market not found');
    const body: MarketDetails = {
      c: conditionId,
      t: [
        { t: market.yesToken, o: 'Yes' },
        { t: market.noToken, o: 'No' },
      ],
      mts: state.tickSize,
      mos: state.minOrderSize,
      mbf: 0,
      tbf: 0,
      r: null,
      ...(market.negRisk ? { nr: true } : {}),
      ...(market.takerDelayMs !== undefined ? { itode: true } : {}),
      ...(market.feeRate > 0 ? { fd: { r: market.feeRate, e: market.feeExponent, to: true } } : {}),
    };
    return { status: 200, body };
  }

  private market(conditionId: string): Reply {
    const market = this.options.markets[conditionId];
    const state = this.state.get(conditionId);
    if (!market || !state) return error(404, 'market not found');
    const body: ClobMarket = {
      condition_id: conditionId,
      question: market.question ?? 'Will the imitation answer?',
      description: 'An imitation market.',
      end_date_iso: market.endDateIso ?? '2026-12-31T00:00:00Z',
      game_start_time: null,
      accepting_orders: true,
      accepting_order_timestamp: null,
      active: true,
      closed: false,
      archived: false,
      enable_order_book: true,
      minimum_order_size: state.minOrderSize,
      minimum_tick_size: state.tickSize,
      neg_risk: market.negRisk,
      tokens: [
        { token_id: market.yesToken, outcome: 'Yes', price: 0.5, winner: false },
        { token_id: market.noToken, outcome: 'No', price: 0.5, winner: false },
      ],
    };
    return { status: 200, body };
  }

  /** Sent worst level first on both sides: the adapter must take max bid and min ask whatever the order. */
  private book(token: string): Reply {
    const book = this.books.get(token);
    const market = this.marketOfToken(token);
    if (!book || !market) return error(404, 'No orderbook exists for the requested token id');
    const state = this.state.get(market[0])!;
    const levels = (side: Level[], ascending: boolean) =>
      [...side].sort((a, b) => (ascending === a.price < b.price ? -1 : 1)).map((level) => ({ price: plain(level.price), size: plain(level.size) }));
    const body: OrderBookSummary = {
      market: market[0],
      asset_id: token,
      timestamp: String(Date.now()),
      hash: 'imitation',
      bids: levels(book.bids, true),
      asks: levels(book.asks, false),
      min_order_size: String(state.minOrderSize),
      tick_size: String(state.tickSize),
      neg_risk: market[1].negRisk,
      last_trade_price: '0.5',
    };
    return { status: 200, body };
  }

  private balance(query: URLSearchParams): Reply {
    if (query.get('asset_type') !== 'COLLATERAL') return error(400, 'asset_type must be COLLATERAL or CONDITIONAL');
    const body: BalanceAllowanceResponse = {
      balance: this.balanceMicros.toString(),
      allowances: { [EXCHANGE_V2]: MAX_UINT256, [NEG_RISK_EXCHANGE_V2]: MAX_UINT256, [EXCHANGE_V3]: MAX_UINT256 },
    };
    return { status: 200, body };
  }

  private async postOrder(request: ImitationRequest): Promise<Reply> {
    const body = request.json() as Partial<NewOrderV2> | null;
    const order = body?.order as Record<string, unknown> | undefined;
    const orderType = body?.orderType;
    if (!order || !body || (orderType !== 'GTC' && orderType !== 'GTD' && orderType !== 'FOK' && orderType !== 'FAK')) return error(400, 'Invalid order payload');
    // postOnly and deferExec are optional in the reference ("default: false"); the official client always sends both.
    if ((body.postOnly !== undefined && typeof body.postOnly !== 'boolean') || (body.deferExec !== undefined && typeof body.deferExec !== 'boolean')) {
      return error(400, 'Invalid order payload');
    }
    // The reference: post-only cannot be combined with FOK or FAK, such an order is rejected (its text is not documented).
    if ((orderType === 'FOK' || orderType === 'FAK') && body.postOnly === true) return error(400, 'invalid post-only order: post-only is not supported for FOK/FAK orders');
    if (body.owner !== this.options.apiKey) return error(400, 'the order owner has to be the owner of the API KEY');
    const market = this.marketOfToken(String(order.tokenId));
    if (!market) return error(400, 'market not found for token id');
    const positions = isPositionId(String(order.tokenId));
    // A CTF token order is signed for the version GET /version names; only version 2 is imitated. (The documentation
    // gives the error's name, order_version_mismatch, through the official clients, not its full text.)
    if (!positions && this.orderVersion !== 2) return error(400, 'order_version_mismatch');
    const typed = typedOrder(order, positions ? EXCHANGE_V3 : market[1].negRisk ? NEG_RISK_EXCHANGE_V2 : EXCHANGE_V2, positions ? '3' : '2');
    if (!typed) return error(400, 'Invalid order payload');
    const signer = await recoverTypedDataAddress({ ...typed, signature: order.signature as Hex }).catch(() => null);
    const header = request.headers.poly_address as string;
    if (!signer || signer.toLowerCase() !== String(order.signer).toLowerCase() || signer.toLowerCase() !== header.toLowerCase()) {
      return error(400, 'invalid signature');
    }
    const id = hashTypedData(typed);
    const existing = this.orders.get(id);
    if (existing) return { status: 200, body: existing.response };
    const held = this.delayed.get(id);
    if (held) return { status: 200, body: held };
    const refusal = this.refusal(market[0], typed.message, orderType);
    if (refusal) return refusal;
    if (market[1].takerDelayMs !== undefined && (orderType === 'FOK' || orderType === 'FAK')) return this.hold(id, market, typed.message, orderType, market[1].takerDelayMs);
    const reply = this.match(id, market, typed.message, orderType);
    if (reply.status === 200 && this.server.takeFault(request.method, request.pathname, ['drop-after-accept'])) return 'drop';
    return reply;
  }

  /** A marketable order on a taker-delay market: accepted as "delayed", matched (or killed) when the delay ends. */
  private hold(id: Hex, market: [string, PolymarketMarketSpec], message: TypedMessage, orderType: string, delayMs: number): Reply {
    const response: OrderResponse = { success: true, errorMsg: '', orderID: id, status: 'delayed', makingAmount: '0', takingAmount: '0' };
    this.delayed.set(id, response);
    const release = () => {
      if (!this.delayed.delete(id)) return;
      const size = message.side === 0 ? message.takerAmount : message.makerAmount;
      const collateral = message.side === 0 ? message.makerAmount : message.takerAmount;
      // Killed after the delay: the order exists, cancelled with nothing matched.
      if (this.match(id, market, message, orderType).status !== 200) this.record(id, market[0], message, size, (collateral * MICRO) / size, orderType, 0n).status = 'CANCELED';
    };
    this.releases.push(release);
    if (Number.isFinite(delayMs)) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        release();
      }, delayMs);
      this.timers.add(timer);
    }
    return { status: 200, body: response };
  }

  /** Ends every taker delay now (a market held with an infinite delay waits for this). */
  releaseHeld(): void {
    for (const release of this.releases.splice(0)) release();
  }

  /** What the CLOB refuses in an order's amounts, price and size. */
  private refusal(conditionId: string, message: TypedMessage, orderType: string): Exclude<Reply, 'drop'> | null {
    const state = this.state.get(conditionId)!;
    const buying = message.side === 0;
    const sideName = buying ? 'buy' : 'sell';
    const tick = decimalToScaled(String(state.tickSize), 6);
    const tickDecimals = String(state.tickSize).split('.')[1]?.length ?? 0;
    const market = orderType === 'FOK' || orderType === 'FAK';
    // Market orders: the CLOB's own text, as the official repositories quote it ("invalid amounts, the market buy
    // orders maker amount supports a max accuracy of 2 decimals, taker amount a max of 4 decimals"). Limit orders:
    // the cash side to the tick's decimals + 2 (clob-client-v2 ROUNDING_CONFIG `amount`), the share side to 2.
    const makerMost = market ? 2 : buying ? tickDecimals + 2 : 2;
    const takerMost = market ? 4 : buying ? 2 : tickDecimals + 2;
    if (!decimalsAtMost(message.makerAmount, makerMost) || !decimalsAtMost(message.takerAmount, takerMost)) {
      return error(400, `invalid amounts, the ${market ? 'market ' : ''}${sideName} orders maker amount supports a max accuracy of ${makerMost} decimals, taker amount a max of ${takerMost} decimals`);
    }
    const size = buying ? message.takerAmount : message.makerAmount;
    const collateral = buying ? message.makerAmount : message.takerAmount;
    // A limit order's price is exactly on the tick; a market order's amounts only bound its price (the official
    // builder rounds them, leaving a price off the grid), so its tick is not checked here.
    if (!market && ((collateral * MICRO) % size !== 0n || ((collateral * MICRO) / size) % tick !== 0n)) {
      return error(400, `invalid price, min tick size is ${state.tickSize}`);
    }
    // The reference does not say whether market orders are held to the minimum order size; the imitation holds them.
    if (size < decimalToScaled(String(state.minOrderSize), 6)) return error(400, `Size (${plain(size)}) lower than the minimum: ${state.minOrderSize}`);
    return null;
  }

  /**
   * Fills at the resting levels up to the order's price: a buy pays at most `collateral` for `size` shares, so a level
   * crosses when price × size ≤ collateral. One trade per level taken (the reference does not say how a taker order
   * that crosses several levels is reported; the official Trade type lists the makers it met in maker_orders).
   */
  private match(id: Hex, market: [string, PolymarketMarketSpec], message: TypedMessage, orderType: string): Exclude<Reply, 'drop'> {
    const buying = message.side === 0;
    const size = buying ? message.takerAmount : message.makerAmount;
    const collateral = buying ? message.makerAmount : message.takerAmount;
    const book = this.books.get(message.tokenId.toString())!;
    const levels = buying ? [...book.asks].sort((a, b) => (a.price < b.price ? -1 : 1)) : [...book.bids].sort((a, b) => (a.price > b.price ? -1 : 1));
    const crossing = levels.filter((level) => (buying ? level.price * size <= collateral * MICRO : level.price * size >= collateral * MICRO));
    const available = crossing.reduce((sum, level) => sum + level.size, 0n);
    if (orderType === 'FOK' && available < size) return error(400, "order couldn't be fully filled. FOK orders are fully filled or killed.");
    if (orderType === 'FAK' && available === 0n) return error(400, 'no orders found to match with FAK order. FAK orders are partially filled or killed if no match is found.');
    const takes = takeLevels(crossing, size);
    const feeRatePpm = decimalToScaled(String(market[1].feeRate), 6);
    const fees = takes.map((take) => takerFee(take.size, take.level.price, feeRatePpm, market[1].feeExponent));
    const notional = takes.reduce((sum, take) => sum + (take.size * take.level.price) / MICRO, 0n);
    const fee = fees.reduce((sum, item) => sum + item, 0n);
    if (buying && notional + fee > this.balanceMicros) return error(400, 'not enough balance / allowance');
    const filled = takes.reduce((sum, take) => sum + take.size, 0n);
    const order = this.record(id, market[0], message, size, (collateral * MICRO) / size, orderType, filled);
    for (const take of takes) {
      take.level.size -= take.size;
      this.trades.push(this.trade(order, take.size, take.level.price, feeRatePpm));
    }
    book.asks = book.asks.filter((level) => level.size > 0n);
    book.bids = book.bids.filter((level) => level.size > 0n);
    this.balanceMicros += buying ? -(notional + fee) : notional - fee;
    // The reference's example gives makingAmount/takingAmount without saying their unit; shares and dollars here.
    order.response = {
      success: true,
      errorMsg: '',
      orderID: id,
      status: filled > 0n ? 'matched' : 'live',
      makingAmount: plain(buying ? notional : filled),
      takingAmount: plain(buying ? filled : notional),
      transactionsHashes: [],
      tradeIDs: [...order.tradeIds],
    };
    return { status: 200, body: order.response };
  }

  private record(id: Hex, market: string, message: TypedMessage, size: bigint, price: bigint, orderType: string, filled: bigint): ServerOrder {
    const status = filled === size || orderType === 'FOK' || orderType === 'FAK' ? 'MATCHED' : 'LIVE';
    const order: ServerOrder = {
      id,
      market,
      assetId: message.tokenId.toString(),
      side: message.side === 0 ? 'BUY' : 'SELL',
      originalSize: size,
      price,
      orderType,
      createdAt: Math.floor(Date.now() / 1000),
      status,
      sizeMatched: filled,
      tradeIds: [],
      response: { success: false, errorMsg: '', orderID: id, status: '', makingAmount: '0', takingAmount: '0' },
    };
    this.orders.set(id, order);
    return order;
  }

  private trade(order: ServerOrder, size: bigint, price: bigint, feeRatePpm: bigint): ServerTrade {
    const trade: ServerTrade = {
      id: `trade-${this.nextTrade++}`,
      takerOrderId: order.id,
      market: order.market,
      assetId: order.assetId,
      side: order.side,
      size,
      price,
      feeRateBps: feeRatePpm / 100n,
      matchTime: Math.floor(Date.now() / 1000),
    };
    order.tradeIds.push(trade.id);
    return trade;
  }

  /** OpenOrder, sizes in shares as decimal text (the reference: "Already normalized; do not divide by 1e6"). */
  private getOrder(id: string): Reply {
    const order = this.orders.get(id);
    if (!order) return error(404, 'order not found');
    const body: OpenOrder = {
      id: order.id,
      status: order.status,
      owner: this.options.apiKey,
      maker_address: this.options.address,
      market: order.market,
      asset_id: order.assetId,
      side: order.side,
      original_size: plain(order.originalSize),
      size_matched: plain(order.sizeMatched),
      price: plain(order.price),
      associate_trades: order.tradeIds,
      outcome: 'Yes',
      created_at: order.createdAt,
      expiration: '0',
      order_type: order.orderType,
    };
    return { status: 200, body };
  }

  private listTrades(query: URLSearchParams): Reply {
    const after = query.get('after');
    const matching = this.trades.filter(
      (trade) =>
        (query.get('market') === null || trade.market === query.get('market')) &&
        (query.get('asset_id') === null || trade.assetId === query.get('asset_id')) &&
        (after === null || trade.matchTime > Number(after)),
    );
    const limit = this.options.tradesPageSize ?? 100;
    const cursor = query.get('next_cursor');
    const start = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8')) : 0;
    const page = matching.slice(start, start + limit);
    const next = start + limit < matching.length ? Buffer.from(String(start + limit)).toString('base64') : END_CURSOR;
    const data = page.map(
      (trade): Trade => ({
        id: trade.id,
        taker_order_id: trade.takerOrderId,
        market: trade.market,
        asset_id: trade.assetId,
        side: trade.side,
        size: plain(trade.size),
        fee_rate_bps: trade.feeRateBps.toString(),
        price: plain(trade.price),
        status: 'CONFIRMED',
        match_time: String(trade.matchTime),
        last_update: String(trade.matchTime),
        outcome: 'Yes',
        bucket_index: 0,
        owner: this.options.apiKey,
        maker_address: this.options.address,
        transaction_hash: `0x${'0'.repeat(64)}`,
        trader_side: 'TAKER',
        maker_orders: [],
      }),
    );
    const body: TradesPage = { data, next_cursor: next, limit, count: page.length };
    return { status: 200, body };
  }

  private cancel(request: ImitationRequest): Reply {
    const body = request.json() as { orderID?: unknown } | null;
    const id = typeof body?.orderID === 'string' ? body.orderID : '';
    const order = this.orders.get(id);
    if (!order || order.status !== 'LIVE') {
      return { status: 200, body: { canceled: [], not_canceled: { [id]: order ? 'order is not live' : 'order not found' } } satisfies CancelOrdersResponse };
    }
    order.status = 'CANCELED';
    return { status: 200, body: { canceled: [id], not_canceled: {} } satisfies CancelOrdersResponse };
  }
}

interface TypedMessage {
  readonly salt: bigint;
  readonly maker: Hex;
  readonly signer: Hex;
  readonly tokenId: bigint;
  readonly makerAmount: bigint;
  readonly takerAmount: bigint;
  readonly side: number;
  readonly signatureType: number;
  readonly timestamp: bigint;
  readonly metadata: Hex;
  readonly builder: Hex;
}

/** The signed struct rebuilt from the posted JSON; null when a field is missing or malformed. */
function typedOrder(order: Record<string, unknown>, exchange: string, version: '2' | '3') {
  try {
    const message: TypedMessage = {
      salt: BigInt(order.salt as number),
      maker: order.maker as Hex,
      signer: order.signer as Hex,
      tokenId: BigInt(order.tokenId as string),
      makerAmount: BigInt(order.makerAmount as string),
      takerAmount: BigInt(order.takerAmount as string),
      side: order.side === 'BUY' ? 0 : order.side === 'SELL' ? 1 : Number.NaN,
      signatureType: order.signatureType as number,
      timestamp: BigInt(order.timestamp as string),
      metadata: order.metadata as Hex,
      builder: order.builder as Hex,
    };
    if (Number.isNaN(message.side) || message.takerAmount === 0n || message.makerAmount === 0n) return null;
    const domain = { name: 'Polymarket CTF Exchange', version, chainId: 137, verifyingContract: exchange as Hex };
    return { domain, types: ORDER_TYPES, primaryType: 'Order' as const, message };
  } catch {
    return null;
  }
}

/** Protocol V2 position ids keep bits 40–103 zero (clob-client-v2 protocol.ts isV2PositionId); CTF token ids are hashes. */
function isPositionId(id: string): boolean {
  return (BigInt(id) & (((1n << 64n) - 1n) << 40n)) === 0n;
}

function decimalsAtMost(micros: bigint, decimals: number): boolean {
  return micros % 10n ** BigInt(6 - decimals) === 0n;
}

function takeLevels(levels: Level[], wanted: bigint): Array<{ level: Level; size: bigint }> {
  const takes: Array<{ level: Level; size: bigint }> = [];
  let left = wanted;
  for (const level of levels) {
    if (left === 0n) break;
    const size = level.size < left ? level.size : left;
    takes.push({ level, size });
    left -= size;
  }
  return takes;
}

/** size × r × (p(1 − p))^e in micro-dollars, rounded up. */
export function takerFee(size: bigint, price: bigint, ratePpm: bigint, exponent: number): bigint {
  const variance = price * (MICRO - price);
  return ceilDiv(size * ratePpm * variance ** BigInt(exponent), MICRO * (MICRO * MICRO) ** BigInt(exponent));
}

/** Decimal text without trailing zeros, as the CLOB sends sizes and prices: 100000000n → "100", 480000n → "0.48". */
function plain(value: bigint): string {
  const text = scaledToDecimal(value, 6, 6);
  return text.replace(/\.?0+$/, '');
}

function error(status: number, message: string): Exclude<Reply, 'drop'> {
  return { status, body: { error: message } satisfies ClobErrorResponseBody };
}
