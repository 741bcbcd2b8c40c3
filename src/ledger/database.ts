// Opening the ledger's SQLite file: pragmas passed explicitly (better-sqlite3's WAL default is synchronous=NORMAL,
// which can lose the last commits on power loss, so money defaults to FULL) and forward-only numbered migrations.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { InputError, OperationalError } from '../domain/errors.js';
import { createOwnerOnly } from '../security/private-files.js';

export type SynchronousMode = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

export interface OpenOptions {
  readonly synchronous?: SynchronousMode;
  readonly busyTimeoutMs?: number;
  /** Open without creating or migrating (inspection only). */
  readonly readonly?: boolean;
}

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
  // A new ledger is readable by its owner only (SQLite gives its -wal and -shm files the same mode).
  if (options.readonly !== true) createOwnerOnly(path);
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: options.readonly === true, readonly: options.readonly === true });
  } catch (error) {
    throw new OperationalError(`cannot open database ${path}: ${describe(error)}`);
  }
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? BUSY_TIMEOUT_MS_DEFAULT}`);
    // Reading the schema first surfaces "file is not a database" before anything is written.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    if (!options.readonly) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
    db.pragma('foreign_keys = ON');
    if (!options.readonly) migrate(db, loadMigrations());
    return db;
  } catch (error) {
    db.close();
    if (error instanceof InputError || error instanceof OperationalError) throw error;
    throw new OperationalError(`cannot use database ${path}: ${describe(error)}`);
  }
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

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
