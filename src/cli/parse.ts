// Parsing of command-line arguments that are not money (money goes through domain/money.ts).
// Each failure is an InputError with one line naming the argument: exit 2, nothing written.
import { MARKET_NAME_LENGTH_MAX } from '../domain/market.js';
import { InputError } from '../domain/errors.js';
import type { Side } from '../domain/position.js';

export function parseId(text: string, what = 'id'): number {
  if (!/^[1-9]\d{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new InputError(`${what} must be a positive whole number, got "${text}"`);
  }
  return Number(text);
}

export function parseLimit(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 100_000) {
    throw new InputError(`--limit must be a whole number from 1 to 100000, got "${text}"`);
  }
  return Number(text);
}

export function parseMarket(text: string): string {
  if (text.trim() === '') throw new InputError('market must not be empty');
  if (text.length > MARKET_NAME_LENGTH_MAX) throw new InputError(`market name is ${text.length} characters; at most ${MARKET_NAME_LENGTH_MAX}`);
  return text;
}

export function parseSide(text: string): Side {
  if (text !== 'long' && text !== 'short') throw new InputError(`--side must be long or short, got "${text}"`);
  return text;
}

export function parseChoice<T extends string>(text: string, choices: readonly T[], what: string): T {
  if (!(choices as readonly string[]).includes(text)) throw new InputError(`${what} must be one of ${choices.join(', ')}, got "${text}"`);
  return text as T;
}

export function parsePositiveInt(text: string, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new InputError(`${what} must be a whole number from 1 to ${max}, got "${text}"`);
  }
  return Number(text);
}

/** The flags of an option that takes a value, as commander describes it. */
export interface ValueOption {
  readonly long?: string | undefined;
  readonly short?: string | undefined;
  readonly required: boolean;
  readonly optional: boolean;
  readonly variadic: boolean;
}

/**
 * Refuses an option that takes one value given twice (`--side long --side short`): commander keeps the last, so the
 * person would trade what they did not mean. Flags without a value (`--json --json`) are harmless and pass.
 */
export function assertOptionsOnce(args: readonly string[], options: readonly ValueOption[]): void {
  const end = args.indexOf('--');
  const tokens = end === -1 ? args : args.slice(0, end);
  for (const option of options) {
    if (!(option.required || option.optional) || option.variadic) continue;
    const names = [option.long, option.short].filter((name): name is string => name !== undefined);
    const uses = tokens.filter((token) => names.some((name) => token === name || token.startsWith(`${name}=`))).length;
    if (uses > 1) throw new InputError(`${option.long ?? option.short} given ${uses} times; give it once`);
  }
}

/** A calendar date YYYY-MM-DD that exists (no 2026-02-30), as the epoch milliseconds of its start (UTC). */
export function parseUtcDate(text: string, option: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new InputError(`${option} must be a date YYYY-MM-DD, got "${text}"`);
  }
  return ms;
}

/**
 * A calendar date YYYY-MM-DD (UTC) that has begun: what `archive --before` cuts at. A date later than today would
 * archive rows not yet old by any measure, so it is refused as a likely mistake.
 */
export function parseArchiveDate(text: string, todayMs: number = Date.now()): string {
  if (parseUtcDate(text, '--before') > todayMs) throw new InputError(`--before ${text} is in the future; rows written before it may not have settled yet`);
  return text;
}

/** A TCP port to listen on: 0 (any free one) to 65535. */
export function parsePort(text: string, what: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) throw new InputError(`${what} must be a port from 0 to 65535 (0: any free one), got "${text}"`);
  return Number(text);
}
