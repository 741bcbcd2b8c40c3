// `arbbot archive --before DATE` through the real CLI on real files: settled history moves to an archive file, the
// ledger keeps a checkpoint, and `wallet-check --deep` still proves the books from it. Controls show the proof fails
// when a row under the proof goes missing or the checkpoint's figures are altered, and that the triggers refuse a
// DELETE no archive covers.
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { cli, cliJson, tempDir, writeConfig } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { closeAt, openPosition, rawSql, usd } from '../fixtures/ledger.js';

interface History {
  readonly dir: string;
  readonly db: string;
  /** Sets the ledger's clock and writes with it. */
  write(at: string, step: (ledger: Ledger) => void): void;
}

/** A paper wallet of $100 whose history is written at the given instants (UTC). */
function history(): History {
  const dir = tempDir();
  writeConfig(dir, { venues: { paper: { startingBalance: '100' } } });
  const db = join(dir, 'arbbot.db');
  const write = (at: string, step: (ledger: Ledger) => void) => {
    const ledger = Ledger.open(db, { synchronous: 'NORMAL', now: () => new Date(at) });
    try {
      step(ledger);
    } finally {
      ledger.close();
    }
  };
  write('2024-01-02T10:00:00.000Z', (ledger) => ledger.ensureWallet('paper', usd('100')));
  return { dir, db, write };
}

/**
 * Log rows: #1 deposit $100 (Jan 2), #2/#3 position #1 opened and closed (Jan 3), #4/#5 reservation #1 reserved and
 * released (Jan 4), #6 deposit $10 (Jan 5), #7 position #2 opened (Jan 20, left open), #8/#9 position #3 opened and
 * closed (Feb 5), #10 deposit $5 (Feb 6), #11/#12 reservation #2 reserved and released (Feb 7). The newest position and
 * reservation always stay in the ledger, so these later ones let the January ones go.
 */
function january(): History {
  const h = history();
  h.write('2024-01-03T10:00:00.000Z', (l) => closeAt(l, openPosition(l, { market: 'A' }).position.id, '110'));
  h.write('2024-01-04T10:00:00.000Z', (l) => reserveAndRelease(l, 'r1'));
  h.write('2024-01-05T10:00:00.000Z', (l) => l.deposit('paper', usd('10')));
  h.write('2024-01-20T10:00:00.000Z', (l) => openPosition(l, { market: 'B' }));
  h.write('2024-02-05T10:00:00.000Z', (l) => closeAt(l, openPosition(l, { market: 'C' }).position.id, '95'));
  h.write('2024-02-06T10:00:00.000Z', (l) => l.deposit('paper', usd('5')));
  h.write('2024-02-07T10:00:00.000Z', (l) => reserveAndRelease(l, 'r2'));
  return h;
}

function reserveAndRelease(ledger: Ledger, key: string): void {
  const r = ledger.reserve({ venue: 'paper', amount: usd('5'), idempotencyKey: key, purpose: 'leg' });
  ledger.releaseReservation(r.reservation.id);
}

const rows = (path: string, sql: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
};

function deep(dir: string): { code: number; checks: { name: string; ok: boolean; detail: string }[] } {
  const { code, json } = cliJson<{ checks: { name: string; ok: boolean; detail: string }[] }>(dir, ['wallet-check', '--deep']);
  return { code, checks: json.checks };
}

function audited(db: string): void {
  const ledger = Ledger.open(db);
  try {
    assertInvariants(ledger);
  } finally {
    ledger.close();
  }
}

describe('archive', () => {
  it('moves settled rows before the date to the archive file and the books still prove healthy, routine and deep', () => {
    const h = january();
    const before = rows(h.db, 'SELECT * FROM wallet_transactions ORDER BY id') as { id: number }[];
    const positionsBefore = rows(h.db, 'SELECT * FROM positions ORDER BY id') as { id: number }[];
    const reservationsBefore = rows(h.db, 'SELECT * FROM reservations ORDER BY id');
    const walletBefore = rows(h.db, 'SELECT total, available, locked, deficit FROM wallets');

    const result = cliJson<{ archived: boolean; file: string; checkpoint: { txThroughId: number; rows: Record<string, number> } }>(h.dir, ['archive', '--before', '2024-02-01']);
    expect(result.code).toBe(0);
    expect(result.json.archived).toBe(true);
    // Position #2 opened at #7 and is still open: the cut stops below it.
    expect(result.json.checkpoint.txThroughId).toBe(6);
    expect(result.json.checkpoint.rows).toMatchObject({ transactions: 6, positions: 1, reservations: 1, trades: 0 });
    const file = join(h.dir, 'arbbot.archive-2024-02-01.db');
    expect(resolve(h.dir, result.json.file)).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The archive holds exactly the rows that left, as they were; the ledger keeps the rest.
    expect(rows(file, 'SELECT * FROM wallet_transactions ORDER BY id')).toEqual(before.slice(0, 6));
    expect(rows(file, 'SELECT * FROM positions ORDER BY id')).toEqual(positionsBefore.slice(0, 1));
    expect(rows(file, 'SELECT * FROM reservations ORDER BY id')).toEqual(reservationsBefore.slice(0, 1));
    expect(rows(h.db, 'SELECT * FROM wallet_transactions ORDER BY id')).toEqual(before.slice(6));
    expect(rows(h.db, 'SELECT * FROM positions ORDER BY id')).toEqual(positionsBefore.slice(1));
    expect(rows(h.db, 'SELECT * FROM reservations ORDER BY id')).toEqual(reservationsBefore.slice(1));
    expect(rows(h.db, 'SELECT total, available, locked, deficit FROM wallets')).toEqual(walletBefore);

    expect(cli(h.dir, ['wallet-check']).code).toBe(0);
    const proof = deep(h.dir);
    expect(proof.code).toBe(0);
    expect(proof.checks.find((c) => c.name === 'archive_checkpoint')?.detail).toContain('archived through #6');
    expect(proof.checks.find((c) => c.name === 'archive_file')?.detail).toContain('holds the rows it recorded');
    expect(cli(h.dir, ['wallet-check']).code).toBe(0);
    audited(h.db);

    // What remains reads as before: the open position, the closed one, the newest rows of the log.
    const positions = cliJson<{ positions: { id: number; status: string }[] }>(h.dir, ['positions']);
    expect(positions.json.positions.map((p) => [p.id, p.status])).toEqual([
      [2, 'open'],
      [3, 'closed'],
    ]);
    const hist = cliJson<{ transactions: { id: number }[] }>(h.dir, ['history']);
    expect(hist.json.transactions.map((t) => t.id)).toEqual([12, 11, 10, 9, 8, 7]);
  });

  it('archives again later from where the last archive stopped, and the books still prove healthy', () => {
    const h = january();
    expect(cli(h.dir, ['archive', '--before', '2024-02-01']).code).toBe(0);
    // #13 position #2 closed, #14/#15 position #4 opened and closed, #16/#17 reservation #3, #18 deposit.
    h.write('2024-03-01T10:00:00.000Z', (l) => closeAt(l, 2, '101'));
    h.write('2024-03-02T10:00:00.000Z', (l) => closeAt(l, openPosition(l, { market: 'D' }).position.id, '100'));
    h.write('2024-03-03T10:00:00.000Z', (l) => reserveAndRelease(l, 'r3'));
    h.write('2024-03-04T10:00:00.000Z', (l) => l.deposit('paper', usd('1')));
    const second = cliJson<{ archived: boolean; checkpoint: { txThroughId: number; rows: Record<string, number> } }>(h.dir, ['archive', '--before', '2024-04-01']);
    expect(second.code).toBe(0);
    // Up to the newest position (#4, opened at #14), which stays so SQLite never hands out an archived id again.
    expect(second.json.checkpoint.txThroughId).toBe(13);
    expect(second.json.checkpoint.rows).toMatchObject({ transactions: 7, positions: 2, reservations: 1 });
    expect(rows(h.db, 'SELECT id FROM wallet_transactions ORDER BY id')).toEqual([14, 15, 16, 17, 18].map((id) => ({ id })));
    expect(rows(h.db, 'SELECT id FROM positions')).toEqual([{ id: 4 }]);
    const proof = deep(h.dir);
    expect(proof.code).toBe(0);
    expect(proof.checks.filter((c) => c.name === 'archive_file')).toHaveLength(2);
    audited(h.db);
    // New rows after two archives still chain from the checkpoint.
    expect(cli(h.dir, ['deposit', 'paper', '2']).code).toBe(0);
    expect(cli(h.dir, ['wallet-check']).code).toBe(0);
    expect(deep(h.dir).code).toBe(0);
  });

  it('changes nothing when nothing settled is older than the date', () => {
    const h = january();
    const bytes = readFileSync(h.db);
    const result = cli(h.dir, ['archive', '--before', '2024-01-02']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('nothing changed');
    expect(readFileSync(h.db).equals(bytes)).toBe(true);
    expect(existsSync(join(h.dir, 'arbbot.archive-2024-01-02.db'))).toBe(false);
  });

  it('never archives the rows of an open position or a pending reservation', () => {
    const h = history();
    h.write('2024-01-03T10:00:00.000Z', (l) => openPosition(l, { market: 'A' }));
    h.write('2024-01-04T10:00:00.000Z', (l) => l.reserve({ venue: 'paper', amount: usd('5'), idempotencyKey: 'r1', purpose: 'leg' }));
    h.write('2024-01-05T10:00:00.000Z', (l) => l.deposit('paper', usd('1')));
    const result = cliJson<{ checkpoint: { txThroughId: number; rows: Record<string, number> } }>(h.dir, ['archive', '--before', '2024-02-01']);
    expect(result.code).toBe(0);
    expect(result.json.checkpoint.txThroughId).toBe(1);
    expect(rows(h.db, 'SELECT id, status FROM positions')).toEqual([{ id: 1, status: 'open' }]);
    expect(rows(h.db, 'SELECT id, state FROM reservations')).toEqual([{ id: 1, state: 'pending' }]);
    expect(deep(h.dir).code).toBe(0);
  });

  it('refuses a bad date with exit 2 and leaves the file byte for byte as it was', () => {
    const h = january();
    const bytes = readFileSync(h.db);
    for (const date of ['2024-13-01', '2024-02-30', 'yesterday', '2024-2-1', '', '2999-01-01']) {
      const result = cli(h.dir, ['archive', '--before', date]);
      expect(result.code, date).toBe(2);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(cli(h.dir, ['archive']).code).toBe(2);
    expect(readFileSync(h.db).equals(bytes)).toBe(true);
  });

  it('refuses to replace an existing file that is not this archive (exit 2), changing nothing', () => {
    const h = january();
    const target = join(h.dir, 'elsewhere.db');
    writeFileSync(target, 'not an archive');
    const bytes = readFileSync(h.db);
    expect(cli(h.dir, ['archive', '--before', '2024-02-01', '--to', target]).code).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe('not an archive');
    expect(readFileSync(h.db).equals(bytes)).toBe(true);
  });

  it('refuses to archive books that do not prove healthy (exit 1), changing nothing', () => {
    const h = january();
    rawSql(h.db, "UPDATE wallets SET total = total + 1, available = available + 1 WHERE venue = 'paper'");
    const bytes = readFileSync(h.db);
    const result = cli(h.dir, ['archive', '--before', '2024-02-01']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('total_matches_log');
    expect(readFileSync(h.db).equals(bytes)).toBe(true);
    expect(existsSync(join(h.dir, 'arbbot.archive-2024-02-01.db'))).toBe(false);
  });
});

describe('archive: controls', () => {
  function archived(): History {
    const h = january();
    expect(cli(h.dir, ['archive', '--before', '2024-02-01']).code).toBe(0);
    expect(deep(h.dir).code).toBe(0);
    return h;
  }

  it('a log row removed by hand (triggers dropped) is a violation', () => {
    const h = archived();
    rawSql(h.db, 'DROP TRIGGER wallet_transactions_no_delete; DELETE FROM wallet_transactions WHERE id = 10;');
    const proof = deep(h.dir);
    expect(proof.code).toBe(1);
    expect(proof.checks.filter((c) => !c.ok).map((c) => c.name)).toContain('total_matches_log');
  });

  it("an altered balance in the archive checkpoint is a violation", () => {
    const h = archived();
    rawSql(h.db, 'DROP TRIGGER archive_checkpoint_wallets_no_update; UPDATE archive_checkpoint_wallets SET total = total + 1, balance_after = balance_after + 1;');
    const proof = deep(h.dir);
    expect(proof.code).toBe(1);
    const failed = proof.checks.filter((c) => !c.ok).map((c) => c.name);
    expect(failed).toContain('transaction_chain');
    expect(failed).toContain('archive_file');
  });

  it('the altered sum alone, apart from the last row it names, is a violation too', () => {
    const h = archived();
    rawSql(h.db, 'DROP TRIGGER archive_checkpoint_wallets_no_update; UPDATE archive_checkpoint_wallets SET locked = locked + 1;');
    const proof = deep(h.dir);
    expect(proof.code).toBe(1);
    expect(proof.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(expect.arrayContaining(['locked_matches_log', 'archive_checkpoint']));
  });

  it('a row removed from the archive file is a violation while the file is there, and the file missing is only reported', () => {
    const h = archived();
    const file = join(h.dir, 'arbbot.archive-2024-02-01.db');
    const saved = readFileSync(file);
    rawSql(file, 'DELETE FROM wallet_transactions WHERE id = 3;', { foreignKeys: false });
    const proof = deep(h.dir);
    expect(proof.code).toBe(1);
    expect(proof.checks.find((c) => c.name === 'archive_file')?.detail).toMatch(/transactions: recorded 6, file holds 5/);
    writeFileSync(file, saved);
    expect(deep(h.dir).code).toBe(0);
    unlinkSync(file);
    const missing = deep(h.dir);
    expect(missing.code).toBe(0);
    expect(missing.checks.find((c) => c.name === 'archive_file')?.detail).toContain('not found beside the ledger');
  });

  it('the triggers refuse a DELETE no archive checkpoint covers', () => {
    const h = archived();
    expect(() => rawSql(h.db, 'DELETE FROM wallet_transactions WHERE id = 7')).toThrow(/append-only/);
    expect(() => rawSql(h.db, 'DELETE FROM positions WHERE id = 3')).toThrow(/cannot be deleted/);
    expect(() => rawSql(h.db, 'DELETE FROM archive_checkpoints')).toThrow(/append-only/);
    // And before any archive, nothing at all can be deleted.
    const fresh = january();
    expect(() => rawSql(fresh.db, 'DELETE FROM wallet_transactions WHERE id = 1')).toThrow(/append-only/);
  });
});

describe('the report across an archive', () => {
  const FIGURES = ['equity', 'netDeposits', 'pnl', 'realised', 'unrealised', 'fees'] as const;

  it('tells the same story of the money after the archive as before: the archived deposits and realised PnL still count', () => {
    const h = january();
    const before = cliJson<Record<string, unknown>>(h.dir, ['report']).json;
    const historyBefore = cliJson<{ transactions: unknown[] }>(h.dir, ['history', '--limit', '100']).json.transactions.length;
    expect(cli(h.dir, ['archive', '--before', '2024-02-01']).code).toBe(0);
    // Rows did leave the ledger (so the equality below is not that of an unchanged file).
    expect(cliJson<{ transactions: unknown[] }>(h.dir, ['history', '--limit', '100']).json.transactions.length).toBeLessThan(historyBefore);
    const after = cliJson<Record<string, unknown> & { archived: { before: string; closed: number } | null }>(h.dir, ['report']).json;
    for (const key of FIGURES) expect(after[key], key).toEqual(before[key]);
    expect(after.archived).toMatchObject({ before: '2024-02-01', closed: 1 });
    expect(cli(h.dir, ['report']).stdout).toMatch(/archived before 2024-02-01: 1 closed position\(s\), realised \+\$2\.32/);
  });
});
