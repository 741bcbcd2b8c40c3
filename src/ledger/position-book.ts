// Positions: opened with what their close can cost locked beside the cost basis, moved along the TP/SL ladder, and
// closed exactly once — each change one transaction with its wallet rows.
import { closeFigures, walletChangeOnClose, type CostModel } from '../domain/costs.js';
import { IdempotencyConflictError, InputError } from '../domain/errors.js';
import { formatMicrosTrim, formatUsd, micros, ppm, type Micros } from '../domain/money.js';
import { initialLadderState, type LadderPosition, type LadderState, type Position, type PositionKind } from '../domain/position.js';
import type { Wallet } from '../domain/wallet.js';
import { scrubNullable } from '../security/secrets.js';
import type { LedgerCore } from './ledger-core.js';
import { assertCanOpen, assertSetAside, samePositionOrder, setAsideOf, withActualExit } from './position-rules.js';
import { PositionWriteLog } from './position-writes.js';
import { alreadyResolved, type ReservationBook } from './reservation-book.js';
import { preparePositionQueries } from './position-queries.js';
import { toLadderPosition, toPosition } from './mappers.js';
import type { CloseResult, ClosePositionInput, OpenPositionInput, PositionTotals } from './position-types.js';
import { assertPositive, type WalletBook } from './wallet-book.js';

const ZERO_COSTS: CostModel = { feePpm: ppm(0), spreadPpm: ppm(0), slippagePpm: ppm(0) };
const NO_FEE = micros(0);


/**
 * What a wallet expects its venue to hold: its total less what it owes and less the cost of its open positions (which
 * are contracts at the venue, not cash). Manual paper positions never reach a venue's books, so a wallet with any is
 * not comparable.
 */
export interface VenueHoldings {
  readonly venue: string;
  readonly expectedCash: Micros;
  readonly manualPositions: number;
}

export class PositionBook {
  private readonly q;
  readonly positionWriteLog = new PositionWriteLog();

  constructor(
    private readonly core: LedgerCore,
    private readonly wallets: WalletBook,
    private readonly reservations: ReservationBook,
  ) {
    this.q = preparePositionQueries(core.db);
  }


  // ---- positions --------------------------------------------------------------------------------

  /**
   * Records a position and locks its cost basis in the same transaction. Refuses (nothing written) when available
   * is short. With `reservationId`, the cost comes out of that pending reservation instead and the rest is released.
   */
  openPosition(input: OpenPositionInput): { status: 'opened' | 'exists'; position: Position; walletBefore: Wallet; walletAfter: Wallet } {
    assertPositive(input.costBasis, 'position size');
    assertPositive(input.quantity, 'position quantity');
    assertPositive(input.entryPrice, 'entry price');
    assertSetAside(input);
    return this.core.transaction(() => {
      if (input.idempotencyKey) {
        const row = this.q.positionByKey.get({ key: input.idempotencyKey });
        if (row) {
          const existing = toPosition(row);
          // Same key, same order → the earlier open stands; same key for a different order is a caller bug, not a replay.
          if (!samePositionOrder(existing, input)) {
            throw new IdempotencyConflictError(
              `position key "${input.idempotencyKey}" already used for position #${existing.id} (${existing.side} ${existing.venue} ${existing.market}, ${formatUsd(existing.costBasis)} @ ${formatUsd(existing.entryPrice, 4)})`,
            );
          }
          const wallet = this.wallets.requireWallet(existing.venue);
          return { status: 'exists' as const, position: existing, walletBefore: wallet, walletAfter: wallet };
        }
      }
      const walletBefore = this.wallets.requireWallet(input.venue);
      const feeNow = input.entryFeeCharged ? input.entryFee : NO_FEE;
      if (input.reservationId !== undefined) {
        // Out of a reservation: the one settlement path the arbitrage executor uses too.
        const reservation = this.reservations.requireReservation(input.reservationId);
        if (reservation.state !== 'pending') throw new InputError(`reservation #${reservation.id} is already ${reservation.state}`);
        const [position] = this.settleReservation(reservation.id, {
          positions: [input],
          fee: feeNow,
          ...(input.orderRef ? { orderRef: input.orderRef } : {}),
        }).positions;
        if (!position) throw new Error('ledger bug: a settled reservation opened no position');
        return { status: 'opened' as const, position, walletBefore, walletAfter: this.wallets.requireWallet(input.venue) };
      }
      assertCanOpen(walletBefore, input, feeNow);
      const id = this.recordOpen(input, null);
      if (feeNow > 0) {
        this.wallets.applyChange({
          venue: input.venue,
          type: 'fee',
          amount: -feeNow,
          lockedDelta: 0,
          positionId: id,
          orderRef: input.orderRef ?? null,
          description: `Entry fee ${formatUsd(feeNow, 4)} for ${input.side} ${input.market}`,
        });
      }
      return { status: 'opened' as const, position: this.requirePosition(id), walletBefore, walletAfter: this.wallets.requireWallet(input.venue) };
    });
  }


  /** Inserts the position row and its position_open transaction; from a reservation the cost only changes owner. */
  private recordOpen(input: OpenPositionInput, reservationId: number | null): number {
    const state = initialLadderState(input.levels);
    const result = this.q.insertPosition.run({
      venue: input.venue,
      market: input.market,
      side: input.side,
      kind: input.kind ?? 'single',
      quantity: input.quantity,
      entry_price: input.entryPrice,
      cost_basis: input.costBasis,
      entry_fee: input.entryFee,
      entry_fee_charged: input.entryFeeCharged ? 1 : 0,
      tp1_price: input.levels.tp1Price,
      tp2_price: input.levels.tp2Price,
      tp3_price: input.levels.tp3Price,
      sl_price: input.levels.slPrice,
      stop_price: state.stopPrice,
      reservation_id: reservationId,
      idempotency_key: input.idempotencyKey ?? null,
      close_reserve: input.closeReserve ?? 0,
      liquidation_price: input.liquidationPrice ?? null,
      at: this.core.timestamp(),
    });
    const id = Number(result.lastInsertRowid);
    this.positionWriteLog.record(input.kind === 'arb_hedged' ? -id : id);
    this.wallets.applyChange({
      venue: input.venue,
      type: 'position_open',
      amount: 0,
      lockedDelta: reservationId === null ? setAsideOf(input) : 0,
      positionId: id,
      reservationId,
      orderRef: input.orderRef ?? null,
      description: `Opened ${input.side} ${input.market}: ${formatMicrosTrim(input.quantity, 0)} @ ${formatUsd(input.entryPrice, 4)}, locked ${formatUsd(
        input.costBasis,
      )}${input.closeReserve ? ` + ${formatUsd(input.closeReserve, 4)} set aside for its close` : ''}`,
    });
    return id;
  }


  /**
   * Settles a pending reservation from what actually filled: opens each position out of it (their cost stays
   * locked, now as cost basis), pays the fill's fee from it, and releases the rest — all in one transaction.
   * With no positions and no fee the whole reservation is released.
   */
  settleReservation(
    reservationId: number,
    settlement: { readonly positions: readonly OpenPositionInput[]; readonly fee: Micros; readonly orderRef?: string },
  ): { positions: Position[]; status: 'settled' | 'already_committed' | 'already_released' } {
    return this.core.transaction(() => {
      const reservation = this.reservations.requireReservation(reservationId);
      if (reservation.state !== 'pending') return { positions: [], status: alreadyResolved(reservation).status as 'already_committed' | 'already_released' };
      if (settlement.positions.length === 0 && settlement.fee === 0) {
        this.reservations.releaseReservation(reservationId, { description: `Released reservation #${reservationId} (${reservation.purpose}): nothing filled` });
        return { positions: [], status: 'settled' as const };
      }
      for (const input of settlement.positions) assertSetAside(input);
      const used = settlement.positions.reduce((sum, p) => sum + setAsideOf(p), 0) + settlement.fee;
      const elsewhere = settlement.positions.find((input) => input.venue !== reservation.venue);
      if (elsewhere) throw new InputError(`reservation #${reservationId} belongs to ${reservation.venue}, not ${elsewhere.venue}`);
      if (used > reservation.amount) {
        throw new InputError(`reservation #${reservationId} holds ${formatUsd(reservation.amount)}, less than the ${formatUsd(used, 4)} the fill needs`);
      }
      const ids = settlement.positions.map((input) => this.recordOpen(input, reservationId));
      if (settlement.fee > 0) {
        this.wallets.applyChange({
          venue: reservation.venue,
          type: 'fee',
          amount: -settlement.fee,
          lockedDelta: -settlement.fee,
          positionId: ids[0] ?? null,
          reservationId,
          orderRef: settlement.orderRef ?? null,
          description: `Fee ${formatUsd(settlement.fee, 4)} on fill (${reservation.purpose})`,
        });
      }
      this.reservations.finishReservation(reservation, used);
      return { positions: ids.map((id) => this.requirePosition(id)), status: 'settled' as const };
    });
  }


  getPosition(id: number): Position | undefined {
    const row = this.q.positionById.get({ id });
    return row ? toPosition(row) : undefined;
  }


  requirePosition(id: number): Position {
    const position = this.getPosition(id);
    if (!position) throw new InputError(`no position with id ${id}`);
    return position;
  }


  listPositions(status: 'open' | 'closed' | 'all'): Position[] {
    const rows = status === 'all' ? this.q.allPositions.all({}) : this.q.positionsByStatus.all({ status });
    return rows.map(toPosition);
  }


  /** The `limit` most recently opened of the closed positions, newest first. */
  latestClosedPositions(limit: number): Position[] {
    return this.q.latestClosedPositions.all({ limit }).map(toPosition);
  }


  /** How many positions are open and closed, and the closed ones' net PnL, over the whole ledger. */
  positionTotals(): PositionTotals {
    const row = this.q.positionTotals.get({});
    return { open: row?.open ?? 0, closed: row?.closed ?? 0, realisedNetPnl: (row?.realised_net_pnl ?? 0) as Micros };
  }


  listOpenPositionsForMarket(venue: string, market: string): Position[] {
    return this.q.openPositionsForMarket.all({ venue, market }).map(toPosition);
  }


  /**
   * The open positions of a market that the ladder manages (every kind but a hedged arbitrage pair, which is held to
   * resolution), with only the ladder's columns: this runs on every quote, and full rows of held hedged pairs made
   * each tick slower the longer the bot traded.
   */
  listLadderPositionsForMarket(venue: string, market: string): LadderPosition[] {
    return this.q.ladderPositionsForMarket.all({ venue, market }).map(toLadderPosition);
  }


  /** Re-labels an open position (an unhedged arbitrage leg that got its hedge becomes part of a hedged pair). */
  setPositionKind(id: number, kind: PositionKind): void {
    this.core.transaction(() => {
      this.positionWriteLog.record(id);
      this.q.setKind.run({ id, kind });
    });
  }


  /**
   * Marks an open position as needing a person (`reason`), or clears the mark (null): the engine could not close or
   * settle it and goes on with everything else. A close clears it too.
   */
  setAttention(id: number, reason: string | null): void {
    this.core.transaction(() => {
      this.q.setAttention.run({ id, reason: scrubNullable(reason) });
    });
  }


  /** Stores a ladder transition (tier flags and current stop) so a restart resumes where it was. */
  updateLadder(id: number, state: LadderState): void {
    this.core.transaction(() => {
      this.positionWriteLog.record(id);
      this.q.updateLadder.run({ id, tp1: state.tp1Hit ? 1 : 0, tp2: state.tp2Hit ? 1 : 0, stop: state.stopPrice });
    });
  }


  /**
   * Closes a position at `exitPrice`: frees its cost basis, books net PnL, records every cost — position, wallet and
   * wallet transaction in one transaction. Idempotent at the database level: a closed position answers already_closed.
   */
  closePosition(id: number, input: ClosePositionInput): CloseResult {
    if (!Number.isSafeInteger(input.exitPrice) || input.exitPrice < 0) throw new InputError('exit price must be a non-negative price');
    return this.core.transaction(() => {
      this.positionWriteLog.record(id);
      const position = this.requirePosition(id);
      if (position.status === 'closed') return { status: 'already_closed' as const, position };
      const settlement = input.kind === 'settlement';
      if (!settlement && input.exitPrice <= 0) throw new InputError('exit price must be greater than zero');
      const model = settlement || input.actualExit !== undefined ? ZERO_COSTS : input.costs;
      const modelled = closeFigures(model, position, input.exitPrice);
      const figures = input.actualExit === undefined ? modelled : withActualExit(modelled, position.side, position.costBasis, input.actualExit);
      const at = this.core.timestamp();
      const changed = this.q.closePosition.run({
        id,
        exit_price: input.exitPrice,
        exit_value: figures.exitValue,
        gross_pnl: figures.grossPnl,
        exit_fee: figures.exitFee,
        spread_cost: figures.spreadCost,
        slippage_cost: figures.slippageCost,
        total_costs: figures.totalCosts,
        net_pnl: figures.netPnl,
        reason: input.reason,
        at,
      });
      if (changed.changes !== 1) return { status: 'already_closed' as const, position: this.requirePosition(id) };
      const before = this.wallets.requireWallet(position.venue);
      const freed = position.costBasis + position.closeReserve;
      // The entry fee is part of net PnL either way; if it already left the wallet at open, it is not charged again.
      const totalDelta = walletChangeOnClose(figures, position.entryFeeCharged);
      // What the wallet cannot pay (a gap past a short's liquidation price, a position from before set-asides, costs
      // changed since it opened) is taken from everything it has free and the rest booked as owed: a close is never refused.
      const shortfall = Math.max(0, -(before.available + freed + totalDelta));
      const closed = this.wallets.applyChangeTo(
        before,
        {
          venue: position.venue,
          type: settlement ? 'settlement' : 'position_close',
          amount: totalDelta + shortfall,
          lockedDelta: -freed,
          positionId: id,
          description: `Closed ${position.side} ${position.market}: ${input.reason}, net PnL ${formatUsd(figures.netPnl)} (gross ${formatUsd(
            figures.grossPnl,
          )}, costs ${formatUsd(figures.totalCosts)})`,
        },
        at,
      );
      const after = shortfall > 0 ? this.wallets.bookDeficit(position.venue, shortfall, id, `closing ${position.side} ${position.market} (#${id})`) : closed.after;
      return { status: 'closed' as const, position: this.requirePosition(id), figures, walletBefore: before, walletAfter: after, deficitBooked: micros(shortfall) };
    });
  }

  venueHoldings(): VenueHoldings[] {
    return this.q.venueHoldings.all({}).map((row) => ({ venue: row.venue, expectedCash: micros(row.total - row.deficit - row.held), manualPositions: row.singles }));
  }
}
