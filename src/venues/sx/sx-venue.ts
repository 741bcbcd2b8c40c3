// SX Bet as a Venue. SX takers fill resting maker orders with one signed request that behaves like IOC with slippage:
// the adapter sizes the stake from the book so that it buys the requested contracts, emulates FOK by checking depth
// first (best effort: SX matches only after its betting delay, so the book can move between the check and the fill;
// the report then shows what really filled), and never rests orders (no GTC, nothing to cancel). There is no client
// order id: the fill salt is derived from it, and lookups match our taker trades by fill hash.
import { IdempotencyConflictError } from '../../domain/errors.js';
import { formatMicrosTrim, notional, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { VenueProtocolError } from '../errors.js';
import { assertPlaceable, assertReportWithin, BoundedMap, REMEMBERED_ORDERS_MAX, reportAfterAccept, type ReportFieldNames } from '../http/report.js';
import {
  OrderOutcomeUnknownError,
  VenueRejectedError,
  type Fill,
  type MarketDescription,
  type OrderBook,
  type OrderReport,
  type Outcome,
  type PlaceOrderRequest,
  type Venue,
  type VenueBalance,
  type VenueOrderStatus,
} from '../venue.js';
import { fillSaltFor, signFill, type FillToSign, type SxCredentials } from './auth.js';
import type { SxClient } from './client.js';
import { describeSxMarket, findMarket } from './markets.js';
import {
  buildBook,
  contractsFor,
  feeOnStake,
  isFillAlreadySubmitted,
  isOddsStale,
  offersTo,
  oddsToPrice,
  priceToOdds,
  stakeFor,
  takerOdds,
  tradeId,
  type FillResult,
  type SxMakerOrder,
  type SxMetadata,
  type SxTrade,
} from './models.js';

/** SX's names for what a report is checked on (assertReportWithin). */
const REPORT_FIELDS: ReportFieldNames = { filled: 'totalFilled', price: 'averageOdds', fee: 'fee' };

/** Venue and local clocks may disagree; a trade stamped this much before our send can still be ours. */
const CLOCK_SKEW_SECONDS = 5;

interface SentFill {
  readonly request: PlaceOrderRequest;
  readonly stakeWei: bigint;
  readonly sentAtSeconds: number;
  /** Known once the venue answered (or a lookup matched our trades). */
  fillHash: string | null;
  /** Set when nothing was, or could be, filled: the final report. */
  final: OrderReport | null;
  /**
   * SX said a fill with this salt came before (FILL_ALREADY_SUBMITTED), from a process that is gone: its trades
   * cannot be told from others by time, so only a person can match them.
   */
  submittedEarlier: boolean;
}

interface FillPlan {
  readonly stakeWei: bigint;
  readonly contracts: bigint;
}

export class SxVenue implements Venue {
  readonly predictionMarket = true;
  private readonly sent = new BoundedMap<string, SentFill>(REMEMBERED_ORDERS_MAX);
  private metadataCache: Promise<SxMetadata> | null = null;

  constructor(
    readonly name: string,
    private readonly client: SxClient,
    private readonly credentials: () => SxCredentials,
    private readonly feeRatePpm: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Public: the book and the metadata need no credentials. */
  async getBook(market: string, outcome: Outcome): Promise<OrderBook> {
    const { usdc } = await this.metadata();
    const orders = await this.client.getMakerOrders(market, usdc);
    return buildBook(orders, this.name, market, outcome, this.nowMs());
  }

  async getBalance(): Promise<VenueBalance> {
    const { account } = this.credentials();
    const metadata = await this.metadata();
    const total = await this.client.getUsdcBalance(metadata.usdc, account.address);
    return { total, available: total };
  }

  async describeMarket(market: string): Promise<MarketDescription> {
    const metadata = await this.metadata();
    return describeSxMarket(findMarket(this.name, await this.client.getMarkets(market), market), metadata);
  }

  /** Orders are signed with the wallet key: without it nothing can be placed, and the caller learns so first. */
  assertCanTrade(): void {
    this.credentials();
  }

  async placeOrder(request: PlaceOrderRequest): Promise<OrderReport> {
    assertPlaceable(this.name, request);
    this.assertSupported(request);
    this.assertCanTrade();
    const prior = this.sent.get(request.clientOrderId);
    if (prior) return this.answerRepeat(prior, request);
    const metadata = await this.metadata();
    const plan = planFill(await this.client.getMakerOrders(request.market, metadata.usdc), request);
    const fillable = request.timeInForce === 'fok' ? plan.contracts >= BigInt(request.quantity) : plan.contracts > 0n;
    if (!fillable) {
      const entry = this.remember(request, 0n);
      return this.finalUnfilled(entry, `not enough depth at ${request.limitPrice} micros: nothing sent`);
    }
    this.assertAboveMinimum(request, plan, metadata);
    const { body, entry } = await this.signedFill(request, plan, metadata);
    let result: FillResult;
    try {
      result = await this.client.postFill(body, request.clientOrderId);
    } catch (error) {
      if (error instanceof VenueRejectedError && isOddsStale(error.message)) return this.finalUnfilled(entry, error.message);
      if (error instanceof VenueRejectedError && isFillAlreadySubmitted(error.message)) {
        entry.submittedEarlier = true;
        throw new OrderOutcomeUnknownError(request.clientOrderId, `${this.name}: order ${request.clientOrderId} was submitted before (${error.message}); reconcile by hand`);
      }
      throw error;
    }
    return reportAfterAccept(this.name, request.clientOrderId, async () => {
      entry.fillHash = result.fillHash;
      return this.reportFromResult(entry, result);
    });
  }

  async getOrderByClientId(clientOrderId: string, market: string): Promise<OrderReport | null> {
    const entry = this.sent.get(clientOrderId);
    if (!entry || entry.submittedEarlier) {
      throw new VenueRejectedError(this.name, null, `${this.name}: SX Bet keeps no client order ids and this process did not place ${clientOrderId}`);
    }
    if (entry.final) return entry.final;
    const outcomeOne = entry.request.outcome === 'yes';
    const { account } = this.credentials();
    const { usdc } = await this.metadata();
    const trades = (await this.client.getTakerTrades(account.address, market, usdc)).filter(
      (trade) => trade.bettingOutcomeOne === outcomeOne && trade.status !== 'FAILED',
    );
    const ours = entry.fillHash !== null ? trades.filter((trade) => trade.fillHash === entry.fillHash) : this.claimUnmatched(entry, trades);
    return ours.length === 0 ? null : this.reportFromTrades(entry, ours);
  }

  async cancelOrder(venueOrderId: string, _market: string): Promise<OrderReport> {
    throw new VenueRejectedError(this.name, null, `${this.name}: nothing to cancel for ${venueOrderId}: SX taker fills never rest on the book`);
  }

  takerFee(_market: string, quantity: QtyMicros, price: PriceMicros): Micros {
    return feeOnStake(BigInt(notional(quantity, price, 'up')), this.feeRatePpm);
  }

  private assertSupported(request: PlaceOrderRequest): void {
    const refuse = (why: string): never => {
      throw new VenueRejectedError(this.name, null, `${this.name}: order ${request.clientOrderId} not sent: ${why}`);
    };
    if (request.side !== 'buy') refuse('SX Bet has no selling; buy the other outcome instead');
    if (request.timeInForce === 'gtc') refuse('resting (maker) orders are not supported on SX Bet; use fok or ioc');
  }

  /** SX refuses a stake under its taker minimum (TAKER_AMOUNT_TOO_LOW): refused here before anything is signed. */
  private assertAboveMinimum(request: PlaceOrderRequest, plan: FillPlan, metadata: SxMetadata): void {
    const minimum = metadata.takerMinimumUsdc;
    if (minimum === null || plan.stakeWei >= minimum) return;
    throw new VenueRejectedError(
      this.name,
      null,
      `${this.name}: order ${request.clientOrderId} not sent: its stake ${formatMicrosTrim(Number(plan.stakeWei))} USDC is under SX's taker minimum of ${formatMicrosTrim(Number(minimum))} USDC`,
    );
  }

  private metadata(): Promise<SxMetadata> {
    this.metadataCache ??= this.client.getMetadata().catch((error: unknown) => {
      this.metadataCache = null; // a failed read must not poison the cache
      throw error;
    });
    return this.metadataCache;
  }

  private remember(request: PlaceOrderRequest, stakeWei: bigint): SentFill {
    const entry: SentFill = { request, stakeWei, sentAtSeconds: Math.floor(this.nowMs() / 1000), fillHash: null, final: null, submittedEarlier: false };
    this.sent.set(request.clientOrderId, entry);
    return entry;
  }

  private async signedFill(request: PlaceOrderRequest, plan: FillPlan, metadata: SxMetadata) {
    const credentials = this.credentials();
    const fill: FillToSign = {
      marketHash: request.market,
      baseToken: metadata.usdc,
      stakeWei: plan.stakeWei,
      // The limit price is the worst taker probability we accept; slippage stays 0 because the limit already is the bound.
      desiredOdds: priceToOdds(request.limitPrice),
      oddsSlippage: 0n,
      isTakerBettingOutcomeOne: request.outcome === 'yes',
      fillSalt: fillSaltFor(request.clientOrderId),
    };
    const takerSig = await signFill(credentials.account, metadata, fill);
    const body = {
      market: fill.marketHash,
      baseToken: fill.baseToken,
      isTakerBettingOutcomeOne: fill.isTakerBettingOutcomeOne,
      stakeWei: fill.stakeWei.toString(),
      desiredOdds: fill.desiredOdds.toString(),
      oddsSlippage: 0,
      taker: credentials.account.address,
      takerSig,
      fillSalt: fill.fillSalt.toString(),
      message: 'N/A',
    };
    return { body, entry: this.remember(request, plan.stakeWei) };
  }

  private async answerRepeat(prior: SentFill, request: PlaceOrderRequest): Promise<OrderReport> {
    const same = (['market', 'outcome', 'side', 'quantity', 'limitPrice', 'timeInForce'] as const).every((key) => prior.request[key] === request[key]);
    if (!same) throw new IdempotencyConflictError(`${this.name}: client order id ${request.clientOrderId} was already used for a different order`);
    // The first fill may have landed: a failed lookup must read as unknown, never as "not placed".
    const report = await reportAfterAccept(this.name, request.clientOrderId, () => this.getOrderByClientId(request.clientOrderId, request.market));
    if (report === null) {
      // Re-sending could double the bet if the first fill is merely not visible yet: leave it to the caller.
      throw new OrderOutcomeUnknownError(request.clientOrderId, `${this.name}: order ${request.clientOrderId} was sent before but no fill is visible`);
    }
    return report;
  }

  /** Trades after our send that no other remembered fill claims; more than one candidate fill is ambiguous. */
  private claimUnmatched(entry: SentFill, trades: readonly SxTrade[]): SxTrade[] {
    const claimed = new Set([...this.sent.values()].map((other) => other.fillHash).filter((hash) => hash !== null));
    const candidates = trades.filter((trade) => trade.betTimeSeconds >= entry.sentAtSeconds - CLOCK_SKEW_SECONDS && !claimed.has(trade.fillHash));
    const hashes = new Set(candidates.map((trade) => trade.fillHash));
    if (hashes.size > 1) {
      throw new OrderOutcomeUnknownError(entry.request.clientOrderId, `${this.name}: ${hashes.size} unclaimed fills could be order ${entry.request.clientOrderId}; reconcile by hand`);
    }
    const [hash] = hashes;
    if (hash !== undefined) entry.fillHash = hash;
    return candidates;
  }

  private finalUnfilled(entry: SentFill, reason: string): OrderReport {
    entry.final = { ...emptyReport(entry.request.clientOrderId), rejectReason: reason };
    return entry.final;
  }

  /**
   * The fill's answer, held to what was signed: no more staked than the stake we signed (SX cannot take more), at
   * average odds no worse than our desired odds (the limit price, with no slippage).
   */
  private reportFromResult(entry: SentFill, result: FillResult): OrderReport {
    const { request } = entry;
    if (result.totalFilled > entry.stakeWei) this.impossible(request, 'totalFilled', `${result.totalFilled} staked, more than the ${entry.stakeWei} signed`);
    if (result.totalFilled > 0n && !withinLimit(result.averageOdds, request.limitPrice)) {
      this.impossible(request, 'averageOdds', `${result.averageOdds} is worse than the limit ${priceToOdds(request.limitPrice)} (desiredOdds)`);
    }
    if (result.totalFilled === 0n) return { ...emptyReport(request.clientOrderId), venueOrderId: result.fillHash };
    const quantity = Number(contractsFor(result.totalFilled, result.averageOdds)) as QtyMicros;
    const fill: Fill = { fillId: result.fillHash, quantity, price: fillPrice(result.averageOdds, request.limitPrice), fee: feeOnStake(result.totalFilled, this.feeRatePpm) };
    return this.checked(request, buildReport(request, result.fillHash, [fill], result.totalFilled));
  }

  /** Our trades found for a fill, held to what was signed as reportFromResult holds the fill's answer. */
  private reportFromTrades(entry: SentFill, trades: readonly SxTrade[]): OrderReport {
    const { request } = entry;
    const limitOdds = priceToOdds(request.limitPrice);
    trades.forEach((trade, index) => {
      if (trade.odds <= 0n || !withinLimit(trade.odds, request.limitPrice)) this.impossible(request, `trades[${index}].odds`, `${trade.odds} is worse than the limit ${limitOdds}`);
    });
    const staked = trades.reduce((sum, trade) => sum + trade.stake, 0n);
    if (staked > entry.stakeWei) this.impossible(request, 'trades[].stake', `${staked} staked in all, more than the ${entry.stakeWei} signed`);
    const fills: Fill[] = trades.map((trade) => ({
      fillId: tradeId(trade),
      quantity: Number(contractsFor(trade.stake, trade.odds)) as QtyMicros,
      price: fillPrice(trade.odds, request.limitPrice),
      fee: feeOnStake(trade.stake, this.feeRatePpm),
    }));
    return this.checked(request, buildReport(request, trades[0]!.fillHash, fills, staked));
  }

  private checked(request: PlaceOrderRequest, report: OrderReport): OrderReport {
    assertReportWithin(this.name, request, report, REPORT_FIELDS);
    return report;
  }

  private impossible(request: PlaceOrderRequest, field: string, claim: string): never {
    throw new VenueProtocolError(this.name, field, `${claim} (order ${request.clientOrderId})`);
  }
}

/**
 * SX's average odds are a ratio it rounds (a stake over a payout): an excess over the limit below one micro-unit of
 * probability is that rounding, not a worse fill. A whole micro-unit beyond it is.
 */
function withinLimit(odds: bigint, limit: PriceMicros): boolean {
  return oddsToPrice(odds, 'down') <= limit;
}

/** A fill's price at the port's precision: rounded up (against us), but never past a limit it is within. */
function fillPrice(odds: bigint, limit: PriceMicros): PriceMicros {
  return Math.min(oddsToPrice(odds, 'up'), limit) as PriceMicros;
}

/**
 * Walks the maker orders that offer our outcome, best taker odds first, up to the limit price, and sizes the stake
 * to buy the requested contracts (each level's stake rounded up, so a full fill never comes out short).
 */
export function planFill(orders: readonly SxMakerOrder[], request: PlaceOrderRequest): FillPlan {
  const limitOdds = priceToOdds(request.limitPrice);
  const offers = orders
    .filter((order) => offersTo(order, request.outcome) && takerOdds(order) <= limitOdds && order.totalBetSize > order.fillAmount)
    .sort((a, b) => (takerOdds(a) < takerOdds(b) ? -1 : takerOdds(a) > takerOdds(b) ? 1 : 0));
  let left = BigInt(request.quantity);
  let stakeWei = 0n;
  for (const order of offers) {
    if (left === 0n) break;
    const available = contractsFor(order.totalBetSize - order.fillAmount, order.percentageOdds);
    const take = available < left ? available : left;
    stakeWei += stakeFor(take, takerOdds(order));
    left -= take;
  }
  return { stakeWei, contracts: BigInt(request.quantity) - left };
}

/**
 * The report for what was staked. SX may give more contracts than asked for — better odds that arrived during its
 * betting delay, or a micro-unit from rounding each level's stake up — but a leg holds at most its quantity: the
 * excess stays at the venue unrecorded, which only ever understates what we hold (rounding against us).
 */
function buildReport(request: PlaceOrderRequest, fillHash: string, fills: readonly Fill[], stakedWei: bigint): OrderReport {
  const counted = withinQuantity(fills, request.quantity);
  const filledQuantity = counted.reduce((sum, fill) => sum + fill.quantity, 0) as QtyMicros;
  return {
    clientOrderId: request.clientOrderId,
    venueOrderId: fillHash,
    status: statusFor(filledQuantity, request.quantity),
    filledQuantity,
    remainingQuantity: 0 as QtyMicros, // nothing rests on SX: the unfilled part is gone
    filledNotional: Number(stakedWei) as Micros, // exactly what was staked, not a product of rounded figures
    feePaid: fills.reduce((sum, fill) => sum + fill.fee, 0) as Micros,
    fills: counted,
    rejectReason: null,
  };
}

/** The fills in order, cut off at `quantity` contracts in all. */
function withinQuantity(fills: readonly Fill[], quantity: QtyMicros): Fill[] {
  let left: number = quantity;
  const counted: Fill[] = [];
  for (const fill of fills) {
    if (left === 0) break;
    const take = Math.min(fill.quantity, left);
    counted.push(take === fill.quantity ? fill : { ...fill, quantity: take as QtyMicros });
    left -= take;
  }
  return counted;
}

function statusFor(filled: QtyMicros, requested: QtyMicros): VenueOrderStatus {
  if (filled >= requested) return 'filled';
  return filled > 0 ? 'partially_filled' : 'canceled';
}

function emptyReport(clientOrderId: string): OrderReport {
  return {
    clientOrderId,
    venueOrderId: null,
    status: 'canceled',
    filledQuantity: 0 as QtyMicros,
    remainingQuantity: 0 as QtyMicros,
    filledNotional: 0 as Micros,
    feePaid: 0 as Micros,
    fills: [],
    rejectReason: null,
  };
}
