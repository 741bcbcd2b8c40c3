// The arbitrage scanner, pure: for a pair of books it checks both directions (YES on A + NO on B, NO on A + YES on
// B), walks the levels actually needed at the SAME contract count on both legs, charges each venue's exact fee, and
// finds the whole-contract size that maximises net profit within depth, balances, the pair's maxSize and the sizes
// each venue accepts.
// Profit per contract pair: 1 − a − b − fees, where a and b are averaged over the levels taken.
import type { ArbDirection } from '../../domain/arb.js';
import { divRound, mulDiv, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { BookLevel, Outcome } from '../../venues/venue.js';

export interface LegBook {
  readonly venue: string;
  readonly market: string;
  readonly outcome: Outcome;
  /** Asks of this outcome, best (lowest) first. */
  readonly asks: readonly BookLevel[];
  readonly availableMicros: Micros;
  readonly minContracts: QtyMicros;
  readonly takerFee: (quantity: QtyMicros, price: PriceMicros) => Micros;
  /** The step this leg's quantity must be a multiple of at its limit price, when its venue has one (BuySizeRule). */
  readonly quantityStep?: (limitPrice: PriceMicros) => QtyMicros;
}

export interface LegPlan {
  readonly venue: string;
  readonly market: string;
  readonly outcome: Outcome;
  readonly quantity: QtyMicros;
  /** Average price over the levels taken (rounded up: against us). */
  readonly averagePrice: PriceMicros;
  /** The worst level taken: the limit price of a fill-or-kill order. */
  readonly limitPrice: PriceMicros;
  readonly cost: Micros;
  readonly fee: Micros;
}

export interface Opportunity {
  readonly pair: string;
  readonly direction: ArbDirection;
  readonly contracts: QtyMicros;
  readonly a: LegPlan;
  readonly b: LegPlan;
  /** Payout at resolution: 1 per contract pair. */
  readonly payout: Micros;
  readonly grossEdge: Micros;
  readonly fees: Micros;
  readonly netEdge: Micros;
  /** Net edge per capital used (both legs' cost and fees), in basis points. */
  readonly netEdgeBps: number;
}

const CONTRACT = SCALE as QtyMicros;
const BPS = 10_000;
/** Bound on the binary searches over contract counts (2^40 contracts is far beyond any book). */
const SEARCH_STEPS_MAX = 40;

/** Walks levels (best first) for `quantity`; each level's notional rounds as given. Null when the book is too thin. */
function walkLevels(levels: readonly BookLevel[], quantity: QtyMicros, rounding: 'up' | 'down'): { notional: number; limitPrice: PriceMicros } | null {
  let remaining: number = quantity;
  let notional = 0;
  let limitPrice = 0;
  for (const level of levels) {
    if (remaining <= 0) break;
    const take = Math.min(remaining, level.size);
    notional += mulDiv(take, level.price, SCALE, rounding);
    limitPrice = level.price;
    remaining -= take;
  }
  return remaining > 0 ? null : { notional, limitPrice: limitPrice as PriceMicros };
}

/** Cost of buying `quantity` from `asks` (best first), rounded up; null when the book is not deep enough. */
export function walkAsks(asks: readonly BookLevel[], quantity: QtyMicros): { cost: Micros; limitPrice: PriceMicros } | null {
  const walked = walkLevels(asks, quantity, 'up');
  return walked && { cost: walked.notional as Micros, limitPrice: walked.limitPrice };
}

/** Proceeds of selling `quantity` into `bids` (best first), rounded down; null when the book is not deep enough. */
export function walkBids(bids: readonly BookLevel[], quantity: QtyMicros): { proceeds: Micros; limitPrice: PriceMicros } | null {
  const walked = walkLevels(bids, quantity, 'down');
  return walked && { proceeds: walked.notional as Micros, limitPrice: walked.limitPrice };
}

function planLeg(book: LegBook, quantity: QtyMicros): LegPlan | null {
  const walked = walkAsks(book.asks, quantity);
  if (!walked) return null;
  const averagePrice = mulDiv(walked.cost, SCALE, quantity, 'up') as PriceMicros;
  return {
    venue: book.venue,
    market: book.market,
    outcome: book.outcome,
    quantity,
    averagePrice,
    limitPrice: walked.limitPrice,
    cost: walked.cost,
    fee: book.takerFee(quantity, averagePrice),
  };
}

export function evaluate(pair: string, direction: ArbDirection, a: LegBook, b: LegBook, contracts: QtyMicros): Opportunity | null {
  const legA = planLeg(a, contracts);
  const legB = planLeg(b, contracts);
  if (!legA || !legB) return null;
  const payout = contracts as number as Micros;
  const grossEdge = (payout - legA.cost - legB.cost) as Micros;
  const fees = (legA.fee + legB.fee) as Micros;
  const netEdge = (grossEdge - fees) as Micros;
  const capital = legA.cost + legB.cost + fees;
  return {
    pair,
    direction,
    contracts,
    a: legA,
    b: legB,
    payout,
    grossEdge,
    fees,
    netEdge,
    netEdgeBps: capital > 0 ? mulDiv(netEdge, BPS, capital, 'down') : 0,
  };
}

function depth(asks: readonly BookLevel[]): number {
  return asks.reduce((sum, level) => sum + level.size, 0);
}

/**
 * A bound on the contracts `amount` can buy on both legs together: no size costs less per contract than the two
 * cheapest asks (level notionals round up and fees are never negative).
 */
function contractsBelow(amount: Micros, asksA: readonly BookLevel[], asksB: readonly BookLevel[]): number {
  const cheapestA = cheapestAsk(asksA);
  const cheapestB = cheapestAsk(asksB);
  if (cheapestA === null || cheapestB === null || cheapestA + cheapestB <= 0 || amount < 0) return Number.MAX_SAFE_INTEGER;
  // A large maxSize at tiny prices can exceed what a number holds exactly: then it bounds nothing.
  const bound = divRound(BigInt(amount) * BigInt(SCALE), BigInt(cheapestA + cheapestB), 'down');
  return bound > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(bound);
}

/** Largest whole-contract count in [0, high] for which `fits` holds (fits is monotone: true then false). */
function largestFitting(high: number, fits: (contracts: QtyMicros) => boolean): number {
  let low = 0;
  let top = Math.floor(high / CONTRACT);
  // The bound itself usually fits (a balance far above the pair's maxSize): one check instead of a search.
  if (top > 0 && fits((top * CONTRACT) as QtyMicros)) return top * CONTRACT;
  for (let step = 0; step < SEARCH_STEPS_MAX && low < top; step += 1) {
    const middle = Math.ceil((low + top) / 2);
    if (fits((middle * CONTRACT) as QtyMicros)) low = middle;
    else top = middle - 1;
  }
  return low * CONTRACT;
}

/** A bound on the contracts `amount` buys on one leg: none costs less per contract than its cheapest ask. */
function legContractsBelow(amount: Micros | null, asks: readonly BookLevel[]): number {
  const cheapest = cheapestAsk(asks);
  if (amount === null || cheapest === null || cheapest <= 0 || amount < 0) return Number.MAX_SAFE_INTEGER;
  const bound = divRound(BigInt(amount) * BigInt(SCALE), BigInt(cheapest), 'down');
  return bound > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(bound);
}

/**
 * The best opportunity in one direction: net profit is linear between book-level boundaries, so the maximum lies
 * at a boundary or at a cap (balances, maxSize, each leg's cost limit); each candidate is evaluated exactly.
 * `legCostMaxMicros` caps each leg's cost (its position's cost basis): the risk limit on one position.
 */
export function bestInDirection(
  pair: string,
  direction: ArbDirection,
  a: LegBook,
  b: LegBook,
  maxSizeMicros: Micros,
  legCostMaxMicros: Micros | null = null,
): Opportunity | null {
  const depthMax = Math.min(depth(a.asks), depth(b.asks), legContractsBelow(legCostMaxMicros, a.asks), legContractsBelow(legCostMaxMicros, b.asks));
  const minimum = Math.max(a.minContracts, b.minContracts, CONTRACT);
  if (depthMax < minimum) return null;
  const affordable = (book: LegBook) => (q: QtyMicros) => {
    const plan = planLeg(book, q);
    return plan !== null && plan.cost + plan.fee <= book.availableMicros;
  };
  const withinSize = (q: QtyMicros) => {
    const opportunity = evaluate(pair, direction, a, b, q);
    if (opportunity === null || opportunity.a.cost + opportunity.b.cost + opportunity.fees > maxSizeMicros) return false;
    return legCostMaxMicros === null || (opportunity.a.cost <= legCostMaxMicros && opportunity.b.cost <= legCostMaxMicros);
  };
  // Each search finds the largest size its test allows below a bound, and the cap is the least of them: searching the
  // balances below the size cap, and the size cap below what maxSize buys at the cheapest asks, gives the same cap
  // over a far smaller range (every check walks the books).
  const sizeCap = largestFitting(Math.min(depthMax, contractsBelow(maxSizeMicros, a.asks, b.asks)), withinSize);
  const cap = Math.min(sizeCap, largestFitting(sizeCap, affordable(a)), largestFitting(sizeCap, affordable(b)));
  if (cap < minimum) return null;
  const candidates = new Set<number>([cap, minimum]);
  for (const asks of [a.asks, b.asks]) {
    let cumulative = 0;
    for (const level of asks) {
      cumulative += level.size;
      const whole = Math.floor(cumulative / CONTRACT) * CONTRACT;
      if (whole >= minimum && whole <= cap) candidates.add(whole);
    }
  }
  let best: Opportunity | null = null;
  for (const contracts of a.quantityStep || b.quantityStep ? acceptedNear(a, b, candidates, minimum, cap) : candidates) {
    const opportunity = evaluate(pair, direction, a, b, contracts as QtyMicros);
    if (opportunity && (best === null || opportunity.netEdge > best.netEdge)) best = opportunity;
  }
  return best;
}

/**
 * The sizes both venues accept next to each candidate. Between candidates both limit prices, and so both steps, are
 * constant and profit is linear: the best accepted size is the largest or the smallest multiple of the step in one of
 * those stretches, found below each candidate and above it (a stretch starts a contract above a candidate).
 */
function acceptedNear(a: LegBook, b: LegBook, candidates: ReadonlySet<number>, minimum: number, cap: number): Set<number> {
  const sizes = new Set<number>();
  for (const contracts of candidates) {
    for (const [start, direction] of [[contracts, 'down'], [contracts, 'up'], [contracts + CONTRACT, 'up']] as const) {
      const size = nearestAccepted(a, b, start, minimum, cap, direction);
      if (size !== null) sizes.add(size);
    }
  }
  return sizes;
}

/**
 * Moves `contracts` to the nearest multiple of both legs' steps in `direction`. A leg's step depends on its limit
 * price, which moves with the size, so this repeats until the size stays put; null when it leaves [minimum, cap].
 */
function nearestAccepted(a: LegBook, b: LegBook, contracts: number, minimum: number, cap: number, direction: 'down' | 'up'): number | null {
  let size = contracts;
  for (let step = 0; step < SEARCH_STEPS_MAX && size >= minimum && size <= cap && size > 0; step += 1) {
    const unit = acceptedUnit(a, b, size as QtyMicros);
    if (unit === null) return null;
    const moved = direction === 'down' ? Math.floor(size / unit) * unit : Math.ceil(size / unit) * unit;
    if (moved === size) return size;
    size = moved;
  }
  return null;
}

/** The least common multiple of a whole contract and both legs' steps at the limit prices `size` reaches. */
function acceptedUnit(a: LegBook, b: LegBook, size: QtyMicros): number | null {
  let unit = BigInt(CONTRACT);
  for (const book of [a, b]) {
    if (!book.quantityStep) continue;
    const walked = walkAsks(book.asks, size);
    if (!walked) return null;
    const step = BigInt(book.quantityStep(walked.limitPrice));
    if (step <= 0n) return null;
    unit = (unit / gcdBig(unit, step)) * step;
  }
  return unit > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(unit);
}

function gcdBig(x: bigint, y: bigint): bigint {
  return y === 0n ? x : gcdBig(y, x % y);
}

export interface PairBooks {
  readonly pair: string;
  /** Pair-YES and pair-NO books on venue A and on venue B. */
  readonly aYes: LegBook;
  readonly aNo: LegBook;
  readonly bYes: LegBook;
  readonly bNo: LegBook;
  readonly maxSizeMicros: Micros;
  /** The most cost one leg may have (the risk limit on one position); absent or null: no limit. */
  readonly legCostMaxMicros?: Micros | null;
}

/** The books with each leg's cost capped (null: as they are). */
export function withLegCostCap(books: PairBooks, legCostMaxMicros: Micros | null): PairBooks {
  return legCostMaxMicros === null ? books : { ...books, legCostMaxMicros };
}

/**
 * Whether any size could be actionable (net edge above 0 and at least `minEdgeBps`) in either direction, from the
 * cheapest asks alone. A leg never costs less than its cheapest ask per contract (level notionals round up), and
 * fees are never negative, so with `a` and `b` the cheapest asks (micro-units per contract) every opportunity has
 *   net edge  <= q·(1 − a − b)          → needs a + b < 1;
 *   net edge / capital <= (1 − a − b) / (a + b), and netEdgeBps rounds down → needs (10,000 + minEdgeBps)·(a + b) <= 10,000.
 * False means scanPair finds nothing actionable; true means only that it may.
 */
export function edgePossible(books: PairBooks, minEdgeBps = 0): boolean {
  return (
    asksMayClear(cheapestAsk(books.aYes.asks), cheapestAsk(books.bNo.asks), minEdgeBps) ||
    asksMayClear(cheapestAsk(books.aNo.asks), cheapestAsk(books.bYes.asks), minEdgeBps)
  );
}

/** The cheapest ask price, null for an empty book. */
export function cheapestAsk(asks: readonly BookLevel[]): PriceMicros | null {
  let cheapest: number | null = null;
  for (const level of asks) if (cheapest === null || level.price < cheapest) cheapest = level.price;
  return cheapest as PriceMicros | null;
}

/** The bound of edgePossible for one direction, from each leg's cheapest ask (null: nothing to buy on that leg). */
export function asksMayClear(cheapestA: PriceMicros | null, cheapestB: PriceMicros | null, minEdgeBps: number): boolean {
  if (cheapestA === null || cheapestB === null) return false;
  const sum = cheapestA + cheapestB;
  return sum < SCALE && (BPS + Math.max(minEdgeBps, 0)) * sum <= BPS * SCALE;
}

/**
 * Both directions; the better one first. Directions with no executable size are left out. With `payableOnly`, so is
 * a direction whose cheapest asks already sum to 1 or more (no size has a positive net edge there): a trader looking
 * for something to execute gets the same best opportunity whenever that one is actionable, for half the work when
 * one direction cannot pay. Only that price bound, not the pair's minimum edge: the trader executes the best
 * opportunity or nothing, and a direction dropped for its minimum could still hold the best net edge.
 */
export function scanPair(books: PairBooks, payableOnly = false): Opportunity[] {
  const found: Opportunity[] = [];
  for (const [direction, a, b] of [['yes_a_no_b', books.aYes, books.bNo], ['no_a_yes_b', books.aNo, books.bYes]] as const) {
    if (payableOnly && !asksMayClear(cheapestAsk(a.asks), cheapestAsk(b.asks), 0)) continue;
    const best = bestInDirection(books.pair, direction, a, b, books.maxSizeMicros, books.legCostMaxMicros ?? null);
    if (best) found.push(best);
  }
  return found.sort((x, y) => y.netEdge - x.netEdge);
}
