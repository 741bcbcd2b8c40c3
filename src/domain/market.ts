// A prediction market's shared rules, in one place: its two outcomes, the price of one outcome from the other's, what a
// contract pays at resolution, the range a price lies in, and how a position on an outcome is named in the ledger.
import { PRICE_ONE, type PriceMicros } from './money.js';

export type Outcome = 'yes' | 'no';
export const OUTCOMES: readonly Outcome[] = ['yes', 'no'];

/** The longest market name taken from a person or a feed: real venues' market ids are far shorter. */
export const MARKET_NAME_LENGTH_MAX = 200;

/** A market's last accepted quote, kept so the price guard still knows what "normal" was after a restart. */
export interface MarketPrice {
  readonly venue: string;
  readonly market: string;
  readonly bid: PriceMicros;
  readonly ask: PriceMicros;
}

export function opposite(outcome: Outcome): Outcome {
  return outcome === 'yes' ? 'no' : 'yes';
}

/**
 * The other outcome's side of the same price: a YES and a NO contract pay $1 together, so NO's bid is 1 − YES's ask
 * and NO's ask 1 − YES's bid.
 */
export function complementPrice(price: number): PriceMicros {
  return (PRICE_ONE - price) as PriceMicros;
}

/** What a contract of `held` pays when the market resolves `result`: $1 to the winning outcome, nothing to the other. */
export function payout(held: Outcome, result: Outcome): PriceMicros {
  return (held === result ? PRICE_ONE : 0) as PriceMicros;
}

/** Whether a price can be a prediction market's: strictly between 0 and $1 (a probability). */
export function isPredictionPrice(price: number): boolean {
  return price > 0 && price < PRICE_ONE;
}

const NO_SUFFIX = ':no';

/** Positions on a NO outcome live under "<market>:no", so the YES quote of <market> can mark both sides. */
export function positionMarket(market: string, outcome: Outcome): string {
  return outcome === 'yes' ? market : `${market}${NO_SUFFIX}`;
}

/** The inverse: which venue market and outcome a position's market names. */
export function splitPositionMarket(positionMarketId: string): { market: string; outcome: Outcome } {
  return positionMarketId.endsWith(NO_SUFFIX)
    ? { market: positionMarketId.slice(0, -NO_SUFFIX.length), outcome: 'no' }
    : { market: positionMarketId, outcome: 'yes' };
}
