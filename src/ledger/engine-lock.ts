// One engine per ledger, enforced by the operating system. The engine holds an exclusive SQLite lock on a small lock
// file for as long as it runs; the kernel drops that lock when the process ends, however it ends, so a crash never
// leaves a stale claim behind. The lock file is named by the ledger's identity (device and inode) in the directory of
// its real path, so a relative path, a symlink or a hard link beside it all meet the same lock, and twenty engines
// started at the same moment race for one lock that exactly one of them wins. The lock is taken before the ledger is
// opened, so a losing engine has read and written nothing.
import { readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { InputError } from '../domain/errors.js';
import { createOwnerOnly } from '../security/private-files.js';
import { openDatabase } from './database.js';

/** How long a starting engine waits for the lock: two starts at the same moment, or a `reconcile` probing it. */
const ENGINE_LOCK_WAIT_MS = 2_000;

export interface EngineLock {
  /** The lock file this engine holds. */
  readonly lockPath: string;
  /** Gives the lock up (a clean stop); the process ending does the same. */
  release(): void;
}

/** The lock file of the ledger at `dbPath`, which must exist. */
export function engineLockPath(dbPath: string): string {
  const real = realpathSync(dbPath);
  const { dev, ino } = statSync(real);
  return join(dirname(real), `.arbbot-engine-${dev}-${ino}.lock`);
}

function pidPath(lockPath: string): string {
  return `${lockPath}.pid`;
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Takes the engine lock of the ledger at `dbPath`, creating the ledger (owner-only, schema in place) if there is none
 * so that it has an identity to lock. Refuses with exit 2, naming the running engine's pid, when another engine holds it.
 */
export function acquireEngineLock(dbPath: string): EngineLock {
  // A new ledger is made whole at once, before the lock: the lock is named by the file's inode, so the file must exist
  // first, and an empty file left behind for a moment could be taken (by the engine that wins the lock, if it is not
  // this one) for a ledger that lost its contents. No other process can be using a file this call just created.
  if (createOwnerOnly(dbPath)) openDatabase(dbPath, { createdEmpty: true }).close();
  const lockPath = engineLockPath(dbPath);
  createOwnerOnly(lockPath);
  const db = new Database(lockPath, { timeout: ENGINE_LOCK_WAIT_MS });
  try {
    // Held open for the whole run: no other connection can read or write the lock file while it is.
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if (!isBusy(error)) throw error;
    const pid = lockHolder(lockPath);
    const who = pid === null ? 'another arbbot run' : `another arbbot run (pid ${pid})`;
    throw new InputError(`${who} is already trading on ${dbPath}; one engine per ledger`);
  }
  writeFileSync(pidPath(lockPath), `${process.pid}\n`, { mode: 0o600 });
  return {
    lockPath,
    release: () => {
      if (!db.open) return;
      rmSync(pidPath(lockPath), { force: true });
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/**
 * The pid of the engine running on the ledger at `dbPath`, 0 when one runs but its pid is unknown, or null when none
 * does. A probe holds the lock for an instant only, and an engine starting meanwhile waits for it rather than failing.
 */
export function runningEngine(dbPath: string): number | null {
  let lockPath: string;
  try {
    lockPath = engineLockPath(dbPath);
  } catch {
    return null; // no ledger, no engine
  }
  let db: Database.Database;
  try {
    db = new Database(lockPath, { fileMustExist: true, readonly: true, timeout: 0 });
  } catch {
    return null; // never locked: no engine has run here
  }
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    return null;
  } catch (error) {
    if (!isBusy(error)) throw error;
    return lockHolder(lockPath) ?? 0;
  } finally {
    db.close();
  }
}

/**
 * When the engine running on the ledger at `dbPath` took its lock (it writes its pid file then), or null when that is
 * not known. Asked only after runningEngine said one runs.
 */
export function engineStartedAt(dbPath: string): Date | null {
  try {
    return statSync(pidPath(engineLockPath(dbPath))).mtime;
  } catch {
    return null;
  }
}

/** The holder's pid: from the kernel's table of locks where there is one (Linux), else from the pid it wrote. */
function lockHolder(lockPath: string): number | null {
  return kernelLockHolder(lockPath) ?? writtenPid(lockPath);
}

function kernelLockHolder(lockPath: string): number | null {
  let table: string;
  let ino: number;
  try {
    table = readFileSync('/proc/locks', 'utf8');
    ino = statSync(lockPath).ino;
  } catch {
    return null;
  }
  // "1: POSIX  ADVISORY  WRITE 4242 08:01:1234567 1073741824 1073742335": type, mode, kind, pid, device:inode, range.
  for (const line of table.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const [, type, , kind, pid, file] = fields;
    if (type !== 'POSIX' || kind !== 'WRITE' || file === undefined || pid === undefined) continue;
    if (Number(file.split(':')[2]) !== ino) continue;
    const holder = Number(pid);
    if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid) return holder;
  }
  return null;
}

function writtenPid(lockPath: string): number | null {
  try {
    const pid = Number(readFileSync(pidPath(lockPath), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
