// The one place errors become exit codes. 0 ok; 1 a check found a problem; 2 bad input or usage;
// 3 an operating error (database or venue); anything else is a bug (70, with the stack under --verbose).
import { CommanderError } from 'commander';
import { InputError, OperationalError } from '../domain/errors.js';
import { MoneyFormatError } from '../domain/money.js';
import { LadderConfigError } from '../domain/position.js';
import { VenueRejectedError } from '../venues/venue.js';

export const EXIT = { ok: 0, checkFailed: 1, badInput: 2, operational: 3, bug: 70 } as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  // A venue refusing a request (bad credentials, unknown market, invalid order) is not helped by retrying: fix the input.
  if (error instanceof InputError || error instanceof MoneyFormatError || error instanceof LadderConfigError || error instanceof VenueRejectedError) {
    return EXIT.badInput;
  }
  if (error instanceof OperationalError || isStorageError(error)) return EXIT.operational;
  return EXIT.bug;
}

/**
 * A SQLite error about the file rather than the code — full, read-only, locked, unopenable, malformed, or missing a
 * table the schema has — that reached the top without being translated: an operating error (exit 3), not a bug.
 */
export function isStorageError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return false;
  if (/^SQLITE_(BUSY|LOCKED|IOERR|READONLY|CANTOPEN|FULL|NOTADB|CORRUPT|PERM|NOMEM)/.test(code)) return true;
  return code === 'SQLITE_ERROR' && /^no such (table|column)/.test(error.message);
}

/** The name of an exit code, as --json errors carry it beside the number. */
export function errorName(exitCode: number): string {
  const names: Record<number, string> = { [EXIT.ok]: 'ok', [EXIT.checkFailed]: 'check_failed', [EXIT.badInput]: 'bad_input', [EXIT.operational]: 'operational' };
  return names[exitCode] ?? 'bug';
}

export function errorLine(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = isStorageError(error) ? `storage error: ${raw}` : raw;
  return `arbbot: ${message.split('\n')[0] ?? message}`;
}
