// The ledger: the only code that writes money state. Every public method that changes state is ONE
// `BEGIN IMMEDIATE` transaction in which the state change, the wallet row and its wallet transaction are written
// together; calls nest (as savepoints) when a caller composes several into its own transaction.
import type Database from 'better-sqlite3';
import { closeFigures, walletChangeOnClose, type CloseFigures, type CostModel } from '../domain/costs.js';
import { IdempotencyConflictError, InputError, InsufficientBalanceError, OperationalError } from '../domain/errors.js';
import { formatMicrosTrim, formatUsd, MICROS_MAX, type Micros, type PriceMicros, type QtyMicros } from '../domain/money.js';
import { initialLadderState, type LadderLevels, type LadderState, type Side } from '../domain/position.js';
import { describe, openDatabase, type OpenOptions } from './database.js';
import { param, prepareQuery, sql } from './statements.js';
import type {
  PositionKind,
  PositionStatus,
  PositionsTable,
  ReservationState,
  WalletTransactionType,
  WalletsTable,
} from './schema.js';
import type { Selectable } from 'kysely';

export interface Wallet {
  readonly venue: string;
  readonly total: Micros;
  readonly available: Micros;
  readonly locked: Micros;
  /** Owed after a loss larger than the wallet held: not part of total, repaid from the first money that comes free. */
  readonly deficit: Micros;
}

export interface Reservation {
  readonly id: number;
  readonly venue: string;
  readonly amount: Micros;
  readonly state: ReservationState;
  readonly committedAmount: Micros;
  readonly idempotencyKey: string;
  readonly purpose: string;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

export type PositionRow = Selectable<PositionsTable>;

/** The columns the TP/SL ladder reads on every tick. */
export type LadderPositionRow = Pick<
  PositionRow,
  'id' | 'side' | 'entry_price' | 'tp1_price' | 'tp2_price' | 'tp3_price' | 'sl_price' | 'stop_price' | 'tp1_hit' | 'tp2_hit' | 'liquidation_price'
>;

/**
 * The positions this connection wrote, in order, so an in-memory view of open positions (the engine's ladder index)
 * can follow them without re-reading every market. A write that rolls back still counts: a reader then re-reads a
 * market it did not need to, never keeps a row that changed.
 */
export interface PositionWrites {
  /** How many position writes this connection has made. */
  readonly version: number;
  /**
   * The ids written after `version` (oldest first, repeats kept), or null when the log no longer reaches back that far.
   * A position opened as a leg of a hedged pair — which the ladder leaves out — is logged as its negated id, so a
   * reader can skip it without a read.
   */
  idsSince(version: number): readonly number[] | null;
}

/** How many position writes the log keeps: a reader further behind than this re-reads everything. */
export const POSITION_WRITES_KEPT_MAX = 1_024;

class PositionWriteLog implements PositionWrites {
  version = 0;
  private readonly ids: number[] = new Array<number>(POSITION_WRITES_KEPT_MAX).fill(0);

  record(id: number): void {
    this.version += 1;
    this.ids[this.version % POSITION_WRITES_KEPT_MAX] = id;
  }

  idsSince(version: number): readonly number[] | null {
    if (version > this.version) throw new Error(`position write log: version ${version} is ahead of ${this.version}`);
    if (this.version - version > POSITION_WRITES_KEPT_MAX) return null;
    const ids: number[] = [];
    for (let v = version + 1; v <= this.version; v += 1) ids.push(this.ids[v % POSITION_WRITES_KEPT_MAX] ?? 0);
    return ids;
  }
}

export interface WalletChange {
  readonly venue: string;
  readonly type: WalletTransactionType;
  /** Change to total. */
  readonly amount: number;
  /** Change to locked. */
  readonly lockedDelta: number;
  /** Change to what the wallet owes (only a 'deficit' row moves it). */
  readonly deficitDelta?: number;
  readonly description: string;
  readonly positionId?: number | null;
  readonly reservationId?: number | null;
  readonly orderRef?: string | null;
  readonly idempotencyKey?: string | null;
}

export interface OpenPositionInput {
  readonly venue: string;
  readonly market: string;
  readonly side: Side;
  readonly quantity: QtyMicros;
  readonly entryPrice: PriceMicros;
  readonly costBasis: Micros;
  readonly levels: LadderLevels;
  /** Fee on entry: charged at close unless `entryFeeCharged`, in which case it is paid now from the wallet. */
  readonly entryFee: Micros;
  readonly kind?: PositionKind;
  readonly idempotencyKey?: string;
  /** Open from a pending reservation: its amount covers cost basis (+ entry fee when charged now); the rest is released. */
  readonly reservationId?: number;
  readonly entryFeeCharged?: boolean;
  readonly orderRef?: string;
  /**
   * Locked beside the cost basis so that the position's worst close can be booked (domain/set-aside.ts); 0 for a long
   * whose entry fee is already paid, which can lose at most its cost basis.
   */
  readonly closeReserve?: Micros;
  /** A short with no price ceiling: where the money locked for it is used up; the ladder closes it there. */
  readonly liquidationPrice?: PriceMicros | null;
}

export interface ClosePositionInput {
  readonly exitPrice: PriceMicros;
  readonly reason: string;
  readonly costs: CostModel;
  /** 'settlement' for a resolved prediction market (no exit costs). */
  readonly kind?: 'close' | 'settlement';
  /**
   * A real exit fill at a venue: what it actually paid (or cost, for a short) and its fee replace the modelled exit
   * value and costs — spread and slippage are already in the fill — so the ledger books exactly what the venue did.
   */
  readonly actualExit?: { readonly value: Micros; readonly fee: Micros };
}

export type CloseResult =
  | {
      readonly status: 'closed';
      readonly position: PositionRow;
      readonly figures: CloseFigures;
      readonly walletBefore: Wallet;
      readonly walletAfter: Wallet;
      /** The part of the loss the wallet could not pay, now owed (0 almost always: the position's set-aside covers its close). */
      readonly deficitBooked: Micros;
    }
  | { readonly status: 'already_closed'; readonly position: PositionRow };

export type ResolveResult =
  | { readonly status: 'committed' | 'released'; readonly reservation: Reservation }
  | { readonly status: 'already_committed' | 'already_released'; readonly reservation: Reservation };

export interface LedgerOptions extends OpenOptions {
  /** Clock for timestamps; replay passes the feed's time so runs are deterministic. */
  readonly now?: () => Date;
}

type WalletRow = Selectable<WalletsTable>;
type WalletBalanceRow = Pick<WalletRow, 'venue' | 'total' | 'available' | 'locked' | 'deficit'>;

export interface ReserveInput {
  readonly venue: string;
  readonly amount: Micros;
  readonly idempotencyKey: string;
  readonly purpose: string;
  readonly description?: string;
}

const ZERO_COSTS: CostModel = { feePpm: 0, spreadPpm: 0, slippagePpm: 0 } as unknown as CostModel;

export class Ledger {
  readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly immediate: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly q;
  private readonly positionWriteLog = new PositionWriteLog();
  readonly positionWrites: PositionWrites = this.positionWriteLog;
  private readonly dataVersionQuery: Database.Statement<[], number>;

  constructor(db: Database.Database, options: { now?: () => Date } = {}) {
    this.db = db;
    this.now = options.now ?? (() => new Date());
    this.immediate = db.transaction((fn: () => unknown) => fn());
    this.q = prepareLedgerQueries(db);
    this.dataVersionQuery = db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  static open(path: string, options: LedgerOptions = {}): Ledger {
    return new Ledger(openDatabase(path, options), options.now ? { now: options.now } : {});
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The last timestamp formatted, and its instant: toISOString costs more than the rest of a small write. */
  private timestampMs = Number.NaN;
  private timestampText = '';

  /** The clock as ISO-8601 text; calls within one millisecond (a whole transaction, usually) format it once. */
  timestamp(): string {
    const now = this.now();
    const ms = now.getTime();
    // An invalid date has NaN time, never equal to the cached one: it reaches toISOString and throws as before.
    if (ms !== this.timestampMs) {
      this.timestampText = now.toISOString();
      this.timestampMs = ms;
    }
    return this.timestampText;
  }

  /**
   * SQLite's data_version: changes when ANOTHER connection (another process, or another Ledger on the same file)
   * commits, never for this connection's own commits — those are in `positionWrites`. One to a few microseconds a call.
   */
  dataVersion(): number {
    return this.dataVersionQuery.get() ?? 0;
  }

  /** Runs `fn` as one BEGIN IMMEDIATE transaction (a savepoint when already inside one). */
  transaction<T>(fn: () => T): T {
    try {
      return this.immediate.immediate(fn) as T;
    } catch (error) {
      throw translateSqliteError(error);
    }
  }

  // ---- wallets ---------------------------------------------------------------------------------

  getWallet(venue: string): Wallet | undefined {
    const row = this.q.walletByVenue.get({ venue });
    return row ? toWallet(row) : undefined;
  }

  requireWallet(venue: string): Wallet {
    const wallet = this.getWallet(venue);
    if (!wallet) throw new InputError(`no wallet for venue "${venue}"`);
    return wallet;
  }

  listWallets(): Wallet[] {
    return this.q.allWallets.all({}).map(toWallet);
  }

  /** Creates the wallet with its starting balance as a deposit transaction, the first time a venue is seen. */
  ensureWallet(venue: string, startingBalance: Micros): { created: boolean; wallet: Wallet } {
    return this.transaction(() => {
      const existing = this.getWallet(venue);
      if (existing) return { created: false, wallet: existing };
      const at = this.timestamp();
      this.q.insertWallet.run({ venue, at });
      if (startingBalance > 0) {
        this.applyChange({
          venue,
          type: 'deposit',
          amount: startingBalance,
          lockedDelta: 0,
          description: `Starting balance ${formatUsd(startingBalance)}`,
        });
      }
      return { created: true, wallet: this.requireWallet(venue) };
    });
  }

  deposit(venue: string, amount: Micros, options: { description?: string; idempotencyKey?: string } = {}): Wallet {
    assertPositive(amount, 'deposit amount');
    return this.transaction(() => {
      if (options.idempotencyKey && this.replayed(options.idempotencyKey, venue, 'deposit', amount)) return this.requireWallet(venue);
      if (!this.getWallet(venue)) this.q.insertWallet.run({ venue, at: this.timestamp() });
      this.applyChange({
        venue,
        type: 'deposit',
        amount,
        lockedDelta: 0,
        description: options.description ?? `Deposit ${formatUsd(amount)}`,
        idempotencyKey: options.idempotencyKey ?? null,
      });
      return this.requireWallet(venue);
    });
  }

  withdraw(venue: string, amount: Micros, options: { description?: string; idempotencyKey?: string } = {}): Wallet {
    assertPositive(amount, 'withdrawal amount');
    return this.transaction(() => {
      if (options.idempotencyKey && this.replayed(options.idempotencyKey, venue, 'withdrawal', -amount)) return this.requireWallet(venue);
      const wallet = this.requireWallet(venue);
      if (wallet.available < amount) {
        throw new InsufficientBalanceError(
          venue,
          amount,
          wallet.available,
          `insufficient available balance on ${venue}: withdrawing ${formatUsd(amount)}, available ${formatUsd(wallet.available)}`,
        );
      }
      this.applyChange({
        venue,
        type: 'withdrawal',
        amount: -amount,
        lockedDelta: 0,
        description: options.description ?? `Withdrawal ${formatUsd(amount)}`,
        idempotencyKey: options.idempotencyKey ?? null,
      });
      return this.requireWallet(venue);
    });
  }

  /** Whether a wallet transaction was already recorded under this idempotency key. */
  hasTransactionKey(key: string): boolean {
    return this.q.transactionByKey.get({ key }) !== undefined;
  }

  /** A replayed idempotency key with identical fields is a no-op; with different fields it is an error. */
  private replayed(key: string, venue: string, type: WalletTransactionType, amount: number): boolean {
    const existing = this.q.transactionByKey.get({ key });
    if (!existing) return false;
    if (existing.venue === venue && existing.type === type && existing.amount === amount) return true;
    throw new IdempotencyConflictError(`idempotency key "${key}" was already used for a different ${existing.type}`);
  }

  /**
   * The one place a wallet balance changes: checks the result, updates the wallet row and appends the transaction.
   * Never clamps: a change that would make available or locked negative throws and the whole transaction rolls back.
   */
  applyChange(change: WalletChange): { before: Wallet; after: Wallet; transactionId: number } {
    if (!this.db.inTransaction) throw new Error('applyChange must run inside a ledger transaction');
    return this.applyChangeTo(this.requireWallet(change.venue), change, this.timestamp());
  }

  /**
   * applyChange on the wallet row as the caller already read it in this same transaction: reading it again would
   * return the same row, and the reservation path runs between a quote and its orders.
   */
  private applyChangeTo(before: Wallet, change: WalletChange, at: string): { before: Wallet; after: Wallet; transactionId: number } {
    const after = this.walletAfter(before, change);
    this.writeWallet(after, at);
    const result = this.q.insertTransaction.run(transactionRow(before, after, change, at));
    const transactionId = Number(result.lastInsertRowid);
    // Money owed is paid from the first money that comes free (a deposit, a close, a release), in the same
    // transaction: a wallet in deficit never shows a free balance, so nothing new can be opened or reserved on it.
    if (after.deficit > 0 && after.available > 0 && change.type !== 'deficit') return { before, after: this.repayDeficit(after, at), transactionId };
    return { before, after, transactionId };
  }

  private writeWallet(wallet: Wallet, at: string): void {
    this.q.updateWallet.run({ venue: wallet.venue, total: wallet.total, available: wallet.available, locked: wallet.locked, deficit: wallet.deficit, at });
  }

  /** Pays what the wallet owes out of its free balance, as far as it goes. */
  private repayDeficit(wallet: Wallet, at: string): Wallet {
    const repaid = Math.min(wallet.deficit, wallet.available);
    const change: WalletChange = {
      venue: wallet.venue,
      type: 'deficit',
      amount: -repaid,
      lockedDelta: 0,
      deficitDelta: -repaid,
      description: `Deficit repaid: ${formatUsd(repaid, 4)} of ${formatUsd(wallet.deficit, 4)} owed`,
    };
    return this.applyChangeTo(wallet, change, at).after;
  }

  /**
   * Books a loss the wallet could not pay as owed money. The caller has just taken everything the wallet had free, so
   * the debt is visible (balances, wallet-check, the run summary) rather than refused or clamped away.
   */
  private bookDeficit(venue: string, amount: number, positionId: number, what: string): Wallet {
    return this.applyChange({
      venue,
      type: 'deficit',
      amount: 0,
      lockedDelta: 0,
      deficitDelta: amount,
      positionId,
      description: `Deficit: ${what} lost ${formatUsd(amount, 4)} more than the wallet held`,
    }).after;
  }

  /** The wallet after `change`, checked. Never clamps: a change that would make available or locked negative throws. */
  private walletAfter(before: Wallet, change: WalletChange): Wallet {
    if (!this.db.inTransaction) throw new Error('applyChange must run inside a ledger transaction');
    if (before.venue !== change.venue) throw new Error(`ledger bug: a change on ${change.venue} applied to the wallet of ${before.venue}`);
    if (!Number.isSafeInteger(change.amount) || !Number.isSafeInteger(change.lockedDelta)) {
      throw new Error(`wallet change amounts must be integers (got ${change.amount}, ${change.lockedDelta})`);
    }
    const deficitDelta = change.deficitDelta ?? 0;
    if (!Number.isSafeInteger(deficitDelta) || (deficitDelta !== 0 && change.type !== 'deficit')) {
      throw new Error(`ledger bug: a ${change.type} on ${change.venue} cannot move the deficit (${deficitDelta})`);
    }
    const total = before.total + change.amount;
    const locked = before.locked + change.lockedDelta;
    const available = total - locked;
    const deficit = before.deficit + deficitDelta;
    if (deficit < 0) throw new Error(`ledger bug: the deficit on ${change.venue} would become ${deficit} (${change.description})`);
    // Past 2^53 a JS number silently rounds: refuse rather than store a balance that is off by a few micros.
    if (!Number.isSafeInteger(total) || !Number.isSafeInteger(locked)) {
      throw new InputError(
        `${change.description}: the balance on ${change.venue} would exceed the largest supported amount ${formatUsd(MICROS_MAX)}`,
      );
    }
    if (locked < 0) throw new Error(`ledger bug: locked on ${change.venue} would become ${locked} (${change.description})`);
    if (available < 0) {
      throw new InsufficientBalanceError(
        change.venue,
        before.available - available,
        before.available,
        `insufficient available balance on ${change.venue}: ${change.description} needs ${formatUsd(
          before.available - available,
        )}, available ${formatUsd(before.available)}`,
      );
    }
    return { venue: change.venue, total: total as Micros, available: available as Micros, locked: locked as Micros, deficit: deficit as Micros };
  }

  listTransactions(venue: string | null, limit: number): Selectable<import('./schema.js').WalletTransactionsTable>[] {
    return venue === null ? this.q.recentTransactions.all({ limit }) : this.q.recentTransactionsForVenue.all({ venue, limit });
  }

  // ---- reservations -----------------------------------------------------------------------------

  /**
   * Moves `amount` from available to locked under an idempotency key. Replaying the key with the same venue, amount
   * and purpose returns the existing reservation; with different fields it is an IdempotencyConflictError.
   */
  reserve(input: ReserveInput): { status: 'created' | 'exists'; reservation: Reservation } {
    assertReserveInput(input);
    return this.transaction(() => {
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
    if (!this.db.inTransaction) throw new Error('reserveWithin must run inside a ledger transaction');
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
    const at = this.timestamp();
    const wallets = new Map<string, Wallet>();
    const steps = inputs.map((input) => {
      const before = wallets.get(input.venue) ?? this.requireWallet(input.venue);
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
      const after = this.walletAfter(before, change);
      wallets.set(input.venue, after);
      return { before, after, change };
    });
    const ids = inputs.map((input) =>
      Number(this.q.insertReservation.run({ venue: input.venue, amount: input.amount, key: input.idempotencyKey, purpose: input.purpose, at }).lastInsertRowid),
    );
    for (const wallet of wallets.values()) this.writeWallet(wallet, at);
    steps.forEach(({ before, after, change }, index) => {
      this.q.insertTransaction.run(transactionRow(before, after, { ...change, reservationId: ids[index] ?? null }, at));
    });
    // The rows exactly as inserted; reading them back would only repeat what this transaction wrote.
    return inputs.map((input, index) => ({
      id: ids[index] ?? -1,
      venue: input.venue,
      amount: input.amount,
      state: 'pending' as const,
      committedAmount: 0 as Micros,
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
    return this.transaction(() => {
      const reservation = this.requireReservation(id);
      if (reservation.state !== 'pending') return alreadyResolved(reservation);
      const spend = options.amount ?? reservation.amount;
      if (!Number.isSafeInteger(spend) || spend < 0 || spend > reservation.amount) {
        // formatUsd would itself throw on a non-integer, hiding this error behind a RangeError.
        const shown = Number.isSafeInteger(spend) ? formatUsd(spend) : String(spend);
        throw new InputError(`commit amount ${shown} must be between $0 and the reserved ${formatUsd(reservation.amount)}`);
      }
      if (spend > 0) {
        this.applyChange({
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
    return this.transaction(() => {
      const reservation = this.requireReservation(id);
      if (reservation.state !== 'pending') return alreadyResolved(reservation);
      this.applyChange({
        venue: reservation.venue,
        type: 'release',
        amount: 0,
        lockedDelta: -reservation.amount,
        reservationId: id,
        description: options.description ?? `Released reservation #${id} (${reservation.purpose}): ${formatUsd(reservation.amount)}`,
      });
      this.q.resolveReservation.run({ id, state: 'released', committed: 0, at: this.timestamp() });
      return { status: 'released' as const, reservation: this.requireReservation(id) };
    });
  }

  /** Marks a reservation committed for `used`, releases whatever of it was not used, and returns it as now stored. */
  private finishReservation(reservation: Reservation, used: number): Reservation {
    const rest = reservation.amount - used;
    if (rest > 0) {
      this.applyChange({
        venue: reservation.venue,
        type: 'release',
        amount: 0,
        lockedDelta: -rest,
        reservationId: reservation.id,
        description: `Released unused ${formatUsd(rest)} of reservation #${reservation.id}`,
      });
    }
    const at = this.timestamp();
    this.q.resolveReservation.run({ id: reservation.id, state: 'committed', committed: used, at });
    return { ...reservation, state: 'committed', committedAmount: used as Micros, resolvedAt: at };
  }

  // ---- positions --------------------------------------------------------------------------------

  /**
   * Records a position and locks its cost basis in the same transaction. Refuses (nothing written) when available
   * is short. With `reservationId`, the cost comes out of that pending reservation instead and the rest is released.
   */
  openPosition(input: OpenPositionInput): { status: 'opened' | 'exists'; position: PositionRow; walletBefore: Wallet; walletAfter: Wallet } {
    assertPositive(input.costBasis, 'position size');
    assertPositive(input.quantity, 'position quantity');
    assertPositive(input.entryPrice, 'entry price');
    assertSetAside(input);
    return this.transaction(() => {
      if (input.idempotencyKey) {
        const existing = this.q.positionByKey.get({ key: input.idempotencyKey });
        if (existing) {
          // Same key, same order → the earlier open stands; same key for a different order is a caller bug, not a replay.
          if (!samePositionOrder(existing, input)) {
            throw new IdempotencyConflictError(
              `position key "${input.idempotencyKey}" already used for position #${existing.id} (${existing.side} ${existing.venue} ${existing.market}, ${formatUsd(existing.cost_basis)} @ ${formatUsd(existing.entry_price, 4)})`,
            );
          }
          const wallet = this.requireWallet(existing.venue);
          return { status: 'exists' as const, position: existing, walletBefore: wallet, walletAfter: wallet };
        }
      }
      const walletBefore = this.requireWallet(input.venue);
      const feeNow = (input.entryFeeCharged ? input.entryFee : 0) as Micros;
      if (input.reservationId !== undefined) {
        // Out of a reservation: the one settlement path the arbitrage executor uses too.
        const reservation = this.requireReservation(input.reservationId);
        if (reservation.state !== 'pending') throw new InputError(`reservation #${reservation.id} is already ${reservation.state}`);
        const [position] = this.settleReservation(reservation.id, {
          positions: [input],
          fee: feeNow,
          ...(input.orderRef ? { orderRef: input.orderRef } : {}),
        }).positions;
        if (!position) throw new Error('ledger bug: a settled reservation opened no position');
        return { status: 'opened' as const, position, walletBefore, walletAfter: this.requireWallet(input.venue) };
      }
      assertCanOpen(walletBefore, input, feeNow);
      const id = this.recordOpen(input, null);
      if (feeNow > 0) {
        this.applyChange({
          venue: input.venue,
          type: 'fee',
          amount: -feeNow,
          lockedDelta: 0,
          positionId: id,
          orderRef: input.orderRef ?? null,
          description: `Entry fee ${formatUsd(feeNow, 4)} for ${input.side} ${input.market}`,
        });
      }
      return { status: 'opened' as const, position: this.requirePosition(id), walletBefore, walletAfter: this.requireWallet(input.venue) };
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
      at: this.timestamp(),
    });
    const id = Number(result.lastInsertRowid);
    this.positionWriteLog.record(input.kind === 'arb_hedged' ? -id : id);
    this.applyChange({
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
  ): { positions: PositionRow[]; status: 'settled' | 'already_committed' | 'already_released' } {
    return this.transaction(() => {
      const reservation = this.requireReservation(reservationId);
      if (reservation.state !== 'pending') return { positions: [], status: alreadyResolved(reservation).status as 'already_committed' | 'already_released' };
      if (settlement.positions.length === 0 && settlement.fee === 0) {
        this.releaseReservation(reservationId, { description: `Released reservation #${reservationId} (${reservation.purpose}): nothing filled` });
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
        this.applyChange({
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
      this.finishReservation(reservation, used);
      return { positions: ids.map((id) => this.requirePosition(id)), status: 'settled' as const };
    });
  }

  getPosition(id: number): PositionRow | undefined {
    return this.q.positionById.get({ id });
  }

  requirePosition(id: number): PositionRow {
    const position = this.getPosition(id);
    if (!position) throw new InputError(`no position with id ${id}`);
    return position;
  }

  listPositions(status: 'open' | 'closed' | 'all'): PositionRow[] {
    if (status === 'all') return this.q.allPositions.all({});
    return this.q.positionsByStatus.all({ status });
  }

  listOpenPositionsForMarket(venue: string, market: string): PositionRow[] {
    return this.q.openPositionsForMarket.all({ venue, market });
  }

  /**
   * The open positions of a market that the ladder manages (every kind but a hedged arbitrage pair, which is held to
   * resolution), with only the ladder's columns: this runs on every quote, and full rows of held hedged pairs made
   * each tick slower the longer the bot traded.
   */
  listLadderPositionsForMarket(venue: string, market: string): LadderPositionRow[] {
    return this.q.ladderPositionsForMarket.all({ venue, market });
  }

  /** Re-labels an open position (an unhedged arbitrage leg that got its hedge becomes part of a hedged pair). */
  setPositionKind(id: number, kind: PositionKind): void {
    this.transaction(() => {
      this.positionWriteLog.record(id);
      this.db.prepare("UPDATE positions SET kind = ? WHERE id = ? AND status = 'open'").run(kind, id);
    });
  }

  /**
   * Marks an open position as needing a person (`reason`), or clears the mark (null): the engine could not close or
   * settle it and goes on with everything else. A close clears it too.
   */
  setAttention(id: number, reason: string | null): void {
    this.transaction(() => {
      this.q.setAttention.run({ id, reason });
    });
  }

  /** Stores a ladder transition (tier flags and current stop) so a restart resumes where it was. */
  updateLadder(id: number, state: LadderState): void {
    this.transaction(() => {
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
    return this.transaction(() => {
      this.positionWriteLog.record(id);
      const position = this.requirePosition(id);
      if (position.status === 'closed') return { status: 'already_closed' as const, position };
      const settlement = input.kind === 'settlement';
      if (!settlement && input.exitPrice <= 0) throw new InputError('exit price must be greater than zero');
      const model = settlement || input.actualExit !== undefined ? ZERO_COSTS : input.costs;
      const modelled = closeFigures(model, {
        side: position.side,
        quantity: position.quantity as QtyMicros,
        costBasis: position.cost_basis as Micros,
        entryFee: position.entry_fee as Micros,
      }, input.exitPrice);
      const figures = input.actualExit === undefined ? modelled : withActualExit(modelled, position.side, position.cost_basis, input.actualExit);
      const at = this.timestamp();
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
      const before = this.requireWallet(position.venue);
      const freed = position.cost_basis + position.close_reserve;
      // The entry fee is part of net PnL either way; if it already left the wallet at open, it is not charged again.
      const totalDelta = walletChangeOnClose(figures, position.entry_fee_charged === 1);
      // What the wallet cannot pay (a gap past a short's liquidation price, a position from before set-asides, costs
      // changed since it opened) is taken from everything it has free and the rest booked as owed: a close is never refused.
      const shortfall = Math.max(0, -(before.available + freed + totalDelta));
      const closed = this.applyChangeTo(
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
      const after = shortfall > 0 ? this.bookDeficit(position.venue, shortfall, id, `closing ${position.side} ${position.market} (#${id})`) : closed.after;
      return { status: 'closed' as const, position: this.requirePosition(id), figures, walletBefore: before, walletAfter: after, deficitBooked: shortfall as Micros };
    });
  }

  // ---- market prices (price guard reference) ---------------------------------------------------

  loadMarketPrices(): { venue: string; market: string; bid: number; ask: number }[] {
    return this.q.allMarketPrices.all({});
  }

  saveMarketPrices(prices: Iterable<{ venue: string; market: string; bid: number; ask: number }>): void {
    this.transaction(() => {
      const at = this.timestamp();
      for (const price of prices) this.q.upsertMarketPrice.run({ ...price, at });
    });
  }

  /** Appends an audit record; returns its id. */
  addAudit(kind: string, venue: string | null, detail: string): number {
    return this.transaction(() => Number(this.q.insertAudit.run({ kind, venue, detail, at: this.timestamp() }).lastInsertRowid));
  }
}

// Constants that select rows through a partial index are written into the SQL, not bound: a bound value compared
// with the index's WHERE (positions_open, reservations_pending) makes SQLite re-prepare the statement on every run,
// which cost more than the query itself on the ladder's per-tick read.
const OPEN = sql.lit<PositionStatus>('open');
const PENDING = sql.lit<ReservationState>('pending');

function prepareLedgerQueries(db: Database.Database) {
  return {
    // Only the balance columns: this read runs on every reservation and every scan of a pair.
    walletByVenue: prepareQuery<{ venue: string }, WalletBalanceRow>(db, (qb) =>
      qb.selectFrom('wallets').select(['venue', 'total', 'available', 'locked', 'deficit']).where('venue', '=', param('venue')),
    ),
    allWallets: prepareQuery<Record<string, never>, WalletRow>(db, (qb) => qb.selectFrom('wallets').selectAll().orderBy('venue')),
    insertWallet: prepareQuery<{ venue: string; at: string }, never>(db, (qb) =>
      qb.insertInto('wallets').values({
        venue: param('venue'),
        total: 0,
        available: 0,
        locked: 0,
        created_at: param('at'),
        updated_at: param('at'),
      }),
    ),
    updateWallet: prepareQuery<{ venue: string; total: number; available: number; locked: number; deficit: number; at: string }, never>(db, (qb) =>
      qb
        .updateTable('wallets')
        .set({ total: param('total'), available: param('available'), locked: param('locked'), deficit: param('deficit'), updated_at: param('at') })
        .where('venue', '=', param('venue')),
    ),
    insertTransaction: prepareQuery<Record<string, unknown>, never>(db, (qb) =>
      qb.insertInto('wallet_transactions').values({
        venue: param('venue'),
        type: param('type'),
        amount: param('amount'),
        locked_delta: param('locked_delta'),
        deficit_delta: param('deficit_delta'),
        balance_before: param('balance_before'),
        balance_after: param('balance_after'),
        locked_before: param('locked_before'),
        locked_after: param('locked_after'),
        position_id: param('position_id'),
        reservation_id: param('reservation_id'),
        order_ref: param('order_ref'),
        idempotency_key: param('idempotency_key'),
        description: param('description'),
        created_at: param('at'),
      }),
    ),
    transactionByKey: prepareQuery<{ key: string }, { venue: string; type: WalletTransactionType; amount: number }>(db, (qb) =>
      qb.selectFrom('wallet_transactions').select(['venue', 'type', 'amount']).where('idempotency_key', '=', param('key')),
    ),
    recentTransactions: prepareQuery<{ limit: number }, Selectable<import('./schema.js').WalletTransactionsTable>>(db, (qb) =>
      qb.selectFrom('wallet_transactions').selectAll().orderBy('id', 'desc').limit(param('limit')),
    ),
    recentTransactionsForVenue: prepareQuery<{ venue: string; limit: number }, Selectable<import('./schema.js').WalletTransactionsTable>>(
      db,
      (qb) =>
        qb.selectFrom('wallet_transactions').selectAll().where('venue', '=', param('venue')).orderBy('id', 'desc').limit(param('limit')),
    ),
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
    reservationById: prepareQuery<{ id: number }, Selectable<import('./schema.js').ReservationsTable>>(db, (qb) =>
      qb.selectFrom('reservations').selectAll().where('id', '=', param('id')),
    ),
    reservationByKey: prepareQuery<{ key: string }, Selectable<import('./schema.js').ReservationsTable>>(db, (qb) =>
      qb.selectFrom('reservations').selectAll().where('idempotency_key', '=', param('key')),
    ),
    pendingReservations: prepareQuery<Record<string, never>, Selectable<import('./schema.js').ReservationsTable>>(db, (qb) =>
      qb.selectFrom('reservations').selectAll().where('state', '=', PENDING).orderBy('id'),
    ),
    resolveReservation: prepareQuery<{ id: number; state: ReservationState; committed: number; at: string }, never>(db, (qb) =>
      qb
        .updateTable('reservations')
        .set({ state: param('state'), committed_amount: param('committed'), resolved_at: param('at') })
        .where('id', '=', param('id'))
        .where('state', '=', 'pending'),
    ),
    insertPosition: prepareQuery<Record<string, unknown>, never>(db, (qb) =>
      qb.insertInto('positions').values({
        venue: param('venue'),
        market: param('market'),
        side: param('side'),
        kind: param('kind'),
        quantity: param('quantity'),
        entry_price: param('entry_price'),
        cost_basis: param('cost_basis'),
        entry_fee: param('entry_fee'),
        entry_fee_charged: param('entry_fee_charged'),
        tp1_price: param('tp1_price'),
        tp2_price: param('tp2_price'),
        tp3_price: param('tp3_price'),
        sl_price: param('sl_price'),
        stop_price: param('stop_price'),
        reservation_id: param('reservation_id'),
        idempotency_key: param('idempotency_key'),
        close_reserve: param('close_reserve'),
        liquidation_price: param('liquidation_price'),
        opened_at: param('at'),
      }),
    ),
    positionById: prepareQuery<{ id: number }, PositionRow>(db, (qb) => qb.selectFrom('positions').selectAll().where('id', '=', param('id'))),
    positionByKey: prepareQuery<{ key: string }, PositionRow>(db, (qb) =>
      qb.selectFrom('positions').selectAll().where('idempotency_key', '=', param('key')),
    ),
    allPositions: prepareQuery<Record<string, never>, PositionRow>(db, (qb) => qb.selectFrom('positions').selectAll().orderBy('id')),
    positionsByStatus: prepareQuery<{ status: string }, PositionRow>(db, (qb) =>
      qb.selectFrom('positions').selectAll().where('status', '=', param('status')).orderBy('id'),
    ),
    openPositionsForMarket: prepareQuery<{ venue: string; market: string }, PositionRow>(db, (qb) =>
      qb
        .selectFrom('positions')
        .selectAll()
        .where('status', '=', OPEN)
        .where('venue', '=', param('venue'))
        .where('market', '=', param('market'))
        .orderBy('id'),
    ),
    ladderPositionsForMarket: prepareQuery<{ venue: string; market: string }, LadderPositionRow>(db, (qb) =>
      qb
        .selectFrom('positions')
        .select(['id', 'side', 'entry_price', 'tp1_price', 'tp2_price', 'tp3_price', 'sl_price', 'stop_price', 'tp1_hit', 'tp2_hit', 'liquidation_price'])
        .where('status', '=', OPEN)
        .where('kind', '<>', sql.lit<PositionKind>('arb_hedged'))
        .where('venue', '=', param('venue'))
        .where('market', '=', param('market'))
        .orderBy('id'),
    ),
    setAttention: prepareQuery<{ id: number; reason: string | null }, never>(db, (qb) =>
      qb.updateTable('positions').set({ attention: param('reason') }).where('id', '=', param('id')).where('status', '=', OPEN),
    ),
    updateLadder: prepareQuery<{ id: number; tp1: number; tp2: number; stop: number }, never>(db, (qb) =>
      qb
        .updateTable('positions')
        .set({ tp1_hit: param('tp1'), tp2_hit: param('tp2'), stop_price: param('stop') })
        .where('id', '=', param('id'))
        .where('status', '=', 'open'),
    ),
    closePosition: prepareQuery<Record<string, unknown>, never>(db, (qb) =>
      qb
        .updateTable('positions')
        .set({
          status: 'closed',
          exit_price: param('exit_price'),
          exit_value: param('exit_value'),
          gross_pnl: param('gross_pnl'),
          exit_fee: param('exit_fee'),
          spread_cost: param('spread_cost'),
          slippage_cost: param('slippage_cost'),
          total_costs: param('total_costs'),
          net_pnl: param('net_pnl'),
          close_reason: param('reason'),
          closed_at: param('at'),
          attention: null,
        })
        .where('id', '=', param('id'))
        .where('status', '=', 'open'),
    ),
    allMarketPrices: prepareQuery<Record<string, never>, { venue: string; market: string; bid: number; ask: number }>(db, (qb) =>
      qb.selectFrom('market_prices').select(['venue', 'market', 'bid', 'ask']),
    ),
    upsertMarketPrice: prepareQuery<{ venue: string; market: string; bid: number; ask: number; at: string }, never>(db, (qb) =>
      qb
        .insertInto('market_prices')
        .values({ venue: param('venue'), market: param('market'), bid: param('bid'), ask: param('ask'), updated_at: param('at') })
        .onConflict((oc) =>
          oc.columns(['venue', 'market']).doUpdateSet({
            bid: sql`excluded.bid`,
            ask: sql`excluded.ask`,
            updated_at: sql`excluded.updated_at`,
          }),
        ),
    ),
    insertAudit: prepareQuery<{ kind: string; venue: string | null; detail: string; at: string }, never>(db, (qb) =>
      qb.insertInto('audit_log').values({ kind: param('kind'), venue: param('venue'), detail: param('detail'), created_at: param('at') }),
    ),
  };
}

function withActualExit(figures: CloseFigures, side: 'long' | 'short', costBasis: number, exit: { value: Micros; fee: Micros }): CloseFigures {
  const grossPnl = (side === 'long' ? exit.value - costBasis : costBasis - exit.value) as Micros;
  const totalCosts = (figures.entryFee + exit.fee) as Micros;
  return {
    ...figures,
    exitValue: exit.value,
    grossPnl,
    exitFee: exit.fee,
    spreadCost: 0 as Micros,
    slippageCost: 0 as Micros,
    totalCosts,
    netPnl: (grossPnl - totalCosts) as Micros,
  };
}

/** The wallet_transactions row of `change`, which took the wallet from `before` to `after`. */
function transactionRow(before: Wallet, after: Wallet, change: WalletChange, at: string) {
  return {
    venue: change.venue,
    type: change.type,
    amount: change.amount,
    locked_delta: change.lockedDelta,
    deficit_delta: change.deficitDelta ?? 0,
    balance_before: before.total,
    balance_after: after.total,
    locked_before: before.locked,
    locked_after: after.locked,
    position_id: change.positionId ?? null,
    reservation_id: change.reservationId ?? null,
    order_ref: change.orderRef ?? null,
    idempotency_key: change.idempotencyKey ?? null,
    description: change.description,
    at,
  };
}

/** What a position locks: its cost basis and what its worst close can cost beyond it. */
function setAsideOf(input: OpenPositionInput): number {
  return input.costBasis + (input.closeReserve ?? 0);
}

function assertSetAside(input: OpenPositionInput): void {
  const reserve = input.closeReserve ?? 0;
  if (!Number.isSafeInteger(reserve) || reserve < 0) throw new InputError('a close reserve must be a non-negative amount');
  const liquidation = input.liquidationPrice ?? null;
  if (liquidation !== null && (!Number.isSafeInteger(liquidation) || liquidation <= 0)) throw new InputError('a liquidation price must be positive');
}

/** A new position needs its whole set-aside free (and the entry fee, when it is paid now); a wallet in deficit opens nothing. */
function assertCanOpen(wallet: Wallet, input: OpenPositionInput, feeNow: number): void {
  if (wallet.deficit > 0) {
    throw new InsufficientBalanceError(
      input.venue,
      setAsideOf(input) + feeNow,
      wallet.available,
      `${input.venue} owes ${formatUsd(wallet.deficit, 4)} from a loss larger than its wallet: deposit at least that much before opening positions there`,
    );
  }
  const needed = setAsideOf(input) + feeNow;
  if (wallet.available >= needed) return;
  const parts = [`cost basis ${formatUsd(input.costBasis)}`];
  if (input.closeReserve) parts.push(`${formatUsd(input.closeReserve, 4)} set aside for its close`);
  if (feeNow > 0) parts.push(`entry fee ${formatUsd(feeNow, 4)}`);
  throw new InsufficientBalanceError(
    input.venue,
    needed,
    wallet.available,
    `insufficient available balance on ${input.venue}: opening needs ${formatUsd(needed, 4)} (${parts.join(' + ')}), available ${formatUsd(
      wallet.available,
      4,
    )}`,
  );
}

function assertReserveInput(input: ReserveInput): void {
  assertPositive(input.amount, 'reservation amount');
  if (input.idempotencyKey === '') throw new InputError('reservation idempotency key is empty');
}

function toWallet(row: WalletBalanceRow): Wallet {
  return { venue: row.venue, total: row.total as Micros, available: row.available as Micros, locked: row.locked as Micros, deficit: row.deficit as Micros };
}

function toReservation(row: Selectable<import('./schema.js').ReservationsTable>): Reservation {
  return {
    id: row.id,
    venue: row.venue,
    amount: row.amount as Micros,
    state: row.state,
    committedAmount: row.committed_amount as Micros,
    idempotencyKey: row.idempotency_key,
    purpose: row.purpose,
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  };
}

function samePositionOrder(row: PositionRow, input: OpenPositionInput): boolean {
  return (
    row.venue === input.venue &&
    row.market === input.market &&
    row.side === input.side &&
    row.kind === (input.kind ?? 'single') &&
    row.quantity === input.quantity &&
    row.entry_price === input.entryPrice &&
    row.cost_basis === input.costBasis
  );
}

function alreadyResolved(reservation: Reservation): ResolveResult {
  return { status: reservation.state === 'committed' ? 'already_committed' : 'already_released', reservation };
}

function assertPositive(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InputError(`${what} must be a positive amount`);
}

/** Busy and I/O failures are operating errors (exit 3); typed errors pass through unchanged. */
export function translateSqliteError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|IOERR|READONLY|CANTOPEN|FULL|NOTADB|CORRUPT)/.test(code)) {
    return new OperationalError(`database error: ${describe(error)}`);
  }
  return error;
}
