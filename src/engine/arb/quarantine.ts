// A trade a venue reports the impossible about is quarantined, never stopped on: what can be trusted of it is booked
// and the rest waits, its money held, for the venue to answer sanely (reconcile) or for a person to record what
// happened (resolve-trade). The leg the claim concerns stays unknown with the claim kept on it and its reservation
// pending; nothing of the claim is booked; the trade is marked with the latest claim (its `attention`, shown as
// `needs attention`). A leg of the same trade whose venue answered believably is booked on its own, its whole fill
// unhedged since its hedge is not known. When the held leg's verdict comes, it is booked against that one, hedging
// its open contracts when it covers them. Each step is one transaction with its wallet rows.
import { AWAITING_VERDICT, type LegState } from '../../domain/arb.js';
import { planAlone, planLate, type FillPart } from '../../domain/settlement.js';
import type { ArbLeg, ArbTrade } from '../../ledger/arb-store.js';
import type { Position } from '../../domain/position.js';
import type { VenueProtocolError } from '../../venues/errors.js';
import { fillOf, impossibleVerdict, recordKnownVerdicts, recordVerdict, settleLeg, settleTrade, type LegVerdict, type SettleDeps, type SettleResult, type UnhedgedPart } from './settle.js';

/** A venue's answer about one leg's order: a verdict to book, a claim that cannot be true, or none (not reachable). */
export type LegAnswer = LegVerdict | { readonly kind: 'claim'; readonly claim: VenueProtocolError } | null;

/** What the answers about a trade came to. */
export type Booked =
  | { readonly kind: 'settled'; readonly settlement: SettleResult }
  /** Some of it booked (settlement: what was booked now), the rest held for the venue or a person; claim: the trade's mark. */
  | { readonly kind: 'needs_attention'; readonly settlement: SettleResult; readonly claim: string }
  /** A leg not answered, and no claim: the verdicts known are recorded, and reconcile settles it later. */
  | { readonly kind: 'pending' };

/** The states of a leg whose verdict is recorded but not booked yet. */
const RECORDED: readonly LegState[] = ['filled', 'partially_filled', 'rejected'];

const tradeLegs = (legs: readonly ArbLeg[]) => legs.filter((leg) => leg.leg === 'a' || leg.leg === 'b');

/**
 * Books what the answers about a trade's legs allow, in one transaction. `answers`: the legs asked now, by id (a leg
 * whose verdict is recorded needs none).
 *  - every leg answered believably → settled (both legs at once, or this one against the one booked before it);
 *  - a claim now, or one stored and not answered sanely since → each believable leg booked on its own, each claimed
 *    leg held, the trade marked with the latest claim;
 *  - otherwise a leg not answered → the verdicts known recorded, the trade pending.
 */
export function bookAnswers(deps: SettleDeps, tradeId: number, answers: ReadonlyMap<number, LegAnswer>): Booked {
  const { ledger, store } = deps;
  return ledger.transaction((): Booked => {
    const trade = store.requireTrade(tradeId);
    if (trade.state === 'settled' || trade.state === 'failed') return { kind: 'settled', settlement: nothingBooked(deps, trade, true) };
    const verdicts = new Map<number, LegVerdict>();
    let claimed = false;
    let unanswered = false;
    for (const leg of tradeLegs(store.legsOf(tradeId))) {
      if (!AWAITING_VERDICT.includes(leg.state)) continue;
      const answer = answers.get(leg.id) ?? null;
      const claim = answer === null ? null : answer.kind === 'claim' ? answer.claim : impossibleVerdict(leg, answer);
      if (claim) {
        // Held: unknown, the claim kept on the leg (its error), its reservation pending. Nothing of the claim is booked.
        store.transitionLeg(leg.id, 'unknown', { error: claim.message }, claim.message);
        claimed = true;
      } else if (answer === null) unanswered = true;
      else verdicts.set(leg.id, answer as LegVerdict);
    }
    if (!claimed && !unanswered) return { kind: 'settled', settlement: bookLegs(deps, trade, verdicts) };
    if (!claimed && trade.attention === null) {
      recordKnownVerdicts(ledger, store, verdicts);
      return { kind: 'pending' };
    }
    const settlement = bookLegs(deps, trade, verdicts);
    const claim = markAttention(deps, tradeId);
    return claim === null ? { kind: 'pending' } : { kind: 'needs_attention', settlement, claim };
  });
}

/**
 * Books each leg that has a verdict (given now, or recorded before), inside the caller's transaction: both legs of a
 * trade at once as any trade settles; else each on its own, or against the other leg booked before it. The trade
 * settles once both legs are booked.
 */
export function bookLegs(deps: SettleDeps, trade: ArbTrade, verdicts: ReadonlyMap<number, LegVerdict>): SettleResult {
  const { ledger, store, config } = deps;
  const legs = tradeLegs(store.legsOf(trade.id));
  const ready = legs.filter((leg) => verdicts.has(leg.id) || RECORDED.includes(leg.state));
  if (ready.length === legs.length) return settleTrade(ledger, store, config, trade.id, verdicts);
  const positions: Position[] = [];
  const unhedged: UnhedgedPart[] = [];
  let outcome: ArbTrade['outcome'] = null;
  for (const leg of ready) {
    const verdict = verdicts.get(leg.id);
    const recorded = verdict ? recordVerdict(store, leg, verdict) : leg;
    const partner = legs.find((other) => other.id !== leg.id);
    const booked = partner?.state === 'settled' ? bookLate(deps, recorded, partner) : { ...settleLeg(deps, recorded, planAlone(fillOf(recorded))), outcome: null };
    positions.push(...booked.positions);
    if (booked.unhedged) unhedged.push(booked.unhedged);
    outcome = booked.outcome;
  }
  if (outcome !== null) store.setTradeState(trade.id, 'settled', { outcome });
  return { trade: store.requireTrade(trade.id), legs: store.legsOf(trade.id), positions, unhedged, alreadySettled: false };
}

/**
 * The second leg of a trade, booked after the first was booked on its own: when its fill covers the first leg's
 * open unhedged contracts, that position becomes a leg of a hedged pair (its unhedged record resolved 'hedged') and
 * as many of this fill its other half; whatever is not paired is unhedged, with its own record.
 */
function bookLate(deps: SettleDeps, leg: ArbLeg, partner: ArbLeg): { positions: Position[]; unhedged: UnhedgedPart | null; outcome: ArbTrade['outcome'] } {
  const { ledger, store } = deps;
  const position = partner.unhedged_position_id === null ? undefined : ledger.getPosition(partner.unhedged_position_id);
  const record = position ? store.unhedgedForPosition(position.id) : undefined;
  const openUnhedgedQuantity = position?.status === 'open' && position.kind === 'arb_unhedged' && record?.state === 'open' ? position.quantity : 0;
  const plan = planLate(fillOf(leg), { filledQuantity: partner.filled_quantity, openUnhedgedQuantity });
  const booked = settleLeg(deps, leg, plan.parts as FillPart[]);
  if (plan.hedgesPartner && position && record) {
    const by = `leg ${leg.leg.toUpperCase()} (${leg.client_order_id})`;
    ledger.setPositionKind(position.id, 'arb_hedged');
    store.resolveUnhedged(record.id, 'hedged', `hedged by ${by}, booked once its order's outcome was established`);
    store.transitionLeg(partner.id, 'settled', { hedged_position_id: position.id, unhedged_position_id: null }, `its position hedged by ${by}`);
  }
  return { ...booked, outcome: plan.outcome };
}

/**
 * The trade's mark, from its legs still waiting for a verdict: the claim of the one whose venue reported the
 * impossible last (the latest claim wins; an unreachable venue changes nothing). Cleared when none is left with a
 * claim: a leg merely unanswered is reconcile's to settle. Returns the mark.
 */
export function markAttention(deps: SettleDeps, tradeId: number): string | null {
  const { store } = deps;
  if (store.tradeState(tradeId) === 'settled') return null;
  const claimed = tradeLegs(store.legsOf(tradeId)).filter((leg) => AWAITING_VERDICT.includes(leg.state) && leg.error !== null);
  const latest = claimed.reduce<ArbLeg | null>((last, leg) => (last === null || leg.updated_at >= last.updated_at ? leg : last), null);
  const claim = latest && `leg ${latest.leg.toUpperCase()} on ${latest.venue} (${latest.client_order_id}): ${latest.error ?? ''}`;
  store.setTradeAttention(tradeId, claim);
  return store.requireTrade(tradeId).attention;
}

function nothingBooked(deps: SettleDeps, trade: ArbTrade, alreadySettled: boolean): SettleResult {
  return { trade, legs: deps.store.legsOf(trade.id), positions: [], unhedged: [], alreadySettled };
}

/** A trade that needs a person, with each leg still waiting for a verdict and the money its reservation holds. */
export interface AttentionTrade {
  readonly trade: ArbTrade;
  readonly held: readonly { readonly leg: ArbLeg; readonly reservedMicros: number }[];
}

export function tradesNeedingAttention(deps: Pick<SettleDeps, 'ledger' | 'store'>): AttentionTrade[] {
  return deps.store.tradesNeedingAttention().map((trade) => ({
    trade,
    held: tradeLegs(deps.store.legsOf(trade.id))
      .filter((leg) => AWAITING_VERDICT.includes(leg.state) || leg.state === 'reserved')
      .map((leg) => ({ leg, reservedMicros: leg.reservation_id === null ? 0 : deps.ledger.requireReservation(leg.reservation_id).amount })),
  }));
}
