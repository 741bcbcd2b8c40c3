// An imitation of Kalshi's Trade API v2 (fixed-point era), answerable to Kalshi's own definitions: every response body
// is typed with the models of the OpenAPI-generated SDK (npm `kalshi-typescript`, pinned as a devDependency), so a
// wrong or missing field fails `npm run typecheck`; request bodies are checked against CreateOrderV2Request. Behaviour
// follows the Kalshi API reference and guides ("Orderbook Responses", "Fee Rounding", "Fixed-Point Migration", "Rate
// Limits"); where those say nothing, the choice made here is marked "undocumented" with what was chosen.
// Public market data (market, orderbook) is served without authentication (headers sent anyway are checked); portfolio
// endpoints check the RSA-PSS signature and timestamp. Faults are injected through `server` (see imitation.ts).
import { constants, verify, type KeyObject } from 'node:crypto';
import type {
  CancelOrderV2Response,
  CreateOrderV2Request,
  CreateOrderV2Response,
  ErrorResponse,
  Fill,
  GetBalanceResponse,
  GetFillsResponse,
  GetMarketOrderbookResponse,
  GetMarketResponse,
  GetOrderResponse,
  GetOrdersResponse,
  Market,
  Order,
  PriceRange,
} from 'kalshi-typescript';
import { ceilDiv, decimalToScaled, ImitationServer, MICRO, scaledToDecimal, type ImitationRequest, type Reply } from './imitation.js';

const API_PREFIX = '/trade-api/v2';
/** Undocumented: how far a KALSHI-ACCESS-TIMESTAMP may be from the server's clock. */
const TIMESTAMP_TOLERANCE_MS = 30_000;
const USER_ID = 'imitation-user';
const CENT = 10_000n;
const CENTICENT = 100n;

export interface KalshiBookSpec {
  /** [price, count] decimal strings, ascending by price (as "Orderbook Responses" shows them). */
  readonly yes: ReadonlyArray<readonly [string, string]>;
  readonly no: ReadonlyArray<readonly [string, string]>;
}

/** What GET /markets/{ticker} says about a market beyond its book; everything has a default. */
export interface KalshiMarketSpec {
  readonly title?: string;
  readonly yesSubTitle?: string;
  readonly closeTime?: string;
  readonly status?: Market['status'];
  /** Kalshi's price level structures ("Fixed-Point Migration"): linear_cent (default), deci_cent, tapered_deci_cent. */
  readonly priceLevelStructure?: 'linear_cent' | 'deci_cent' | 'tapered_deci_cent';
  /** Whether fractional counts are accepted; absent (the default) leaves the field out. */
  readonly fractionalTradingEnabled?: boolean;
}

/**
 * The Market model of kalshi-typescript 3.30.0, and fractional_trading_enabled, which the "Fixed-Point Migration" page
 * documents on Market responses (and Kalshi's live GET /markets/{ticker} sends) but the model does not list yet.
 */
type MarketWithFractional = Market & { fractional_trading_enabled?: boolean };

export interface KalshiImitationOptions {
  readonly apiKeyId: string;
  readonly publicKey: KeyObject;
  readonly books: Readonly<Record<string, KalshiBookSpec>>;
  readonly markets?: Readonly<Record<string, KalshiMarketSpec>>;
  readonly balanceCents: number;
  /** Fills per page at most, whatever the client asks (small values force pagination). */
  readonly fillsPageSize?: number;
  /** Orders per page at most on GET /portfolio/orders. */
  readonly ordersPageSize?: number;
  /** The member's balance precision in micro-dollars ("Fee Rounding"): a cent (default), or a centicent (direct member). */
  readonly balanceStepMicros?: bigint;
}

interface Level {
  price: bigint;
  size: bigint;
}

interface ServerOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly ticker: string;
  readonly bookSide: 'bid' | 'ask';
  readonly yesPrice: bigint;
  readonly initialCount: bigint;
  readonly timeInForce: CreateOrderV2Request['time_in_force'];
  readonly selfTradePrevention: CreateOrderV2Request['self_trade_prevention_type'];
  readonly createdTime: string;
  status: Order['status'];
  fillCount: bigint;
  remainingCount: bigint;
  takerFillCost: bigint;
  takerFees: bigint;
  /** "Fee Rounding": rounding paid over this order's fills, refunded a whole cent at a time. */
  roundingAccumulator: bigint;
}

interface ServerFill {
  readonly fillId: string;
  readonly orderId: string;
  readonly ticker: string;
  readonly bookSide: 'bid' | 'ask';
  readonly count: bigint;
  readonly yesPrice: bigint;
  readonly fee: bigint;
  readonly createdMs: number;
}

const TIME_IN_FORCE: readonly string[] = ['fill_or_kill', 'immediate_or_cancel', 'good_till_canceled'];
const SELF_TRADE_PREVENTION: readonly string[] = ['taker_at_cross', 'maker'];

export class KalshiImitation {
  readonly orders = new Map<string, ServerOrder>();
  readonly fills: ServerFill[] = [];
  balanceMicros: bigint;
  private readonly books = new Map<string, { yes: Level[]; no: Level[] }>();
  private nextId = 1;

  private constructor(private readonly options: KalshiImitationOptions) {
    this.balanceMicros = BigInt(options.balanceCents) * CENT;
    for (const [ticker, spec] of Object.entries(options.books)) {
      const levels = (side: KalshiBookSpec['yes']) => side.map(([price, size]) => ({ price: decimalToScaled(price, 6), size: decimalToScaled(size, 6) }));
      this.books.set(ticker, { yes: levels(spec.yes), no: levels(spec.no) });
    }
  }

  server!: ImitationServer;

  static async start(options: KalshiImitationOptions): Promise<KalshiImitation> {
    const imitation = new KalshiImitation(options);
    imitation.server = await ImitationServer.start((request) => imitation.handle(request), kalshiError);
    return imitation;
  }

  get baseUrl(): string {
    return `${this.server.url}${API_PREFIX}`;
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(request: ImitationRequest): Reply {
    if (!request.pathname.startsWith(API_PREFIX)) return notFound('no such route');
    const path = request.pathname.slice(API_PREFIX.length);
    const route = `${request.method} ${path}`;
    let match: RegExpExecArray | null;
    // Public market data needs no authentication ("Orderbook Responses"; the SDK's getMarket), though the SDK declares
    // the signature headers on getMarketOrderbook. Undocumented: what Kalshi does with headers that are sent anyway;
    // here they are checked like any others (a bad signature is refused), and a request without them is served.
    const isPublic = request.method === 'GET' && /^\/markets\/[^/]+(\/orderbook)?$/.test(path);
    if (!isPublic || header(request, 'kalshi-access-key') !== null || header(request, 'kalshi-access-signature') !== null) {
      const authFailure = this.authenticate(request);
      if (authFailure) return authFailure;
    }
    if ((match = /^GET \/markets\/([^/]+)\/orderbook$/.exec(route))) return this.orderbook(decodeURIComponent(match[1]!));
    if ((match = /^GET \/markets\/([^/]+)$/.exec(route))) return this.market(decodeURIComponent(match[1]!));
    if (route === 'GET /portfolio/balance') return this.balance();
    if (route === 'POST /portfolio/events/orders') return this.createOrder(request);
    if ((match = /^DELETE \/portfolio\/events\/orders\/([^/]+)$/.exec(route))) return this.cancel(decodeURIComponent(match[1]!), request.query);
    if ((match = /^GET \/portfolio\/orders\/([^/]+)$/.exec(route))) return this.getOrder(decodeURIComponent(match[1]!));
    if (route === 'GET /portfolio/orders') return this.listOrders(request.query);
    if (route === 'GET /portfolio/fills') return this.listFills(request.query);
    return notFound('no such route');
  }

  /** KALSHI-ACCESS-* headers: known key, fresh millisecond timestamp, RSA-PSS-SHA256 over ts + METHOD + path. */
  private authenticate(request: ImitationRequest): Reply | null {
    const key = header(request, 'kalshi-access-key');
    const timestamp = header(request, 'kalshi-access-timestamp');
    const signature = header(request, 'kalshi-access-signature');
    if (!key || !timestamp || !signature) return unauthorized('missing authentication headers');
    if (key !== this.options.apiKeyId) return unauthorized('unknown API key');
    if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() - Number(timestamp)) > TIMESTAMP_TOLERANCE_MS) return unauthorized('timestamp outside the allowed window');
    const message = Buffer.from(`${timestamp}${request.method}${request.pathname}`, 'utf8');
    const valid = verify('sha256', message, { key: this.options.publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, Buffer.from(signature, 'base64'));
    return valid ? null : unauthorized('invalid signature');
  }

  private orderbook(ticker: string): Reply {
    const book = this.books.get(ticker);
    if (!book) return notFound(`market ${ticker} not found`);
    const side = (levels: Level[]) => levels.map((level) => [scaledToDecimal(level.price, 6, 4), scaledToDecimal(level.size, 6, 2)]);
    return reply<GetMarketOrderbookResponse>(200, { orderbook_fp: { yes_dollars: side(book.yes), no_dollars: side(book.no) } });
  }

  private market(ticker: string): Reply {
    if (!this.books.has(ticker)) return notFound(`market ${ticker} not found`);
    return reply<GetMarketResponse & { market: MarketWithFractional }>(200, { market: this.marketOf(ticker) });
  }

  private marketOf(ticker: string): MarketWithFractional {
    const spec = this.options.markets?.[ticker] ?? {};
    const structure = spec.priceLevelStructure ?? 'linear_cent';
    const book = this.books.get(ticker)!;
    const best = (levels: Level[]) => levels[levels.length - 1]?.price ?? 0n;
    const dollars = (micros: bigint) => scaledToDecimal(micros, 6, 4);
    return {
      ticker,
      event_ticker: ticker.split('-').slice(0, 2).join('-'),
      market_type: 'binary',
      ...(spec.title === undefined ? {} : { title: spec.title }),
      yes_sub_title: spec.yesSubTitle ?? '',
      no_sub_title: '',
      created_time: '2026-01-05T15:00:00Z',
      updated_time: '2026-01-05T15:00:00Z',
      open_time: '2026-01-05T15:00:00Z',
      close_time: spec.closeTime ?? '2026-12-10T19:00:00Z',
      latest_expiration_time: '2026-12-17T15:00:00Z',
      settlement_timer_seconds: 300,
      status: spec.status ?? 'active',
      yes_bid_dollars: dollars(best(book.yes)),
      yes_bid_size_fp: '0.00',
      yes_ask_dollars: dollars(MICRO - best(book.no)),
      yes_ask_size_fp: '0.00',
      no_bid_dollars: dollars(best(book.no)),
      no_ask_dollars: dollars(MICRO - best(book.yes)),
      last_price_dollars: '0.0000',
      volume_fp: '0.00',
      volume_24h_fp: '0.00',
      result: '',
      can_close_early: true,
      open_interest_fp: '0.00',
      notional_value_dollars: '1.0000',
      previous_yes_bid_dollars: '0.0000',
      previous_yes_ask_dollars: '0.0000',
      previous_price_dollars: '0.0000',
      expiration_value: '',
      rules_primary: `If the outcome of ${ticker} is Yes, the market resolves to Yes.`,
      rules_secondary: '',
      price_level_structure: structure,
      price_ranges: PRICE_RANGES[structure],
      ...(spec.fractionalTradingEnabled === undefined ? {} : { fractional_trading_enabled: spec.fractionalTradingEnabled }),
    };
  }

  private balance(): Reply {
    return reply<GetBalanceResponse>(200, {
      // `balance` is whole cents; balance_dollars is exact (below the cent for a direct member).
      balance: Number(this.balanceMicros / CENT),
      balance_dollars: scaledToDecimal(this.balanceMicros, 6, 4),
      portfolio_value: 0,
      updated_ts: Math.floor(Date.now() / 1000),
    });
  }

  private createOrder(request: ImitationRequest): Reply {
    const parsed = validateCreate(request.json());
    if (typeof parsed === 'string') return badRequest('invalid_parameters', parsed);
    const body = parsed;
    // Undocumented: the error code of the 409 for a reused client_order_id, and how long an id stays taken ("live and
    // recent orders", says the FCM Get Orders reference). Here: every order this server ever accepted.
    if ([...this.orders.values()].some((order) => order.clientOrderId === body.client_order_id)) {
      return reply<ErrorResponse>(409, { code: 'order_already_exists', message: `client_order_id ${body.client_order_id} already used` });
    }
    const book = this.books.get(body.ticker);
    if (!book) return notFound(`market ${body.ticker} not found`);
    const wanted = decimalToScaled(body.count, 6);
    const limit = decimalToScaled(body.price, 6);
    // Undocumented: the error code for a price off the market's price_ranges.
    if (!onTick(PRICE_RANGES[this.options.markets?.[body.ticker]?.priceLevelStructure ?? 'linear_cent'], limit)) {
      return badRequest('invalid_price', `price ${body.price} is not on the market's price levels`);
    }
    const plan = planTakes(book, body.side, limit, wanted);
    const available = plan.reduce((sum, take) => sum + take.count, 0n);
    const killed = body.time_in_force === 'fill_or_kill' && available < wanted;
    const takes = killed ? [] : plan;
    // Undocumented: the error code for an order the balance cannot pay for.
    if (this.debitOf(body.side, takes) > this.balanceMicros) return badRequest('insufficient_balance', 'insufficient balance');
    const order = this.record(body, wanted, limit);
    this.execute(order, book, takes);
    if (this.server.takeFault(request.method, request.pathname, ['drop-after-accept'])) return 'drop';
    return reply<CreateOrderV2Response>(201, {
      order_id: order.orderId,
      client_order_id: order.clientOrderId,
      fill_count: fp(order.fillCount),
      remaining_count: fp(order.remainingCount),
      ts_ms: Date.now(),
    });
  }

  private record(body: CreateOrderV2Request, wanted: bigint, limit: bigint): ServerOrder {
    const order: ServerOrder = {
      orderId: `ord-${this.nextId++}`,
      clientOrderId: body.client_order_id!,
      ticker: body.ticker,
      bookSide: body.side,
      yesPrice: limit,
      initialCount: wanted,
      timeInForce: body.time_in_force,
      selfTradePrevention: body.self_trade_prevention_type,
      createdTime: new Date().toISOString(),
      status: 'resting',
      fillCount: 0n,
      remainingCount: wanted,
      takerFillCost: 0n,
      takerFees: 0n,
      roundingAccumulator: 0n,
    };
    this.orders.set(order.orderId, order);
    return order;
  }

  /** What the takes would debit, fees and rounding included ("Fee Rounding"), without changing anything. */
  private debitOf(side: 'bid' | 'ask', takes: readonly Take[]): bigint {
    let accumulator = 0n;
    let debit = 0n;
    for (const take of takes) {
      const fill = feeOfFill(take.count, pricePaid(side, take), accumulator, this.balanceStep);
      accumulator = fill.accumulator;
      debit -= fill.balanceChange;
    }
    return debit;
  }

  private get balanceStep(): bigint {
    return this.options.balanceStepMicros ?? CENT;
  }

  /**
   * A simplification of the imitation: resting orders (GTC remainders) are not matched against later orders, so
   * self-trade prevention never has anything to act on; the configured books are other members' orders.
   */
  private execute(order: ServerOrder, book: { yes: Level[]; no: Level[] }, takes: readonly Take[]): void {
    for (const take of takes) {
      take.level.size -= take.count;
      const fill = feeOfFill(take.count, pricePaid(order.bookSide, take), order.roundingAccumulator, this.balanceStep);
      order.roundingAccumulator = fill.accumulator;
      this.fills.push({
        fillId: `fill-${this.nextId++}`,
        orderId: order.orderId,
        ticker: order.ticker,
        bookSide: order.bookSide,
        count: take.count,
        yesPrice: take.yesPrice,
        fee: fill.netFee,
        createdMs: Date.now(),
      });
      this.balanceMicros += fill.balanceChange;
      order.fillCount += take.count;
      order.takerFillCost += fill.cost;
      order.takerFees += fill.netFee;
    }
    book.yes = book.yes.filter((level) => level.size > 0n);
    book.no = book.no.filter((level) => level.size > 0n);
    order.remainingCount = order.initialCount - order.fillCount;
    if (order.remainingCount === 0n) order.status = 'executed';
    else if (order.timeInForce !== 'good_till_canceled') {
      order.remainingCount = 0n; // FOK/IOC: the rest is cancelled at once
      order.status = 'canceled';
    }
  }

  /**
   * Cancel Order (V2). Undocumented: the answer for an order that no longer rests (the reference lists 200, 401, 404
   * and 500 only: 404 here), and for a market_ticker that is not the order's (404 here: routed to the wrong market).
   */
  private cancel(orderId: string, query: URLSearchParams): Reply {
    const order = this.orders.get(orderId);
    if (!order) return notFound('order not found');
    const marketTicker = query.get('market_ticker');
    if (marketTicker !== null && marketTicker !== order.ticker) return notFound('order not found in that market');
    if (order.status !== 'resting') return notFound(`order is ${order.status}`);
    const reducedBy = order.remainingCount;
    order.remainingCount = 0n;
    order.status = 'canceled';
    return reply<CancelOrderV2Response>(200, { order_id: order.orderId, client_order_id: order.clientOrderId, reduced_by: fp(reducedBy), ts_ms: Date.now() });
  }

  private getOrder(orderId: string): Reply {
    const order = this.orders.get(orderId);
    return order ? reply<GetOrderResponse>(200, { order: serializeOrder(order) }) : notFound('order not found');
  }

  /**
   * GET /portfolio/orders: the documented filters that matter here (ticker, limit, cursor). Anything else, such as a
   * client_order_id, is not a documented parameter and is ignored. Undocumented: the listing order (newest first here)
   * and the largest limit (none enforced here beyond ordersPageSize).
   */
  private listOrders(query: URLSearchParams): Reply {
    const ticker = query.get('ticker');
    const matching = [...this.orders.values()].filter((order) => ticker === null || order.ticker === ticker).reverse();
    const page = paginate(matching, query, this.options.ordersPageSize);
    return reply<GetOrdersResponse>(200, { orders: page.items.map(serializeOrder), cursor: page.cursor });
  }

  private listFills(query: URLSearchParams): Reply {
    const orderId = query.get('order_id');
    const matching = this.fills.filter((fill) => orderId === null || fill.orderId === orderId);
    const page = paginate(matching, query, this.options.fillsPageSize);
    return reply<GetFillsResponse>(200, { fills: page.items.map(serializeFill), cursor: page.cursor });
  }
}

/** Kalshi's three price level structures as price_ranges ("Fixed-Point Migration"). */
const PRICE_RANGES: Readonly<Record<'linear_cent' | 'deci_cent' | 'tapered_deci_cent', PriceRange[]>> = {
  linear_cent: [{ start: '0.0000', end: '1.0000', step: '0.0100' }],
  deci_cent: [{ start: '0.0000', end: '1.0000', step: '0.0010' }],
  tapered_deci_cent: [
    { start: '0.0000', end: '0.1000', step: '0.0010' },
    { start: '0.1000', end: '0.9000', step: '0.0100' },
    { start: '0.9000', end: '1.0000', step: '0.0010' },
  ],
};

function onTick(ranges: readonly PriceRange[], price: bigint): boolean {
  return ranges.some((range) => {
    const start = decimalToScaled(range.start, 6);
    const end = decimalToScaled(range.end, 6);
    return price >= start && price <= end && (price - start) % decimalToScaled(range.step, 6) === 0n;
  });
}

/** Cursor paging over a list: the cursor is the next index, base64url-encoded; '' on the last page. */
function paginate<T>(items: readonly T[], query: URLSearchParams, pageSizeMax = 100): { items: readonly T[]; cursor: string } {
  const limit = Math.min(Number(query.get('limit') ?? '100'), pageSizeMax);
  const cursor = query.get('cursor');
  const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
  const next = start + limit < items.length ? Buffer.from(String(start + limit), 'utf8').toString('base64url') : '';
  return { items: items.slice(start, start + limit), cursor: next };
}

interface Take {
  readonly level: Level;
  readonly count: bigint;
  /** The fill's price on the YES book. */
  readonly yesPrice: bigint;
}

/**
 * A bid on YES at p crosses NO bids at ≥ 1 − p (trading at YES 1 − noPrice); an ask on YES at p crosses YES bids at
 * ≥ p. Best first, i.e. from the end of the ascending arrays.
 */
function planTakes(book: { yes: Level[]; no: Level[] }, side: 'bid' | 'ask', limit: bigint, wanted: bigint): Take[] {
  const levels = [...(side === 'bid' ? book.no : book.yes)].reverse();
  const takes: Take[] = [];
  let left = wanted;
  for (const level of levels) {
    const yesPrice = side === 'bid' ? MICRO - level.price : level.price;
    const crosses = side === 'bid' ? yesPrice <= limit : yesPrice >= limit;
    if (!crosses || left === 0n) break;
    const count = level.size < left ? level.size : left;
    takes.push({ level, count, yesPrice });
    left -= count;
  }
  return takes;
}

/** What the taker pays per contract: YES at the YES price when bidding, NO at its complement when asking. */
function pricePaid(side: 'bid' | 'ask', take: Take): bigint {
  return side === 'bid' ? take.yesPrice : MICRO - take.yesPrice;
}

export interface FillFee {
  /** count × price paid, in micro-dollars. */
  readonly cost: bigint;
  readonly tradeFee: bigint;
  readonly roundingFee: bigint;
  readonly rebate: bigint;
  /** trade fee + rounding fee − rebate: the fill's fee_cost. */
  readonly netFee: bigint;
  /** What the balance moves by (negative for a buyer). */
  readonly balanceChange: bigint;
  /** The order's rounding accumulator after this fill. */
  readonly accumulator: bigint;
}

/**
 * One buyer's fill as Kalshi's "Fee Rounding" guide states it: the trade fee 0.07 × C × P × (1 − P) rounded up to
 * $0.0001; balance_change = revenue − trade fee floored to the member's precision; the rounding fee is what the floor
 * took; the order's accumulator refunds whole cents of rounding. Undocumented details, chosen here: a cent is refunded
 * once the accumulator holds one (the guide says "exceeds $0.01"; at exactly $0.01 is what makes an order's fills add
 * up to one fill's fee, which the guide gives as the aim), and only while the fill's net fee stays >= $0.00 (which the
 * guide states always holds); otherwise the refund waits for a later fill.
 */
export function feeOfFill(count: bigint, price: bigint, accumulatorBefore: bigint, balanceStep: bigint = CENT): FillFee {
  if ((count * price) % MICRO !== 0n) throw new Error(`${count} × ${price} is not exact in micro-dollars`);
  const cost = (count * price) / MICRO;
  const tradeFee = ceilDiv(7n * count * price * (MICRO - price), 100n * MICRO * MICRO * CENTICENT) * CENTICENT;
  const exact = -cost - tradeFee;
  const floored = -ceilDiv(-exact, balanceStep) * balanceStep;
  const roundingFee = exact - floored;
  let accumulator = accumulatorBefore + roundingFee;
  let rebate = 0n;
  while (accumulator >= CENT && tradeFee + roundingFee - rebate >= CENT) {
    rebate += CENT;
    accumulator -= CENT;
  }
  return { cost, tradeFee, roundingFee, rebate, netFee: tradeFee + roundingFee - rebate, balanceChange: floored + rebate, accumulator };
}

/** The net fee of a single fill buying `count` at `price` (micro-units), at a non-direct member's cent precision. */
export function kalshiFee(count: bigint, price: bigint): bigint {
  return feeOfFill(count, price, 0n).netFee;
}

/** The body as CreateOrderV2Request requires it (and client_order_id, which the Create Order (V2) page marks required). */
function validateCreate(json: unknown): CreateOrderV2Request | string {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return 'body required';
  const body = json as Record<string, unknown>;
  for (const key of ['ticker', 'client_order_id', 'side', 'count', 'price', 'time_in_force', 'self_trade_prevention_type']) {
    if (typeof body[key] !== 'string') return `${key} must be a string`;
  }
  if (body.side !== 'bid' && body.side !== 'ask') return 'side must be bid or ask';
  if (!TIME_IN_FORCE.includes(body.time_in_force as string)) return 'unknown time_in_force';
  if (!SELF_TRADE_PREVENTION.includes(body.self_trade_prevention_type as string)) return 'unknown self_trade_prevention_type';
  // "Requests accept 0-2 decimal places" (count); prices "accept 2-4 decimal places".
  if (!/^\d+(\.\d{1,2})?$/.test(body.count as string) || decimalToScaled(body.count as string, 6) === 0n) return 'count must be positive with at most 2 decimals';
  if (!/^0\.\d{2,4}$/.test(body.price as string) || decimalToScaled(body.price as string, 6) === 0n) return 'price must be a dollar string between 0 and 1 with 2-4 decimals';
  return body as unknown as CreateOrderV2Request;
}

function serializeOrder(order: ServerOrder): Order {
  return {
    order_id: order.orderId,
    user_id: USER_ID,
    client_order_id: order.clientOrderId,
    ticker: order.ticker,
    // The deprecated `side`/`action` are optional in the model and left out: the adapter must not need them.
    outcome_side: order.bookSide === 'bid' ? 'yes' : 'no',
    book_side: order.bookSide,
    type: 'limit',
    status: order.status,
    yes_price_dollars: scaledToDecimal(order.yesPrice, 6, 4),
    no_price_dollars: scaledToDecimal(MICRO - order.yesPrice, 6, 4),
    fill_count_fp: fp(order.fillCount),
    remaining_count_fp: fp(order.remainingCount),
    initial_count_fp: fp(order.initialCount),
    taker_fill_cost_dollars: scaledToDecimal(order.takerFillCost, 6, 4),
    maker_fill_cost_dollars: '0.0000',
    taker_fees_dollars: scaledToDecimal(order.takerFees, 6, 4),
    maker_fees_dollars: '0.0000',
    expiration_time: null,
    created_time: order.createdTime,
    last_update_time: order.createdTime,
    self_trade_prevention_type: order.selfTradePrevention,
    order_group_id: null,
    cancel_order_on_pause: false,
    subaccount_number: 0,
    exchange_index: 0,
  };
}

function serializeFill(fill: ServerFill): Fill {
  return {
    fill_id: fill.fillId,
    exchange_index: 0,
    trade_id: fill.fillId,
    order_id: fill.orderId,
    ticker: fill.ticker,
    market_ticker: fill.ticker,
    outcome_side: fill.bookSide === 'bid' ? 'yes' : 'no',
    book_side: fill.bookSide,
    count_fp: fp(fill.count),
    yes_price_dollars: scaledToDecimal(fill.yesPrice, 6, 4),
    no_price_dollars: scaledToDecimal(MICRO - fill.yesPrice, 6, 4),
    is_taker: true,
    created_time: new Date(fill.createdMs).toISOString(),
    fee_cost: scaledToDecimal(fill.fee, 6, 4),
    subaccount_number: 0,
    ts: Math.floor(fill.createdMs / 1000),
  };
}

function fp(count: bigint): string {
  return scaledToDecimal(count, 6, 2);
}

function header(request: ImitationRequest, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A reply whose body must be the official model T: the type argument is what makes the imitation answerable. */
function reply<T>(status: number, body: T): Reply {
  return { status, body };
}

/** The "Rate Limits" page's 429 body. */
interface RateLimitedBody {
  readonly error: string;
}

export function kalshiError(status: number, message: string): ErrorResponse | RateLimitedBody {
  if (status === 429) return { error: 'too many requests' };
  const code = status === 401 ? 'authentication_error' : status >= 500 ? 'internal_server_error' : 'bad_request';
  return { code, message };
}

function unauthorized(message: string): Reply {
  return reply<ErrorResponse>(401, { code: 'authentication_error', message });
}

function notFound(message: string): Reply {
  return reply<ErrorResponse>(404, { code: 'not_found', message });
}

function badRequest(code: string, message: string): Reply {
  return reply<ErrorResponse>(400, { code, message });
}
