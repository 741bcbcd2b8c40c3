// The Venue port: what the engine needs from any venue, paper or live. Adapters translate their wire formats
// into these types (integers in micro-units, best level first) and never leak wire shapes past this boundary.
import type { Micros, PriceMicros, QtyMicros } from '../domain/money.js';

/** Which side of a binary market. On a non-prediction paper market (e.g. SOL-USD) 'yes' is the instrument itself. */
export type { Outcome } from '../domain/market.js';
import type { Outcome } from '../domain/market.js';
/** One open market as a venue lists it (for finding pairs). */
export type { ListedMarket } from '../domain/pairing.js';
import type { ListedMarket } from '../domain/pairing.js';
export type OrderSide = 'buy' | 'sell';
/** fok: all or nothing at once; ioc: fill what can be filled now, cancel the rest; gtc: rest on the book. */
export type TimeInForce = 'fok' | 'ioc' | 'gtc';

export interface BookLevel {
  readonly price: PriceMicros;
  /** Contracts (micro-units) available at this price. */
  readonly size: QtyMicros;
}

/**
 * A market's quoted best bid and ask (YES side on a prediction market), as a venue keeps them. A venue may keep more
 * in it (the paper venue: what fills took since the quote), so only its own bestAskIn reads it.
 */
export interface TopOfBook {
  readonly bid: number;
  readonly ask: number;
}

/** One outcome's book, best level first on both sides. */
export interface OrderBook {
  readonly venue: string;
  readonly market: string;
  readonly outcome: Outcome;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  /** Venue or receive time, epoch milliseconds; CONFIGURED_QUOTE_MS for a price set in the config, which does not age. */
  readonly timestampMs: number;
}

/** The time of a book quoted from the config's markets rather than a feed: a configured price, never stale. */
export const CONFIGURED_QUOTE_MS = 0;

export interface PlaceOrderRequest {
  /** Generated and stored in the ledger BEFORE the order is sent; the venue's idempotency handle. */
  readonly clientOrderId: string;
  readonly market: string;
  readonly outcome: Outcome;
  readonly side: OrderSide;
  readonly quantity: QtyMicros;
  /** Worst acceptable price per contract. */
  readonly limitPrice: PriceMicros;
  readonly timeInForce: TimeInForce;
}

export type VenueOrderStatus = 'open' | 'filled' | 'partially_filled' | 'canceled' | 'rejected';

export interface Fill {
  readonly fillId: string;
  readonly quantity: QtyMicros;
  readonly price: PriceMicros;
  readonly fee: Micros;
}

export interface OrderReport {
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  /** 'partially_filled' means some filled and the rest was cancelled (IOC) or still rests (GTC, see remaining). */
  readonly status: VenueOrderStatus;
  readonly filledQuantity: QtyMicros;
  readonly remainingQuantity: QtyMicros;
  /** Total paid (buy) or received (sell) for the filled quantity, before fees. */
  readonly filledNotional: Micros;
  readonly feePaid: Micros;
  readonly fills: readonly Fill[];
  readonly rejectReason: string | null;
  /**
   * The order's own terms as the venue holds them, when it reports them (the paper venue does). Recovery records an
   * order sent from an armed trade, whose terms were not yet written, from these.
   */
  readonly terms?: { readonly quantity: QtyMicros; readonly limitPrice: PriceMicros };
}

export interface VenueBalance {
  /** Collateral the venue says we hold, in micro-USD. */
  readonly total: Micros;
  readonly available: Micros;
}

/** Thrown when the outcome of a request is unknown (timeout after send, dropped connection): ask, never guess. */
export class OrderOutcomeUnknownError extends Error {
  override readonly name = 'OrderOutcomeUnknownError';
  constructor(
    readonly clientOrderId: string,
    message: string,
  ) {
    super(message);
  }
}

/** The venue refused the request for a reason that retrying will not fix (bad credentials, invalid order). */
export class VenueRejectedError extends Error {
  override readonly name = 'VenueRejectedError';
  constructor(
    readonly venue: string,
    readonly status: number | null,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a venue says about one of its markets, as it says it: a person confirming that two markets are the same event
 * (`arbbot venues check`) needs the venue's own words, not the config's.
 */
export interface MarketDescription {
  readonly market: string;
  readonly title: string | null;
  /** When trading closes, ISO-8601 as the venue gives it; null when it does not say. */
  readonly closeTime: string | null;
  /** The price increment orders must respect; null when the venue does not say. */
  readonly tickSize: PriceMicros | null;
  /** The smallest order the venue accepts, in contracts; null when it does not say. */
  readonly minSize: QtyMicros | null;
  /** Other facts that change how the market trades, one short phrase each ("neg-risk", "status active", …). */
  readonly notes: readonly string[];
}

/** The sizes a venue accepts for a fill-or-kill buy on one market. */
export interface BuySizeRule {
  /** The smallest order, in contracts. */
  readonly minimum: QtyMicros;
  /** The order's quantity must be a multiple of this at this limit price (a venue may require whole cents of cash). */
  step(limitPrice: PriceMicros): QtyMicros;
}

/** Reading a venue's markets: books, their descriptions, the sizes it accepts and its fees. No credentials needed. */
export interface MarketData {
  readonly name: string;
  /** Prices are probabilities strictly between 0 and 1. */
  readonly predictionMarket: boolean;
  getBook(market: string, outcome: Outcome): Promise<OrderBook>;
  /** The venue's own description of a market; a venue that cannot describe one leaves this out. */
  describeMarket?(market: string): Promise<MarketDescription>;
  /**
   * The venue's open markets, each with its title, close time, rules and YES outcome in the venue's own words, paged
   * through to a bound (past it: an error, never a silent cut); a venue that cannot list its markets leaves this out.
   */
  listMarkets?(): Promise<readonly ListedMarket[]>;
  /**
   * What the venue accepts as a fill-or-kill buy's size on a market, as far as it knows without a request (null until
   * it has read the market; absent: any whole number of contracts). The scanner sizes within it: a size the venue
   * would refuse is no opportunity.
   */
  buySizeRule?(market: string): BuySizeRule | null;
  /**
   * The taker fee this venue charges for `quantity` contracts at `price`, rounded as the venue rounds it. Never
   * negative: the arbitrage pre-check rules a pair out from prices alone, counting on fees only lowering the edge.
   */
  takerFee(market: string, quantity: QtyMicros, price: PriceMicros): Micros;
}

/** Trading on a venue: its balance and orders under our client order ids. */
export interface OrderEntry {
  getBalance(): Promise<VenueBalance>;
  /**
   * Throws (with no I/O), naming what is missing (credentials), when this venue cannot take orders at all although its
   * public books can be read: asked before an arbitrage is recorded, so one leg is never sent while the other cannot be.
   */
  assertCanTrade?(): void;
  /**
   * Places an order under its client order id. Placing the same client order id twice never creates a second order:
   * the venue (or the adapter) answers with the first one's report.
   * Throws OrderOutcomeUnknownError when the request may or may not have reached the venue.
   */
  placeOrder(request: PlaceOrderRequest): Promise<OrderReport>;
  /** The order placed under this client order id, or null when the venue never received it. */
  getOrderByClientId(clientOrderId: string, market: string): Promise<OrderReport | null>;
  cancelOrder(venueOrderId: string, market: string): Promise<OrderReport>;
}

/**
 * Books held in this process's memory, read with no I/O: what getBook would answer at this moment. Only a venue whose
 * book is local (paper) has them; a live venue's book is a request away, so its caller awaits getBook.
 */
export interface LocalBooks {
  bookNow(market: string, outcome: Outcome): OrderBook;
  /** The cheapest ask of bookNow(market, outcome), null when it has none, without building the book. */
  bestAskNow(market: string, outcome: Outcome): PriceMicros | null;
  /**
   * A live view of a market's top of book, or null while the market has none: the same object for as long as the
   * venue lives, updated in place, so a caller on the hot path may keep it instead of looking the market up per quote.
   * `bestAskIn(view, outcome)` reads it as bestAskNow(market, outcome) would.
   */
  topOfBookNow(market: string): TopOfBook | null;
  bestAskIn(view: TopOfBook, outcome: Outcome): PriceMicros | null;
}

/**
 * A venue the engine drives itself (paper): its book follows the quotes the engine accepts, it writes the books that
 * changed where other processes read them when asked, and it pays out each resolution the ledger records, once.
 */
export interface Simulation {
  setQuote(market: string, bid: PriceMicros, ask: PriceMicros, depth: null, timestampMs: number): void;
  /** Feed time of the market's last quote, or null when it has never been quoted. */
  quotedAtMs(market: string): number | null;
  flushBooks(): void;
  /** `resolutionId`: the ledger's record of this resolution; the venue applies each one once. */
  resolve(market: string, outcome: Outcome, resolutionId: number): unknown;
  /** The newest ledger resolution applied here (0: none). */
  lastResolutionId(): number;
}

/** What a venue's book stream tells whoever trades on its books. */
export interface BookStreamListener {
  /** The market's book changed and is whole (a snapshot, or a change applied in order). */
  changed(market: string, receivedMs: number): void;
  /** The market's book cannot be trusted until a new snapshot (a gap, a stale or dropped stream): why. */
  broken(market: string, reason: string): void;
}

/**
 * Books kept whole from a websocket (live venues that stream): the venue's localBooks read them with no I/O. A broken
 * book reads as empty (nothing to buy) until the stream brings a new snapshot, which it asks for by itself.
 */
export interface BookStream {
  /** Subscribes to these markets and keeps their books; what happens to them is told to the listener. */
  start(markets: readonly string[], listener: BookStreamListener): void;
  close(): Promise<void>;
}

/**
 * A venue as the engine sees it: market data and order entry, plus the capabilities only some venues have. The engine
 * asks for a capability (`venue.localBooks`, `venue.simulation`), never for a kind of venue.
 */
export interface Venue extends MarketData, OrderEntry {
  /** Present when the venue's books are in memory: the arbitrage hot path reads them synchronously. */
  readonly localBooks?: LocalBooks;
  /** Present when the venue is simulated and the engine drives it. */
  readonly simulation?: Simulation;
  /** Present when the venue's books come by websocket (then localBooks reads them). */
  readonly stream?: BookStream;
  close?(): Promise<void>;
}
