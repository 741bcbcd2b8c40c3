// The one place errors become exit codes. 0 ok; 1 a check found a problem; 2 bad input or usage;
// 3 an operating error (database or venue); anything else is a bug (70, with the stack under --verbose).
import { CommanderError } from 'commander';
import { InputError, namingFile, OperationalError, StorageError } from '../domain/errors.js';
import { MoneyFormatError } from '../domain/money.js';
import { LadderConfigError } from '../domain/position.js';
import { isStorageError } from '../app/ledger-access.js';
import { VenueRejectedError } from '../venues/venue.js';

export const EXIT = { ok: 0, checkFailed: 1, badInput: 2, operational: 3, bug: 70 } as const;

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  // A venue refusing a request (bad credentials, unknown market, invalid order) is not helped by retrying: fix the input.
  if (error instanceof InputError || error instanceof MoneyFormatError || error instanceof LadderConfigError || error instanceof VenueRejectedError) {
    return EXIT.badInput;
  }
  // A storage error that reached the top without being translated is still an operating error, not a bug.
  if (error instanceof OperationalError || isStorageError(error)) return EXIT.operational;
  return EXIT.bug;
}

/** The name of an exit code, as --json errors carry it beside the number. */
export function errorName(exitCode: number): string {
  const names: Record<number, string> = { [EXIT.ok]: 'ok', [EXIT.checkFailed]: 'check_failed', [EXIT.badInput]: 'bad_input', [EXIT.operational]: 'operational' };
  return names[exitCode] ?? 'bug';
}

/**
 * A storage error as SQLite raised it names no file: it is about the ledger the command opened (the paper venue's
 * books name their own file where they fail). Everything else is returned as it is.
 */
export function withLedgerFile(error: unknown, ledgerFile: string | null): unknown {
  return ledgerFile === null ? error : namingFile(error, ledgerFile);
}

export function errorLine(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = isStorageError(error) && !(error instanceof StorageError) ? `storage error: ${raw}` : raw;
  return `arbbot: ${message.split('\n')[0] ?? message}`;
}
