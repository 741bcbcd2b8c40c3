// Commands that only read (positions, history, balances, wallet-check, reconcile --dry-run, venues check) never
// create a ledger and write nothing to one: on a missing ledger they exit 2 naming it and leave the directory empty;
// on a ledger they leave every file — the ledger, the paper venue's books, their -wal and -shm — byte for byte as it
// was, and they read a ledger on a read-only directory and on a read-only filesystem (a tmpfs remounted read-only,
// where this machine lets the tests mount one). A command that writes is the control each time.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli, tempDir, type CliResult } from '../fixtures/helpers.js';

/** The commands that only read, each with the exit code it gives on the healthy books `run` leaves. */
const READERS: readonly (readonly string[])[] = [
  ['positions'],
  ['history'],
  ['balances'],
  ['wallet-check'],
  ['wallet-check', '--deep'],
  ['reconcile', '--dry-run'],
  ['report'],
];

/** Every file in `dir` with a hash of its bytes. */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]));
}

function expectOneLine(result: CliResult, code: number, ...parts: string[]): void {
  expect(result.code, result.stderr).toBe(code);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  for (const part of parts) expect(lines[0]).toContain(part);
}

/** A ledger and paper books made by the real engine, closed cleanly. */
function booksFromRun(): string {
  const dir = tempDir();
  const run = cli(dir, ['run', '--max-ticks', '100', '--speed', 'max']);
  expect(run.code, run.stderr).toBe(0);
  // Beside them, the engine's lock file (named for the ledger's inode): no -wal, no -shm.
  expect(readdirSync(dir).filter((name) => !name.startsWith('.arbbot-engine-')).sort()).toEqual(['arbbot.db', 'arbbot.paper.db']);
  return dir;
}

function copyDir(from: string, to: string): void {
  for (const name of readdirSync(from)) copyFileSync(join(from, name), join(to, name));
}

describe('a command that only reads, where there is no ledger', () => {
  it.each(READERS.map((args) => [args.join(' '), args] as const))('%s exits 2 naming the missing file, and creates nothing', (_name, args) => {
    const dir = tempDir();
    const db = join(dir, 'books', 'arbbot.db');
    mkdirSync(join(dir, 'books'));
    expectOneLine(cli(dir, ['--db', db, ...args]), 2, `no ledger at ${db}: start one with \`arbbot init\` or \`arbbot run\``);
    const json = cli(dir, ['--json', '--db', db, ...args]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'bad_input', exitCode: 2, message: expect.stringContaining(`no ledger at ${db}`) } });
    expect(json.stdout).toBe('');
    // The default path too.
    expectOneLine(cli(dir, args), 2, 'no ledger at ./arbbot.db');
    expect(readdirSync(dir)).toEqual(['books']);
    expect(readdirSync(join(dir, 'books'))).toEqual([]);
  });

  it('venues check checks the venues without one, and creates none (nor the paper books)', () => {
    const dir = tempDir();
    const check = cli(dir, ['venues', 'check']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toContain('no ledger at ./arbbot.db');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('control: a command that writes creates the ledger where the readers found none', () => {
    const dir = tempDir();
    expect(cli(dir, ['positions']).code).toBe(2);
    expect(cli(dir, ['deposit', 'paper', '5']).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['arbbot.db', 'arbbot.paper.db']);
    expect(cli(dir, ['positions']).code).toBe(0);
  });
});

describe('a command that only reads, on a ledger', () => {
  it('leaves every file byte for byte as it was; a deposit (the control) changes them', () => {
    const dir = booksFromRun();
    // wallet-check records how far it proved the books where it may write: brought up to date first.
    expect(cli(dir, ['wallet-check']).code).toBe(0);
    const before = files(dir);
    for (const args of [...READERS, ['venues', 'check']]) {
      const result = cli(dir, args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(files(dir), args.join(' ')).toEqual(before);
    }
    expect(cli(dir, ['deposit', 'paper', '5']).code).toBe(0);
    expect(files(dir)).not.toEqual(before);
  });

  it('reads a ledger whose file and directory are read-only, creating and changing nothing', () => {
    const dir = booksFromRun();
    expect(cli(dir, ['wallet-check']).code).toBe(0);
    const before = files(dir);
    chmodSync(join(dir, 'arbbot.db'), 0o444);
    chmodSync(join(dir, 'arbbot.paper.db'), 0o444);
    chmodSync(dir, 0o555);
    try {
      for (const args of READERS) {
        const result = cli(dir, args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
        expect(files(dir), args.join(' ')).toEqual(before);
      }
    } finally {
      chmodSync(dir, 0o700);
    }
  });
});

/** Mounting a tmpfs needs privileges a test machine may not grant: then the tests below are skipped, and say why. */
const mountProbe = probeMount();
if (mountProbe !== null) console.log(`read-only filesystem tests skipped: ${mountProbe}`);

function probeMount(): string | null {
  if (process.platform !== 'linux') return `mount -t tmpfs is Linux's (this is ${process.platform})`;
  const dir = tempDirUnmanaged();
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.error) return `mount cannot run: ${mounted.error.message}`;
  if (mounted.status !== 0) return `mount refused: ${mounted.stderr.trim()}`;
  spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
  return null;
}

function tempDirUnmanaged(): string {
  const dir = join(process.env.TMPDIR ?? '/tmp', `arbbot-mount-probe-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const mounts: string[] = [];
afterEach(() => {
  for (const dir of mounts.splice(0)) {
    if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
  }
});

/** A tmpfs holding a copy of `source`'s files, remounted read-only. */
function readOnlyCopy(source: string): string {
  const dir = join(tempDir(), 'ro');
  mkdirSync(dir);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', dir], { encoding: 'utf8' });
  expect(mounted.status, mounted.stderr).toBe(0);
  mounts.push(dir);
  copyDir(source, dir);
  const remounted = spawnSync('mount', ['-o', 'remount,ro', dir], { encoding: 'utf8' });
  expect(remounted.status, remounted.stderr).toBe(0);
  return dir;
}

describe('a command that only reads, on a read-only filesystem', () => {
  it.skipIf(mountProbe !== null)('answers as it does on a writable copy, and the files stay byte for byte as they were', () => {
    const source = booksFromRun();
    const dir = readOnlyCopy(source);
    const before = files(dir);
    for (const args of [...READERS, ['venues', 'check']]) {
      const onReadOnly = cli(dir, args);
      const onWritable = cli(source, args);
      expect(onReadOnly.code, `${args.join(' ')}: ${onReadOnly.stderr}`).toBe(0);
      expect(onReadOnly.stderr, args.join(' ')).toBe('');
      // wallet-check on the writable copy records its checkpoint; on the read-only one it cannot, and says so.
      const comparable = (text: string) => text.replace(/checkpoint now at #\d+/, 'checkpoint unchanged');
      expect(comparable(onReadOnly.stdout), args.join(' ')).toBe(comparable(onWritable.stdout));
      expect(files(dir), args.join(' ')).toEqual(before);
    }
    // The control: the filesystem refuses a write, and the command says which file.
    expectOneLine(cli(dir, ['deposit', 'paper', '5']), 3, 'cannot use database ./arbbot.db: unable to open database file');
    expect(files(dir)).toEqual(before);
  });

  it.skipIf(mountProbe !== null)('reads a ledger an engine left with its -wal and -shm (killed), changing none of the three', () => {
    const source = booksFromRun();
    // An engine stopped by SIGKILL leaves its WAL and shared memory behind: staged with a writer that never closes.
    const left = spawnSync(process.execPath, ['-e', leaveWalBehind(join(source, 'arbbot.db'))], { encoding: 'utf8' });
    expect(left.signal, left.stderr).toBe('SIGKILL');
    expect(readdirSync(source)).toEqual(expect.arrayContaining(['arbbot.db-wal', 'arbbot.db-shm']));
    const dir = readOnlyCopy(source);
    const before = files(dir);
    for (const args of [['positions'], ['history'], ['balances'], ['wallet-check']]) {
      const result = cli(dir, args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
      expect(files(dir), args.join(' ')).toEqual(before);
    }
    // What the WAL holds is read: the audit row written there and never checkpointed into the file.
    expect(cli(dir, ['--json', 'history', '--limit', '1']).stdout).toContain('left in the WAL');
  });
});

/** A script that commits a deposit row into the ledger's WAL and exits without closing (as a killed engine does). */
function leaveWalBehind(db: string): string {
  return `
    const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(db)});
    db.pragma('wal_autocheckpoint = 0');
    const last = db.prepare("SELECT balance_after AS t, locked_after AS l FROM wallet_transactions WHERE venue = 'paper' ORDER BY id DESC LIMIT 1").get();
    db.transaction(() => {
      db.prepare("INSERT INTO wallet_transactions (venue, type, amount, locked_delta, deficit_delta, balance_before, balance_after, locked_before, locked_after, description, created_at) VALUES ('paper', 'deposit', 1000000, 0, 0, ?, ?, ?, ?, 'left in the WAL', '2030-01-01T00:00:00.000Z')").run(last.t, last.t + 1000000, last.l, last.l);
      db.prepare("UPDATE wallets SET total = total + 1000000, available = available + 1000000 WHERE venue = 'paper'").run();
    })();
    process.kill(process.pid, 'SIGKILL');
  `;
}
