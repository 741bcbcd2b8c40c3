// Files that hold secrets or money: key and credentials files must be readable by their owner alone (as ssh insists
// of a private key), and the files arbbot creates (the ledger, the paper books, the log) are created that way.
import { closeSync, openSync, statSync } from 'node:fs';

/** Permission bits of group and others. */
const GROUP_OTHER_BITS = 0o077;
const OWNER_ONLY_MODE = 0o600;

/** Windows has no Unix permission bits (Node reports 0o666 for every writable file): nothing to check there. */
const UNIX_MODES = process.platform !== 'win32';

/**
 * Why a key or credentials file must not be used as it is, or null when only its owner can read or write it. The
 * reason names the file, its mode and the fix; never its content. A file that cannot be read is left to the reader,
 * which names its own error.
 */
export function ownerOnlyProblem(path: string): string | null {
  if (!UNIX_MODES) return null;
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return null;
  }
  if ((mode & GROUP_OTHER_BITS) === 0) return null;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return `${path} is accessible by group or others (mode ${octal}); run: chmod 600 ${path}`;
}

/**
 * Creates `path` empty with mode 0600 unless it exists. SQLite gives a database's -wal and -shm files the mode of
 * the database itself, so creating the database this way keeps all three private. An existing file is left as it is.
 * Returns whether this call created the file.
 */
export function createOwnerOnly(path: string): boolean {
  // SQLite's in-memory and temporary databases have no file.
  if (path === '' || path === ':memory:') return false;
  let fd: number;
  try {
    fd = openSync(path, 'wx', OWNER_ONLY_MODE);
  } catch {
    // Already there (perhaps another process created it a moment ago), or not creatable: the opener reports that.
    return false;
  }
  closeSync(fd);
  return true;
}
