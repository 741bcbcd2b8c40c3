// Parsing of command-line arguments that are not money (money goes through domain/money.ts).
// Each failure is an InputError with one line naming the argument: exit 2, nothing written.
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
