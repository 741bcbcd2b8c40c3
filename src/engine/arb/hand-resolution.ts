// A person settles a trade that needs attention: what they established at the venue (how much of the held leg's order
// filled, at what average price and fee, or that nothing did) is recorded as that leg's verdict and booked exactly as
// a sane venue answer would be (quarantine.ts), in one transaction. Input that cannot be what happened is refused
// before anything is written: more than was ordered, a price worse than the limit, a cost beyond what the leg's
// reservation holds, a trade or leg with nothing to resolve.
import { AWAITING_VERDICT, tradeStatus } from '../../domain/arb.js';
import { InputError } from '../../domain/errors.js';
import { formatMicros, formatUsd, notional, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { ArbLeg, ArbTrade } from '../../ledger/arb-store.js';
import { bookAnswers, type Booked } from './quarantine.js';
import type { LegVerdict, SettleDeps } from './settle.js';

export interface HandVerdict {
  readonly tradeId: number;
  /** The leg to resolve; null: the one leg waiting for a verdict (refused when both are). */
  readonly leg: 'a' | 'b' | null;
  /** Contracts that filled (0: nothing did). */
  readonly filled: QtyMicros;
  /** Their average price per contract; null: the leg's limit price, the most they can have cost. */
  readonly price: PriceMicros | null;
  /** What the venue charged for them (0 when nothing filled). */
  readonly fee: Micros;
}

export interface HandResolution {
  readonly booked: Booked;
  /** The trade and the resolved leg as they are now. */
  readonly trade: ArbTrade;
  readonly leg: ArbLeg;
  /** The venue's claim the resolution answers. */
  readonly claim: string;
}

export function resolveByHand(deps: SettleDeps, input: HandVerdict): HandResolution {
  const { ledger, store } = deps;
  return ledger.transaction((): HandResolution => {
    const trade = requireAttention(deps, input.tradeId);
    const claim = trade.attention ?? '';
    const leg = chooseLeg(store.legsOf(trade.id), input);
    const verdict = handVerdict(deps, leg, input);
    const what = verdict.kind === 'rejected' ? 'nothing filled' : `${formatMicros(input.filled)} filled for ${formatUsd(verdict.report.filledNotional, 4)}, fee ${formatUsd(input.fee, 4)}`;
    ledger.addAudit('arb_resolved_by_hand', leg.venue, `arb #${trade.id} leg ${leg.leg.toUpperCase()} (${leg.client_order_id}) resolved by hand: ${what}; the venue had reported: ${claim}`);
    const booked = bookAnswers(deps, trade.id, new Map([[leg.id, verdict]]));
    return { booked, trade: store.requireTrade(trade.id), leg: store.requireLeg(leg.id), claim };
  });
}

function requireAttention(deps: SettleDeps, tradeId: number): ArbTrade {
  if (deps.store.tradeState(tradeId) === undefined) throw new InputError(`no arb trade ${tradeId}`);
  const trade = deps.store.requireTrade(tradeId);
  if (tradeStatus(trade) !== 'needs attention') {
    throw new InputError(`arb #${tradeId} does not need attention (${trade.state}): only a trade a venue reported the impossible about is resolved by hand`);
  }
  if (trade.state === 'reserved') {
    throw new InputError(`arb #${tradeId} is armed and its orders are not recorded sent yet: run arbbot reconcile once both venues answer`);
  }
  return trade;
}

function chooseLeg(legs: readonly ArbLeg[], input: HandVerdict): ArbLeg {
  const waiting = legs.filter((leg) => (leg.leg === 'a' || leg.leg === 'b') && AWAITING_VERDICT.includes(leg.state));
  const named = (leg: ArbLeg) => `${leg.leg.toUpperCase()} on ${leg.venue}`;
  if (input.leg === null) {
    if (waiting.length === 1 && waiting[0]) return waiting[0];
    throw new InputError(`arb #${input.tradeId} has ${waiting.length} legs waiting for a verdict (${waiting.map(named).join(', ')}): name one with --leg a|b`);
  }
  const leg = legs.find((candidate) => candidate.leg === input.leg);
  if (!leg || !waiting.includes(leg)) {
    throw new InputError(`leg ${input.leg.toUpperCase()} of arb #${input.tradeId} is not waiting for a verdict (${leg?.state ?? 'no such leg'}); waiting: ${waiting.map(named).join(', ') || 'none'}`);
  }
  return leg;
}

/** The verdict the person's figures make, refused when it cannot be what happened at the venue. */
function handVerdict(deps: SettleDeps, leg: ArbLeg, input: HandVerdict): LegVerdict {
  const name = `leg ${leg.leg.toUpperCase()}`;
  if (input.filled === 0) {
    if (input.price !== null || input.fee !== 0) throw new InputError('--price and --fee go with --filled above 0: nothing filled costs nothing');
    return { kind: 'rejected', reason: 'resolved by hand: nothing filled' };
  }
  if (input.filled > leg.quantity) throw new InputError(`--filled ${formatMicros(input.filled)} is more than ${name} ordered (${formatMicros(leg.quantity)})`);
  const price = input.price ?? (leg.limit_price as PriceMicros);
  if (price > leg.limit_price) throw new InputError(`--price ${formatMicros(price)} is above ${name}'s limit ${formatMicros(leg.limit_price)}: a buy fills at its limit or better`);
  const cost = notional(input.filled, price, 'up');
  const held = leg.reservation_id === null ? 0 : deps.ledger.requireReservation(leg.reservation_id).amount;
  if (cost + input.fee > held) {
    throw new InputError(`${name} holds ${formatUsd(held, 4)} for its order, less than the ${formatUsd(cost + input.fee, 4)} this fill and fee come to: that cannot be what happened`);
  }
  const report = {
    clientOrderId: leg.client_order_id,
    venueOrderId: leg.venue_order_id,
    status: input.filled === leg.quantity ? ('filled' as const) : ('partially_filled' as const),
    filledQuantity: input.filled,
    remainingQuantity: 0 as QtyMicros,
    filledNotional: cost,
    feePaid: input.fee,
    fills: [],
    rejectReason: null,
  };
  return { kind: 'report', report };
}
