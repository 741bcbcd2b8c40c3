// The paper venues' own books, kept in a SQLite file apart from the bot's ledger: cash, every order by client
// order id, holdings per market and outcome, and the last book. Each order and its cash/holding effect is one
// transaction, so a crash never leaves the venue half-filled.
import Database from 'better-sqlite3';
import type { Micros } from '../../domain/money.js';
import { CONFIGURED_QUOTE_MS, type Outcome, type OrderSide, type TimeInForce, type VenueOrderStatus } from '../venue.js';
import { namingFile } from '../../domain/errors.js';
import { createOwnerOnly } from '../../security/private-files.js';
import { copyIntoMemory } from '../../security/sqlite-reading.js';

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
  /** The quote: best bid and ask of the YES side (of the instrument itself on a general market). */
  readonly bid: number;
  readonly ask: number;
  /** Contracts at each level. */
  readonly depth: number;
  /** Feed time of the quote, epoch milliseconds; CONFIGURED_QUOTE_MS for a quote from the config's markets. */
  readonly updatedAtMs: number;
  /**
   * Contracts fills took from the quote's YES bids and YES asks, best level first: a replay must not sell the same
   * liquidity twice, so it stays taken until the market's next quote.
   */
  readonly bidsTaken: number;
  readonly asksTaken: number;
}

/** A side of a market's YES book. */
export type BookSide = 'bids' | 'asks';

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
CREATE TABLE IF NOT EXISTS paper_fundings (venue TEXT NOT NULL, transaction_id INTEGER NOT NULL, amount INTEGER NOT NULL,
  PRIMARY KEY (venue, transaction_id)) STRICT;
CREATE TABLE IF NOT EXISTS paper_books (venue TEXT NOT NULL, market TEXT NOT NULL, bid INTEGER NOT NULL, ask INTEGER NOT NULL,
  depth INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, bids_taken INTEGER NOT NULL DEFAULT 0,
  asks_taken INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (venue, market)) STRICT;
`;

/**
 * Columns paper_books gained after state files were already on disk: CREATE TABLE IF NOT EXISTS leaves an existing
 * table as it was, so a file from before gets them added when it is opened.
 */
const ADDED_BOOK_COLUMNS: readonly (readonly [name: string, definition: string])[] = [
  ['bids_taken', 'INTEGER NOT NULL DEFAULT 0'],
  ['asks_taken', 'INTEGER NOT NULL DEFAULT 0'],
];

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
  /** Books with a new quote since the last flush: written whole. */
  private readonly requotedBooks = new Set<MutableBookRow>();
  /** Books only fills changed since the last flush: written only over the same quote (see flushBooks). */
  private readonly takenBooks = new Set<MutableBookRow>();
  private readonly stmt;
  /**
   * recordOrder's transaction, wrapped once: better-sqlite3 builds a new wrapper (a few kilobytes) on every
   * db.transaction() call, and every order placed runs this one.
   */
  private readonly recordOrderTransaction: Database.Transaction<(order: PaperOrderRow) => void>;

  /**
   * `readonly`: the file is read into memory (an empty book when there is none) and this state is that copy: what a
   * command that only reads does to the venue's books (an account opened, a book seeded) is forgotten at close, and
   * the file is neither created nor written.
   */
  constructor(
    readonly path: string,
    options: { readonly readonly?: boolean } = {},
  ) {
    this.db = openBooksFile(path, options.readonly === true);
    this.stmt = {
      account: this.db.prepare('SELECT cash FROM paper_accounts WHERE venue = ?'),
      insertAccount: this.db.prepare('INSERT OR IGNORE INTO paper_accounts (venue, cash) VALUES (?, ?)'),
      bumpSeq: this.db.prepare('UPDATE paper_accounts SET order_seq = order_seq + 1 WHERE venue = ? RETURNING order_seq'),
      addCash: this.db.prepare('UPDATE paper_accounts SET cash = cash + ? WHERE venue = ?'),
      insertFunding: this.db.prepare('INSERT OR IGNORE INTO paper_fundings (venue, transaction_id, amount) VALUES (?, ?, ?)'),
      order: this.db.prepare('SELECT * FROM paper_orders WHERE venue = ? AND client_order_id = ?'),
      orderByVenueId: this.db.prepare('SELECT * FROM paper_orders WHERE venue = ? AND venue_order_id = ?'),
      insertOrder: this.db.prepare(`INSERT INTO paper_orders VALUES (@venue, @clientOrderId, @venueOrderId, @market, @outcome, @side,
        @quantity, @limitPrice, @timeInForce, @status, @filledQuantity, @filledNotional, @fee, @rejectReason)`),
      addHolding: this.db.prepare(`INSERT INTO paper_holdings VALUES (?, ?, ?, ?)
        ON CONFLICT (venue, market, outcome) DO UPDATE SET quantity = quantity + excluded.quantity`),
      holdings: this.db.prepare('SELECT outcome, quantity FROM paper_holdings WHERE venue = ? AND market = ?'),
      clearHoldings: this.db.prepare('DELETE FROM paper_holdings WHERE venue = ? AND market = ?'),
      allBooks: this.db.prepare(`SELECT venue, market, bid, ask, depth, updated_at_ms AS updatedAtMs, bids_taken AS bidsTaken,
        asks_taken AS asksTaken FROM paper_books`),
      upsertBook: this.db.prepare(`INSERT INTO paper_books (venue, market, bid, ask, depth, updated_at_ms, bids_taken, asks_taken)
        VALUES (@venue, @market, @bid, @ask, @depth, @updatedAtMs, @bidsTaken, @asksTaken)
        ON CONFLICT (venue, market) DO UPDATE SET bid = excluded.bid, ask = excluded.ask, depth = excluded.depth,
        updated_at_ms = excluded.updated_at_ms, bids_taken = excluded.bids_taken, asks_taken = excluded.asks_taken`),
      seedBook: this.db.prepare(`INSERT OR IGNORE INTO paper_books (venue, market, bid, ask, depth, updated_at_ms, bids_taken, asks_taken)
        VALUES (@venue, @market, @bid, @ask, @depth, @updatedAtMs, @bidsTaken, @asksTaken)`),
      book: this.db.prepare(`SELECT venue, market, bid, ask, depth, updated_at_ms AS updatedAtMs, bids_taken AS bidsTaken,
        asks_taken AS asksTaken FROM paper_books WHERE venue = ? AND market = ?`),
      updateTaken: this.db.prepare(`UPDATE paper_books SET bids_taken = @bidsTaken, asks_taken = @asksTaken
        WHERE venue = @venue AND market = @market AND bid = @bid AND ask = @ask AND depth = @depth AND updated_at_ms = @updatedAtMs`),
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
    const books = this.guard(() => this.stmt.allBooks.all() as MutableBookRow[]);
    for (const row of books) this.marketsOf(row.venue).set(row.market, row);
  }

  /** Runs `fn` on the file; a storage error names this file (the ledger beside it is another). */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw namingFile(error, this.path);
    }
  }

  close(): void {
    try {
      this.flushBooks();
    } finally {
      // Closed even when the last write fails (a full disk): the books only trail the engine, the next run writes them.
      if (this.db.open) this.db.close();
    }
  }

  ensureAccount(venue: string, startingCash: Micros): void {
    this.guard(() => this.stmt.insertAccount.run(venue, startingCash));
  }

  cash(venue: string): Micros {
    const row = this.guard(() => this.stmt.account.get(venue) as { cash: number } | undefined);
    return (row?.cash ?? 0) as Micros;
  }

  /**
   * Mirrors the ledger's deposit or withdrawal `transactionId` into the venue's cash, once: applying it again (a retry
   * after this file could not be written) changes nothing. Returns whether it was applied now.
   */
  applyFunding(venue: string, transactionId: number, amount: number): boolean {
    const apply = this.db.transaction(() => {
      if (this.stmt.insertFunding.run(venue, transactionId, amount).changes === 0) return false;
      this.stmt.addCash.run(amount, venue);
      return true;
    });
    return this.guard(() => apply.immediate());
  }

  nextOrderId(venue: string): string {
    const row = this.guard(() => this.stmt.bumpSeq.get(venue) as { order_seq: number } | undefined);
    return `${venue}-${row?.order_seq ?? 0}`;
  }

  getOrder(venue: string, clientOrderId: string): PaperOrderRow | undefined {
    const row = this.guard(() => this.stmt.order.get(venue, clientOrderId) as OrderDbRow | undefined);
    return row ? fromDb(row) : undefined;
  }

  getOrderByVenueId(venue: string, venueOrderId: string): PaperOrderRow | undefined {
    const row = this.guard(() => this.stmt.orderByVenueId.get(venue, venueOrderId) as OrderDbRow | undefined);
    return row ? fromDb(row) : undefined;
  }

  orderCount(venue: string): number {
    return this.guard(() => (this.stmt.orderCount.get(venue) as { n: number }).n);
  }

  /** The order, its cash movement and its holding change, in one transaction. */
  recordOrder(order: PaperOrderRow): void {
    this.guard(() => this.recordOrderTransaction.immediate(order));
  }

  /**
   * Pays 1 per contract held on the winning outcome; returns the payout. With `resolutionId` (the ledger's record of
   * the resolution) it applies once: a replay of an applied resolution pays nothing.
   */
  resolve(venue: string, market: string, outcome: Outcome, resolutionId?: number): Micros {
    const pay = this.db.transaction(() => {
      if (resolutionId !== undefined && this.stmt.insertResolution.run(venue, resolutionId, market, outcome).changes === 0) return 0 as Micros;
      const rows = this.stmt.holdings.all(venue, market) as { outcome: Outcome; quantity: number }[];
      const payout = rows.filter((row) => row.outcome === outcome).reduce((sum, row) => sum + row.quantity, 0);
      this.stmt.addCash.run(payout, venue);
      this.stmt.clearHoldings.run(venue, market);
      return payout as Micros;
    });
    return this.guard(() => pay.immediate());
  }

  /** The newest ledger resolution this venue has applied (0: none). */
  lastResolutionId(venue: string): number {
    return this.guard(() => (this.stmt.lastResolution.get(venue) as { id: number }).id);
  }

  getBook(venue: string, market: string): PaperBookRow | undefined {
    return this.books.get(venue)?.get(market);
  }

  /**
   * Sets a market's book. A market already known has its row updated in place: this runs on every accepted quote, so
   * it allocates nothing once the market is known. Rows handed out by getBook are read at once, never kept.
   */
  setBook(venue: string, market: string, bid: number, ask: number, depth: number, updatedAtMs: number): void {
    const markets = this.marketsOf(venue);
    let row = markets.get(market);
    if (row) {
      row.bid = bid;
      row.ask = ask;
      row.depth = depth;
      row.updatedAtMs = updatedAtMs;
      row.bidsTaken = 0;
      row.asksTaken = 0;
    } else {
      row = { venue, market, bid, ask, depth, updatedAtMs, bidsTaken: 0, asksTaken: 0 };
      markets.set(market, row);
    }
    this.requotedBooks.add(row);
  }

  /**
   * A market's book from the config, for a market the file has no book for: written at once and only if still
   * absent, since every process seeds it when it opens the file, and one that wrote it at its close could overwrite a
   * newer quote the engine wrote meanwhile.
   */
  seedBook(venue: string, market: string, bid: number, ask: number, depth: number): void {
    if (this.getBook(venue, market)) return;
    const row: MutableBookRow = { venue, market, bid, ask, depth, updatedAtMs: CONFIGURED_QUOTE_MS, bidsTaken: 0, asksTaken: 0 };
    const written = this.guard(() => this.stmt.seedBook.run(row).changes === 1);
    this.marketsOf(venue).set(market, written ? row : this.guard(() => this.stmt.book.get(venue, market) as MutableBookRow));
  }

  /** Records contracts a fill took from a side of the market's YES book; the next quote gives them back. */
  takeFromBook(venue: string, market: string, side: BookSide, quantity: number): void {
    const row = this.books.get(venue)?.get(market);
    if (!row || quantity <= 0) return;
    if (side === 'asks') row.asksTaken += quantity;
    else row.bidsTaken += quantity;
    this.takenBooks.add(row);
  }

  private marketsOf(venue: string): Map<string, MutableBookRow> {
    let markets = this.books.get(venue);
    if (!markets) {
      markets = new Map();
      this.books.set(venue, markets);
    }
    return markets;
  }

  /**
   * Writes the books changed since the last flush, in one transaction. A book only fills changed is written only
   * where the file still holds the same quote: this process may have loaded it before another one (the engine)
   * wrote a newer quote, which must not be overwritten with an older one — and a newer quote gives its liquidity
   * back anyway.
   */
  flushBooks(): void {
    if ((this.requotedBooks.size === 0 && this.takenBooks.size === 0) || !this.db.open) return;
    const flush = this.db.transaction(() => {
      for (const row of this.requotedBooks) this.stmt.upsertBook.run(row);
      for (const row of this.takenBooks) if (!this.requotedBooks.has(row)) this.stmt.updateTaken.run(row);
    });
    this.guard(() => flush.immediate());
    this.requotedBooks.clear();
    this.takenBooks.clear();
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

/**
 * The paper books file, opened for this process: the file itself (created, owner-only, when missing), or with
 * `readonly` a private copy in memory. Made whole before use: its tables, and the columns added since older files.
 */
function openBooksFile(path: string, readonly: boolean): Database.Database {
  let db: Database.Database | null = null;
  try {
    if (readonly) {
      db = copyIntoMemory(path);
    } else {
      // Like the ledger: a new paper books file is readable by its owner only (its -wal and -shm files follow).
      createOwnerOnly(path);
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 10000');
    }
    db.exec(SCHEMA);
    addMissingBookColumns(db);
    return db;
  } catch (error) {
    db?.close();
    throw namingFile(error, path);
  }
}

function addMissingBookColumns(db: Database.Database): void {
  const missing = () => {
    const present = new Set((db.pragma('table_info(paper_books)') as { name: string }[]).map((column) => column.name));
    return ADDED_BOOK_COLUMNS.filter(([name]) => !present.has(name));
  };
  if (missing().length === 0) return;
  // Checked again under the write lock: another process opening the same old file may have added them meanwhile.
  db.transaction(() => {
    for (const [name, definition] of missing()) db.exec(`ALTER TABLE paper_books ADD COLUMN ${name} ${definition}`);
  }).immediate();
}

/** The paper state file that belongs to a ledger file: arbbot.db → arbbot.paper.db. */
export function paperStatePath(ledgerPath: string): string {
  return ledgerPath === ':memory:' ? ':memory:' : `${ledgerPath.replace(/\.(db|sqlite3?)$/, '')}.paper.db`;
}
