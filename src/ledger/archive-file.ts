// The archive file: a SQLite file holding the rows an archive moved, in tables made by the ledger's own CREATE TABLE
// statements (so the rows read exactly as they did in the ledger), beside one `archive_info` row naming the ledger
// and the cut. Its rows are hashed the same way on both sides — in the ledger before they leave, in the file after
// they are written and whenever `wallet-check --deep` finds the file — so a copy that differs by one value is refused.
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { ArchivePlan } from './archive-plan.js';

/** The file header's application id of an archive ("ARBA"): the ledger's opener refuses it, so it is never taken for a ledger. */
export const ARCHIVE_APPLICATION_ID = 0x41524241;

/** The archived tables, in the order they are hashed and copied; a child row is deleted before the row it refers to. */
export const ARCHIVED_TABLES = ['wallet_transactions', 'positions', 'reservations', 'arb_trades', 'arb_legs', 'arb_leg_events', 'unhedged_legs'] as const;
export type ArchivedTable = (typeof ARCHIVED_TABLES)[number];

export type RowCounts = Record<ArchivedTable, number>;

export interface RowsDigest {
  readonly counts: RowCounts;
  readonly sha256: string;
}

/** What the file says of itself. */
export interface ArchiveInfo {
  readonly ledger_id: string;
  readonly before_date: string;
  readonly tx_after_id: number;
  readonly tx_through_id: number;
  readonly rows_sha256: string;
  readonly archived_at: string;
}

const IDS = '(SELECT value FROM json_each(@ids))';

/** The rows of `table` a plan moves, in id order; `@ids` is the JSON list its filter names. */
function selection(table: ArchivedTable, plan: ArchivePlan): { sql: string; ids: string } {
  const json = (ids: readonly number[]) => JSON.stringify(ids);
  switch (table) {
    case 'wallet_transactions':
      // The log moves as an id range; better-sqlite3 ignores the unused @ids.
      return { sql: `SELECT * FROM wallet_transactions WHERE id > ${plan.afterId} AND id <= ${plan.throughId} ORDER BY id`, ids: '[]' };
    case 'positions':
      return { sql: `SELECT * FROM positions WHERE id IN ${IDS} ORDER BY id`, ids: json(plan.positionIds) };
    case 'reservations':
      return { sql: `SELECT * FROM reservations WHERE id IN ${IDS} ORDER BY id`, ids: json(plan.reservationIds) };
    case 'arb_trades':
      return { sql: `SELECT * FROM arb_trades WHERE id IN ${IDS} ORDER BY id`, ids: json(plan.tradeIds) };
    case 'arb_legs':
    case 'unhedged_legs':
      return { sql: `SELECT * FROM ${table} WHERE trade_id IN ${IDS} ORDER BY id`, ids: json(plan.tradeIds) };
    case 'arb_leg_events':
      return { sql: `SELECT * FROM arb_leg_events WHERE leg_id IN (SELECT id FROM arb_legs WHERE trade_id IN ${IDS}) ORDER BY id`, ids: json(plan.tradeIds) };
  }
}

/** The statement that deletes a plan's rows of `table` from the ledger (the same rows `selection` reads). */
export function deletion(table: ArchivedTable, plan: ArchivePlan): { sql: string; ids: string } {
  const { sql, ids } = selection(table, plan);
  return { sql: sql.replace(/^SELECT \* FROM (\w+)/, 'DELETE FROM $1').replace(/ ORDER BY id$/, ''), ids };
}

/** One value as text that names its type, so 1, 1.0, '1' and NULL never hash alike. Integers are read exact (BigInt). */
function encode(value: unknown): string {
  if (value === null) return 'n';
  if (typeof value === 'bigint') return `i${value.toString()}`;
  if (typeof value === 'number') return `r${value.toString()}`;
  if (typeof value === 'string') return `s${JSON.stringify(value)}`;
  if (Buffer.isBuffer(value)) return `b${value.toString('hex')}`;
  throw new Error(`unexpected SQLite value of type ${typeof value}`);
}

/** Hashes rows table by table in ARCHIVED_TABLES order; `rowsOf` yields each table's rows in id order, as arrays. */
function digest(rowsOf: (table: ArchivedTable) => Iterable<unknown[]>, onRow?: (table: ArchivedTable, row: unknown[]) => void): RowsDigest {
  const hash = createHash('sha256');
  const counts = Object.fromEntries(ARCHIVED_TABLES.map((table) => [table, 0])) as RowCounts;
  for (const table of ARCHIVED_TABLES) {
    hash.update(`table ${table}\n`);
    for (const row of rowsOf(table)) {
      hash.update(`${row.map(encode).join(',')}\n`);
      counts[table] += 1;
      onRow?.(table, row);
    }
  }
  return { counts, sha256: hash.digest('hex') };
}

function ledgerRows(ledgerDb: Database.Database, plan: ArchivePlan): (table: ArchivedTable) => Iterable<unknown[]> {
  return (table) => {
    const { sql, ids } = selection(table, plan);
    return ledgerDb.prepare(sql).raw(true).safeIntegers(true).iterate({ ids }) as Iterable<unknown[]>;
  };
}

/** The digest of the rows a plan moves, read from the ledger. */
export function digestLedgerRows(ledgerDb: Database.Database, plan: ArchivePlan): RowsDigest {
  return digest(ledgerRows(ledgerDb, plan));
}

/** The digest of every row an archive file holds (null when a table is missing: not an archive this code wrote). */
export function digestArchiveFile(file: Database.Database): RowsDigest {
  return digest((table) => file.prepare(`SELECT * FROM ${table} ORDER BY id`).raw(true).safeIntegers(true).iterate() as Iterable<unknown[]>);
}

/**
 * Writes a new archive file at `path` (created owner-only; it must not exist) with the plan's rows read from the
 * ledger, and returns the digest of what it read. The file is complete only once this returns.
 */
export function writeArchiveFile(path: string, ledgerDb: Database.Database, plan: ArchivePlan, info: Omit<ArchiveInfo, 'rows_sha256'>): RowsDigest {
  closeSync(openSync(path, 'wx', 0o600));
  const file = new Database(path);
  try {
    file.pragma(`application_id = ${ARCHIVE_APPLICATION_ID}`);
    // The rows refer to wallets, and to rows that stay in the ledger (a trade's positions do not; a position's wallet does).
    file.pragma('foreign_keys = OFF');
    const schema = ledgerDb.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name = ?");
    const inserts = new Map<ArchivedTable, Database.Statement>();
    return file.transaction(() => {
      file.exec(`CREATE TABLE archive_info (
        ledger_id TEXT NOT NULL, before_date TEXT NOT NULL, tx_after_id INTEGER NOT NULL, tx_through_id INTEGER NOT NULL,
        rows_sha256 TEXT NOT NULL, archived_at TEXT NOT NULL) STRICT`);
      for (const table of ARCHIVED_TABLES) {
        const row = schema.get(table) as { sql: string } | undefined;
        if (!row) throw new Error(`the ledger has no table ${table}`);
        file.exec(row.sql);
        const columns = file.prepare(`SELECT count(*) FROM pragma_table_info('${table}')`).pluck().get() as number;
        inserts.set(table, file.prepare(`INSERT INTO ${table} VALUES (${Array.from({ length: columns }, () => '?').join(', ')})`).safeIntegers(true));
      }
      const result = digest(ledgerRows(ledgerDb, plan), (table, row) => inserts.get(table)?.run(...row));
      file.prepare('INSERT INTO archive_info VALUES (@ledger_id, @before_date, @tx_after_id, @tx_through_id, @rows_sha256, @archived_at)').run({
        ...info,
        rows_sha256: result.sha256,
      });
      return result;
    })();
  } finally {
    file.close();
  }
}

/** Opens an archive file read-only and reads what it says of itself; null when it is not an arbbot archive. */
export function openArchiveFile(path: string): { file: Database.Database; info: ArchiveInfo } | null {
  const file = new Database(path, { readonly: true, fileMustExist: true });
  try {
    // Reading the header is what finds a file that is not SQLite at all.
    if (!isSqlite(file)) {
      file.close();
      return null;
    }
    const applicationId = file.pragma('application_id', { simple: true }) as number;
    const hasInfo = file.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'archive_info'").get() !== undefined;
    const info = hasInfo ? (file.prepare('SELECT * FROM archive_info').get() as ArchiveInfo | undefined) : undefined;
    if (applicationId !== ARCHIVE_APPLICATION_ID || !info) {
      file.close();
      return null;
    }
    return { file, info };
  } catch (error) {
    file.close();
    throw error;
  }
}

function isSqlite(file: Database.Database): boolean {
  try {
    file.pragma('schema_version');
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'SQLITE_NOTADB') return false;
    throw error;
  }
}
