// Settling an arbitrage trade from what actually filled — the same code after a normal run, after a timeout, and
// after a crash. Both legs are settled in one transaction: each leg's reservation commits what filled (as
// positions, fee paid) and releases the rest; equal fills make a hedged pair held to resolution; any excess on one
// leg becomes an UNHEDGED position with its own record. Settling twice changes nothing.
import type { Config } from '../../config/config.js';
import { formatMicros, mulDiv, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { ladderLevels } from '../../domain/position.js';
import type { ArbLeg, ArbStore, ArbTrade } from '../../ledger/arb-store.js';
import type { Ledger, OpenPositionInput, PositionRow } from '../../ledger/ledger.js';
import { VenueProtocolError } from '../../venues/http/errors.js';
import type { OrderReport, Outcome } from '../../venues/venue.js';

/** Positions on a NO outcome live under "<market>:no", so the YES quote of <market> can mark both sides. */
export function positionMarket(market: string, outcome: Outcome): string {
  return outcome === 'yes' ? market : `${market}:no`;
}

/** The inverse: which venue market and outcome a position's market names. */
export function splitPositionMarket(positionMarketId: string): { market: string; outcome: Outcome } {
  return positionMarketId.endsWith(':no') ? { market: positionMarketId.slice(0, -3), outcome: 'no' } : { market: positionMarketId, outcome: 'yes' };
}

export type LegVerdict = { readonly kind: 'report'; readonly report: OrderReport } | { readonly kind: 'rejected'; readonly reason: string };

export interface SettleResult {
  readonly trade: ArbTrade;
  readonly legs: readonly ArbLeg[];
  readonly positions: readonly PositionRow[];
  readonly unhedged: readonly { legId: number; positionId: number; quantity: number }[];
  readonly alreadySettled: boolean;
}

interface Fill {
  readonly quantity: number;
  readonly notional: number;
  readonly fee: number;
}

/** Records a leg's verdict (filled / partially filled / rejected) once; a repeated report for a recorded leg is ignored. */
export function recordVerdict(store: ArbStore, leg: ArbLeg, verdict: LegVerdict): ArbLeg {
  if (leg.state !== 'submitted' && leg.state !== 'unknown') return leg; // duplicate report: already recorded
  if (verdict.kind === 'rejected') return store.transitionLeg(leg.id, 'rejected', { error: verdict.reason }, verdict.reason);
  const report = verdict.report;
  const state = report.filledQuantity === 0 ? 'rejected' : report.filledQuantity < leg.quantity ? 'partially_filled' : 'filled';
  if (report.filledQuantity > leg.quantity) {
    throw new VenueProtocolError(leg.venue, 'filled quantity', `${formatMicros(report.filledQuantity)} filled on leg ${leg.id} (${leg.client_order_id}) of ${formatMicros(leg.quantity)} ordered`);
  }
  return store.transitionLeg(
    leg.id,
    state,
    {
      venue_order_id: report.venueOrderId,
      filled_quantity: report.filledQuantity,
      filled_notional: report.filledNotional,
      fee: report.feePaid,
      error: report.rejectReason,
    },
    `${report.status}: ${report.filledQuantity} filled for ${report.filledNotional}, fee ${report.feePaid}`,
  );
}

/**
 * Records the verdicts known so far, in one transaction, for a trade that cannot settle yet (another leg is still
 * unknown): a venue's answer is kept rather than asked for again later, which an adapter may no longer be able to do
 * after a restart (Polymarket and SX remember their orders only in memory). Settling later uses the recorded fills.
 */
export function recordKnownVerdicts(ledger: Ledger, store: ArbStore, verdicts: ReadonlyMap<number, LegVerdict>): void {
  ledger.transaction(() => {
    for (const [legId, verdict] of verdicts) recordVerdict(store, store.requireLeg(legId), verdict);
  });
}

/** Splits a fill into a hedged part (`hedgedQuantity`) and the excess; cost and fee apportioned so parts sum exactly. */
function parts(fill: Fill, hedgedQuantity: number): { quantity: number; cost: number; fee: number; kind: 'arb_hedged' | 'arb_unhedged' }[] {
  const result: { quantity: number; cost: number; fee: number; kind: 'arb_hedged' | 'arb_unhedged' }[] = [];
  if (fill.quantity === 0) return result;
  const hedgedCost = hedgedQuantity === 0 ? 0 : mulDiv(fill.notional, hedgedQuantity, fill.quantity, 'up');
  const hedgedFee = hedgedQuantity === 0 ? 0 : mulDiv(fill.fee, hedgedQuantity, fill.quantity, 'up');
  if (hedgedQuantity > 0) result.push({ quantity: hedgedQuantity, cost: hedgedCost, fee: hedgedFee, kind: 'arb_hedged' });
  if (fill.quantity > hedgedQuantity) {
    result.push({ quantity: fill.quantity - hedgedQuantity, cost: fill.notional - hedgedCost, fee: fill.fee - hedgedFee, kind: 'arb_unhedged' });
  }
  return result;
}

/** The position a filled (part of a) leg becomes: long its outcome, entry at the average price, fee already paid. */
export function legPosition(
  config: Config,
  leg: ArbLeg,
  fill: { readonly quantity: number; readonly cost: number; readonly fee: number },
  kind: 'arb_hedged' | 'arb_unhedged',
): OpenPositionInput {
  const entryPrice = mulDiv(fill.cost, SCALE, fill.quantity, 'up') as PriceMicros;
  return {
    venue: leg.venue,
    market: positionMarket(leg.market, leg.outcome),
    side: 'long',
    kind,
    quantity: fill.quantity as QtyMicros,
    entryPrice,
    costBasis: fill.cost as Micros,
    levels: ladderLevels('long', entryPrice, config.tpsl),
    entryFee: fill.fee as Micros,
    entryFeeCharged: true,
    orderRef: leg.client_order_id,
  };
}

/**
 * Settles both legs of a trade whose verdicts are all known. One transaction: verdicts recorded, reservations
 * settled into positions, unhedged records created, trade settled with its outcome.
 */
export function settleTrade(ledger: Ledger, store: ArbStore, config: Config, tradeId: number, verdicts: ReadonlyMap<number, LegVerdict>): SettleResult {
  return ledger.transaction(() => {
    const trade = store.requireTrade(tradeId);
    if (trade.state === 'settled' || trade.state === 'failed') {
      return { trade, legs: store.legsOf(tradeId), positions: [], unhedged: [], alreadySettled: true };
    }
    const legs = store.legsOf(tradeId).filter((leg) => leg.leg === 'a' || leg.leg === 'b');
    const recorded = legs.map((leg) => {
      const verdict = verdicts.get(leg.id);
      if (!verdict && (leg.state === 'submitted' || leg.state === 'unknown')) throw new Error(`leg ${leg.id} has no verdict yet`);
      return verdict ? recordVerdict(store, leg, verdict) : leg;
    });
    const fills = recorded.map((leg) => ({ quantity: leg.filled_quantity, notional: leg.filled_notional, fee: leg.fee }));
    const hedgedQuantity = Math.min(...fills.map((fill) => fill.quantity));
    const positions: PositionRow[] = [];
    const unhedged: { legId: number; positionId: number; quantity: number }[] = [];
    recorded.forEach((leg, index) => {
      const fill = fills[index] ?? { quantity: 0, notional: 0, fee: 0 };
      const legParts = parts(fill, hedgedQuantity);
      const settled = leg.reservation_id === null ? { positions: [] } : ledger.settleReservation(leg.reservation_id, {
        positions: legParts.map((part) => legPosition(config, leg, part, part.kind)),
        fee: fill.fee as Micros,
        orderRef: leg.client_order_id,
      });
      const hedged = settled.positions.find((p) => p.kind === 'arb_hedged');
      const excess = settled.positions.find((p) => p.kind === 'arb_unhedged');
      positions.push(...settled.positions);
      store.transitionLeg(leg.id, 'settled', { hedged_position_id: hedged?.id ?? null, unhedged_position_id: excess?.id ?? null });
      if (excess) {
        store.addUnhedged(tradeId, leg.id, excess.id, excess.quantity);
        unhedged.push({ legId: leg.id, positionId: excess.id, quantity: excess.quantity });
      }
    });
    const filledLegs = fills.filter((fill) => fill.quantity > 0).length;
    const outcome = filledLegs === 0 ? 'none' : unhedged.length === 0 ? 'hedged' : hedgedQuantity > 0 ? 'partial' : 'unhedged';
    store.setTradeState(tradeId, 'settled', { outcome });
    return { trade: store.requireTrade(tradeId), legs: store.legsOf(tradeId), positions, unhedged, alreadySettled: false };
  });
}
