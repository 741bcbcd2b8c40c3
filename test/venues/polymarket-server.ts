// An imitation of Polymarket's CLOB V2 REST API, from the public docs, the official V2 client and venues.md: same
// paths and JSON shapes (decimal strings for prices and sizes, micro-units for balances and signed amounts); L2 HMAC
// and timestamp checks; EIP-712 V2 order signatures recovered with viem against its own copy of the struct; books
// sent worst-first (the docs disagree on order); FOK/FAK/GTC matching; fees per trade; next_cursor pagination.
import { createHmac } from 'node:crypto';
import { hashTypedData, recoverTypedDataAddress } from 'viem';
import { ceilDiv, decimalToScaled, ImitationServer, MICRO, scaledToDecimal, type ImitationRequest, type Reply } from './imitation.js';

const TIMESTAMP_TOLERANCE_SECONDS = 30;
const END_CURSOR = 'LTE=';

// The V2 order struct and domain, written out here independently of the adapter so a mistake there fails here.
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
const EXCHANGE = '0xE111180000d2663C0091e4f400237545B87B996B';
const NEG_RISK_EXCHANGE = '0xe2222d279d744050d28e00520010520000310F59';

type Hex = `0x${string}`;

export interface PolymarketMarketSpec {
  readonly yesToken: string;
  readonly noToken: string;
  readonly tickSize: number;
  readonly negRisk: boolean;
  /** Taker fee rate and exponent, as /clob-markets publishes them (JSON numbers). */
  readonly feeRate: number;
  readonly feeExponent: number;
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
  response: Record<string, unknown>;
}

interface ServerTrade {
  readonly id: string;
  readonly takerOrderId: string;
  readonly market: string;
  readonly assetId: string;
  readonly side: string;
  readonly size: bigint;
  readonly price: bigint;
  readonly feeRateBps: bigint;
  readonly matchTime: number;
}

export class PolymarketImitation {
  readonly orders = new Map<string, ServerOrder>();
  readonly trades: ServerTrade[] = [];
  balanceMicros: bigint;
  server!: ImitationServer;
  private readonly books = new Map<string, { bids: Level[]; asks: Level[] }>();
  private nextTrade = 1;

  private constructor(private readonly options: PolymarketImitationOptions) {
    this.balanceMicros = options.balanceMicros;
    for (const [token, spec] of Object.entries(options.books)) {
      const levels = (side: PolymarketBookSpec['bids']) => side.map(([price, size]) => ({ price: decimalToScaled(price, 6), size: decimalToScaled(size, 6) }));
      this.books.set(token, { bids: levels(spec.bids), asks: levels(spec.asks) });
    }
  }

  static async start(options: PolymarketImitationOptions): Promise<PolymarketImitation> {
    const imitation = new PolymarketImitation(options);
    imitation.server = await ImitationServer.start((request) => imitation.handle(request), (_status, message) => ({ error: message }));
    return imitation;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(request: ImitationRequest): Promise<Reply> {
    const route = `${request.method} ${request.pathname}`;
    let match: RegExpExecArray | null;
    if (route === 'GET /book') return this.book(request.query.get('token_id') ?? '');
    if ((match = /^GET \/clob-markets\/([^/]+)$/.exec(route))) return this.market(decodeURIComponent(match[1]!));
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

  private market(conditionId: string): Reply {
    const market = this.options.markets[conditionId];
    if (!market) return error(404, 'market not found');
    return {
      status: 200,
      body: {
        c: conditionId,
        t: [
          { t: market.yesToken, o: 'Yes' },
          { t: market.noToken, o: 'No' },
        ],
        mts: market.tickSize,
        nr: market.negRisk,
        fd: { r: market.feeRate, e: market.feeExponent, to: true },
      },
    };
  }

  /** Sent worst level first on both sides: the adapter must take max bid and min ask whatever the order. */
  private book(token: string): Reply {
    const book = this.books.get(token);
    const market = this.marketOfToken(token);
    if (!book || !market) return error(404, 'No orderbook exists for the requested token id');
    const levels = (side: Level[], ascending: boolean) =>
      [...side].sort((a, b) => (ascending === a.price < b.price ? -1 : 1)).map((level) => ({ price: plain(level.price), size: plain(level.size) }));
    return {
      status: 200,
      body: {
        market: market[0],
        asset_id: token,
        timestamp: String(Date.now()),
        hash: 'imitation',
        bids: levels(book.bids, true),
        asks: levels(book.asks, false),
        min_order_size: '5',
        tick_size: String(market[1].tickSize),
        neg_risk: market[1].negRisk,
        last_trade_price: '0.5',
      },
    };
  }

  private balance(query: URLSearchParams): Reply {
    if (query.get('asset_type') !== 'COLLATERAL') return error(400, 'asset_type must be COLLATERAL or CONDITIONAL');
    return { status: 200, body: { balance: this.balanceMicros.toString(), allowance: '115792089237316195423570985008687907853269984665640564039457584007913129639935' } };
  }

  private async postOrder(request: ImitationRequest): Promise<Reply> {
    const body = request.json() as { order?: Record<string, unknown>; owner?: unknown; orderType?: unknown } | null;
    const order = body?.order;
    if (!order || typeof body.orderType !== 'string') return error(400, 'invalid order payload');
    if (body.owner !== this.options.apiKey) return error(400, 'the order owner has to be the owner of the API KEY');
    const market = this.marketOfToken(String(order.tokenId));
    if (!market) return error(400, 'market not found for token id');
    const typed = typedOrder(order, market[1].negRisk);
    if (!typed) return error(400, 'invalid order payload');
    const signer = await recoverTypedDataAddress({ ...typed, signature: order.signature as Hex }).catch(() => null);
    const header = request.headers.poly_address as string;
    if (!signer || signer.toLowerCase() !== String(order.signer).toLowerCase() || signer.toLowerCase() !== header.toLowerCase()) {
      return error(400, 'invalid signature');
    }
    const id = hashTypedData(typed);
    const existing = this.orders.get(id);
    if (existing) return { status: 200, body: existing.response };
    const reply = this.match(id, market, typed.message, body.orderType);
    if (reply.status === 200 && this.server.takeFault(request.method, request.pathname, ['drop-after-accept'])) return 'drop';
    return reply;
  }

  private match(id: Hex, market: [string, PolymarketMarketSpec], message: TypedMessage, orderType: string): Exclude<Reply, 'drop'> {
    const buying = message.side === 0;
    const size = buying ? message.takerAmount : message.makerAmount;
    const collateral = buying ? message.makerAmount : message.takerAmount;
    const price = (collateral * MICRO) / size;
    const tick = decimalToScaled(String(market[1].tickSize), 6);
    if (price % tick !== 0n || (collateral * MICRO) % size !== 0n) return error(400, `invalid price, min tick size is ${market[1].tickSize}`);
    const book = this.books.get(message.tokenId.toString())!;
    const levels = buying ? [...book.asks].sort((a, b) => (a.price < b.price ? -1 : 1)) : [...book.bids].sort((a, b) => (a.price > b.price ? -1 : 1));
    const crossing = levels.filter((level) => (buying ? level.price <= price : level.price >= price));
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
    const order = this.record(id, market[0], message, size, price, orderType, filled);
    for (const take of takes) {
      take.level.size -= take.size;
      this.trades.push(this.trade(order, take.size, take.level.price, feeRatePpm));
    }
    book.asks = book.asks.filter((level) => level.size > 0n);
    book.bids = book.bids.filter((level) => level.size > 0n);
    this.balanceMicros += buying ? -(notional + fee) : notional - fee;
    order.response = {
      success: true,
      errorMsg: '',
      orderID: id,
      status: filled > 0n ? 'matched' : 'live',
      makingAmount: plain(buying ? notional : filled),
      takingAmount: plain(buying ? filled : notional),
      transactionsHashes: [],
    };
    return { status: 200, body: order.response };
  }

  private record(id: Hex, market: string, message: TypedMessage, size: bigint, price: bigint, orderType: string, filled: bigint): ServerOrder {
    const status = filled === size || orderType !== 'GTC' ? 'MATCHED' : 'LIVE';
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
      response: {},
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

  private getOrder(id: string): Reply {
    const order = this.orders.get(id);
    if (!order) return error(404, 'order not found');
    return {
      status: 200,
      body: {
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
      },
    };
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
    const data = page.map((trade) => ({
      id: trade.id,
      taker_order_id: trade.takerOrderId,
      market: trade.market,
      asset_id: trade.assetId,
      side: trade.side,
      size: plain(trade.size),
      fee_rate_bps: trade.feeRateBps.toString(),
      price: plain(trade.price),
      status: 'TRADE_STATUS_CONFIRMED',
      match_time: String(trade.matchTime),
      last_update: String(trade.matchTime),
      outcome: 'Yes',
      bucket_index: 0,
      owner: this.options.apiKey,
      maker_address: this.options.address,
      transaction_hash: `0x${'0'.repeat(64)}`,
      trader_side: 'TAKER',
      maker_orders: [],
    }));
    return { status: 200, body: { data, next_cursor: next, limit, count: page.length } };
  }

  private cancel(request: ImitationRequest): Reply {
    const body = request.json() as { orderID?: unknown } | null;
    const id = typeof body?.orderID === 'string' ? body.orderID : '';
    const order = this.orders.get(id);
    if (!order || order.status !== 'LIVE') return { status: 200, body: { canceled: [], not_canceled: { [id]: order ? 'order is not live' : 'order not found' } } };
    order.status = 'CANCELED';
    return { status: 200, body: { canceled: [id], not_canceled: {} } };
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
function typedOrder(order: Record<string, unknown>, negRisk: boolean) {
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
    const domain = { name: 'Polymarket CTF Exchange', version: '2', chainId: 137, verifyingContract: (negRisk ? NEG_RISK_EXCHANGE : EXCHANGE) as Hex };
    return { domain, types: ORDER_TYPES, primaryType: 'Order' as const, message };
  } catch {
    return null;
  }
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
  return { status, body: { error: message } };
}
