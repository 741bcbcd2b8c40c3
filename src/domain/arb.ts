// Arbitrage legs: one string union of states and one pure transition table. An impossible transition is a bug.

export type LegState = 'planned' | 'reserved' | 'submitted' | 'filled' | 'partially_filled' | 'rejected' | 'unknown' | 'settled';
export type TradeState = 'planned' | 'reserved' | 'submitted' | 'settled' | 'failed';
export type ArbDirection = 'yes_a_no_b' | 'no_a_yes_b';
export type UnhedgedState = 'open' | 'hedged' | 'unwound' | 'written_off';
/** What a settled trade came to: nothing filled, a hedged pair, a hedged pair with an unhedged excess, or one leg only. */
export type TradeOutcome = 'none' | 'hedged' | 'partial' | 'unhedged';
/** The legs of a trade: its two, and the follow-up orders that hedge or unwind an unhedged one. */
export type LegRole = 'a' | 'b' | 'hedge' | 'unwind';

/** The legs whose order's outcome is not recorded yet: sent, and either not answered or answered unbelievably. */
export const AWAITING_VERDICT: readonly LegState[] = ['submitted', 'unknown'];

/**
 * What a trade is, as shown: its state, or `needs attention` for a trade in flight that a venue reported the
 * impossible about (its `attention`, the claim). Such a trade keeps its state, which says where its orders are; the
 * mark says a leg of it waits for a person or for the venue to answer sanely.
 */
export type TradeStatus = TradeState | 'needs attention';

export function tradeStatus(trade: { readonly state: TradeState; readonly attention: string | null }): TradeStatus {
  return trade.attention !== null && trade.state !== 'settled' && trade.state !== 'failed' ? 'needs attention' : trade.state;
}

const LEG_TRANSITIONS: Readonly<Record<LegState, readonly LegState[]>> = {
  // planned → settled: the trade failed before any balance was reserved (nothing to undo).
  planned: ['reserved', 'settled'],
  // reserved → settled: released without sending (the other reservation failed, or a crash before submit).
  reserved: ['submitted', 'settled'],
  submitted: ['filled', 'partially_filled', 'rejected', 'unknown'],
  // unknown → unknown: asked the venue again and it still could not say.
  unknown: ['filled', 'partially_filled', 'rejected', 'unknown'],
  filled: ['settled'],
  partially_filled: ['settled'],
  rejected: ['settled'],
  settled: [],
};

const TRADE_TRANSITIONS: Readonly<Record<TradeState, readonly TradeState[]>> = {
  planned: ['reserved', 'failed'],
  reserved: ['submitted', 'failed'],
  submitted: ['settled'],
  settled: [],
  failed: [],
};

export class TransitionError extends Error {
  override readonly name = 'TransitionError';
}

export function canTransitionLeg(from: LegState, to: LegState): boolean {
  return LEG_TRANSITIONS[from].includes(to);
}

export function assertLegTransition(from: LegState, to: LegState): void {
  if (!canTransitionLeg(from, to)) throw new TransitionError(`arb leg cannot go from ${from} to ${to}`);
}

export function assertTradeTransition(from: TradeState, to: TradeState): void {
  if (!TRADE_TRANSITIONS[from].includes(to)) throw new TransitionError(`arb trade cannot go from ${from} to ${to}`);
}
