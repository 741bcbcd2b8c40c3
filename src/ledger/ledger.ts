// The ledger: the only code that writes money state. Every public method that changes state is ONE
// `BEGIN IMMEDIATE` transaction in which the state change, the wallet row and its wallet transaction are written
// together; calls nest (as savepoints) when a caller composes several into its own transaction. Each table has its
// own part (wallet-book, reservation-book, position-book, market-prices, audit-records); this class is their one door.
import type Database from 'better-sqlite3';
import { namingFile, OperationalError } from '../domain/errors.js';
import type { MarketPrice, Outcome } from '../domain/market.js';
import type { Micros } from '../domain/money.js';
import type { ListedMarket } from '../domain/pairing.js';
import type { LadderPosition, LadderState, Position, PositionKind } from '../domain/position.js';
import type { Reservation, Wallet, WalletTransaction } from '../domain/wallet.js';
import { AuditRecords, type RecordedResolution } from './audit-records.js';
import { registerConnection } from './connections.js';
import { openDatabase, type OpenOptions } from './database.js';
import type { LedgerCore } from './ledger-core.js';
import { MarketListings, type CachedListing } from './market-listings.js';
import { MarketPrices } from './market-prices.js';
import { PositionBook, type VenueHoldings } from './position-book.js';
import type { CloseResult, ClosePositionInput, OpenPositionInput, PositionTotals } from './position-types.js';
import type { PositionWrites } from './position-writes.js';
import { ReservationBook, type ReserveInput, type ResolveResult } from './reservation-book.js';
import { WalletBook, type WalletChange } from './wallet-book.js';

export type { CloseResult, ClosePositionInput, OpenPositionInput, PositionTotals } from './position-types.js';
export { POSITION_WRITES_KEPT_MAX, type PositionWrites } from './position-writes.js';
export type { ReserveInput, ResolveResult } from './reservation-book.js';
export type { WalletChange } from './wallet-book.js';
/** The domain objects the ledger answers with (their home is src/domain), for callers that name them beside it. */
export type { Reservation, Wallet } from '../domain/wallet.js';
export type { RecordedResolution } from './audit-records.js';
export type { CachedListing } from './market-listings.js';
export type { VenueHoldings } from './position-book.js';

export interface LedgerIdentity {
  readonly ledgerId: string;
  readonly createdAt: string;
}

export interface LedgerOptions extends OpenOptions {
  /** Clock for timestamps; replay passes the feed's time so runs are deterministic. */
  readonly now?: () => Date;
}

export class Ledger {
  private readonly db: Database.Database;
  private readonly now: () => Date;
  private readonly immediate: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly dataVersionQuery: Database.Statement<[], number>;
  private readonly wallets: WalletBook;
  private readonly reservations: ReservationBook;
  private readonly positions: PositionBook;
  private readonly prices: MarketPrices;
  private readonly listings: MarketListings;
  private readonly audit: AuditRecords;
  readonly positionWrites: PositionWrites;

  /** Opened to read (read-only, or `query_only`): nothing through this connection can write. */
  readonly readsOnly: boolean;
  /** The ledger's file, which its storage errors name (a ledger read into memory from a file still names the file). */
  private readonly file: string;

  constructor(db: Database.Database, options: { now?: () => Date; file?: string } = {}) {
    this.db = db;
    this.file = options.file ?? db.name;
    this.readsOnly = db.readonly || db.pragma('query_only', { simple: true }) === 1;
    this.now = options.now ?? (() => new Date());
    this.immediate = db.transaction((fn: () => unknown) => fn());
    this.dataVersionQuery = db.prepare<[], number>('PRAGMA data_version').pluck();
    registerConnection(this, db);
    const core: LedgerCore = { db, timestamp: () => this.timestamp(), transaction: (fn) => this.transaction(fn) };
    this.wallets = new WalletBook(core);
    this.reservations = new ReservationBook(core, this.wallets);
    this.positions = new PositionBook(core, this.wallets, this.reservations);
    this.prices = new MarketPrices(core);
    this.listings = new MarketListings(core);
    this.audit = new AuditRecords(core);
    this.positionWrites = this.positions.positionWriteLog;
  }

  static open(path: string, options: LedgerOptions = {}): Ledger {
    const db = openDatabase(path, options);
    try {
      return new Ledger(db, { file: path, ...(options.now ? { now: options.now } : {}) });
    } catch (error) {
      // Preparing its statements is the first use of every table: one missing is this file's fault, and says so.
      db.close();
      throw namingFile(error, path);
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** This ledger's identity: a random id and when it was created (or, for an older ledger, stamped). */
  identity(): LedgerIdentity {
    const row = this.db.prepare('SELECT ledger_id, created_at FROM ledger_identity WHERE singleton = 1').get() as { ledger_id: string; created_at: string } | undefined;
    if (!row) throw new OperationalError('the ledger has no identity row (ledger_identity is empty)');
    return { ledgerId: row.ledger_id, createdAt: row.created_at };
  }

  /** Whether a transaction is open on this connection (a caller composing several writes into one). */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /** The file this ledger is (':memory:' for an in-memory one). */
  get path(): string {
    return this.file;
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

  /**
   * Runs `fn` as one BEGIN IMMEDIATE transaction (a savepoint when already inside one). On a ledger opened to read it
   * is a plain BEGIN: a reader needs only a snapshot that holds still, and SQLite refuses it the write lock.
   */
  transaction<T>(fn: () => T): T {
    try {
      return (this.readsOnly ? this.immediate.deferred(fn) : this.immediate.immediate(fn)) as T;
    } catch (error) {
      throw translateSqliteError(error, this.path);
    }
  }

  // ---- wallets (wallet-book.ts) ------------------------------------------------------------------

  getWallet(venue: string): Wallet | undefined {
    return this.wallets.getWallet(venue);
  }

  requireWallet(venue: string): Wallet {
    return this.wallets.requireWallet(venue);
  }

  listWallets(): Wallet[] {
    return this.wallets.listWallets();
  }

  /** Creates the wallet with its starting balance as a deposit transaction, the first time a venue is seen. */
  ensureWallet(venue: string, startingBalance: Micros): { created: boolean; wallet: Wallet } {
    return this.wallets.ensureWallet(venue, startingBalance);
  }

  deposit(venue: string, amount: Micros, options: { description?: string; idempotencyKey?: string } = {}): Wallet {
    return this.wallets.deposit(venue, amount, options);
  }

  withdraw(venue: string, amount: Micros, options: { description?: string; idempotencyKey?: string } = {}): Wallet {
    return this.wallets.withdraw(venue, amount, options);
  }

  transactionIdByKey(key: string): number | null {
    return this.wallets.transactionIdByKey(key);
  }

  /** Whether a wallet transaction was already recorded under this idempotency key. */
  hasTransactionKey(key: string): boolean {
    return this.wallets.hasTransactionKey(key);
  }

  /** The one place a wallet balance changes (see WalletBook.applyChange); must run inside a ledger transaction. */
  applyChange(change: WalletChange): { before: Wallet; after: Wallet; transactionId: number } {
    return this.wallets.applyChange(change);
  }

  listTransactions(venue: string | null, limit: number): WalletTransaction[] {
    return this.wallets.listTransactions(venue, limit);
  }

  // ---- reservations (reservation-book.ts) --------------------------------------------------------

  reserve(input: ReserveInput): { status: 'created' | 'exists'; reservation: Reservation } {
    return this.reservations.reserve(input);
  }

  /** Several reservations under fresh keys inside the caller's transaction (see ReservationBook.reserveWithin). */
  reserveWithin(inputs: readonly ReserveInput[]): Reservation[] {
    return this.reservations.reserveWithin(inputs);
  }

  getReservation(id: number): Reservation | undefined {
    return this.reservations.getReservation(id);
  }

  requireReservation(id: number): Reservation {
    return this.reservations.requireReservation(id);
  }

  listPendingReservations(): Reservation[] {
    return this.reservations.listPendingReservations();
  }

  commitReservation(id: number, options: { amount?: Micros; description?: string; orderRef?: string } = {}): ResolveResult {
    return this.reservations.commitReservation(id, options);
  }

  releaseReservation(id: number, options: { description?: string } = {}): ResolveResult {
    return this.reservations.releaseReservation(id, options);
  }

  // ---- positions (position-book.ts) --------------------------------------------------------------

  openPosition(input: OpenPositionInput): { status: 'opened' | 'exists'; position: Position; walletBefore: Wallet; walletAfter: Wallet } {
    return this.positions.openPosition(input);
  }

  /** Settles a pending reservation from what actually filled (see PositionBook.settleReservation). */
  settleReservation(
    reservationId: number,
    settlement: { readonly positions: readonly OpenPositionInput[]; readonly fee: Micros; readonly orderRef?: string },
  ): { positions: Position[]; status: 'settled' | 'already_committed' | 'already_released' } {
    return this.positions.settleReservation(reservationId, settlement);
  }

  getPosition(id: number): Position | undefined {
    return this.positions.getPosition(id);
  }

  requirePosition(id: number): Position {
    return this.positions.requirePosition(id);
  }

  listPositions(status: 'open' | 'closed' | 'all'): Position[] {
    return this.positions.listPositions(status);
  }

  latestClosedPositions(limit: number): Position[] {
    return this.positions.latestClosedPositions(limit);
  }

  positionTotals(): PositionTotals {
    return this.positions.positionTotals();
  }

  listOpenPositionsForMarket(venue: string, market: string): Position[] {
    return this.positions.listOpenPositionsForMarket(venue, market);
  }

  listLadderPositionsForMarket(venue: string, market: string): LadderPosition[] {
    return this.positions.listLadderPositionsForMarket(venue, market);
  }

  setPositionKind(id: number, kind: PositionKind): void {
    this.positions.setPositionKind(id, kind);
  }

  setAttention(id: number, reason: string | null): void {
    this.positions.setAttention(id, reason);
  }

  updateLadder(id: number, state: LadderState): void {
    this.positions.updateLadder(id, state);
  }

  closePosition(id: number, input: ClosePositionInput): CloseResult {
    return this.positions.closePosition(id, input);
  }

  // ---- market prices and audit records -----------------------------------------------------------

  loadMarketPrices(): MarketPrice[] {
    return this.prices.loadMarketPrices();
  }

  marketPrice(venue: string, market: string): MarketPrice | undefined {
    return this.prices.marketPrice(venue, market);
  }

  saveMarketPrices(prices: Iterable<MarketPrice>): void {
    this.prices.saveMarketPrices(prices);
  }

  /** Caches a venue's open markets in place of its previous listing; returns the fetch time they are stamped with. */
  replaceMarketListings(venue: string, markets: readonly ListedMarket[]): string {
    return this.listings.replaceMarketListings(venue, markets);
  }

  /** A venue's cached open markets and when they were fetched. */
  marketListings(venue: string): CachedListing {
    return this.listings.marketListings(venue);
  }

  /** Appends an audit record; returns its id. */
  addAudit(kind: string, venue: string | null, detail: string): number {
    return this.audit.addAudit(kind, venue, detail);
  }

  /** Records a market resolution the ledger settled; a paper venue applies each recorded one once, by its id. */
  recordResolution(venue: string, market: string, outcome: Outcome): number {
    return this.audit.recordResolution(venue, market, outcome);
  }

  resolvedOutcome(venue: string, market: string): Outcome | null {
    return this.audit.resolvedOutcome(venue, market);
  }

  resolutionsSince(venue: string, afterId: number): RecordedResolution[] {
    return this.audit.resolutionsSince(venue, afterId);
  }

  /** What each wallet expects its venue to hold in cash (see PositionBook.venueHoldings). */
  venueHoldings(): VenueHoldings[] {
    return this.positions.venueHoldings();
  }
}

/** Busy and I/O failures are operating errors naming the ledger's file (exit 3); typed errors pass through unchanged. */
export function translateSqliteError(error: unknown, file: string): unknown {
  // SQLite's error stays the cause: its code says whether the fault can clear by itself (transientStorageFault).
  return namingFile(error, file);
}
