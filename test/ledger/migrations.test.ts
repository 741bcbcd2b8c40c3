import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { IdempotencyConflictError, OperationalError } from '../../src/domain/errors.js';
import { loadMigrations, migrate, openDatabase } from '../../src/ledger/database.js';
import { walletCheck } from '../../src/ledger/health.js';
import { ArbStore } from '../../src/ledger/arb-store.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { cliJson, dump, tempDir } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { closeAt, cliDir, openPosition, rawSql, usd } from '../fixtures/ledger.js';
import { dbOf } from '../fixtures/helpers.js';

const versions = (db: Database.Database) => db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
/** What this code knows: every file in migrations/, numbered 1..n. */
const KNOWN = loadMigrations();
const LATEST = KNOWN.length;

describe('migrations', () => {
  it('applies each migration exactly once however often the ledger is opened', () => {
    const path = join(tempDir(), 'ledger.db');
    for (let i = 0; i < 3; i++) Ledger.open(path).close();
    const db = new Database(path);
    try {
      expect(LATEST).toBeGreaterThanOrEqual(1);
      expect(versions(db)).toEqual(KNOWN.map(({ version, name }) => ({ version, name })));
      expect(migrate(db, KNOWN)).toEqual([]);
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'wallets'").all();
      expect(tables).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  it('refuses a database whose schema is newer than this code, with a clear error, changing nothing', () => {
    const path = join(tempDir(), 'ledger.db');
    const ledger = Ledger.open(path);
    ledger.ensureWallet('paper', usd('100'));
    ledger.close();
    rawSql(path, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${LATEST + 1}, 'from_the_future', 'now')`);
    const before = dump(path);
    expect(() => Ledger.open(path)).toThrow(OperationalError);
    expect(() => Ledger.open(path)).toThrow(
      `database schema version ${LATEST + 1} is newer than this arbbot understands (${LATEST}); upgrade arbbot`,
    );
    expect(dump(path)).toBe(before);
  });

  it('rolls a failing migration back whole: no half-applied schema, no version recorded', () => {
    const db = new Database(join(tempDir(), 'ledger.db'));
    try {
      const broken = [{ version: 1, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); CREATE TABLE oops (;' }];
      expect(() => migrate(db, broken)).toThrow(/syntax error/);
      expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all()).toEqual([]);
      expect(versions(db)).toEqual([]);
      const good = [{ version: 1, name: 'good', sql: 'CREATE TABLE half (x INTEGER);' }];
      expect(migrate(db, good)).toEqual([1]);
      expect(migrate(db, [...good, { version: 2, name: 'next', sql: 'CREATE TABLE next (y INTEGER);' }])).toEqual([2]);
    } finally {
      db.close();
    }
  });

  it('refuses a migrations folder with a gap in its numbering', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', '0001_a.sql'), 'SELECT 1;');
    writeFileSync(join(dir, 'm', '0003_c.sql'), 'SELECT 1;');
    writeFileSync(join(dir, 'm', 'README.md'), 'ignored');
    expect(() => loadMigrations(join(dir, 'm'))).toThrow('migrations must be numbered 1..n without gaps; found 3');
  });

  it('opens with WAL, synchronous=FULL by default, foreign keys on and the busy timeout set', () => {
    const path = join(tempDir(), 'ledger.db');
    const db = openDatabase(path);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(10_000);
    } finally {
      db.close();
    }
    const normal = openDatabase(path, { synchronous: 'NORMAL', busyTimeoutMs: 250 });
    try {
      expect(normal.pragma('synchronous', { simple: true })).toBe(1);
      expect(normal.pragma('busy_timeout', { simple: true })).toBe(250);
    } finally {
      normal.close();
    }
  });
});

describe('restart', () => {
  it('restores 3 open $25 positions as $75 locked (plus their entry fees set aside), with no duplicate transactions (seed scenario 3)', () => {
    const { dir, db } = cliDir('100', (ledger) => {
      for (const market of ['A', 'B', 'C']) openPosition(ledger, { market });
    });
    const before = dump(db);
    for (let i = 0; i < 2; i++) {
      const ledger = Ledger.open(db);
      try {
        expect(ledger.ensureWallet('paper', usd('100')).created).toBe(false);
        expect(ledger.requireWallet('paper')).toEqual({ venue: 'paper', total: usd('100'), available: usd('24.805'), locked: usd('75.195'), deficit: 0 });
        expect(ledger.listPositions('open')).toHaveLength(3);
        assertInvariants(ledger);
      } finally {
        ledger.close();
      }
    }
    // The CLI's start-up path (open, migrate, ensure configured wallets) adds nothing either.
    const { code, json } = cliJson<{ wallets: unknown[] }>(dir, ['balances']);
    expect(code).toBe(0);
    expect(json.wallets).toEqual([
      {
        venue: 'paper',
        total: '100.000000',
        available: '24.805000',
        locked: '75.195000',
        deficit: '0.000000',
        equity: '100.000000',
        utilization: '75.20%',
        aboveUtilizationWarning: false,
      },
    ]);
    expect(dump(db)).toBe(before);
  });
});

describe('migration 4: the append-only logs rebuilt without AUTOINCREMENT, idempotency keys in a partial index', () => {
  /** A ledger as migration 3 left it: deposits with keys, a reservation's reserve row without one, an arb leg's events. */
  function ledgerAtVersion3(): string {
    const path = join(tempDir(), 'ledger.db');
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrate(db, KNOWN.slice(0, 3));
      db.exec(`
        INSERT INTO wallets (venue, total, available, locked, created_at, updated_at) VALUES ('paper', 150000000, 140000000, 10000000, 't', 't');
        INSERT INTO reservations (venue, amount, state, idempotency_key, purpose, created_at) VALUES ('paper', 10000000, 'pending', 'arb-leg:x', 'arb #1 leg A', 't');
        INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after,
                                         reservation_id, idempotency_key, description, created_at) VALUES
          ('paper', 'deposit', 100000000, 0, 0, 100000000, 0, 0, NULL, 'dep-1', 'Deposit', 't'),
          ('paper', 'deposit', 50000000, 0, 100000000, 150000000, 0, 0, NULL, 'dep-2', 'Deposit', 't'),
          ('paper', 'reserve', 0, 10000000, 150000000, 150000000, 0, 10000000, 1, NULL, 'Reserved', 't');
        INSERT INTO arb_trades (pair, direction, contracts, expected_net_edge, state, created_at, updated_at) VALUES ('evt', 'yes_a_no_b', 1000000, 1000, 'submitted', 't', 't');
        INSERT INTO arb_legs (trade_id, leg, venue, market, outcome, side, quantity, limit_price, client_order_id, reservation_id, state, created_at, updated_at)
          VALUES (1, 'a', 'paper', 'M', 'yes', 'buy', 1000000, 410000, 'arbbot-x', 1, 'submitted', 't', 't');
        INSERT INTO arb_leg_events (leg_id, from_state, to_state, created_at) VALUES (1, 'planned', 'reserved', 't'), (1, 'reserved', 'submitted', 't');
      `);
    } finally {
      db.close();
    }
    return path;
  }

  // The columns migration 4 knew: later migrations add their own (the deficit), which it must not be judged on.
  const rows = (db: Database.Database, table: string) =>
    JSON.stringify(
      db
        .prepare(`SELECT * FROM ${table} ORDER BY id`)
        .all()
        .map((row) => {
          const { deficit_delta: _added, ...known } = row as Record<string, unknown>;
          return known;
        }),
    );

  it('keeps every row and id, and the tables behave as before: append-only, keys unique, ids max + 1', () => {
    const path = ledgerAtVersion3();
    const raw = new Database(path);
    const before = { transactions: rows(raw, 'wallet_transactions'), events: rows(raw, 'arb_leg_events') };
    raw.close();

    const ledger = Ledger.open(path);
    try {
      expect(rows(dbOf(ledger), 'wallet_transactions')).toBe(before.transactions);
      expect(rows(dbOf(ledger), 'arb_leg_events')).toBe(before.events);
      expect(dbOf(ledger).prepare("SELECT name FROM sqlite_sequence WHERE name IN ('wallet_transactions', 'arb_leg_events')").all()).toEqual([]);
      const schema = dbOf(ledger)
        .prepare("SELECT name FROM sqlite_master WHERE tbl_name IN ('wallet_transactions', 'arb_leg_events') AND type IN ('index', 'trigger') ORDER BY name")
        .all()
        .map((row) => (row as { name: string }).name);
      expect(schema).toEqual([
        'arb_leg_events_append_only_delete',
        'arb_leg_events_append_only_update',
        'wallet_transactions_flows',
        'wallet_transactions_idempotency',
        'wallet_transactions_no_delete',
        'wallet_transactions_no_update',
        'wallet_transactions_position',
        'wallet_transactions_reservation',
      ]);
      expect(walletCheck(ledger).healthy).toBe(true);

      expect(() => ledger.deposit('paper', usd('1'), { idempotencyKey: 'dep-1' })).toThrow(IdempotencyConflictError);
      expect(() => dbOf(ledger).prepare("INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after, idempotency_key, description, created_at) VALUES ('paper', 'adjustment', 0, 0, 150000000, 150000000, 10000000, 10000000, 'dep-2', 'x', 't')").run()).toThrow(
        /UNIQUE constraint failed: wallet_transactions.idempotency_key/,
      );
      ledger.deposit('paper', usd('1'), { idempotencyKey: 'dep-3' });
      expect((dbOf(ledger).prepare('SELECT max(id) AS id FROM wallet_transactions').get() as { id: number }).id).toBe(4);
      expect(() => dbOf(ledger).prepare('UPDATE wallet_transactions SET amount = 0 WHERE id = 1').run()).toThrow(/append-only/);
      expect(() => dbOf(ledger).prepare('DELETE FROM arb_leg_events WHERE id = 1').run()).toThrow(/append-only/);
      assertInvariants(ledger);
    } finally {
      ledger.close();
    }
  });
});

describe('migration 5: set-asides, liquidation prices and deficits', () => {
  /** A ledger as migration 4 left it, written by that version's own rules: $25 wallet, a $25 long locking its cost alone, a checkpoint. */
  function ledgerAtVersion4(): string {
    const path = join(tempDir(), 'ledger.db');
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrate(db, KNOWN.slice(0, 4));
      db.exec(`
        INSERT INTO wallets (venue, total, available, locked, created_at, updated_at) VALUES ('pm', 25000000, 0, 25000000, 't', 't');
        INSERT INTO positions (venue, market, side, quantity, entry_price, cost_basis, entry_fee, tp1_price, tp2_price, tp3_price, sl_price, stop_price, opened_at)
          VALUES ('pm', 'M', 'long', 50000000, 500000, 25000000, 65000, 515000, 530000, 550000, 475000, 475000, 't');
        INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after, position_id, description, created_at) VALUES
          ('pm', 'deposit', 25000000, 0, 0, 25000000, 0, 0, NULL, 'Starting balance', 't'),
          ('pm', 'position_open', 0, 25000000, 25000000, 25000000, 0, 25000000, 1, 'Opened long M', 't');
        INSERT INTO log_checkpoint (id, through_id, tx_count, close_count, reserve_count, verified_at) VALUES (1, 2, 2, 0, 0, 't');
        INSERT INTO log_checkpoint_wallets (venue, total, locked, tx_count) VALUES ('pm', 25000000, 25000000, 2);
      `);
    } finally {
      db.close();
    }
    return path;
  }

  it('keeps every row and the checkpoint, reads old positions as locking their cost alone, and proves healthy', () => {
    const ledger = Ledger.open(ledgerAtVersion4());
    try {
      expect(ledger.requireWallet('pm')).toEqual({ venue: 'pm', total: usd('25'), available: 0, locked: usd('25'), deficit: 0 });
      expect(ledger.requirePosition(1)).toMatchObject({ closeReserve: 0, liquidationPrice: null, attention: null });
      expect(dbOf(ledger).prepare('SELECT deficit_delta FROM wallet_transactions ORDER BY id').all()).toEqual([{ deficit_delta: 0 }, { deficit_delta: 0 }]);
      const routine = walletCheck(ledger);
      expect(routine.log.fromId).toBe(2); // the old checkpoint still stands
      expect(walletCheck(ledger, { deep: true }).checks.filter((check) => !check.ok)).toEqual([]);
      assertInvariants(ledger);
    } finally {
      ledger.close();
    }
  });

  it('closes the old position at its resolution: the entry fee it never set aside is booked as owed, and the books stay healthy', () => {
    const ledger = Ledger.open(ledgerAtVersion4());
    try {
      const result = ledger.closePosition(1, { exitPrice: 0 as never, reason: 'Resolved NO', costs: { feePpm: 2600, spreadPpm: 1000, slippagePpm: 500 } as never, kind: 'settlement' });
      expect(result.status).toBe('closed');
      expect(ledger.requireWallet('pm')).toEqual({ venue: 'pm', total: 0, available: 0, locked: 0, deficit: usd('0.065') });
      expect(walletCheck(ledger, { deep: true }).healthy).toBe(true);
      assertInvariants(ledger);
    } finally {
      ledger.close();
    }
  });
});

describe('migration 5: unhedged records', () => {
  it('a position has at most one open unhedged record, but may have resolved ones before it (a hedge broken by hand)', () => {
    const ledger = Ledger.open(join(tempDir(), 'ledger.db'));
    try {
      ledger.ensureWallet('pm', usd('100'));
      const { position } = openPosition(ledger, { venue: 'pm', market: 'M', price: '0.5', predictionMarket: true });
      dbOf(ledger).exec(`
        INSERT INTO arb_trades (pair, direction, contracts, expected_net_edge, state, created_at, updated_at) VALUES ('p', 'yes_a_no_b', 1, 1, 'settled', 't', 't');
        INSERT INTO arb_legs (trade_id, leg, venue, market, outcome, side, quantity, limit_price, client_order_id, state, created_at, updated_at)
          VALUES (1, 'a', 'pm', 'M', 'yes', 'buy', 1, 1, 'c1', 'settled', 't', 't');
      `);
      const insert = (state: string) =>
        dbOf(ledger)
          .prepare(`INSERT INTO unhedged_legs (trade_id, leg_id, position_id, quantity, state, created_at, resolved_at) VALUES (1, 1, ?, 1, ?, 't', ?)`)
          .run(position.id, state, state === 'open' ? null : 't');
      insert('hedged');
      insert('open');
      expect(() => insert('open')).toThrow(/UNIQUE constraint failed: unhedged_legs.position_id/);
    } finally {
      ledger.close();
    }
  });
});

describe('migration 6: a trade that needs attention', () => {
  /** A ledger as migration 5 left it: a trade in flight and a settled one. */
  function ledgerAtVersion5(): string {
    const path = join(tempDir(), 'ledger.db');
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrate(db, KNOWN.slice(0, 5));
      db.exec(`
        INSERT INTO arb_trades (pair, direction, contracts, expected_net_edge, state, created_at, updated_at) VALUES
          ('p', 'yes_a_no_b', 1000000, 1000, 'submitted', 't', 't'),
          ('p', 'yes_a_no_b', 1000000, 1000, 'settled', 't', 't');
      `);
    } finally {
      db.close();
    }
    return path;
  }

  it('reads every earlier trade as needing no one; only a trade in flight can be marked, and settling clears the mark', () => {
    const ledger = Ledger.open(ledgerAtVersion5());
    try {
      const store = new ArbStore(ledger);
      expect([store.requireTrade(1).attention, store.requireTrade(2).attention]).toEqual([null, null]);
      expect(walletCheck(ledger).healthy).toBe(true);
      store.setTradeAttention(1, 'kalshi: impossible report: fill_count: 1000 filled of 100 ordered');
      store.setTradeAttention(1, 'kalshi: impossible report: fee: a negative fee');
      expect(store.tradesNeedingAttention().map((trade) => [trade.id, trade.attention])).toEqual([[1, 'kalshi: impossible report: fee: a negative fee']]);
      expect(() => store.setTradeAttention(2, 'a claim')).toThrow('arb trade 2 is not in flight');
      // The schema holds it on its own, against any writer.
      expect(() => dbOf(ledger).prepare("UPDATE arb_trades SET attention = 'x' WHERE id = 2").run()).toThrow(/CHECK constraint failed/);
      store.setTradeState(1, 'settled', { outcome: 'none' });
      expect(store.requireTrade(1)).toMatchObject({ state: 'settled', attention: null });
      expect(store.tradesNeedingAttention()).toEqual([]);
    } finally {
      ledger.close();
    }
  });
});

describe('migration 8: archive checkpoints', () => {
  /** A ledger as migration 7 left it: a wallet of $100 and a $5 deposit, proven by a checkpoint at #2. */
  function ledgerAtVersion7(): string {
    const path = join(tempDir(), 'ledger.db');
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrate(db, KNOWN.slice(0, 7));
      db.exec(`
        INSERT INTO wallets (venue, total, available, locked, deficit, created_at, updated_at) VALUES ('paper', 105000000, 105000000, 0, 0, 't', 't');
        INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after, description, created_at) VALUES
          ('paper', 'deposit', 100000000, 0, 0, 100000000, 0, 0, 'Starting balance', '2024-01-01T00:00:00.000Z'),
          ('paper', 'deposit', 5000000, 0, 100000000, 105000000, 0, 0, 'Deposit', '2024-01-02T00:00:00.000Z');
        INSERT INTO log_checkpoint (id, through_id, tx_count, close_count, reserve_count, verified_at) VALUES (1, 2, 2, 0, 0, 't');
        INSERT INTO log_checkpoint_wallets (venue, total, locked, deficit, tx_count) VALUES ('paper', 105000000, 0, 0, 2);
      `);
    } finally {
      db.close();
    }
    return path;
  }

  it('keeps every row and the checkpoint, proves healthy, and still refuses every DELETE of history', () => {
    const ledger = Ledger.open(ledgerAtVersion7());
    try {
      const db = dbOf(ledger);
      expect(db.prepare('SELECT count(*) FROM wallet_transactions').pluck().get()).toBe(2);
      expect(db.prepare('SELECT count(*) FROM archive_checkpoints').pluck().get()).toBe(0);
      expect(walletCheck(ledger).log.fromId).toBe(2);
      expect(walletCheck(ledger, { deep: true }).healthy).toBe(true);
      assertInvariants(ledger);
      expect(() => db.prepare('DELETE FROM wallet_transactions WHERE id = 1').run()).toThrow(/append-only/);
      ledger.deposit('paper', usd('1'));
      expect(walletCheck(ledger).healthy).toBe(true);
    } finally {
      ledger.close();
    }
  });
});

describe('migration 9: money in and out, and a trade\'s legs, found without walking a table', () => {
  const FLOWS = "SELECT venue, sum(amount) FROM wallet_transactions WHERE type IN ('deposit', 'withdrawal') GROUP BY venue";

  it('serves the deposits and withdrawals of every venue from an index of their own', () => {
    const { db } = cliDir('100', (ledger) => {
      for (let n = 0; n < 50; n += 1) closeAtMarket(ledger, n);
    });
    const raw = new Database(db, { readonly: true });
    try {
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${FLOWS}`).all() as { detail: string }[]).map((row) => row.detail).join('; ');
      expect(plan).toMatch(/USING (COVERING )?INDEX wallet_transactions_flows/);
      expect(raw.prepare(FLOWS).all()).toEqual([{ venue: 'paper', 'sum(amount)': usd('100') }]);
    } finally {
      raw.close();
    }
    // Control: without the index the same query walks the whole log.
    rawSql(db, 'DROP INDEX wallet_transactions_flows');
    const bare = new Database(db, { readonly: true });
    try {
      const plan = (bare.prepare(`EXPLAIN QUERY PLAN ${FLOWS}`).all() as { detail: string }[]).map((row) => row.detail).join('; ');
      expect(plan).not.toMatch(/wallet_transactions_flows/);
      expect(plan).toMatch(/SCAN wallet_transactions/);
    } finally {
      bare.close();
    }
  });
});

function closeAtMarket(ledger: Ledger, n: number): void {
  closeAt(ledger, openPosition(ledger, { market: `M${n}`, size: '1' }).position.id, '100');
}

describe('migration 10: the venues\' market listings, cached for finding pairs', () => {
  /** A ledger as migration 9 left it: a wallet of $100 from its starting deposit. */
  function ledgerAtVersion9(): string {
    const path = join(tempDir(), 'ledger.db');
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrate(db, KNOWN.slice(0, 9));
      db.exec(`
        INSERT INTO wallets (venue, total, available, locked, deficit, created_at, updated_at) VALUES ('paper', 100000000, 100000000, 0, 0, 't', 't');
        INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after, description, created_at) VALUES
          ('paper', 'deposit', 100000000, 0, 0, 100000000, 0, 0, 'Starting balance', '2024-01-01T00:00:00.000Z');
      `);
    } finally {
      db.close();
    }
    return path;
  }

  const listed = (venue: string, market: string, title: string) => ({ venue, market, title, closeTime: '2026-12-10T19:00:00Z', rules: 'Resolves Yes if so.', yesOutcome: 'Yes' });

  it('keeps every row, proves healthy, and caches a venue\'s listing whole, replacing the one before', () => {
    const path = ledgerAtVersion9();
    const ledger = Ledger.open(path);
    try {
      expect(versions(dbOf(ledger)).at(-1)).toEqual({ version: 10, name: 'market_listings' });
      expect(dbOf(ledger).prepare('SELECT count(*) FROM wallet_transactions').pluck().get()).toBe(1);
      expect(walletCheck(ledger, { deep: true }).healthy).toBe(true);
      expect(ledger.marketListings('kalshi')).toEqual({ venue: 'kalshi', fetchedAt: null, markets: [] });
      const fetchedAt = ledger.replaceMarketListings('kalshi', [listed('kalshi', 'A', 'first'), listed('kalshi', 'B', 'second')]);
      expect(ledger.marketListings('kalshi')).toEqual({ venue: 'kalshi', fetchedAt, markets: [listed('kalshi', 'A', 'first'), listed('kalshi', 'B', 'second')] });
      ledger.replaceMarketListings('kalshi', [listed('kalshi', 'C', 'third')]);
      expect(ledger.marketListings('kalshi').markets.map((m) => m.market)).toEqual(['C']);
      // A market of another venue under this one's name is refused whole: the previous listing stays.
      expect(() => ledger.replaceMarketListings('kalshi', [listed('kalshi', 'D', 'x'), listed('poly', 'E', 'y')])).toThrow(/a market of poly/);
      expect(ledger.marketListings('kalshi').markets.map((m) => m.market)).toEqual(['C']);
      assertInvariants(ledger);
    } finally {
      ledger.close();
    }
  });

  it('refuses an empty market id (control: the table checks what it stores)', () => {
    const ledger = Ledger.open(ledgerAtVersion9());
    try {
      expect(() => ledger.replaceMarketListings('kalshi', [listed('kalshi', '', 'no id')])).toThrow(/CHECK constraint/);
    } finally {
      ledger.close();
    }
  });
});
