// Settling an arbitrage trade from what actually filled — the same code after a normal run, after a timeout, and
// after a crash. Both legs are settled in one transaction: each leg's reservation commits what filled (as
// positions, fee paid) and releases the rest; equal fills make a hedged pair held to resolution; any excess on one
// leg becomes an UNHEDGED position with its own record. Settling twice changes nothing. What each fill becomes is
// planned by domain/settlement.ts; this module records the verdicts and applies the plan.
import type { Config } from '../../config/config.js';
import { formatMicros, mulDiv, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import { filledState, planSettlement, type FillPart, type LegFill, type SettledKind } from '../../domain/settlement.js';
import { ladderLevels, type Position } from '../../domain/position.js';
import type { ArbLeg, ArbStore, ArbTrade } from '../../ledger/arb-store.js';
import type { Ledger, OpenPositionInput } from '../../ledger/ledger.js';
import { positionMarket } from '../../domain/market.js';
import { VenueProtocolError } from '../../venues/errors.js';
import type { OrderReport } from '../../venues/venue.js';
import type { ArbDeps } from './trade-records.js';

export type LegVerdict = { readonly kind: 'report'; readonly report: OrderReport } | { readonly kind: 'rejected'; readonly reason: string };

export interface SettleResult {
  readonly trade: ArbTrade;
  readonly legs: readonly ArbLeg[];
  readonly positions: readonly Position[];
  readonly unhedged: readonly UnhedgedPart[];
  readonly alreadySettled: boolean;
}

/**
 * What no venue report can be, whichever adapter produced it (each adapter checks more of its own wire): more filled
 * than ordered, or a negative cost or fee. The venue's claim, naming it and the field, when the verdict is one of
 * these; null when it may be booked. Checked here too so that an adapter that misses one cannot get it booked.
 */
export function impossibleVerdict(leg: ArbLeg, verdict: LegVerdict): VenueProtocolError | null {
  if (verdict.kind === 'rejected') return null;
  const report = verdict.report;
  const order = `leg ${leg.id} (${leg.client_order_id})`;
  if (report.filledQuantity > leg.quantity) {
    return new VenueProtocolError(leg.venue, 'filled quantity', `${formatMicros(report.filledQuantity)} filled on ${order} of ${formatMicros(leg.quantity)} ordered`);
  }
  if (report.filledQuantity < 0) return new VenueProtocolError(leg.venue, 'filled quantity', `${formatMicros(report.filledQuantity)} filled on ${order}`);
  if (report.filledNotional < 0) return new VenueProtocolError(leg.venue, 'filled notional', `a negative cost of ${formatMicros(report.filledNotional)} on ${order}`);
  if (report.feePaid < 0) return new VenueProtocolError(leg.venue, 'fee', `a negative fee of ${formatMicros(report.feePaid)} on ${order}`);
  return null;
}

/** Records a leg's verdict (filled / partially filled / rejected) once; a repeated report for a recorded leg is ignored. */
export function recordVerdict(store: ArbStore, leg: ArbLeg, verdict: LegVerdict): ArbLeg {
  if (leg.state !== 'submitted' && leg.state !== 'unknown') return leg; // duplicate report: already recorded
  if (verdict.kind === 'rejected') return store.transitionLeg(leg.id, 'rejected', { error: verdict.reason }, verdict.reason);
  const report = verdict.report;
  // A venue claiming the impossible is named as the venue's error before the domain's own check.
  const claim = impossibleVerdict(leg, verdict);
  if (claim) throw claim;
  const state = filledState(leg.quantity, report.filledQuantity);
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

/** The position a filled (part of a) leg becomes: long its outcome, entry at the average price, fee already paid. */
export function legPosition(
  config: Config,
  leg: ArbLeg,
  fill: { readonly quantity: number; readonly cost: number; readonly fee: number },
  kind: SettledKind,
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
    const plan = planSettlement(recorded.map(fillOf));
    const positions: Position[] = [];
    const unhedged: UnhedgedPart[] = [];
    recorded.forEach((leg, index) => {
      const booked = settleLeg({ ledger, store, config }, leg, plan.parts[index] ?? []);
      positions.push(...booked.positions);
      if (booked.unhedged) unhedged.push(booked.unhedged);
    });
    store.setTradeState(tradeId, 'settled', { outcome: plan.outcome });
    return { trade: store.requireTrade(tradeId), legs: store.legsOf(tradeId), positions, unhedged, alreadySettled: false };
  });
}

/** What settling needs: the books, the arbitrage records, and the config (each position's ladder). */
export type SettleDeps = Pick<ArbDeps, 'ledger' | 'store' | 'config'>;

/** An unhedged part of a leg's fill, booked as a position with its own record. */
export interface UnhedgedPart {
  readonly legId: number;
  readonly positionId: number;
  readonly quantity: number;
}

/** What a recorded leg filled, as the domain plans it. */
export function fillOf(leg: ArbLeg): LegFill {
  return { quantity: leg.filled_quantity, notional: leg.filled_notional, fee: leg.fee };
}

/**
 * Books one recorded leg as planned, inside the caller's transaction: its reservation commits what filled (each part
 * a position, the fee paid) and releases the rest; the leg is settled, linked to its positions, and an unhedged part
 * gets its own record.
 */
export function settleLeg(deps: SettleDeps, leg: ArbLeg, parts: readonly FillPart[]): { positions: Position[]; unhedged: UnhedgedPart | null } {
  const { ledger, store, config } = deps;
  const settled = leg.reservation_id === null ? { positions: [] } : ledger.settleReservation(leg.reservation_id, {
    positions: parts.map((part) => legPosition(config, leg, part, part.kind)),
    fee: leg.fee as Micros,
    orderRef: leg.client_order_id,
  });
  const hedged = settled.positions.find((p) => p.kind === 'arb_hedged');
  const excess = settled.positions.find((p) => p.kind === 'arb_unhedged');
  store.transitionLeg(leg.id, 'settled', { hedged_position_id: hedged?.id ?? null, unhedged_position_id: excess?.id ?? null });
  if (!excess) return { positions: settled.positions, unhedged: null };
  store.addUnhedged(leg.trade_id, leg.id, excess.id, excess.quantity);
  return { positions: settled.positions, unhedged: { legId: leg.id, positionId: excess.id, quantity: excess.quantity } };
}
