// The paper venue: a faithful stand-in for a real venue behind the same Venue port. It fills against its current
// book with fees and slippage from the one cost model, keeps its own persistent state (cash, orders by client
// order id, holdings, books) in its own SQLite file apart from the bot's ledger — so reconciling the two is real —
// and can inject latency, rejections, partial fills and timeouts, scripted or at seeded random rates.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CostModel } from '../../domain/costs.js';
import { complementPrice, isPredictionPrice } from '../../domain/market.js';
import { applyPpm, mulDiv, notional, PPM_ALL, priceOffset, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { seededRandom } from '../../domain/random.js';
import {
  OrderOutcomeUnknownError,
  type BookLevel,
  type LocalBooks,
  type MarketDescription,
  type OrderBook,
  type OrderReport,
  type OrderSide,
  type Outcome,
  type PlaceOrderRequest,
  type Simulation,
  type TopOfBook,
  type Venue,
  type VenueBalance,
} from '../venue.js';
import type { BookSide, PaperBookRow, PaperOrderRow, PaperState } from './paper-state.js';

/** What the next order meets. 'timeout_after_accept' records the order and then loses the answer. */
export type PaperFault =
  | 'none'
  | 'reject'
  | 'partial'
  | 'timeout_after_accept'
  | 'timeout_before_accept'
  | 'error';

export interface PaperFaultPlan {
  /** Consumed in order, one per placed order; random rates apply once it is empty. */
  readonly script?: PaperFault[];
  readonly rejectRate?: number;
  readonly partialFillRate?: number;
  readonly timeoutAfterAcceptRate?: number;
  readonly latencyMs?: number;
  readonly seed?: number;
}

export interface PaperVenueOptions {
  readonly name: string;
  readonly predictionMarket: boolean;
  readonly costs: CostModel;
  readonly state: PaperState;
  readonly startingBalance: Micros;
  readonly faults?: PaperFaultPlan;
  /** Contracts per book level when a quote gives no depth. */
  readonly defaultDepth?: QtyMicros;
}

/** Levels synthesised behind the quoted best price, each one tick worse. */
const BOOK_LEVELS = 3;
const PREDICTION_TICK = 10_000 as PriceMicros; // $0.01
const GENERAL_TICK_PPM = 500; // 0.05% of price
export const PAPER_DEPTH_DEFAULT = 500_000_000 as QtyMicros; // 500 contracts

export class PaperVenue implements Venue, LocalBooks, Simulation {
  readonly name: string;
  readonly predictionMarket: boolean;
  /** Its books are in memory, and the engine drives it: both capabilities are the venue itself. */
  readonly localBooks: LocalBooks = this;
  readonly simulation: Simulation = this;
  private readonly faults: PaperFault[];
  private readonly random: () => number;

  constructor(private readonly options: PaperVenueOptions) {
    this.name = options.name;
    this.predictionMarket = options.predictionMarket;
    this.faults = [...(options.faults?.script ?? [])];
    this.random = seededRandom(options.faults?.seed ?? 1);
    options.state.ensureAccount(this.name, options.startingBalance);
  }

  /** Queues faults for the next orders (tests and the demo's failure injection). */
  scriptFaults(faults: readonly PaperFault[]): void {
    this.faults.push(...faults);
  }

  /**
   * Sets the best bid/ask of a market (the YES side of a prediction market); deeper levels are synthesised. A new
   * quote is new liquidity: whatever fills took from the last one is given back.
   */
  setQuote(market: string, bid: PriceMicros, ask: PriceMicros, depth: QtyMicros | null = null, timestampMs = Date.now()): void {
    this.options.state.setBook(this.name, market, bid, ask, depth ?? this.options.defaultDepth ?? PAPER_DEPTH_DEFAULT, timestampMs);
  }

  /** The config's quote for a market this venue has no book for yet: a configured quote, which does not age. */
  seedQuote(market: string, bid: PriceMicros, ask: PriceMicros, depth: QtyMicros | null): void {
    this.options.state.seedBook(this.name, market, bid, ask, depth ?? this.options.defaultDepth ?? PAPER_DEPTH_DEFAULT);
  }

  async getBook(market: string, outcome: Outcome): Promise<OrderBook> {
    return this.bookNow(market, outcome);
  }

  /**
   * The book is the last quote less what fills took from it, held in memory: no I/O, so the arbitrage scan need not
   * wait for it.
   */
  bookNow(market: string, outcome: Outcome): OrderBook {
    const row = this.options.state.getBook(this.name, market);
    if (!row) return { venue: this.name, market, outcome, bids: [], asks: [], timestampMs: 0 };
    return {
      venue: this.name,
      market,
      outcome,
      bids: this.levels(this.bestBid(row, outcome), row, -1, this.taken(row, 'sell', outcome)),
      asks: this.levels(this.bestAsk(row, outcome), row, +1, this.taken(row, 'buy', outcome)),
      timestampMs: row.updatedAtMs,
    };
  }

  /** Feed time of the market's last quote (CONFIGURED_QUOTE_MS: the config's), or null when it has never been quoted. */
  quotedAtMs(market: string): number | null {
    return this.options.state.getBook(this.name, market)?.updatedAtMs ?? null;
  }

  /** Writes the books changed since the last flush to the paper state file, where other processes read them. */
  flushBooks(): void {
    this.options.state.flushBooks();
  }

  /** The first level of bookNow's asks without building the book: it runs on every quote of a paired market. */
  bestAskNow(market: string, outcome: Outcome): PriceMicros | null {
    const row = this.options.state.getBook(this.name, market);
    return row ? this.bestAskIn(row, outcome) : null;
  }

  /** The market's book row itself: PaperState updates a known market's row in place and never replaces it. */
  topOfBookNow(market: string): TopOfBook | null {
    return this.options.state.getBook(this.name, market) ?? null;
  }

  /** The first ask bookNow would list, computed from the row alone: it runs on every quote of a paired market. */
  bestAskIn(view: TopOfBook, outcome: Outcome): PriceMicros | null {
    // Every view this venue hands out is its own book row (topOfBookNow), which also says what fills took.
    const row = view as PaperBookRow;
    // Inlined bestAsk and taken: this runs four times on every quote of a paired market.
    const yesBook = outcome === 'yes' || !this.predictionMarket;
    const best = yesBook ? (row.ask as PriceMicros) : complementPrice(row.bid);
    const taken = yesBook ? row.asksTaken : row.bidsTaken;
    if (taken === 0) return this.priceValid(best) ? best : null;
    const index = Math.floor(taken / row.depth);
    if (index >= BOOK_LEVELS) return null;
    const ask = this.levelPrice(best, +1, index);
    return this.priceValid(ask) ? ask : null;
  }

  /**
   * The side of the YES book an order takes from: buying YES takes the YES asks, and so does selling NO (a NO bid is
   * 1 − a YES ask); selling YES and buying NO take the YES bids. A general market has only its own book.
   */
  private sideTaken(side: OrderSide, outcome: Outcome): BookSide {
    const yesBook = outcome === 'yes' || !this.predictionMarket;
    return (side === 'buy') === yesBook ? 'asks' : 'bids';
  }

  private taken(row: PaperBookRow, side: OrderSide, outcome: Outcome): number {
    return this.sideTaken(side, outcome) === 'asks' ? row.asksTaken : row.bidsTaken;
  }

  /** A prediction market's NO side is the YES book turned over: NO bid = 1 − YES ask, NO ask = 1 − YES bid. */
  private bestBid(row: TopOfBook, outcome: Outcome): PriceMicros {
    return outcome === 'yes' || !this.predictionMarket ? (row.bid as PriceMicros) : complementPrice(row.ask);
  }

  private bestAsk(row: TopOfBook, outcome: Outcome): PriceMicros {
    return outcome === 'yes' || !this.predictionMarket ? (row.ask as PriceMicros) : complementPrice(row.bid);
  }

  private priceValid(price: number): boolean {
    return this.predictionMarket ? isPredictionPrice(price) : price > 0;
  }

  private levelPrice(best: PriceMicros, direction: 1 | -1, index: number): PriceMicros {
    const step = this.predictionMarket ? PREDICTION_TICK * index : Math.trunc((best * GENERAL_TICK_PPM * index) / PPM_ALL);
    return (best + direction * step) as PriceMicros;
  }

  /** The synthesised levels behind `best`, with the `taken` contracts gone from the best level outward. */
  private levels(best: PriceMicros, row: PaperBookRow, direction: 1 | -1, taken: number): BookLevel[] {
    const levels: BookLevel[] = [];
    for (let index = 0; index < BOOK_LEVELS; index += 1) {
      const price = this.levelPrice(best, direction, index);
      if (!this.priceValid(price)) break;
      const size = Math.min(row.depth, row.depth * (index + 1) - taken);
      if (taken > 0 && size <= 0) continue; // emptied by fills
      levels.push({ price, size: size as QtyMicros });
    }
    return levels;
  }

  /** A paper market is whatever the feed or the config quotes: it has no title or close time, only its tick. */
  async describeMarket(market: string): Promise<MarketDescription> {
    const quoted = this.options.state.getBook(this.name, market) !== undefined;
    return {
      market,
      title: null,
      closeTime: null,
      tickSize: this.predictionMarket ? PREDICTION_TICK : null,
      minSize: null,
      notes: ['paper venue', quoted ? 'quoted' : 'no quote yet'],
    };
  }

  async getBalance(): Promise<VenueBalance> {
    const cash = this.options.state.cash(this.name);
    return { total: cash, available: cash };
  }

  async placeOrder(request: PlaceOrderRequest): Promise<OrderReport> {
    const latencyMs = this.options.faults?.latencyMs ?? 0;
    if (latencyMs > 0) await sleep(latencyMs);
    const existing = this.options.state.getOrder(this.name, request.clientOrderId);
    if (existing) return toReport(existing); // the same client order id never makes a second order
    const fault = this.nextFault();
    if (fault === 'error') throw new Error(`paper venue ${this.name}: injected internal error`);
    if (fault === 'timeout_before_accept') {
      throw new OrderOutcomeUnknownError(request.clientOrderId, `paper venue ${this.name}: request timed out (never reached the venue)`);
    }
    let row = fault === 'reject' ? this.rejected(request, 'rejected by venue (injected)') : this.match(request, fault === 'partial');
    if (row.side === 'buy' && row.filledNotional + row.fee > this.options.state.cash(this.name)) {
      row = this.rejected(request, 'insufficient balance at venue');
    }
    this.options.state.recordOrder(row);
    this.options.state.takeFromBook(this.name, row.market, this.sideTaken(row.side, row.outcome), row.filledQuantity);
    if (fault === 'timeout_after_accept') {
      throw new OrderOutcomeUnknownError(request.clientOrderId, `paper venue ${this.name}: timed out after the order was accepted`);
    }
    return toReport(row);
  }

  async getOrderByClientId(clientOrderId: string): Promise<OrderReport | null> {
    const row = this.options.state.getOrder(this.name, clientOrderId);
    return row ? toReport(row) : null;
  }

  async cancelOrder(venueOrderId: string): Promise<OrderReport> {
    const row = this.options.state.getOrderByVenueId(this.name, venueOrderId);
    if (!row) throw new Error(`paper venue ${this.name}: no order ${venueOrderId}`);
    return toReport(row); // paper orders are FOK/IOC: nothing ever rests, so there is nothing left to cancel
  }

  takerFee(_market: string, quantity: QtyMicros, price: PriceMicros): Micros {
    return applyPpm(notional(quantity, price, 'up'), this.options.costs.feePpm, 'up');
  }

  /**
   * Pays 1 per contract of the winning outcome and clears the market's holdings (a resolved prediction market).
   * `resolutionId` is the ledger's record of it: each is applied once, so a restart can replay what a crash cut off.
   */
  resolve(market: string, outcome: Outcome, resolutionId?: number): Micros {
    return this.options.state.resolve(this.name, market, outcome, resolutionId);
  }

  /** The newest ledger resolution applied here (0: none). */
  lastResolutionId(): number {
    return this.options.state.lastResolutionId(this.name);
  }

  private nextFault(): PaperFault {
    const scripted = this.faults.shift();
    if (scripted) return scripted;
    const plan = this.options.faults;
    if (!plan) return 'none';
    const roll = this.random();
    const reject = plan.rejectRate ?? 0;
    const partial = plan.partialFillRate ?? 0;
    const timeout = plan.timeoutAfterAcceptRate ?? 0;
    if (roll < reject) return 'reject';
    if (roll < reject + partial) return 'partial';
    if (roll < reject + partial + timeout) return 'timeout_after_accept';
    return 'none';
  }

  private rejected(request: PlaceOrderRequest, reason: string): PaperOrderRow {
    return {
      ...orderBase(this.name, request, this.options.state.nextOrderId(this.name)),
      status: 'rejected',
      filledQuantity: 0,
      filledNotional: 0,
      fee: 0,
      rejectReason: reason,
    };
  }

  /** The side of bookNow's book an order takes from, built alone: the other side would be thrown away. */
  private levelsTaken(request: PlaceOrderRequest): BookLevel[] {
    const row = this.options.state.getBook(this.name, request.market);
    if (!row) return [];
    const taken = this.taken(row, request.side, request.outcome);
    return request.side === 'buy' ? this.levels(this.bestAsk(row, request.outcome), row, +1, taken) : this.levels(this.bestBid(row, request.outcome), row, -1, taken);
  }

  /** Walks the book up to the limit price; slippage moves each fill price against the taker. */
  private match(request: PlaceOrderRequest, partial: boolean): PaperOrderRow {
    const levels = this.levelsTaken(request);
    let wanted = partial ? Math.max(1, Math.floor(request.quantity / 2)) : request.quantity;
    let filled = 0;
    let paid = 0;
    for (const level of levels) {
      if (wanted <= 0) break;
      if (request.side === 'buy' ? level.price > request.limitPrice : level.price < request.limitPrice) break;
      // Slippage moves the fill against the taker, but never past the order's limit price.
      const slipped = priceOffset(level.price, request.side === 'buy' ? this.options.costs.slippagePpm : -this.options.costs.slippagePpm, request.side === 'buy' ? 'up' : 'down');
      const price = (request.side === 'buy' ? Math.min(slipped, request.limitPrice) : Math.max(slipped, request.limitPrice)) as PriceMicros;
      const take = Math.min(wanted, level.size);
      filled += take;
      paid += notional(take as QtyMicros, price, request.side === 'buy' ? 'up' : 'down');
      wanted -= take;
    }
    const base = orderBase(this.name, request, this.options.state.nextOrderId(this.name));
    if (filled === 0 || (request.timeInForce === 'fok' && filled < request.quantity)) {
      return { ...base, status: 'canceled', filledQuantity: 0, filledNotional: 0, fee: 0, rejectReason: filled === 0 ? 'no liquidity within limit' : 'fill-or-kill not fully fillable' };
    }
    const fee = applyPpm(paid as Micros, this.options.costs.feePpm, 'up');
    return {
      ...base,
      status: filled === request.quantity ? 'filled' : 'partially_filled',
      filledQuantity: filled,
      filledNotional: paid,
      fee,
      rejectReason: null,
    };
  }
}

function orderBase(venue: string, request: PlaceOrderRequest, venueOrderId: string) {
  return {
    venue,
    clientOrderId: request.clientOrderId,
    venueOrderId,
    market: request.market,
    outcome: request.outcome,
    side: request.side,
    quantity: request.quantity as number,
    limitPrice: request.limitPrice as number,
    timeInForce: request.timeInForce,
  };
}

function toReport(row: PaperOrderRow): OrderReport {
  const filled = row.filledQuantity as QtyMicros;
  return {
    clientOrderId: row.clientOrderId,
    venueOrderId: row.venueOrderId,
    status: row.status,
    filledQuantity: filled,
    remainingQuantity: (row.quantity - row.filledQuantity) as QtyMicros,
    filledNotional: row.filledNotional as Micros,
    feePaid: row.fee as Micros,
    fills:
      filled > 0
        ? [{ fillId: `${row.venueOrderId}-1`, quantity: filled, price: mulDiv(row.filledNotional, SCALE, row.filledQuantity, 'down') as PriceMicros, fee: row.fee as Micros }]
        : [],
    rejectReason: row.rejectReason,
    terms: { quantity: row.quantity as QtyMicros, limitPrice: row.limitPrice as PriceMicros },
  };
}
