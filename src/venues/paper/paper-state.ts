// The paper venues' own books, kept in a SQLite file apart from the bot's ledger: cash, every order by client
// order id, holdings per market and outcome, and the last book. Each order and its cash/holding effect is one
// transaction, so a crash never leaves the venue half-filled.
import Database from 'better-sqlite3';
import type { Micros } from '../../domain/money.js';
import type { Outcome, OrderSide, TimeInForce, VenueOrderStatus } from '../venue.js';

export interface PaperOrderRow {
  readonly venue: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly market: string;
  readonly outcome: Outcome;
  readonly side: OrderSide;
  readonly quantity: number;
  readonly limitPrice: number;
  readonly timeInForce: TimeInForce;
  readonly status: VenueOrderStatus;
  readonly filledQuantity: number;
  readonly filledNotional: number;
  readonly fee: number;
  readonly rejectReason: string | null;
}

export interface PaperBookRow {
  readonly venue: string;
  readonly market: string;
  readonly bid: number;
  readonly ask: number;
  readonly depth: number;
  readonly updatedAtMs: number;
}

type MutableBookRow = { -readonly [K in keyof PaperBookRow]: PaperBookRow[K] };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS paper_accounts (venue TEXT PRIMARY KEY, cash INTEGER NOT NULL, order_seq INTEGER NOT NULL DEFAULT 0) STRICT;
CREATE TABLE IF NOT EXISTS paper_orders (
  venue TEXT NOT NULL, client_order_id TEXT NOT NULL, venue_order_id TEXT NOT NULL, market TEXT NOT NULL,
  outcome TEXT NOT NULL, side TEXT NOT NULL, quantity INTEGER NOT NULL, limit_price INTEGER NOT NULL,
  time_in_force TEXT NOT NULL, status TEXT NOT NULL, filled_quantity INTEGER NOT NULL, filled_notional INTEGER NOT NULL,
  fee INTEGER NOT NULL, reject_reason TEXT, PRIMARY KEY (venue, client_order_id)) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS paper_orders_venue_id ON paper_orders (venue, venue_order_id);
CREATE TABLE IF NOT EXISTS paper_holdings (venue TEXT NOT NULL, market TEXT NOT NULL, outcome TEXT NOT NULL,
  quantity INTEGER NOT NULL, PRIMARY KEY (venue, market, outcome)) STRICT;
CREATE TABLE IF NOT EXISTS paper_resolutions (venue TEXT NOT NULL, resolution_id INTEGER NOT NULL, market TEXT NOT NULL,
  outcome TEXT NOT NULL, PRIMARY KEY (venue, resolution_id)) STRICT;
CREATE TABLE IF NOT EXISTS paper_books (venue TEXT NOT NULL, market TEXT NOT NULL, bid INTEGER NOT NULL, ask INTEGER NOT NULL,
  depth INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, PRIMARY KEY (venue, market)) STRICT;
`;

interface OrderDbRow {
  venue: string;
  client_order_id: string;
  venue_order_id: string;
  market: string;
  outcome: Outcome;
  side: OrderSide;
  quantity: number;
  limit_price: number;
  time_in_force: TimeInForce;
  status: VenueOrderStatus;
  filled_quantity: number;
  filled_notional: number;
  fee: number;
  reject_reason: string | null;
}

export class PaperState {
  private readonly db: Database.Database;
  /**
   * Books change on every tick: kept in memory (by venue, then market, so a look-up builds no key string) and written
   * in batches by flushBooks().
   */
  private readonly books = new Map<string, Map<string, MutableBookRow>>();
  private readonly dirtyBooks = new Set<MutableBookRow>();
  private readonly stmt;
  /**
   * recordOrder's transaction, wrapped once: better-sqlite3 builds a new wrapper (a few kilobytes) on every
   * db.transaction() call, and every order placed runs this one.
   */
  private readonly recordOrderTransaction: Database.Transaction<(order: PaperOrderRow) => void>;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 10000');
    this.db.exec(SCHEMA);
    this.stmt = {
      account: this.db.prepare('SELECT cash FROM paper_accounts WHERE venue = ?'),
      insertAccount: this.db.prepare('INSERT OR IGNORE INTO paper_accounts (venue, cash) VALUES (?, ?)'),
      bumpSeq: this.db.prepare('UPDATE paper_accounts SET order_seq = order_seq + 1 WHERE venue = ? RETURNING order_seq'),
      addCash: this.db.prepare('UPDATE paper_accounts SET cash = cash + ? WHERE venue = ?'),
      order: this.db.prepare('SELECT * FROM paper_orders WHERE venue = ? AND client_order_id = ?'),
      orderByVenueId: this.db.prepare('SELECT * FROM paper_orders WHERE venue = ? AND venue_order_id = ?'),
      insertOrder: this.db.prepare(`INSERT INTO paper_orders VALUES (@venue, @clientOrderId, @venueOrderId, @market, @outcome, @side,
        @quantity, @limitPrice, @timeInForce, @status, @filledQuantity, @filledNotional, @fee, @rejectReason)`),
      addHolding: this.db.prepare(`INSERT INTO paper_holdings VALUES (?, ?, ?, ?)
        ON CONFLICT (venue, market, outcome) DO UPDATE SET quantity = quantity + excluded.quantity`),
      holdings: this.db.prepare('SELECT outcome, quantity FROM paper_holdings WHERE venue = ? AND market = ?'),
      clearHoldings: this.db.prepare('DELETE FROM paper_holdings WHERE venue = ? AND market = ?'),
      allBooks: this.db.prepare('SELECT venue, market, bid, ask, depth, updated_at_ms AS updatedAtMs FROM paper_books'),
      upsertBook: this.db.prepare(`INSERT INTO paper_books VALUES (@venue, @market, @bid, @ask, @depth, @updatedAtMs)
        ON CONFLICT (venue, market) DO UPDATE SET bid = excluded.bid, ask = excluded.ask, depth = excluded.depth, updated_at_ms = excluded.updated_at_ms`),
      orderCount: this.db.prepare('SELECT count(*) AS n FROM paper_orders WHERE venue = ?'),
      insertResolution: this.db.prepare('INSERT OR IGNORE INTO paper_resolutions VALUES (?, ?, ?, ?)'),
      lastResolution: this.db.prepare('SELECT coalesce(max(resolution_id), 0) AS id FROM paper_resolutions WHERE venue = ?'),
    };
    this.recordOrderTransaction = this.db.transaction((order: PaperOrderRow) => {
      this.stmt.insertOrder.run(order);
      if (order.filledQuantity === 0) return;
      const sign = order.side === 'buy' ? 1 : -1;
      this.stmt.addCash.run(-sign * order.filledNotional - order.fee, order.venue);
      this.stmt.addHolding.run(order.venue, order.market, order.outcome, sign * order.filledQuantity);
    });
    for (const row of this.stmt.allBooks.all() as PaperBookRow[]) this.setBook(row.venue, row.market, row.bid, row.ask, row.depth, row.updatedAtMs);
    this.dirtyBooks.clear();
  }

  close(): void {
    this.flushBooks();
    if (this.db.open) this.db.close();
  }

  ensureAccount(venue: string, startingCash: Micros): void {
    this.stmt.insertAccount.run(venue, startingCash);
  }

  cash(venue: string): Micros {
    const row = this.stmt.account.get(venue) as { cash: number } | undefined;
    return (row?.cash ?? 0) as Micros;
  }

  /** Adds (or, negative, removes) cash: paper funding mirrored from the ledger's deposits and withdrawals. */
  adjustCash(venue: string, amount: number): void {
    this.stmt.addCash.run(amount, venue);
  }

  nextOrderId(venue: string): string {
    const row = this.stmt.bumpSeq.get(venue) as { order_seq: number } | undefined;
    return `${venue}-${row?.order_seq ?? 0}`;
  }

  getOrder(venue: string, clientOrderId: string): PaperOrderRow | undefined {
    const row = this.stmt.order.get(venue, clientOrderId) as OrderDbRow | undefined;
    return row ? fromDb(row) : undefined;
  }

  getOrderByVenueId(venue: string, venueOrderId: string): PaperOrderRow | undefined {
    const row = this.stmt.orderByVenueId.get(venue, venueOrderId) as OrderDbRow | undefined;
    return row ? fromDb(row) : undefined;
  }

  orderCount(venue: string): number {
    return (this.stmt.orderCount.get(venue) as { n: number }).n;
  }

  /** The order, its cash movement and its holding change, in one transaction. */
  recordOrder(order: PaperOrderRow): void {
    this.recordOrderTransaction.immediate(order);
  }

  /**
   * Pays 1 per contract held on the winning outcome; returns the payout. With `resolutionId` (the ledger's record of
   * the resolution) it applies once: a replay of an applied resolution pays nothing.
   */
  resolve(venue: string, market: string, outcome: Outcome, resolutionId?: number): Micros {
    return this.db
      .transaction(() => {
        if (resolutionId !== undefined && this.stmt.insertResolution.run(venue, resolutionId, market, outcome).changes === 0) return 0 as Micros;
        const rows = this.stmt.holdings.all(venue, market) as { outcome: Outcome; quantity: number }[];
        const payout = rows.filter((row) => row.outcome === outcome).reduce((sum, row) => sum + row.quantity, 0);
        this.stmt.addCash.run(payout, venue);
        this.stmt.clearHoldings.run(venue, market);
        return payout as Micros;
      })
      .immediate();
  }

  /** The newest ledger resolution this venue has applied (0: none). */
  lastResolutionId(venue: string): number {
    return (this.stmt.lastResolution.get(venue) as { id: number }).id;
  }

  getBook(venue: string, market: string): PaperBookRow | undefined {
    return this.books.get(venue)?.get(market);
  }

  /**
   * Sets a market's book. A market already known has its row updated in place: this runs on every accepted quote, so
   * it allocates nothing once the market is known. Rows handed out by getBook are read at once, never kept.
   */
  setBook(venue: string, market: string, bid: number, ask: number, depth: number, updatedAtMs: number): void {
    let markets = this.books.get(venue);
    if (!markets) {
      markets = new Map();
      this.books.set(venue, markets);
    }
    let row = markets.get(market);
    if (row) {
      row.bid = bid;
      row.ask = ask;
      row.depth = depth;
      row.updatedAtMs = updatedAtMs;
    } else {
      row = { venue, market, bid, ask, depth, updatedAtMs };
      markets.set(market, row);
    }
    this.dirtyBooks.add(row);
  }

  flushBooks(): void {
    if (this.dirtyBooks.size === 0 || !this.db.open) return;
    this.db
      .transaction(() => {
        for (const row of this.dirtyBooks) this.stmt.upsertBook.run(row);
      })
      .immediate();
    this.dirtyBooks.clear();
  }
}

function fromDb(row: OrderDbRow): PaperOrderRow {
  return {
    venue: row.venue,
    clientOrderId: row.client_order_id,
    venueOrderId: row.venue_order_id,
    market: row.market,
    outcome: row.outcome,
    side: row.side,
    quantity: row.quantity,
    limitPrice: row.limit_price,
    timeInForce: row.time_in_force,
    status: row.status,
    filledQuantity: row.filled_quantity,
    filledNotional: row.filled_notional,
    fee: row.fee,
    rejectReason: row.reject_reason,
  };
}

/** The paper state file that belongs to a ledger file: arbbot.db → arbbot.paper.db. */
export function paperStatePath(ledgerPath: string): string {
  return ledgerPath === ':memory:' ? ':memory:' : `${ledgerPath.replace(/\.(db|sqlite3?)$/, '')}.paper.db`;
}
