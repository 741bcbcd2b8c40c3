// Typed errors for expected failures. The CLI maps each class to one exit code in one place (cli/errors.ts);
// anything that is not one of these is a bug and exits with its own code.

/** Bad input or usage: unknown id, malformed amount, bad config, a refused operation. Exit 2. */
export class InputError extends Error {
  override readonly name: string = 'InputError';
}

/** Available balance is short: nothing was written. Exit 2. */
export class InsufficientBalanceError extends InputError {
  override readonly name = 'InsufficientBalanceError';
  constructor(
    readonly venue: string,
    readonly requiredMicros: number,
    readonly availableMicros: number,
    message: string,
  ) {
    super(message);
  }
}

/** The same idempotency key was reused with different fields. Exit 2. */
export class IdempotencyConflictError extends InputError {
  override readonly name = 'IdempotencyConflictError';
}

/** A risk limit refuses new positions: nothing was written. Exit 2. The message names the limit and its figures. */
export class RiskLimitError extends InputError {
  override readonly name = 'RiskLimitError';
  constructor(
    readonly limit: string,
    message: string,
  ) {
    super(message);
  }
}

/** An operating error: database unreadable or locked past the timeout, venue unreachable. Exit 3. */
export class OperationalError extends Error {
  override readonly name: string = 'OperationalError';
}

/** A venue could not be reached or answered with a server error. Exit 3. */
export class VenueUnavailableError extends OperationalError {
  override readonly name = 'VenueUnavailableError';
}

/**
 * A file's storage failed under a command (full, read-only, locked past the timeout, unreadable, damaged): exit 3. The
 * message names the file and SQLite's own words, so a person knows which file to look at: the ledger, or the paper
 * venue's books beside it.
 */
export class StorageError extends OperationalError {
  override readonly name = 'StorageError';
  constructor(
    readonly file: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`storage error: ${file}: ${reason}`, options);
  }
}

/**
 * A SQLite error about the file rather than the code: full, read-only, locked, unopenable, malformed, or missing a
 * table the schema has. An operating error (exit 3), wherever it surfaces. (Judged from the error's shape alone, so
 * every layer that holds a SQLite file can ask.)
 */
export function isStorageError(error: unknown): boolean {
  if (error instanceof StorageError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  if (/^SQLITE_(BUSY|LOCKED|IOERR|READONLY|CANTOPEN|FULL|NOTADB|CORRUPT|PERM|NOMEM)/.test(code)) return true;
  return code === 'SQLITE_ERROR' && /^no such (table|column)/.test(error.message);
}

/** A storage error as one naming `file`; anything else (a typed error, a bug) unchanged. */
export function namingFile(error: unknown, file: string): unknown {
  if (error instanceof StorageError || !isStorageError(error)) return error;
  // SQLite's error stays the cause: its code says whether a running engine can wait the fault out.
  return new StorageError(file, error instanceof Error ? error.message : String(error), { cause: error });
}
