// Polymarket (CLOB V2) as a Venue. Polymarket has no client order ids: an order is known by its EIP-712 hash, which
// we compute before sending. The adapter remembers, per client order id, the hash it signed; that answers duplicates
// and unknown outcomes within this process. (After a restart, the ledger's stored venue order id is the handle.)
import { setTimeout as sleep } from 'node:timers/promises';
import { IdempotencyConflictError } from '../../domain/errors.js';
import { complementPrice } from '../../domain/market.js';
import { formatMicrosTrim, formatScaled, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { VenueCredentialsError, VenueProtocolError, VenueResponseError } from '../errors.js';
import { assertPlaceable, assertReportWithin, BoundedMap, fillTotals, REMEMBERED_ORDERS_MAX, reportAfterAccept, type ReportFieldNames } from '../http/report.js';
import {
  OrderOutcomeUnknownError,
  VenueRejectedError,
  type BuySizeRule,
  type Fill,
  type ListedMarket,
  type MarketDescription,
  type OrderBook,
  type OrderReport,
  type Outcome,
  type PlaceOrderRequest,
  type Venue,
  type VenueBalance,
  type VenueOrderStatus,
  type BookStream,
  type LocalBooks,
} from '../venue.js';
import type { BookSocketStream } from '../stream/book-socket.js';
import { StreamedBooks } from '../stream/streamed-books.js';
import { PolymarketCatalog } from './market-catalog.js';
import { orderHash, saltFor, signOrder, type PolymarketCredentials } from './auth.js';
import type { PolymarketClient } from './client.js';
import {
  amountDecimals,
  hasDecimalsAtMost,
  marketBuyQuantityStep,
  orderAmounts,
  orderDomain,
  SIZE_DECIMALS,
  ZERO_BYTES32,
  type OrderDomain,
  type UnsignedOrder,
} from './exchange.js';
import { feeScheduleFor, polymarketTakerFee, type PolymarketFeeSchedule } from './fees.js';
import {
  buildPostOrderBody,
  DEFAULT_ORDER_VERSION,
  isNothingMatched,
  isVersionMismatch,
  ORDER_TYPE,
  tokenFor,
  type PolymarketMarket,
  type PolymarketOrder,
  type PostOrderBody,
} from './models.js';

/** Polymarket's names for what a report is checked on (assertReportWithin). */
const REPORT_FIELDS: ReportFieldNames = { filled: 'size_matched', price: 'trades[].price', fee: 'trades[].fee_rate_bps' };
const SIZE_UNIT_MICROS = 10 ** (6 - SIZE_DECIMALS);
/** A delayed order is read every 250 ms (the official ts-sdk's interval, the taker delay's length) for up to 2 s. */
const DELAYED_READ_INTERVAL_MS = 250;
const DELAYED_READS_MAX = 9;

interface SentOrder {
  readonly request: PlaceOrderRequest;
  /** The order's EIP-712 hash: the CLOB's orderID. */
  readonly orderId: `0x${string}`;
  readonly body: PostOrderBody;
  readonly domain: OrderDomain;
  /** Set when the CLOB refused it as unmatched (FOK/FAK): it never existed, so this is its final report. */
  killed: OrderReport | null;
  /** Set once the CLOB answered that it took the order: from then on, not finding it means "not yet", never "never". */
  accepted: boolean;
}

export interface PolymarketFeeOverrides {
  readonly takerRate: string | null;
  readonly exponent: number | null;
}

export class PolymarketVenue implements Venue {
  readonly predictionMarket = true;
  /** Present when the books are streamed: then the engine reads them from memory. */
  readonly stream?: BookStream;
  readonly localBooks?: LocalBooks;
  private readonly sent = new BoundedMap<string, SentOrder>(REMEMBERED_ORDERS_MAX);
  /** The order version the CLOB expects (GET /version): read before the first order, again after a mismatch. */
  private orderVersion: number | null = null;

  constructor(
    readonly name: string,
    private readonly client: PolymarketClient,
    private readonly credentials: () => PolymarketCredentials,
    private readonly feeOverrides: PolymarketFeeOverrides,
    private readonly nowMs: () => number = Date.now,
    private readonly catalog: PolymarketCatalog = new PolymarketCatalog(client),
    streamed: BookSocketStream | null = null,
  ) {
    if (streamed !== null) {
      this.stream = streamed;
      this.localBooks = new StreamedBooks(name, streamed.protocol.books);
    }
  }

  async getBook(market: string, outcome: Outcome): Promise<OrderBook> {
    return (await this.catalog.book(this.name, market, outcome, this.nowMs)).book;
  }

  async close(): Promise<void> {
    await this.stream?.close();
  }

  async getBalance(): Promise<VenueBalance> {
    const total = await this.client.getCollateralBalance(this.credentials().signatureType);
    return { total, available: total };
  }

  listMarkets(): Promise<readonly ListedMarket[]> {
    return this.client.listOpenMarkets();
  }

  async describeMarket(market: string): Promise<MarketDescription> {
    const [info, text] = await Promise.all([this.catalog.get(market), this.client.getMarketText(market)]);
    const notes: string[] = [];
    if (info.negRisk) notes.push('neg-risk');
    if (info.protocol === 'positions') notes.push('Protocol V2 position ids: orders signed for ExchangeV3 (domain version 3)');
    else notes.push(`CTF tokens: orders signed for the CTF Exchange V2 (domain version 2); the CLOB expects order version ${await this.version()}`);
    if (info.takerDelay) notes.push('taker delay: marketable orders are held before matching');
    if (info.acceptingOrders === false || text.acceptingOrders === false) notes.push('not accepting orders');
    if (text.closed === true) notes.push('closed');
    if (text.active === false) notes.push('not active');
    return { market, title: text.question, closeTime: text.endDateIso, tickSize: info.tickSize, minSize: info.minOrderSize, notes };
  }

  buySizeRule(market: string): BuySizeRule | null {
    const info = this.catalog.peek(market);
    if (!info) return null;
    // The arbitrage legs are fill-or-kill: market orders, whose cash amount the CLOB takes to whole cents.
    return { minimum: (info.minOrderSize ?? 0) as QtyMicros, step: marketBuyQuantityStep };
  }

  assertCanTrade(): void {
    this.credentials();
  }

  async placeOrder(request: PlaceOrderRequest): Promise<OrderReport> {
    assertPlaceable(this.name, request);
    const prior = this.sent.get(request.clientOrderId);
    if (prior) return this.answerRepeat(prior, request);
    const credentials = this.orderCredentials(request);
    const market = await this.catalog.get(request.market);
    const domain = await this.domainFor(market, request);
    const order = this.unsignedOrder(request, market, credentials);
    this.assertAccepted(request, market, order);
    const sent = await this.signed(request, order, domain, credentials);
    this.sent.set(request.clientOrderId, sent); // before sending: an unknown outcome is then resolvable by hash
    return this.send(sent);
  }

  async getOrderByClientId(clientOrderId: string, _market: string): Promise<OrderReport | null> {
    const sent = this.sent.get(clientOrderId);
    if (!sent) {
      throw new VenueRejectedError(
        this.name,
        null,
        `${this.name}: Polymarket keeps no client order ids and this process did not place ${clientOrderId}; look the order up by its venue order id (the order hash)`,
      );
    }
    if (sent.killed) return sent.killed;
    const order = await this.client.getOrder(sent.orderId);
    if (!final(order, sent)) throw this.notYetMatched(sent);
    return order ? this.report(order, clientOrderId, sent.request.side, sent.request) : null;
  }

  async cancelOrder(venueOrderId: string, _market: string): Promise<OrderReport> {
    const refusal = await this.client.cancelOrder(venueOrderId);
    if (refusal !== null) throw new VenueRejectedError(this.name, null, `${this.name}: order ${venueOrderId} not cancelled: ${refusal}`);
    const order = await this.client.getOrder(venueOrderId);
    if (!order) throw new VenueResponseError(this.name, `cancelled order ${venueOrderId} not found`);
    const sent = [...this.sent.values()].find((candidate) => candidate.orderId.toLowerCase() === venueOrderId.toLowerCase());
    // An order this process did not place has no client order id we could know.
    return this.report(order, sent?.request.clientOrderId ?? '', order.side === 'BUY' ? 'buy' : 'sell');
  }

  takerFee(market: string, quantity: QtyMicros, price: PriceMicros): Micros {
    return polymarketTakerFee(quantity, price, this.feeSchedule(market));
  }

  private feeSchedule(market: string): PolymarketFeeSchedule {
    return feeScheduleFor(this.feeOverrides.takerRate, this.feeOverrides.exponent, this.catalog.peek(market));
  }

  private async version(): Promise<number> {
    this.orderVersion ??= await this.client.getVersion();
    return this.orderVersion;
  }

  /**
   * The exchange the order is signed for: a position id's market trades on ExchangeV3 (domain version "3", as
   * clob-client-v2 routes a positionID); a CTF token's on the CTF Exchange V2, which the CLOB takes only while it
   * expects order version 2. Any other version is refused here, before signing, rather than by the exchange.
   */
  private async domainFor(market: PolymarketMarket, request: PlaceOrderRequest): Promise<OrderDomain> {
    if (market.protocol === 'positions') return orderDomain('positions', market.negRisk);
    const version = await this.version();
    if (version !== DEFAULT_ORDER_VERSION) {
      this.refuse(request, `the CLOB expects order version ${version} (GET /version) for CTF token markets; this adapter signs version ${DEFAULT_ORDER_VERSION} orders only`);
    }
    return orderDomain('ctf', market.negRisk);
  }

  private orderCredentials(request: PlaceOrderRequest): PolymarketCredentials {
    try {
      return this.credentials();
    } catch (error) {
      // Missing credentials: certainly not placed, which is what the caller of placeOrder must be told.
      if (error instanceof VenueCredentialsError) this.refuse(request, error.message);
      throw error;
    }
  }

  private unsignedOrder(request: PlaceOrderRequest, market: PolymarketMarket, credentials: PolymarketCredentials): UnsignedOrder {
    return {
      salt: saltFor(request.clientOrderId),
      maker: credentials.makerAddress,
      signer: credentials.account.address,
      tokenId: BigInt(tokenFor(market, request.outcome)),
      ...orderAmounts(request.side, request.quantity, request.limitPrice),
      side: request.side === 'buy' ? 0 : 1,
      signatureType: credentials.signatureType,
      timestamp: BigInt(this.nowMs()),
      metadata: ZERO_BYTES32,
      builder: ZERO_BYTES32,
    };
  }

  /** What the CLOB would refuse is refused here, before anything is signed or sent. */
  private assertAccepted(request: PlaceOrderRequest, market: PolymarketMarket, order: UnsignedOrder): void {
    const tick = market.tickSize;
    if (market.acceptingOrders === false) this.refuse(request, 'the market is not accepting orders');
    if (request.limitPrice % tick !== 0) this.refuse(request, `price is not on the market's tick (${formatMicrosTrim(tick)})`);
    // clob-client-v2 priceValid: between one tick and one less a tick.
    if (request.limitPrice < tick || request.limitPrice > complementPrice(tick)) this.refuse(request, `price must lie between ${formatMicrosTrim(tick)} and ${formatMicrosTrim(complementPrice(tick))}`);
    if (request.quantity % SIZE_UNIT_MICROS !== 0) this.refuse(request, `quantity has more than ${SIZE_DECIMALS} decimals`);
    if (market.minOrderSize !== null && request.quantity < market.minOrderSize) {
      this.refuse(request, `quantity is below the market's minimum order size of ${formatMicrosTrim(market.minOrderSize, 0)}`);
    }
    const orderType = ORDER_TYPE[request.timeInForce];
    const decimals = amountDecimals(orderType, request.side, tick);
    for (const [label, amount, most] of [['maker', order.makerAmount, decimals.maker], ['taker', order.takerAmount, decimals.taker]] as const) {
      if (hasDecimalsAtMost(amount, most)) continue;
      const hint = orderType !== 'GTC' && request.side === 'buy' ? ` (at this price, quantities in steps of ${formatMicrosTrim(marketBuyQuantityStep(request.limitPrice), 0)} are)` : '';
      this.refuse(request, `its ${label} amount ${formatScaled(Number(amount), 6)} has more than ${most} decimals, which the CLOB refuses in a ${orderType} order${hint}`);
    }
  }

  private refuse(request: PlaceOrderRequest, why: string): never {
    throw new VenueRejectedError(this.name, null, `${this.name}: order ${request.clientOrderId} not sent: ${why}`);
  }

  private async signed(request: PlaceOrderRequest, order: UnsignedOrder, domain: OrderDomain, credentials: PolymarketCredentials): Promise<SentOrder> {
    const signature = await signOrder(credentials.account, order, domain);
    const body = buildPostOrderBody(order, signature, credentials.apiKey, ORDER_TYPE[request.timeInForce]);
    return { request, orderId: orderHash(order, domain), body, domain, killed: null, accepted: false };
  }

  private async send(sent: SentOrder): Promise<OrderReport> {
    const { clientOrderId } = sent.request;
    let result;
    try {
      result = await this.client.postOrder(sent.body, clientOrderId);
    } catch (error) {
      if (error instanceof VenueRejectedError && isNothingMatched(error.message)) return this.kill(sent, error.message);
      if (error instanceof VenueRejectedError && isVersionMismatch(error.message)) return this.versionMismatch(sent, error.message);
      throw error;
    }
    if (!result.success) {
      if (isNothingMatched(result.errorMessage)) return this.kill(sent, result.errorMessage);
      if (isVersionMismatch(result.errorMessage)) return this.versionMismatch(sent, result.errorMessage);
      throw new VenueRejectedError(this.name, null, `${this.name}: order ${clientOrderId} refused: ${result.errorMessage || 'no reason given'}`);
    }
    return reportAfterAccept(this.name, clientOrderId, async () => {
      if (result.orderId.toLowerCase() !== sent.orderId.toLowerCase()) {
        throw new VenueResponseError(this.name, `order id ${result.orderId} is not the hash we signed (${sent.orderId})`);
      }
      sent.accepted = true;
      return this.report(await this.matchedOrder(sent), clientOrderId, sent.request.side, sent.request);
    });
  }

  /**
   * The accepted order once the CLOB has matched it. A market with a taker delay holds a marketable order before
   * matching it ("delayed"): it is read again, as the official ts-sdk waits for a delayed order, for a bounded time;
   * past that the outcome is unknown, to be asked again by client order id.
   */
  private async matchedOrder(sent: SentOrder): Promise<PolymarketOrder> {
    for (let read = 0; read < DELAYED_READS_MAX; read += 1) {
      if (read > 0) await sleep(DELAYED_READ_INTERVAL_MS);
      const order = await this.client.getOrder(sent.orderId);
      if (order && final(order, sent)) return order;
    }
    throw this.notYetMatched(sent);
  }

  private notYetMatched(sent: SentOrder): OrderOutcomeUnknownError {
    return new OrderOutcomeUnknownError(
      sent.request.clientOrderId,
      `${this.name}: order ${sent.request.clientOrderId} (${sent.orderId}) was accepted but is not matched yet (a taker delay holds marketable orders); look it up by client order id`,
    );
  }

  /**
   * The exchange version changed under the order: it was refused, so nothing was placed. The version is read again
   * for the next order (which is refused before signing if this adapter cannot sign it); this one is not re-sent.
   */
  private async versionMismatch(sent: SentOrder, message: string): Promise<never> {
    this.orderVersion = null;
    const now = await this.version().catch(() => null);
    throw new VenueRejectedError(
      this.name,
      null,
      `${this.name}: order ${sent.request.clientOrderId} refused (${message}): it was signed for exchange domain version ${sent.domain.version}; the CLOB now expects order version ${now ?? 'unknown'}. Not re-sent.`,
    );
  }

  /** The same client order id again: the first order's report, or a re-send of the identical signed order if it never arrived. */
  private async answerRepeat(prior: SentOrder, request: PlaceOrderRequest): Promise<OrderReport> {
    const same = (['market', 'outcome', 'side', 'quantity', 'limitPrice', 'timeInForce'] as const).every((key) => prior.request[key] === request[key]);
    if (!same) throw new IdempotencyConflictError(`${this.name}: client order id ${request.clientOrderId} was already used for a different order`);
    if (prior.killed) return prior.killed;
    // The first send may have landed: a failed lookup must read as unknown, never as "not placed".
    const order = await reportAfterAccept(this.name, request.clientOrderId, () => this.client.getOrder(prior.orderId));
    if (order && !final(order, prior)) throw this.notYetMatched(prior);
    // Re-sending the same signed order is safe: the exchange fills an order hash at most once in total.
    return order ? this.report(order, request.clientOrderId, request.side, prior.request) : this.send(prior);
  }

  private kill(sent: SentOrder, reason: string): OrderReport {
    sent.killed = {
      clientOrderId: sent.request.clientOrderId,
      venueOrderId: null, // refused unmatched: the CLOB holds no order under the hash
      status: 'canceled',
      filledQuantity: 0 as QtyMicros,
      remainingQuantity: 0 as QtyMicros,
      filledNotional: 0 as Micros,
      feePaid: 0 as Micros,
      fills: [],
      rejectReason: reason,
    };
    return sent.killed;
  }

  /** The order's report from its trades; held to `request` (what we sent) when this process sent it. */
  private async report(order: PolymarketOrder, clientOrderId: string, side: 'buy' | 'sell', request?: PlaceOrderRequest): Promise<OrderReport> {
    const trades = order.sizeMatched > 0 ? await this.client.getTakerTrades(order) : [];
    const exponent = this.feeSchedule(order.market).exponent;
    const fills: Fill[] = trades.map((trade) => ({
      fillId: trade.id,
      quantity: trade.size,
      price: trade.price,
      // The rate that applied at match time comes with the trade (bps → ppm); the exponent is the market's.
      fee: polymarketTakerFee(trade.size, trade.price, { ratePpm: trade.feeRatePpm, exponent }),
    }));
    const totals = fillTotals(fills, side);
    if (totals.filledQuantity !== order.sizeMatched) {
      throw new VenueProtocolError(this.name, 'size_matched', `order ${order.id}: trades add up to ${formatMicrosTrim(totals.filledQuantity, 0)} but ${formatMicrosTrim(order.sizeMatched, 0)} is matched`);
    }
    const status = statusOfOrder(order);
    const resting = status === 'open' || (status === 'partially_filled' && (order.status === 'live' || order.status === 'delayed'));
    const remainingQuantity = (resting ? order.originalSize - order.sizeMatched : 0) as QtyMicros;
    const report: OrderReport = { clientOrderId, venueOrderId: order.id, status, remainingQuantity, fills, rejectReason: null, ...totals };
    // Bounded by what we sent, and in any case by the order's own size and limit as the CLOB holds them.
    assertReportWithin(this.name, { clientOrderId, side, quantity: order.originalSize, limitPrice: order.price }, report, REPORT_FIELDS);
    if (request !== undefined) assertReportWithin(this.name, request, report, REPORT_FIELDS);
    return report;
  }
}

/**
 * Whether a lookup's answer settles the order: a market order (FOK/FAK) still live or delayed has not been matched
 * yet, and an accepted order not found is not visible yet; neither means it will not fill.
 */
function final(order: PolymarketOrder | null, sent: SentOrder): boolean {
  if (!order) return !sent.accepted;
  const market = sent.request.timeInForce !== 'gtc';
  return !(market && (order.status === 'live' || order.status === 'delayed'));
}

export function statusOfOrder(order: PolymarketOrder): VenueOrderStatus {
  const matched = order.sizeMatched;
  if (order.status === 'matched') return matched >= order.originalSize ? 'filled' : 'partially_filled';
  if (order.status === 'live' || order.status === 'delayed') return matched > 0 ? 'partially_filled' : 'open';
  if (order.status === 'invalid') return matched > 0 ? 'partially_filled' : 'rejected';
  return matched > 0 ? 'partially_filled' : 'canceled'; // canceled (also at resolution), or unmatched (an FAK remainder)
}
