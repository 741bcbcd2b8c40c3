// Reading a stored column into a domain value: money, a flag, a state. The schema's CHECK constraints refuse most
// impossible values, but a file edited by hand (checks ignored, triggers dropped), or an integer past 2^53 that the
// driver hands over silently rounded, can still hold one. Each value the domain gives a meaning is checked to be the
// kind the ledger writes before it becomes that meaning; a row that is not is refused by name, never traded on.
// Ranges and sums (a negative balance, a total that is not available + locked) are not judged here: wallet-check
// reports those, and must be able to read the row to do it.
import { OperationalError } from '../domain/errors.js';
import { micros, price, qty, type Micros, type PriceMicros, type QtyMicros } from '../domain/money.js';

/** Which row: its id, or its key where the table has no id (a wallet's venue). */
export type RowKey = number | string;

/** A stored row no version of the ledger writes. An operating error (exit 3): the file needs a person, not a retry. */
export class CorruptRowError extends OperationalError {
  override readonly name = 'CorruptRowError';

  constructor(
    readonly table: string,
    readonly rowKey: RowKey,
    readonly column: string,
    value: unknown,
    expected: string,
  ) {
    super(`ledger row ${table} ${typeof rowKey === 'number' ? `#${rowKey}` : `"${rowKey}"`}: ${column} is ${shown(value)}, expected ${expected}`);
  }
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

const MONEY = 'a whole number of micro-units within ±2^53';

function integer(table: string, key: RowKey, column: string, value: unknown): number {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  throw new CorruptRowError(table, key, column, value, MONEY);
}

export function storedMicros(table: string, key: RowKey, column: string, value: unknown): Micros {
  return micros(integer(table, key, column, value));
}

export function storedMicrosOrNull(table: string, key: RowKey, column: string, value: unknown): Micros | null {
  return value === null ? null : storedMicros(table, key, column, value);
}

export function storedPrice(table: string, key: RowKey, column: string, value: unknown): PriceMicros {
  return price(integer(table, key, column, value));
}

export function storedPriceOrNull(table: string, key: RowKey, column: string, value: unknown): PriceMicros | null {
  return value === null ? null : storedPrice(table, key, column, value);
}

export function storedQty(table: string, key: RowKey, column: string, value: unknown): QtyMicros {
  return qty(integer(table, key, column, value));
}

/** A boolean column: SQLite has none, so the ledger writes 0 or 1 and nothing else. */
export function storedFlag(table: string, key: RowKey, column: string, value: unknown): boolean {
  if (value === 1) return true;
  if (value === 0) return false;
  throw new CorruptRowError(table, key, column, value, '0 or 1');
}

/** A column holding one of a domain union's strings (a state, a kind, a side). */
export function storedChoice<T extends string>(table: string, key: RowKey, column: string, value: unknown, choices: readonly T[]): T {
  if (isChoice(value, choices)) return value;
  throw new CorruptRowError(table, key, column, value, `one of ${choices.join(', ')}`);
}

function isChoice<T extends string>(value: unknown, choices: readonly T[]): value is T {
  return (choices as readonly unknown[]).includes(value);
}
