// An imitation of Kalshi's Trade API v2 (fixed-point era) built from the public docs and venues.md: same paths, JSON
// shapes and string-encoded numbers; RSA-PSS signature and timestamp checks with Kalshi's error envelope; bids-only
// books in ascending order (best last); FOK/IOC/GTC against the book; client_order_id dedupe (409); taker fees per fill;
// cursor-paginated fills. Faults are injected through `server` (see imitation.ts).
import { constants, verify, type KeyObject } from 'node:crypto';
import { ceilDiv, decimalToScaled, ImitationServer, MICRO, scaledToDecimal, type ImitationRequest, type Reply } from './imitation.js';

const API_PREFIX = '/trade-api/v2';
const TIMESTAMP_TOLERANCE_MS = 30_000;

export interface KalshiBookSpec {
  /** [price, count] decimal strings, ascending by price (as Kalshi sends them). */
  readonly yes: ReadonlyArray<readonly [string, string]>;
  readonly no: ReadonlyArray<readonly [string, string]>;
}

export interface KalshiImitationOptions {
  readonly apiKeyId: string;
  readonly publicKey: KeyObject;
  readonly books: Readonly<Record<string, KalshiBookSpec>>;
  readonly balanceCents: number;
  /** Fills per page at most, whatever the client asks (small values force pagination). */
  readonly fillsPageSize?: number;
}

interface Level {
  price: bigint;
  size: bigint;
}

interface ServerOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly ticker: string;
  readonly side: 'bid' | 'ask';
  readonly yesPrice: bigint;
  readonly initialCount: bigint;
  readonly timeInForce: string;
  status: 'resting' | 'canceled' | 'executed';
  fillCount: bigint;
  remainingCount: bigint;
  takerFees: bigint;
}

interface ServerFill {
  readonly fillId: string;
  readonly orderId: string;
  readonly count: bigint;
  readonly yesPrice: bigint;
  readonly fee: bigint;
}

const TIME_IN_FORCE = ['fill_or_kill', 'immediate_or_cancel', 'good_till_canceled'];

export class KalshiImitation {
  readonly orders = new Map<string, ServerOrder>();
  readonly fills: ServerFill[] = [];
  balanceMicros: bigint;
  private readonly books = new Map<string, { yes: Level[]; no: Level[] }>();
  private nextId = 1;

  private constructor(private readonly options: KalshiImitationOptions) {
    this.balanceMicros = BigInt(options.balanceCents) * 10_000n;
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
    const authFailure = this.authenticate(request);
    if (authFailure) return authFailure;
    const path = request.pathname.slice(API_PREFIX.length);
    const route = `${request.method} ${path}`;
    let match: RegExpExecArray | null;
    if ((match = /^GET \/markets\/([^/]+)\/orderbook$/.exec(route))) return this.orderbook(decodeURIComponent(match[1]!));
    if (route === 'GET /portfolio/balance') return this.balance();
    if (route === 'POST /portfolio/events/orders') return this.createOrder(request);
    if ((match = /^DELETE \/portfolio\/events\/orders\/([^/]+)$/.exec(route))) return this.cancel(decodeURIComponent(match[1]!));
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
    return { status: 200, body: { orderbook_fp: { yes_dollars: side(book.yes), no_dollars: side(book.no) } } };
  }

  private balance(): Reply {
    const cents = this.balanceMicros / 10_000n;
    return { status: 200, body: { balance: Number(cents), balance_dollars: scaledToDecimal(cents * 10_000n, 6, 4), portfolio_value: 0, updated_ts: Date.now() } };
  }

  private createOrder(request: ImitationRequest): Reply {
    const body = request.json() as Record<string, unknown> | null;
    const invalid = validateCreate(body);
    if (invalid) return badRequest('invalid_parameters', invalid);
    const { ticker, client_order_id, side, count, price, time_in_force } = body as Record<string, string>;
    if ([...this.orders.values()].some((order) => order.clientOrderId === client_order_id)) {
      return { status: 409, body: { error: { code: 'order_already_exists', message: `client_order_id ${client_order_id} already used`, details: '' } } };
    }
    const book = this.books.get(ticker!);
    if (!book) return notFound(`market ${ticker} not found`);
    const wanted = decimalToScaled(count!, 6);
    const limit = decimalToScaled(price!, 6);
    const plan = planTakes(book, side as 'bid' | 'ask', limit, wanted);
    const available = plan.reduce((sum, take) => sum + take.count, 0n);
    const killed = time_in_force === 'fill_or_kill' && available < wanted;
    const takes = killed ? [] : plan;
    const cost = takes.reduce((sum, take) => sum + takeCost(side as 'bid' | 'ask', take) + kalshiFee(take.count, take.yesPrice), 0n);
    if (cost > this.balanceMicros) return badRequest('insufficient_balance', 'insufficient balance');
    const order = this.record(body as Record<string, string>, wanted, limit);
    this.execute(order, book, takes);
    if (this.server.takeFault(request.method, request.pathname, ['drop-after-accept'])) return 'drop';
    return { status: 201, body: { order_id: order.orderId, client_order_id: order.clientOrderId, fill_count: fp(order.fillCount), remaining_count: fp(order.remainingCount), ts_ms: Date.now() } };
  }

  private record(body: Record<string, string>, wanted: bigint, limit: bigint): ServerOrder {
    const order: ServerOrder = {
      orderId: `ord-${this.nextId++}`,
      clientOrderId: body.client_order_id!,
      ticker: body.ticker!,
      side: body.side as 'bid' | 'ask',
      yesPrice: limit,
      initialCount: wanted,
      timeInForce: body.time_in_force!,
      status: 'resting',
      fillCount: 0n,
      remainingCount: wanted,
      takerFees: 0n,
    };
    this.orders.set(order.orderId, order);
    return order;
  }

  private execute(order: ServerOrder, book: { yes: Level[]; no: Level[] }, takes: readonly Take[]): void {
    for (const take of takes) {
      take.level.size -= take.count;
      const fee = kalshiFee(take.count, take.yesPrice);
      this.fills.push({ fillId: `fill-${this.nextId++}`, orderId: order.orderId, count: take.count, yesPrice: take.yesPrice, fee });
      this.balanceMicros -= takeCost(order.side, take) + fee;
      order.fillCount += take.count;
      order.takerFees += fee;
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

  private cancel(orderId: string): Reply {
    const order = this.orders.get(orderId);
    if (!order) return notFound('order not found');
    if (order.status !== 'resting') return badRequest('order_not_cancelable', `order is ${order.status}`);
    const reducedBy = order.remainingCount;
    order.remainingCount = 0n;
    order.status = 'canceled';
    return { status: 200, body: { order: serializeOrder(order), reduced_by_fp: fp(reducedBy) } };
  }

  private getOrder(orderId: string): Reply {
    const order = this.orders.get(orderId);
    return order ? { status: 200, body: { order: serializeOrder(order) } } : notFound('order not found');
  }

  private listOrders(query: URLSearchParams): Reply {
    const clientOrderId = query.get('client_order_id');
    const ticker = query.get('ticker');
    const orders = [...this.orders.values()].filter(
      (order) => (clientOrderId === null || order.clientOrderId === clientOrderId) && (ticker === null || order.ticker === ticker),
    );
    return { status: 200, body: { orders: orders.map(serializeOrder), cursor: '' } };
  }

  private listFills(query: URLSearchParams): Reply {
    const orderId = query.get('order_id');
    const matching = this.fills.filter((fill) => orderId === null || fill.orderId === orderId);
    const limit = Math.min(Number(query.get('limit') ?? '100'), this.options.fillsPageSize ?? 100);
    const cursor = query.get('cursor');
    const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
    const page = matching.slice(start, start + limit);
    const next = start + limit < matching.length ? Buffer.from(String(start + limit), 'utf8').toString('base64url') : '';
    const fills = page.map((fill) => ({
      fill_id: fill.fillId,
      order_id: fill.orderId,
      count_fp: fp(fill.count),
      yes_price_dollars: scaledToDecimal(fill.yesPrice, 6, 4),
      no_price_dollars: scaledToDecimal(MICRO - fill.yesPrice, 6, 4),
      is_taker: true,
      fee_cost: scaledToDecimal(fill.fee, 6, 4),
      created_time: new Date().toISOString(),
    }));
    return { status: 200, body: { fills, cursor: next } };
  }
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

/** What the taker pays: YES at the YES price when bidding, NO at its complement when asking. */
function takeCost(side: 'bid' | 'ask', take: Take): bigint {
  const price = side === 'bid' ? take.yesPrice : MICRO - take.yesPrice;
  return (take.count * price) / MICRO;
}

/** ceil_to_cent(0.07 × C × P × (1 − P)) in micro-dollars. */
export function kalshiFee(count: bigint, yesPrice: bigint): bigint {
  const numerator = 7n * count * yesPrice * (MICRO - yesPrice);
  const microsPerCent = 10_000n;
  return ceilDiv(numerator, 100n * MICRO * MICRO * microsPerCent) * microsPerCent;
}

function validateCreate(body: Record<string, unknown> | null): string | null {
  if (!body) return 'body required';
  for (const key of ['ticker', 'client_order_id', 'side', 'count', 'price', 'time_in_force']) {
    if (typeof body[key] !== 'string') return `${key} must be a string`;
  }
  if (body.side !== 'bid' && body.side !== 'ask') return 'side must be bid or ask';
  if (!TIME_IN_FORCE.includes(body.time_in_force as string)) return 'unknown time_in_force';
  if (!/^\d+(\.\d{1,2})?$/.test(body.count as string)) return 'count must have at most 2 decimals';
  if (!/^0\.\d{1,4}$/.test(body.price as string)) return 'price must be a dollar string between 0 and 1';
  return null;
}

function serializeOrder(order: ServerOrder): Record<string, unknown> {
  return {
    order_id: order.orderId,
    client_order_id: order.clientOrderId,
    ticker: order.ticker,
    side: order.side,
    status: order.status,
    yes_price_dollars: scaledToDecimal(order.yesPrice, 6, 4),
    initial_count_fp: fp(order.initialCount),
    fill_count_fp: fp(order.fillCount),
    remaining_count_fp: fp(order.remainingCount),
    taker_fees_dollars: scaledToDecimal(order.takerFees, 6, 4),
    time_in_force: order.timeInForce,
  };
}

function fp(count: bigint): string {
  return scaledToDecimal(count, 6, 2);
}

function header(request: ImitationRequest, name: string): string | null {
  const value = request.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

export function kalshiError(status: number, message: string): unknown {
  const code = status === 429 ? 'too_many_requests' : status === 401 ? 'authentication_error' : status >= 500 ? 'internal_server_error' : 'bad_request';
  return { error: { code, message, details: '' } };
}

function unauthorized(message: string): Reply {
  return { status: 401, body: { error: { code: 'authentication_error', message, details: '' } } };
}

function notFound(message: string): Reply {
  return { status: 404, body: { error: { code: 'not_found', message, details: '' } } };
}

function badRequest(code: string, message: string): Reply {
  return { status: 400, body: { error: { code, message, details: '' } } };
}
