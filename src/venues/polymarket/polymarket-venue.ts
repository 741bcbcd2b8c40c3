// Polymarket (CLOB V2) as a Venue. Polymarket has no client order ids: an order is known by its EIP-712 hash, which
// we compute before sending. The adapter remembers, per client order id, the hash it signed; that answers duplicates
// and unknown outcomes within this process. (After a restart, the ledger's stored venue order id is the handle.)
import { IdempotencyConflictError } from '../../domain/errors.js';
import type { Micros, PriceMicros, QtyMicros } from '../../domain/money.js';
import { VenueResponseError } from '../http/errors.js';
import { assertPlaceable, BoundedMap, fillTotals, REMEMBERED_ORDERS_MAX, reportAfterAccept } from '../http/report.js';
import {
  VenueRejectedError,
  type Fill,
  type OrderBook,
  type OrderReport,
  type Outcome,
  type PlaceOrderRequest,
  type Venue,
  type VenueBalance,
  type VenueOrderStatus,
} from '../venue.js';
import { orderHash, saltFor, signOrder, type PolymarketCredentials } from './auth.js';
import type { PolymarketClient } from './client.js';
import { feeScheduleFor, polymarketTakerFee, type PolymarketFeeSchedule } from './fees.js';
import {
  buildPostOrderBody,
  isNothingMatched,
  ORDER_TYPE,
  orderAmounts,
  parseBook,
  tokenFor,
  ZERO_BYTES32,
  type Hex,
  type PolymarketMarket,
  type PolymarketOrder,
  type PostOrderBody,
  type UnsignedOrder,
} from './models.js';

/** Order sizes carry at most 2 decimals on the CLOB. */
const QUANTITY_STEP_MICROS = 10_000;
const MARKETS_CACHED_MAX = 1_000;

interface SentOrder {
  readonly request: PlaceOrderRequest;
  /** The order's EIP-712 hash: the CLOB's orderID. */
  readonly orderId: Hex;
  readonly body: PostOrderBody;
  /** Set when the CLOB refused it as unmatched (FOK/FAK): it never existed, so this is its final report. */
  killed: OrderReport | null;
}

export interface PolymarketFeeOverrides {
  readonly takerRate: string | null;
  readonly exponent: number | null;
}

export class PolymarketVenue implements Venue {
  readonly predictionMarket = true;
  private readonly markets = new BoundedMap<string, PolymarketMarket>(MARKETS_CACHED_MAX);
  private readonly sent = new BoundedMap<string, SentOrder>(REMEMBERED_ORDERS_MAX);

  constructor(
    readonly name: string,
    private readonly client: PolymarketClient,
    private readonly credentials: () => PolymarketCredentials,
    private readonly feeOverrides: PolymarketFeeOverrides,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async getBook(market: string, outcome: Outcome): Promise<OrderBook> {
    const info = await this.market(market);
    const body = await this.client.getBookBody(tokenFor(info, outcome));
    return parseBook(body, this.name, market, outcome, this.nowMs());
  }

  async getBalance(): Promise<VenueBalance> {
    const total = await this.client.getCollateralBalance(this.credentials().signatureType);
    return { total, available: total };
  }

  async placeOrder(request: PlaceOrderRequest): Promise<OrderReport> {
    assertPlaceable(this.name, request);
    const prior = this.sent.get(request.clientOrderId);
    if (prior) return this.answerRepeat(prior, request);
    const market = await this.market(request.market);
    this.assertOnGrid(request, market);
    const sent = await this.signed(request, market);
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
    return order ? this.report(order, clientOrderId, sent.request.side) : null;
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
    return feeScheduleFor(this.feeOverrides.takerRate, this.feeOverrides.exponent, this.markets.get(market));
  }

  private async market(conditionId: string): Promise<PolymarketMarket> {
    const cached = this.markets.get(conditionId);
    if (cached) return cached;
    const market = await this.client.getMarket(conditionId);
    if (!/^\d+$/.test(market.yesTokenId) || !/^\d+$/.test(market.noTokenId)) throw new VenueResponseError(this.name, `market ${conditionId}: token ids must be decimal integers`);
    this.markets.set(conditionId, market);
    return market;
  }

  private assertOnGrid(request: PlaceOrderRequest, market: PolymarketMarket): void {
    if (request.limitPrice % market.tickSize !== 0) {
      throw new VenueRejectedError(this.name, null, `${this.name}: order ${request.clientOrderId} not sent: price is not on the market's tick (${market.tickSize} micros)`);
    }
    if (request.quantity % QUANTITY_STEP_MICROS !== 0) {
      throw new VenueRejectedError(this.name, null, `${this.name}: order ${request.clientOrderId} not sent: quantity has more than 2 decimals`);
    }
  }

  private async signed(request: PlaceOrderRequest, market: PolymarketMarket): Promise<SentOrder> {
    const credentials = this.credentials();
    const order: UnsignedOrder = {
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
    const signature = await signOrder(credentials.account, order, market.negRisk);
    const body = buildPostOrderBody(order, signature, credentials.apiKey, ORDER_TYPE[request.timeInForce]);
    return { request, orderId: orderHash(order, market.negRisk), body, killed: null };
  }

  private async send(sent: SentOrder): Promise<OrderReport> {
    const { clientOrderId } = sent.request;
    let result;
    try {
      result = await this.client.postOrder(sent.body, clientOrderId);
    } catch (error) {
      if (error instanceof VenueRejectedError && isNothingMatched(error.message)) return this.kill(sent, error.message);
      throw error;
    }
    if (!result.success) {
      if (isNothingMatched(result.errorMessage)) return this.kill(sent, result.errorMessage);
      throw new VenueRejectedError(this.name, null, `${this.name}: order ${clientOrderId} refused: ${result.errorMessage || 'no reason given'}`);
    }
    return reportAfterAccept(this.name, clientOrderId, async () => {
      if (result.orderId.toLowerCase() !== sent.orderId.toLowerCase()) {
        throw new VenueResponseError(this.name, `order id ${result.orderId} is not the hash we signed (${sent.orderId})`);
      }
      const order = await this.client.getOrder(sent.orderId);
      if (!order) throw new VenueResponseError(this.name, `accepted order ${sent.orderId} not found`);
      return this.report(order, clientOrderId, sent.request.side);
    });
  }

  /** The same client order id again: the first order's report, or a re-send of the identical signed order if it never arrived. */
  private async answerRepeat(prior: SentOrder, request: PlaceOrderRequest): Promise<OrderReport> {
    const same = (['market', 'outcome', 'side', 'quantity', 'limitPrice', 'timeInForce'] as const).every((key) => prior.request[key] === request[key]);
    if (!same) throw new IdempotencyConflictError(`${this.name}: client order id ${request.clientOrderId} was already used for a different order`);
    if (prior.killed) return prior.killed;
    // The first send may have landed: a failed lookup must read as unknown, never as "not placed".
    const order = await reportAfterAccept(this.name, request.clientOrderId, () => this.client.getOrder(prior.orderId));
    // Re-sending the same signed order is safe: the exchange fills an order hash at most once in total.
    return order ? this.report(order, request.clientOrderId, request.side) : this.send(prior);
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

  private async report(order: PolymarketOrder, clientOrderId: string, side: 'buy' | 'sell'): Promise<OrderReport> {
    const trades = order.sizeMatched > 0 ? await this.client.getTakerTrades(order) : [];
    const exponent = this.feeSchedule(order.market).exponent;
    const fills: Fill[] = trades.map((trade) => ({
      fillId: trade.id,
      quantity: trade.size,
      price: trade.price,
      // The rate that applied at match time comes with the trade (bps → ppm); the exponent is the market's.
      fee: polymarketTakerFee(trade.size, trade.price, { ratePpm: trade.feeRateBps * 100, exponent }),
    }));
    const totals = fillTotals(fills, side);
    if (totals.filledQuantity !== order.sizeMatched) {
      throw new VenueResponseError(this.name, `order ${order.id}: trades add up to ${totals.filledQuantity} but ${order.sizeMatched} is matched`);
    }
    const status = statusOfOrder(order);
    const resting = status === 'open' || (status === 'partially_filled' && (order.status === 'live' || order.status === 'delayed'));
    const remainingQuantity = (resting ? order.originalSize - order.sizeMatched : 0) as QtyMicros;
    return { clientOrderId, venueOrderId: order.id, status, remainingQuantity, fills, rejectReason: null, ...totals };
  }
}

export function statusOfOrder(order: PolymarketOrder): VenueOrderStatus {
  const matched = order.sizeMatched;
  if (order.status === 'matched') return matched >= order.originalSize ? 'filled' : 'partially_filled';
  if (order.status === 'live' || order.status === 'delayed') return matched > 0 ? 'partially_filled' : 'open';
  return matched > 0 ? 'partially_filled' : 'canceled'; // canceled, or unmatched (an FAK remainder)
}
