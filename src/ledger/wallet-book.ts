// Wallets and their transaction log: every balance change is one appended row and the wallet row its running
// projection (total = available + locked, and what the wallet owes beside them), written together by applyChange.
import type Database from 'better-sqlite3';
import { IdempotencyConflictError, InputError, InsufficientBalanceError } from '../domain/errors.js';
import { formatUsd, micros, MICROS_MAX, type Micros } from '../domain/money.js';
import type { Wallet, WalletTransaction, WalletTransactionType } from '../domain/wallet.js';
import type { LedgerCore } from './ledger-core.js';
import { toWallet, toWalletTransaction, type WalletBalanceRow, type WalletRow, type WalletTransactionRow } from './mappers.js';
import { param, prepareQuery } from './statements.js';

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

export class WalletBook {
  private readonly q;

  constructor(private readonly core: LedgerCore) {
    this.q = prepareWalletQueries(core.db);
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
    return this.core.transaction(() => {
      const existing = this.getWallet(venue);
      if (existing) return { created: false, wallet: existing };
      const at = this.core.timestamp();
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
    return this.core.transaction(() => {
      if (options.idempotencyKey && this.replayed(options.idempotencyKey, venue, 'deposit', amount)) return this.requireWallet(venue);
      if (!this.getWallet(venue)) this.q.insertWallet.run({ venue, at: this.core.timestamp() });
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
    return this.core.transaction(() => {
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


  /** The id of the wallet transaction recorded under this idempotency key, if any. */
  transactionIdByKey(key: string): number | null {
    return this.q.transactionByKey.get({ key })?.id ?? null;
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
    if (!this.core.db.inTransaction) throw new Error('applyChange must run inside a ledger transaction');
    return this.applyChangeTo(this.requireWallet(change.venue), change, this.core.timestamp());
  }


  /**
   * applyChange on the wallet row as the caller already read it in this same transaction: reading it again would
   * return the same row, and the reservation path runs between a quote and its orders.
   */
  applyChangeTo(before: Wallet, change: WalletChange, at: string): { before: Wallet; after: Wallet; transactionId: number } {
    const after = this.walletAfter(before, change);
    this.writeWallet(after, at);
    const result = this.q.insertTransaction.run(transactionRow(before, after, change, at));
    const transactionId = Number(result.lastInsertRowid);
    // Money owed is paid from the first money that comes free (a deposit, a close, a release), in the same
    // transaction: a wallet in deficit never shows a free balance, so nothing new can be opened or reserved on it.
    if (after.deficit > 0 && after.available > 0 && change.type !== 'deficit') return { before, after: this.repayDeficit(after, at), transactionId };
    return { before, after, transactionId };
  }


  /**
   * Appends the row of a change whose wallet row the caller writes itself (reservations batch both legs' rows under
   * one read and one write of each wallet).
   */
  appendTransaction(before: Wallet, after: Wallet, change: WalletChange, at: string): void {
    this.q.insertTransaction.run(transactionRow(before, after, change, at));
  }

  writeWallet(wallet: Wallet, at: string): void {
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
  bookDeficit(venue: string, amount: number, positionId: number, what: string): Wallet {
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
  walletAfter(before: Wallet, change: WalletChange): Wallet {
    if (!this.core.db.inTransaction) throw new Error('applyChange must run inside a ledger transaction');
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
    return { venue: change.venue, total: micros(total), available: micros(available), locked: micros(locked), deficit: micros(deficit) };
  }


  listTransactions(venue: string | null, limit: number): WalletTransaction[] {
    const rows = venue === null ? this.q.recentTransactions.all({ limit }) : this.q.recentTransactionsForVenue.all({ venue, limit });
    return rows.map(toWalletTransaction);
  }
}

function prepareWalletQueries(db: Database.Database) {
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
    transactionByKey: prepareQuery<{ key: string }, { id: number; venue: string; type: WalletTransactionType; amount: number }>(db, (qb) =>
      qb.selectFrom('wallet_transactions').select(['id', 'venue', 'type', 'amount']).where('idempotency_key', '=', param('key')),
    ),
    recentTransactions: prepareQuery<{ limit: number }, WalletTransactionRow>(db, (qb) =>
      qb.selectFrom('wallet_transactions').selectAll().orderBy('id', 'desc').limit(param('limit')),
    ),
    recentTransactionsForVenue: prepareQuery<{ venue: string; limit: number }, WalletTransactionRow>(
      db,
      (qb) =>
        qb.selectFrom('wallet_transactions').selectAll().where('venue', '=', param('venue')).orderBy('id', 'desc').limit(param('limit')),
    ),
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

export function assertPositive(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InputError(`${what} must be a positive amount`);
}
