// Settling an arbitrage trade from what each leg actually filled, as a plan: which part of each fill is a hedged pair
// (the quantity both legs filled) and which an unhedged excess, with each part's cost and fee apportioned so the parts
// sum exactly to the fill, and what the trade came to. Pure: the ledger applies the plan in one transaction.
import type { LegState, TradeOutcome } from './arb.js';
import { mulDiv } from './money.js';

/** What one leg filled: contracts, what they cost and the fee, in micro-units. */
export interface LegFill {
  readonly quantity: number;
  readonly notional: number;
  readonly fee: number;
}

export type SettledKind = 'arb_hedged' | 'arb_unhedged';

/** A part of a leg's fill that becomes one position. */
export interface FillPart {
  readonly quantity: number;
  readonly cost: number;
  readonly fee: number;
  readonly kind: SettledKind;
}

export interface SettlementPlan {
  /** The contracts both legs filled: held as a hedged pair to resolution. */
  readonly hedgedQuantity: number;
  /** Per leg, in the order given: the parts its fill becomes (none when it filled nothing). */
  readonly parts: readonly (readonly FillPart[])[];
  readonly outcome: TradeOutcome;
}

export class OverfillError extends Error {
  override readonly name = 'OverfillError';
}

/** The state a leg's report puts it in. A venue reporting more filled than was ordered is refused, never booked. */
export function filledState(orderedQuantity: number, filledQuantity: number): Extract<LegState, 'filled' | 'partially_filled' | 'rejected'> {
  if (filledQuantity > orderedQuantity) throw new OverfillError(`the venue reports ${filledQuantity} filled of ${orderedQuantity} ordered`);
  return filledQuantity === 0 ? 'rejected' : filledQuantity < orderedQuantity ? 'partially_filled' : 'filled';
}

export function planSettlement(fills: readonly LegFill[]): SettlementPlan {
  const hedgedQuantity = fills.length === 0 ? 0 : Math.min(...fills.map((fill) => fill.quantity));
  const parts = fills.map((fill) => splitFill(fill, hedgedQuantity));
  const filledLegs = fills.filter((fill) => fill.quantity > 0).length;
  const unhedged = parts.some((legParts) => legParts.some((part) => part.kind === 'arb_unhedged'));
  const outcome: TradeOutcome = filledLegs === 0 ? 'none' : !unhedged ? 'hedged' : hedgedQuantity > 0 ? 'partial' : 'unhedged';
  return { hedgedQuantity, parts, outcome };
}

/**
 * Splits a fill into its hedged part and its excess. The hedged part's cost and fee round up and the excess takes the
 * rest, so the two always sum to exactly what the venue charged.
 */
export function splitFill(fill: LegFill, hedgedQuantity: number): FillPart[] {
  const result: FillPart[] = [];
  if (fill.quantity === 0) return result;
  const hedgedCost = hedgedQuantity === 0 ? 0 : mulDiv(fill.notional, hedgedQuantity, fill.quantity, 'up');
  const hedgedFee = hedgedQuantity === 0 ? 0 : mulDiv(fill.fee, hedgedQuantity, fill.quantity, 'up');
  if (hedgedQuantity > 0) result.push({ quantity: hedgedQuantity, cost: hedgedCost, fee: hedgedFee, kind: 'arb_hedged' });
  if (fill.quantity > hedgedQuantity) {
    result.push({ quantity: fill.quantity - hedgedQuantity, cost: fill.notional - hedgedCost, fee: fill.fee - hedgedFee, kind: 'arb_unhedged' });
  }
  return result;
}

/**
 * One leg booked while the other's outcome is not known (its venue reported the impossible): nothing is known to
 * hedge it, so its whole fill is an unhedged part.
 */
export function planAlone(fill: LegFill): FillPart[] {
  return splitFill(fill, 0);
}

/** The other leg, booked earlier on its own: what it filled, and how much of it is still held open and unhedged. */
export interface BookedPartner {
  readonly filledQuantity: number;
  /** Its unhedged position's contracts while that position is open and unhedged; 0 when it filled nothing or closed since. */
  readonly openUnhedgedQuantity: number;
}

export interface LatePlan {
  /** The parts this leg's fill becomes. */
  readonly parts: readonly FillPart[];
  /** The partner's open position is hedged by this fill: it becomes a leg of a hedged pair. */
  readonly hedgesPartner: boolean;
  readonly outcome: TradeOutcome;
}

/**
 * The second leg of a trade booked after the first was booked alone. A fill covering all of the partner's open
 * contracts hedges them: that many of its own become the pair's other half, the rest unhedged. A smaller fill hedges
 * nothing (a position is never split after it opened), as a partly filled hedge order does not: it is unhedged too.
 * The outcome is what the trade came to as booked: hedged only where a hedged pair is held.
 */
export function planLate(fill: LegFill, partner: BookedPartner): LatePlan {
  const covered = partner.openUnhedgedQuantity;
  const hedgesPartner = covered > 0 && fill.quantity >= covered;
  const parts = hedgesPartner ? splitFill(fill, covered) : planAlone(fill);
  const filledLegs = (fill.quantity > 0 ? 1 : 0) + (partner.filledQuantity > 0 ? 1 : 0);
  const hedged = hedgesPartner ? covered : 0;
  const whole = hedged === fill.quantity && hedged === partner.filledQuantity;
  const outcome: TradeOutcome = filledLegs === 0 ? 'none' : hedged === 0 ? 'unhedged' : whole ? 'hedged' : 'partial';
  return { parts, hedgesPartner, outcome };
}
