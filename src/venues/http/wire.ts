// Small readers for venue JSON: every field is checked for presence and type, and every amount is parsed from its
// decimal text (never through a float). A mismatch raises VenueResponseError naming the field, so an API change shows
// up as one clear error at the boundary instead of a NaN deep inside the engine.
import {
  MoneyFormatError,
  parseMicros,
  parsePrice,
  parseQty,
  type Micros,
  type ParseOptions,
  type PriceMicros,
  type QtyMicros,
} from '../../domain/money.js';
import { VenueResponseError } from '../errors.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export class Wire {
  constructor(
    readonly venue: string,
    /** What is being read, e.g. "orderbook" or "fills[2]"; used in error messages. */
    readonly what: string,
    readonly value: JsonObject,
  ) {}

  static of(venue: string, what: string, value: unknown): Wire {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new VenueResponseError(venue, `${what}: expected an object, got ${describeJson(value)}`);
    }
    return new Wire(venue, what, value as JsonObject);
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  fail(message: string): never {
    throw new VenueResponseError(this.venue, `${this.what}: ${message}`);
  }

  string(key: string): string {
    const value = this.value[key];
    if (typeof value !== 'string') this.fail(`${key}: expected a string, got ${describeJson(value)}`);
    return value;
  }

  optionalString(key: string): string | null {
    return this.has(key) ? this.string(key) : null;
  }

  boolean(key: string): boolean {
    const value = this.value[key];
    if (typeof value !== 'boolean') this.fail(`${key}: expected a boolean, got ${describeJson(value)}`);
    return value;
  }

  /** An integer that must be exact (counts, cents, timestamps): safe integers only. */
  integer(key: string): number {
    const value = this.value[key];
    if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (typeof value === 'string' && /^-?\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
    this.fail(`${key}: expected an integer, got ${describeJson(value)}`);
  }

  /** A non-negative integer of any size, as sent by chains (wei amounts, 10^20-scaled odds). */
  bigint(key: string): bigint {
    const value = this.value[key];
    if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
    this.fail(`${key}: expected a non-negative integer string, got ${describeJson(value)}`);
  }

  object(key: string): Wire {
    return Wire.of(this.venue, `${this.what}.${key}`, this.value[key]);
  }

  /** An array field; null or absent reads as empty (venues send null for an empty book side). */
  array(key: string): unknown[] {
    const value = this.value[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) this.fail(`${key}: expected an array, got ${describeJson(value)}`);
    return value as unknown[];
  }

  objects(key: string): Wire[] {
    return this.array(key).map((item, index) => Wire.of(this.venue, `${this.what}.${key}[${index}]`, item));
  }

  micros(key: string, options: ParseOptions = {}): Micros {
    return this.parse(key, () => parseMicros(this.value[key], { label: key, allowZero: true, ...options }));
  }

  price(key: string, options: ParseOptions = {}): PriceMicros {
    return this.parse(key, () => parsePrice(this.value[key], { label: key, ...options }));
  }

  qty(key: string, options: ParseOptions = {}): QtyMicros {
    return this.parse(key, () => parseQty(this.value[key], { label: key, allowZero: true, ...options }));
  }

  private parse<T>(key: string, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof MoneyFormatError) this.fail(`${key}: ${error.message}`);
      throw error;
    }
  }
}

/** Parses a decimal amount that is not a named field (an element of a [price, size] pair). */
export function parseWireDecimal<T>(venue: string, what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof MoneyFormatError) throw new VenueResponseError(venue, `${what}: ${error.message}`);
    throw error;
  }
}

export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** The message inside a venue's error body, whatever its envelope: a string, {error}, {message}, {error:{message}}. */
export function errorText(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body === null || typeof body !== 'object') return 'no details';
  const record = body as Record<string, unknown>;
  for (const key of ['error', 'errorMsg', 'message', 'errorCode']) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
    if (value !== null && typeof value === 'object') return errorText(value);
  }
  return 'no details';
}
