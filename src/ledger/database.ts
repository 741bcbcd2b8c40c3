// Opening the ledger's SQLite file: pragmas passed explicitly (better-sqlite3's WAL default is synchronous=NORMAL,
// which can lose the last commits on power loss, so money defaults to FULL) and forward-only numbered migrations.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { InputError, OperationalError } from '../domain/errors.js';
import { createOwnerOnly } from '../security/private-files.js';
import { openForReading } from '../security/sqlite-reading.js';

export type SynchronousMode = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export interface OpenOptions {
  readonly synchronous?: SynchronousMode;
  readonly busyTimeoutMs?: number;
  /** Open an existing ledger to read: nothing is created, migrated or written, in the file or beside it. */
  readonly readonly?: boolean;
  /**
   * With `readonly`: refuse a ledger whose schema is not this arbbot's (older: a command would find tables missing,
   * and reading cannot migrate it; newer: not understood). Without it a ledger of any version is opened (inspection).
   */
  readonly currentSchemaOnly?: boolean;
  /** The caller created this file, empty, a moment ago (the engine lock does, to have an inode to lock): it is new. */
  readonly createdEmpty?: boolean;
}

/** The file header's application id of every arbbot ledger ("ARBL"), set by migration 0007. */
export const LEDGER_APPLICATION_ID = 0x4152424c;
/** How long an empty file found at the ledger's path may take to become a database (another process creating it). */
const EMPTY_FILE_GRACE_MS = 1_000;
const EMPTY_FILE_POLL_MS = 20;

export const BUSY_TIMEOUT_MS_DEFAULT = 10_000;

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .map((file) => ({ file, match: MIGRATION_FILE_RE.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({ version: Number(match[1]), name: match[2] ?? file, sql: readFileSync(`${dir}/${file}`, 'utf8') }))
    .sort((a, b) => a.version - b.version);
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migrations must be numbered 1..n without gaps; found ${migration.version}`);
  });
  return migrations;
}

export function openDatabase(path: string, options: OpenOptions = {}): Database.Database {
  checkPath(path);
  if (options.readonly === true) return openToRead(path, options);
  // A new ledger is readable by its owner only (SQLite gives its -wal and -shm files the same mode).
  const created = createOwnerOnly(path);
  if (!created && options.createdEmpty !== true) refuseEmptyFile(path);
  let db: Database.Database;
  try {
    db = new Database(path);
  } catch (error) {
    throw new OperationalError(`cannot open database ${path}: ${describe(error)}`);
  }
  return prepared(db, path, () => {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrate(db, loadMigrations());
  }, options);
}

/**
 * Opens an existing ledger to read: nothing is created, migrated or written, in the file or beside it, and a ledger on
 * a read-only file or filesystem is read all the same (see security/sqlite-reading.ts).
 */
function openToRead(path: string, options: OpenOptions): Database.Database {
  if (existsSync(path)) refuseEmptyFile(path);
  let db: Database.Database;
  try {
    db = openForReading(path).db;
  } catch (error) {
    throw new OperationalError(`cannot open database ${path}: ${describe(error)}`);
  }
  return prepared(db, path, () => {
    db.pragma('foreign_keys = ON');
    if (options.currentSchemaOnly === true) assertCurrentSchema(db, path, loadMigrations());
  }, options);
}

/** The checks every connection passes before use, then `setUp`; the connection is closed when any of it fails. */
function prepared(db: Database.Database, path: string, setUp: () => void, options: OpenOptions): Database.Database {
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS_DEFAULT}`);
    // Reading the schema first surfaces "file is not a database" before anything is written.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    assertLedgerFile(db, path);
    setUp();
    return db;
  } catch (error) {
    db.close();
    if (error instanceof InputError || error instanceof OperationalError) throw error;
    throw new OperationalError(`cannot use database ${path}: ${describe(error)}`);
  }
}

/** A ledger read without migrating must be at exactly this arbbot's schema version. */
function assertCurrentSchema(db: Database.Database, path: string, migrations: readonly Migration[]): void {
  const knownVersionMax = migrations[migrations.length - 1]?.version ?? 0;
  const hasVersions = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
  const found = hasVersions ? (db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }).v : 0;
  if (found > knownVersionMax) {
    throw new OperationalError(`database schema version ${found} is newer than this arbbot understands (${knownVersionMax}); upgrade arbbot`);
  }
  if (found < knownVersionMax) {
    throw new OperationalError(
      `${path} is at schema version ${found}, older than this arbbot reads (${knownVersionMax}); a command that writes (reconcile, run) upgrades it`,
    );
  }
}

/**
 * An existing empty file is not a new ledger: it is a ledger that lost its contents (a bad copy, `: > file`), and a
 * ledger created over it would deposit the starting balances again and trade on books with no history. Another
 * process that has just created the file fills it within milliseconds, so an empty file is given a moment first.
 */
function refuseEmptyFile(path: string): void {
  const size = (): number | null => {
    try {
      return statSync(path).size;
    } catch {
      return null;
    }
  };
  const deadline = Date.now() + EMPTY_FILE_GRACE_MS;
  while (size() === 0) {
    if (Date.now() >= deadline) {
      throw new OperationalError(
        `${path} is an empty file, not a ledger: arbbot never creates a ledger over an existing file (restore it from a backup, or remove it to start a new ledger)`,
      );
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, EMPTY_FILE_POLL_MS);
  }
}

/**
 * The file must be an arbbot ledger: stamped with its application id, or older than the stamp (it has arbbot's
 * schema_migrations table; migration 0007 stamps it), or a database with nothing in it. Anything else — another
 * program's database, the paper venue's books — is refused before a single row is written into it.
 */
function assertLedgerFile(db: Database.Database, path: string): void {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  if (applicationId === LEDGER_APPLICATION_ID) return;
  if (applicationId !== 0) {
    throw new OperationalError(`${path} is not an arbbot ledger (its SQLite application id is 0x${applicationId.toString(16)}); refusing to write into it`);
  }
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name);
  if (tables.length === 0 || tables.includes('schema_migrations')) return;
  throw new OperationalError(`${path} is not an arbbot ledger (a SQLite database with other tables: ${tables.slice(0, 3).join(', ')}); refusing to write into it`);
}

function checkPath(path: string): void {
  if (path === '') throw new InputError('database path is empty');
  try {
    if (statSync(path).isDirectory()) throw new InputError(`database path ${path} is a directory, not a file`);
  } catch (error) {
    if (error instanceof InputError) throw error;
    // A missing file is fine: it will be created.
  }
}

/** Applies every migration newer than the database's version, each in its own IMMEDIATE transaction, exactly once. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  const knownVersionMax = migrations.length === 0 ? 0 : (migrations[migrations.length - 1]?.version ?? 0);
  const currentVersion = (): number =>
    (db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  const found = currentVersion();
  if (found > knownVersionMax) {
    throw new OperationalError(
      `database schema version ${found} is newer than this arbbot understands (${knownVersionMax}); upgrade arbbot`,
    );
  }
  const applied: number[] = [];
  for (const migration of migrations) {
    if (migration.version <= found) continue;
    const apply = db.transaction(() => {
      // Another process may have applied it while we waited for the write lock.
      if (currentVersion() >= migration.version) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
      applied.push(migration.version);
    });
    apply.immediate();
  }
  return applied;
}

/** Whether an error is about the file rather than the code (see domain/errors.ts): exit 3, not a bug. */
export { isStorageError } from '../domain/errors.js';

/** A storage fault that may clear by itself: what it is (SQLite's code) and SQLite's words. */
export interface StorageFault {
  readonly code: string;
  readonly message: string;
}

/** How deep a chain of causes is followed: a translated error wraps SQLite's once. */
const CAUSES_FOLLOWED_MAX = 4;

/**
 * A storage error that can clear without anyone touching the file, or null: another process holding the write lock
 * past the busy timeout (BUSY, LOCKED), a full disk (FULL), an I/O error (IOERR: a full device surfaces as one on
 * some writes). Found on the error or on what it wraps (translateSqliteError keeps SQLite's error as the cause). A
 * file that is not a ledger, damaged or read-only is not one: waiting does not mend it.
 */
export function transientStorageFault(error: unknown): StorageFault | null {
  let current: unknown = error;
  for (let depth = 0; depth < CAUSES_FOLLOWED_MAX && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED|FULL|IOERR)/.test(code)) return { code, message: current.message };
    current = current.cause;
  }
  return null;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
