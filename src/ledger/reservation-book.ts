// Reservations: money moved from available to locked under an idempotency key before an order is sent, then spent
// (committed) or returned (released) — each step one transaction with its wallet rows.
import type Database from 'better-sqlite3';
import { IdempotencyConflictError, InputError, InsufficientBalanceError } from '../domain/errors.js';
import { formatUsd, micros, type Micros } from '../domain/money.js';
import type { Reservation, ReservationState, Wallet } from '../domain/wallet.js';
import type { LedgerCore } from './ledger-core.js';
import { toReservation, type ReservationRow } from './mappers.js';
import { param, prepareQuery, sql } from './statements.js';
import { assertPositive, type WalletBook, type WalletChange } from './wallet-book.js';

export type ResolveResult =
  | { readonly status: 'committed' | 'released'; readonly reservation: Reservation }
  | { readonly status: 'already_committed' | 'already_released'; readonly reservation: Reservation };

export interface ReserveInput {
  readonly venue: string;
  readonly amount: Micros;
  readonly idempotencyKey: string;
  readonly purpose: string;
  readonly description?: string;
}

// A constant that selects rows through a partial index is written into the SQL, not bound: a bound value compared
// with the index's WHERE (reservations_pending) makes SQLite re-prepare the statement on every run.
const PENDING = sql.lit<ReservationState>('pending');
const NOTHING_COMMITTED = micros(0);

export class ReservationBook {
  private readonly q;

  constructor(
    private readonly core: LedgerCore,
    private readonly wallets: WalletBook,
  ) {
    this.q = prepareReservationQueries(core.db);
  }


  // ---- reservations -----------------------------------------------------------------------------

  /**
   * Moves `amount` from available to locked under an idempotency key. Replaying the key with the same venue, amount
   * and purpose returns the existing reservation; with different fields it is an IdempotencyConflictError.
   */
  reserve(input: ReserveInput): { status: 'created' | 'exists'; reservation: Reservation } {
    assertReserveInput(input);
    return this.core.transaction(() => {
      const existing = this.replayedReservation(input);
      if (existing) return { status: 'exists' as const, reservation: existing };
      const [reservation] = this.reserveNew([input]);
      if (!reservation) throw new Error('ledger bug: a reservation was not written');
      return { status: 'created' as const, reservation };
    });
  }


  /**
   * Several reservations under keys the caller has just made, inside the caller's transaction and without a savepoint:
   * each as reserve() makes it, in order (a later one on the same wallet sees what the earlier ones locked), each
   * wallet read and written once for all of them. The arbitrage executor reserves both legs this way in the commit
   * before its orders. Fresh keys cannot be replays, so none is looked up: a key already used fails on the UNIQUE
   * constraint, and any failure here leaves the caller's transaction, which then rolls back whole.
   */
  reserveWithin(inputs: readonly ReserveInput[]): Reservation[] {
    if (!this.core.db.inTransaction) throw new Error('reserveWithin must run inside a ledger transaction');
    for (const input of inputs) assertReserveInput(input);
    return this.reserveNew(inputs);
  }


  /** The reservation already made under this key with the same fields; a different one is an IdempotencyConflictError. */
  private replayedReservation(input: ReserveInput): Reservation | undefined {
    const existing = this.q.reservationByKey.get({ key: input.idempotencyKey });
    if (!existing) return undefined;
    if (existing.venue === input.venue && existing.amount === input.amount && existing.purpose === input.purpose) return toReservation(existing);
    throw new IdempotencyConflictError(
      `reservation key "${input.idempotencyKey}" already used for ${existing.venue} ${formatUsd(existing.amount)} (${existing.purpose})`,
    );
  }


  /**
   * Writes reservations under keys not used yet: each wallet read once and updated once, each reservation checked
   * in order against what the earlier ones left available.
   */
  private reserveNew(inputs: readonly ReserveInput[]): Reservation[] {
    const at = this.core.timestamp();
    const wallets = new Map<string, Wallet>();
    const steps = inputs.map((input) => {
      const before = wallets.get(input.venue) ?? this.wallets.requireWallet(input.venue);
      if (before.available < input.amount) {
        throw new InsufficientBalanceError(
          input.venue,
          input.amount,
          before.available,
          `insufficient available balance on ${input.venue}: reserving ${formatUsd(input.amount)}, available ${formatUsd(before.available)}`,
        );
      }
      const change: WalletChange = {
        venue: input.venue,
        type: 'reserve',
        amount: 0,
        lockedDelta: input.amount,
        description: input.description ?? `Reserved ${formatUsd(input.amount)} for ${input.purpose}`,
      };
      const after = this.wallets.walletAfter(before, change);
      wallets.set(input.venue, after);
      return { before, after, change };
    });
    const ids = inputs.map((input) =>
      Number(this.q.insertReservation.run({ venue: input.venue, amount: input.amount, key: input.idempotencyKey, purpose: input.purpose, at }).lastInsertRowid),
    );
    for (const wallet of wallets.values()) this.wallets.writeWallet(wallet, at);
    steps.forEach(({ before, after, change }, index) => {
      this.wallets.appendTransaction(before, after, { ...change, reservationId: ids[index] ?? null }, at);
    });
    // The rows exactly as inserted; reading them back would only repeat what this transaction wrote.
    return inputs.map((input, index) => ({
      id: ids[index] ?? -1,
      venue: input.venue,
      amount: input.amount,
      state: 'pending' as const,
      committedAmount: NOTHING_COMMITTED,
      idempotencyKey: input.idempotencyKey,
      purpose: input.purpose,
      createdAt: at,
      resolvedAt: null,
    }));
  }


  getReservation(id: number): Reservation | undefined {
    const row = this.q.reservationById.get({ id });
    return row ? toReservation(row) : undefined;
  }


  requireReservation(id: number): Reservation {
    const reservation = this.getReservation(id);
    if (!reservation) throw new InputError(`no reservation with id ${id}`);
    return reservation;
  }


  listPendingReservations(): Reservation[] {
    return this.q.pendingReservations.all({}).map(toReservation);
  }


  /**
   * Spends `amount` (default: all) of a pending reservation — the money leaves the wallet — and releases the rest.
   * A resolved reservation answers already_committed / already_released and changes nothing.
   */
  commitReservation(id: number, options: { amount?: Micros; description?: string; orderRef?: string } = {}): ResolveResult {
    return this.core.transaction(() => {
      const reservation = this.requireReservation(id);
      if (reservation.state !== 'pending') return alreadyResolved(reservation);
      const spend = options.amount ?? reservation.amount;
      if (!Number.isSafeInteger(spend) || spend < 0 || spend > reservation.amount) {
        // formatUsd would itself throw on a non-integer, hiding this error behind a RangeError.
        const shown = Number.isSafeInteger(spend) ? formatUsd(spend) : String(spend);
        throw new InputError(`commit amount ${shown} must be between $0 and the reserved ${formatUsd(reservation.amount)}`);
      }
      if (spend > 0) {
        this.wallets.applyChange({
          venue: reservation.venue,
          type: 'commit',
          amount: -spend,
          lockedDelta: -spend,
          reservationId: id,
          orderRef: options.orderRef ?? null,
          description: options.description ?? `Committed ${formatUsd(spend)} of reservation #${id} (${reservation.purpose})`,
        });
      }
      return { status: 'committed' as const, reservation: this.finishReservation(reservation, spend) };
    });
  }


  /** Returns a pending reservation's whole amount to available. */
  releaseReservation(id: number, options: { description?: string } = {}): ResolveResult {
    return this.core.transaction(() => {
      const reservation = this.requireReservation(id);
      if (reservation.state !== 'pending') return alreadyResolved(reservation);
      this.wallets.applyChange({
        venue: reservation.venue,
        type: 'release',
        amount: 0,
        lockedDelta: -reservation.amount,
        reservationId: id,
        description: options.description ?? `Released reservation #${id} (${reservation.purpose}): ${formatUsd(reservation.amount)}`,
      });
      this.q.resolveReservation.run({ id, state: 'released', committed: 0, at: this.core.timestamp() });
      return { status: 'released' as const, reservation: this.requireReservation(id) };
    });
  }


  /** Marks a reservation committed for `used`, releases whatever of it was not used, and returns it as now stored. */
  finishReservation(reservation: Reservation, used: number): Reservation {
    const rest = reservation.amount - used;
    if (rest > 0) {
      this.wallets.applyChange({
        venue: reservation.venue,
        type: 'release',
        amount: 0,
        lockedDelta: -rest,
        reservationId: reservation.id,
        description: `Released unused ${formatUsd(rest)} of reservation #${reservation.id}`,
      });
    }
    const at = this.core.timestamp();
    this.q.resolveReservation.run({ id: reservation.id, state: 'committed', committed: used, at });
    return { ...reservation, state: 'committed', committedAmount: micros(used), resolvedAt: at };
  }
}

function prepareReservationQueries(db: Database.Database) {
  return {
    insertReservation: prepareQuery<{ venue: string; amount: number; key: string; purpose: string; at: string }, never>(db, (qb) =>
      qb.insertInto('reservations').values({
        venue: param('venue'),
        amount: param('amount'),
        state: 'pending',
        idempotency_key: param('key'),
        purpose: param('purpose'),
        created_at: param('at'),
      }),
    ),
    reservationById: prepareQuery<{ id: number }, ReservationRow>(db, (qb) =>
      qb.selectFrom('reservations').selectAll().where('id', '=', param('id')),
    ),
    reservationByKey: prepareQuery<{ key: string }, ReservationRow>(db, (qb) =>
      qb.selectFrom('reservations').selectAll().where('idempotency_key', '=', param('key')),
    ),
    pendingReservations: prepareQuery<Record<string, never>, ReservationRow>(db, (qb) =>
      qb.selectFrom('reservations').selectAll().where('state', '=', PENDING).orderBy('id'),
    ),
    resolveReservation: prepareQuery<{ id: number; state: ReservationState; committed: number; at: string }, never>(db, (qb) =>
      qb
        .updateTable('reservations')
        .set({ state: param('state'), committed_amount: param('committed'), resolved_at: param('at') })
        .where('id', '=', param('id'))
        .where('state', '=', 'pending'),
    ),
  };
}

function assertReserveInput(input: ReserveInput): void {
  assertPositive(input.amount, 'reservation amount');
  if (input.idempotencyKey === '') throw new InputError('reservation idempotency key is empty');
}

export function alreadyResolved(reservation: Reservation): ResolveResult {
  return { status: reservation.state === 'committed' ? 'already_committed' : 'already_released', reservation };
}
