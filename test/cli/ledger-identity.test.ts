// A ledger knows it is a ledger: created only where no file is, stamped with arbbot's application id and an identity
// row; an emptied, foreign or damaged file is refused (exit 3, one line naming it) and left exactly as it was; a deep
// check reports damage as a violation in SQLite's own words; storage faults are exit 3, never a crash.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Micros } from '../../src/domain/money.js';
import { cli, cliJson, tempDir, type CliResult } from '../fixtures/helpers.js';
import { cliDir, rawSql } from '../fixtures/ledger.js';

const fingerprint = (path: string) => (existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent');

function expectOneLine(result: CliResult, code: number, ...parts: string[]): void {
  const context = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
  expect(result.code, context).toBe(code);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, context).toHaveLength(1);
  for (const part of parts) expect(lines[0], context).toContain(part);
}

describe('init', () => {
  it('creates a stamped ledger where no file is, and refuses where one is', () => {
    const dir = tempDir();
    const created = cliJson<{ ledgerId: string; createdAt: string; wallets: { venue: string }[] }>(dir, ['init']);
    expect(created.code).toBe(0);
    expect(created.json.ledgerId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.json.wallets.length).toBeGreaterThan(0);
    const db = new Database(join(dir, 'arbbot.db'), { readonly: true });
    expect(db.pragma('application_id', { simple: true })).toBe(0x4152424c);
    db.close();
    const before = fingerprint(join(dir, 'arbbot.db'));
    expectOneLine(cli(dir, ['init']), 2, 'arbbot.db already exists; init creates a ledger only where there is no file');
    expect(fingerprint(join(dir, 'arbbot.db'))).toBe(before);
  });

  it('stamps a ledger from before the identity, keeping its books', () => {
    const { dir, db } = cliDir('100');
    // A ledger as migration 6 left it: what migrations 7 and later add is taken away again.
    rawSql(
      db,
      `PRAGMA application_id = 0; DROP TABLE ledger_identity; DROP TABLE archive_checkpoint_wallets; DROP TABLE archive_checkpoints;
       DROP TRIGGER arb_trades_no_delete; DROP TRIGGER arb_legs_no_delete; DROP TRIGGER unhedged_legs_no_delete;
       DROP INDEX wallet_transactions_flows; DROP INDEX arb_legs_trade; DROP INDEX arb_legs_hedged_position; DROP TABLE market_listings;
       DELETE FROM schema_migrations WHERE version >= 7`,
    );
    expect(cli(dir, ['deposit', 'paper', '5']).code).toBe(0);
    const check = new Database(db, { readonly: true });
    expect(check.pragma('application_id', { simple: true })).toBe(0x4152424c);
    expect(check.prepare('SELECT count(*) AS n FROM ledger_identity').get()).toEqual({ n: 1 });
    check.close();
    expect(cli(dir, ['wallet-check', '--deep']).code).toBe(0);
  });
});

describe('a file that is not a ledger', () => {
  it('emptied: every command refuses it with exit 3 and it stays empty (no starting balances deposited again)', () => {
    const { dir, db } = cliDir('100');
    writeFileSync(db, '');
    for (const args of [['wallet-check', '--deep'], ['deposit', 'paper', '5'], ['positions'], ['run', '--max-ticks', '5']]) {
      expectOneLine(cli(dir, args), 3, 'is an empty file, not a ledger', 'remove it to start a new ledger');
      expect(statSync(db).size, args.join(' ')).toBe(0);
    }
  });

  it('foreign: another program\'s database, or one with another application id, is refused and left as it was', () => {
    const dir = tempDir();
    const other = new Database(join(dir, 'arbbot.db'));
    other.exec('CREATE TABLE notes (body TEXT)');
    other.close();
    const before = fingerprint(join(dir, 'arbbot.db'));
    expectOneLine(cli(dir, ['deposit', 'paper', '5']), 3, 'is not an arbbot ledger (a SQLite database with other tables: notes)');
    expectOneLine(cli(dir, ['run', '--max-ticks', '5']), 3, 'is not an arbbot ledger');
    expect(fingerprint(join(dir, 'arbbot.db'))).toBe(before);

    const stamped = new Database(join(dir, 'x.db'));
    stamped.pragma('application_id = 7');
    stamped.exec('CREATE TABLE schema_migrations (version INTEGER)');
    stamped.close();
    expectOneLine(cli(dir, ['--db', 'x.db', 'balances']), 3, 'is not an arbbot ledger (its SQLite application id is 0x7)');
  });
});

describe('a damaged ledger', () => {
  /** A ledger of a few thousand rows with one page in the middle of the file overwritten with garbage. */
  function damaged(): { dir: string; db: string } {
    const books = cliDir('100', (ledger) => {
      for (let n = 0; n < 3000; n += 1) ledger.deposit('paper', 1_000_000 as Micros, { description: `deposit ${n}` });
    });
    const bytes = readFileSync(books.db);
    const pageSize = 4096;
    const page = Math.floor(bytes.length / pageSize / 2);
    for (let i = 0; i < pageSize; i += 1) bytes[page * pageSize + i] = (i * 131 + 7) % 256;
    writeFileSync(books.db, bytes);
    return books;
  }

  it('is refused by run (quick_check) with exit 3, and reported by wallet-check --deep as a violation, exit 1', () => {
    const { dir, db } = damaged();
    const before = fingerprint(db);
    expectOneLine(cli(dir, ['run', '--max-ticks', '5']), 3, "fails SQLite's quick_check, refusing to trade on it");
    expect(fingerprint(db)).toBe(before);
    const deep = cli(dir, ['wallet-check', '--deep']);
    expect(deep.code, deep.stderr).toBe(1);
    expect(deep.stdout).toMatch(/✗ integrity_check: /);
    expect(deep.stdout).toContain('UNHEALTHY');
    // The control: the same books undamaged pass both.
    const sound = cliDir('100', (ledger) => void ledger.deposit('paper', 1_000_000 as Micros, {}));
    expect(cli(sound.dir, ['wallet-check', '--deep']).code).toBe(0);
    expect(cli(sound.dir, ['run', '--max-ticks', '5']).code).toBe(0);
  });

  it('missing a table, or with a paper db that is not SQLite: exit 3 with one line, no stack', () => {
    const missing = cliDir('100');
    rawSql(missing.db, 'DROP TABLE market_prices');
    expectOneLine(cli(missing.dir, ['run', '--max-ticks', '5']), 3, 'no such table: market_prices');

    const paper = cliDir('100');
    writeFileSync(join(paper.dir, 'arbbot.paper.db'), 'this is not a database '.repeat(200));
    const result = cli(paper.dir, ['run', '--max-ticks', '5']);
    expectOneLine(result, 3);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
