// Reading a SQLite file without changing it, or anything beside it: a command that only reads leaves the file and its
// directory exactly as it found them, and still reads on a read-only file or filesystem.
//
// arbbot's files are in WAL mode, which reads through two companions, FILE-wal and FILE-shm. SQLite's read-only open
// creates both where they are missing and, being read-only, cannot remove them again; where they cannot be created (a
// read-only directory or filesystem) it cannot open the file at all. And this build of SQLite takes no `file:` URIs,
// so `immutable=1` is not on offer. Hence three ways in, chosen by what is on disk:
// - no FILE-wal, file and directory writable: a read-write connection with `query_only` on. SQLite refuses every
//   write through it, and as the last connection to close it removes the companions it made, as a writer does.
// - a FILE-wal present (a writer has the file open, or stopped without closing it): SQLite's read-only open, which
//   reads the companions as they are, under the locks writers respect, and removes nothing.
// - no FILE-wal and nowhere to write one (a read-only file, directory or filesystem): nothing can be writing the file,
//   so its bytes are the whole database; they are read into memory and queried there.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type ReadingMode = 'query_only' | 'read_only' | 'in_memory';

export interface ReadingConnection {
  readonly db: Database.Database;
  readonly mode: ReadingMode;
}

/** The 16 bytes every SQLite database file starts with. */
const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
/** Header offsets of the file format's write and read versions: 2 means WAL, 1 the rollback journal. */
const HEADER_WRITE_VERSION = 18;
const HEADER_READ_VERSION = 19;
const HEADER_LEGACY_VERSION = 1;

/**
 * Opens an existing SQLite file to read, writing nothing to it or beside it. The file must exist (the caller says what
 * its absence means). A database opened in memory is a copy: writes to it are refused, and nothing reaches the file.
 */
export function openForReading(path: string): ReadingConnection {
  const wal = `${path}-wal`;
  if (!existsSync(wal) && canWriteBeside(path)) {
    const db = new Database(path, { fileMustExist: true });
    db.pragma('query_only = ON');
    return { db, mode: 'query_only' };
  }
  if (existsSync(wal)) {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
      return { db, mode: 'read_only' };
    } catch (error) {
      db.close();
      // A FILE-wal with nothing in it and no FILE-shm beside it, where none can be made: the file alone is the database.
      if ((error as { code?: unknown }).code !== 'SQLITE_CANTOPEN' || statSync(wal).size > 0) throw error;
    }
  }
  return { db: new Database(databaseImage(readFileSync(path)), { readonly: true }), mode: 'in_memory' };
}

/**
 * A private copy in memory of the database at `path` (an empty database when there is no file), free to be written:
 * what a command does to it is forgotten when it closes, and the file is never touched.
 */
export function copyIntoMemory(path: string): Database.Database {
  if (!existsSync(path) || statSync(path).size === 0) return new Database(':memory:');
  const { db } = openForReading(path);
  try {
    // Read first: a file that is not a database is refused in SQLite's words, which serialize() would not give.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    // The pages as a reader sees them: the WAL's committed changes included.
    return new Database(databaseImage(db.serialize()));
  } finally {
    db.close();
  }
}

/**
 * The bytes of a database file as SQLite can open them in memory: a WAL-mode file says so in its header, and memory
 * has no WAL, so the header is set back to the rollback journal (the pages themselves are the same in both modes).
 * Bytes that are not a SQLite database are left as they are, for SQLite to refuse in its own words.
 */
function databaseImage(bytes: Buffer): Buffer {
  if (bytes.length < 100 || !bytes.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) return bytes;
  const image = Buffer.from(bytes);
  image[HEADER_WRITE_VERSION] = HEADER_LEGACY_VERSION;
  image[HEADER_READ_VERSION] = HEADER_LEGACY_VERSION;
  return image;
}

/** Whether this process may write the file and create files beside it (its -wal and -shm). */
export function canWriteBeside(path: string): boolean {
  return writable(path) && writable(dirname(path));
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
