// Fixed-point money. Every amount, price and quantity is an integer count of micro-units (scale 10^6):
// 1 USD = 1_000_000 micros, a price of $0.42 = 420_000, a quantity of 0.25 contracts = 250_000.
// Values are plain JS numbers (fast, and what better-sqlite3 returns) branded so that an amount cannot be
// passed where a price is expected; every product is exact (BigInt, or plain numbers when they provably stay below
// 2^53), so nothing is ever rounded by a float.

declare const brand: unique symbol;
type Brand<T, B extends string> = T & { readonly [brand]: B };

/** USD in micro-units. */
export type Micros = Brand<number, 'Micros'>;
/** Price per contract (or per unit) in micro-USD. */
export type PriceMicros = Brand<number, 'PriceMicros'>;
/** Quantity of contracts/units in micro-units. */
export type QtyMicros = Brand<number, 'QtyMicros'>;
/** A fraction in parts per million (1% = 10_000 ppm). */
export type Ppm = Brand<number, 'Ppm'>;

export const SCALE = 1_000_000;
/** 100% in parts per million. */
export const PPM_ALL = SCALE as Ppm;
/** $1: what a prediction-market contract of the winning outcome pays, and the ceiling of its price. */
export const PRICE_ONE = SCALE as PriceMicros;
const SCALE_DIGITS = 6;
const SCALE_BIG = 1_000_000n;
/** 10^6 micros per dollar; the largest amount accepted anywhere is bounded by Number.MAX_SAFE_INTEGER (~$9 billion). */
export const MICROS_MAX = Number.MAX_SAFE_INTEGER;

export type Rounding = 'down' | 'up';

export class MoneyFormatError extends Error {
  override readonly name = 'MoneyFormatError';
}

export interface ParseOptions {
  /** Name used in error messages, e.g. "--size" or "amount". */
  readonly label?: string;
  readonly allowZero?: boolean;
  readonly allowNegative?: boolean;
  /** Digits after the point at most (default 6, the ledger's scale). */
  readonly maxDecimals?: number;
}

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string (or a JSON number through its decimal text) into an integer at the given scale,
 * without ever going through a float. Rejects exponents, NaN, Infinity, empty strings, too many decimals.
 */
export function parseScaled(input: unknown, scaleDigits: number, options: ParseOptions = {}, defaultLabel = 'amount'): number {
  const label = options.label ?? defaultLabel;
  if (typeof input === 'string') {
    // The usual text ("0.495", "25") is read in integer arithmetic; anything else takes the general path below.
    const plain = readPlainDecimal(input, scaleDigits, options.maxDecimals ?? scaleDigits);
    if (plain !== null) {
      if (plain === 0 && !options.allowZero) throw new MoneyFormatError(`${label}: must be greater than zero`);
      return plain;
    }
  }
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new MoneyFormatError(`${label}: ${String(input)} is not a finite number`);
    text = String(input);
  } else if (typeof input === 'string') {
    text = input.trim();
  } else if (typeof input === 'bigint') {
    text = input.toString();
  } else {
    throw new MoneyFormatError(`${label}: expected a decimal number, got ${input === null ? 'null' : typeof input}`);
  }
  if (text === '') throw new MoneyFormatError(`${label}: empty value`);
  const match = DECIMAL_RE.exec(text);
  if (!match) throw new MoneyFormatError(`${label}: "${text}" is not a plain decimal number (digits, optional point; no exponent)`);
  const [, sign, whole = '', fraction = ''] = match;
  const maxDecimals = options.maxDecimals ?? scaleDigits;
  if (fraction.length > maxDecimals) {
    throw new MoneyFormatError(`${label}: "${text}" has ${fraction.length} decimals; at most ${maxDecimals} allowed`);
  }
  const digits = BigInt(whole + fraction.padEnd(scaleDigits, '0'));
  const value = sign ? -digits : digits;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MoneyFormatError(`${label}: "${text}" is too large`);
  }
  const result = Number(value);
  if (result < 0 && !options.allowNegative) throw new MoneyFormatError(`${label}: "${text}" must not be negative`);
  if (result === 0 && !options.allowZero) throw new MoneyFormatError(`${label}: must be greater than zero`);
  return result === 0 ? 0 : result; // normalise -0
}

/** Total digits the plain reader takes (whole digits plus the scale's decimals): 10^15 stays below 2^53. */
const PLAIN_DIGITS_MAX = 15;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const POINT = 46;
/** 10^0 … 10^15: a table, because `10 ** n` with a variable n costs more than the rest of the read. */
const POWERS_OF_TEN = Array.from({ length: PLAIN_DIGITS_MAX + 1 }, (_, n) => 10 ** n);

/**
 * Plain unsigned decimal text — digits, then at most one point followed by 1 to `maxDecimals` digits — read into
 * units of 10^-scaleDigits with integer arithmetic; null for anything else (signs, spaces, exponents, too many digits
 * or decimals), which parseScaled's general path then reads or rejects with its message. It exists because the
 * regular expression and BigInt of that path cost about half a microsecond, and a feed parses two prices per quote.
 */
export function readPlainDecimal(text: string, scaleDigits: number, maxDecimals = scaleDigits): number | null {
  if (!Number.isInteger(scaleDigits) || scaleDigits < 0 || scaleDigits >= PLAIN_DIGITS_MAX) return null;
  const length = text.length;
  const wholeDigitsMax = PLAIN_DIGITS_MAX - scaleDigits;
  let whole = 0;
  let index = 0;
  for (; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === POINT) break;
    if (code < DIGIT_0 || code > DIGIT_9 || index >= wholeDigitsMax) return null;
    whole = whole * 10 + (code - DIGIT_0);
  }
  if (index === 0) return null;
  const unit = POWERS_OF_TEN[scaleDigits] as number;
  if (index === length) return whole * unit;
  const decimals = length - index - 1;
  if (decimals < 1 || decimals > maxDecimals || decimals > scaleDigits) return null;
  let fraction = 0;
  for (let at = index + 1; at < length; at += 1) {
    const code = text.charCodeAt(at);
    if (code < DIGIT_0 || code > DIGIT_9) return null;
    fraction = fraction * 10 + (code - DIGIT_0);
  }
  return whole * unit + fraction * (POWERS_OF_TEN[scaleDigits - decimals] as number);
}

export function parseMicros(input: unknown, options: ParseOptions = {}): Micros {
  return parseScaled(input, SCALE_DIGITS, options) as Micros;
}

export function parsePrice(input: unknown, options: ParseOptions = {}): PriceMicros {
  return parseScaled(input, SCALE_DIGITS, options, 'price') as PriceMicros;
}

export function parseQty(input: unknown, options: ParseOptions = {}): QtyMicros {
  return parseScaled(input, SCALE_DIGITS, options, 'quantity') as QtyMicros;
}

/** Parses a percentage such as "0.26" (meaning 0.26%) into parts per million (2600). */
export function parsePct(input: unknown, options: ParseOptions = {}): Ppm {
  return parseScaled(input, 4, { label: 'percentage', allowZero: true, ...options }) as Ppm;
}

/** Formats an integer at the given scale back to its exact decimal text, always with `scaleDigits` decimals. */
export function formatScaled(value: number, scaleDigits: number): string {
  assertSafeInteger(value, 'formatScaled');
  const negative = value < 0;
  const digits = Math.abs(value).toString().padStart(scaleDigits + 1, '0');
  const whole = digits.slice(0, digits.length - scaleDigits);
  const fraction = digits.slice(digits.length - scaleDigits);
  return `${negative ? '-' : ''}${whole}${scaleDigits > 0 ? `.${fraction}` : ''}`;
}

/** Exact decimal text, six decimals: 102322250 → "102.322250". Used for JSON output. */
export function formatMicros(value: number): string {
  return formatScaled(value, SCALE_DIGITS);
}

/** Exact decimal text with trailing zeros trimmed (at least `minDecimals`): 102322250 → "102.32225". */
export function formatMicrosTrim(value: number, minDecimals = 2): string {
  const full = formatMicros(value);
  const [whole, fraction = ''] = full.split('.');
  let trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length < minDecimals) trimmed = trimmed.padEnd(minDecimals, '0');
  return trimmed.length > 0 ? `${whole}.${trimmed}` : `${whole}`;
}

/** Human dollars rounded half away from zero to `decimals` places: 102322250 → "$102.32", -180000 → "-$0.18". */
export function formatUsd(value: number, decimals = 2): string {
  const rounded = roundToDecimals(value, decimals);
  const text = formatScaled(Math.abs(rounded) / 10 ** (SCALE_DIGITS - decimals), decimals);
  return `${rounded < 0 ? '-' : ''}$${text}`;
}

/** Signed human dollars: "+$2.32" / "-$0.18". */
export function formatSignedUsd(value: number, decimals = 2): string {
  return value >= 0 ? `+${formatUsd(value, decimals)}` : formatUsd(value, decimals);
}

/** A ppm fraction as a percentage with two decimals: 92889 → "+9.29%". */
export function formatPpmPct(ppm: number, signed = true): string {
  const hundredths = Number(divRound(BigInt(ppm), 100n, 'half'));
  const text = formatScaled(Math.abs(hundredths), 2);
  const sign = hundredths < 0 ? '-' : signed ? '+' : '';
  return `${sign}${text}%`;
}

function roundToDecimals(value: number, decimals: number): number {
  // Plain numbers when exact (every description of a wallet change formats an amount): a safe integer at least
  // 10^6 below the limit, rounded to a multiple of a power of ten at most 10^6, stays a safe integer throughout.
  if (Number.isSafeInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER - SCALE && Number.isInteger(decimals) && decimals >= 0 && decimals <= SCALE_DIGITS) {
    const unitNumber = 10 ** (SCALE_DIGITS - decimals);
    const remainder = value % unitNumber;
    const quotient = (value - remainder) / unitNumber;
    // Half away from zero, as divRound's 'half'.
    const away = remainder !== 0 && Math.abs(remainder) * 2 >= unitNumber;
    return (away ? (value < 0 ? quotient - 1 : quotient + 1) : quotient) * unitNumber;
  }
  const unit = BigInt(10 ** (SCALE_DIGITS - decimals));
  return Number(divRound(BigInt(value), unit, 'half') * unit);
}

/** Integer division of BigInts with an explicit rounding rule (floor, ceil, or half away from zero). */
export function divRound(numerator: bigint, denominator: bigint, rounding: Rounding | 'half'): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  const quotient = numerator / denominator; // truncates toward zero
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  if (rounding === 'down') return numerator < 0n ? quotient - 1n : quotient;
  if (rounding === 'up') return numerator > 0n ? quotient + 1n : quotient;
  const twice = (remainder < 0n ? -remainder : remainder) * 2n;
  if (twice >= denominator) return numerator < 0n ? quotient - 1n : quotient + 1n;
  return quotient;
}

/** a × b / d with explicit rounding, computed exactly. */
export function mulDiv(a: number, b: number, d: number, rounding: Rounding): number {
  const fast = mulDivSafe(a, b, d, rounding);
  if (fast !== undefined) return fast;
  const result = divRound(BigInt(a) * BigInt(b), BigInt(d), rounding);
  return toSafeNumber(result, 'mulDiv');
}

/**
 * mulDiv in plain numbers when that is exact, else undefined: the scanner and the fee formulas call mulDiv dozens of
 * times per quote, and BigInt allocates on every step. Exact because every value involved stays an integer below
 * 2^53: a product whose rounded value is at most MAX_SAFE_INTEGER was itself below 2^53 (rounding is monotonic and
 * 2^53 is representable), `%` of such integers is exact, and (p − r) / d divides an exact multiple of d. Rounds as
 * divRound does: the quotient truncates toward zero, then moves down (floor) or up (ceil) on a remainder.
 */
function mulDivSafe(a: number, b: number, d: number, rounding: Rounding): number | undefined {
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || !Number.isSafeInteger(d) || d === 0) return undefined;
  let product = a * b;
  if (!(Math.abs(product) <= Number.MAX_SAFE_INTEGER)) return undefined;
  let divisor = d;
  if (divisor < 0) {
    product = -product;
    divisor = -divisor;
  }
  const remainder = product % divisor;
  // x − x is +0, so the quotient is never −0 (the BigInt path never returns it either).
  const quotient = (product - remainder) / divisor;
  if (remainder === 0) return quotient;
  if (rounding === 'down') return product < 0 ? quotient - 1 : quotient;
  return product > 0 ? quotient + 1 : quotient;
}

/** Value of a quantity at a price: qty × price / SCALE. */
export function notional(qty: QtyMicros, price: PriceMicros, rounding: Rounding): Micros {
  return mulDiv(qty, price, SCALE, rounding) as Micros;
}

/** Quantity bought by spending `amount` at `price`: amount × SCALE / price. */
export function quantityFor(amount: Micros, price: PriceMicros, rounding: Rounding): QtyMicros {
  if (price <= 0) throw new RangeError('quantityFor: price must be positive');
  return mulDiv(amount, SCALE, price, rounding) as QtyMicros;
}

/** A ppm fraction of an amount: amount × ppm / 10^6. Costs call this with 'up' so they round against us. */
export function applyPpm(amount: Micros, ppm: Ppm, rounding: Rounding): Micros {
  return mulDiv(amount, ppm, SCALE, rounding) as Micros;
}

/** Price moved by a ppm fraction: price × (10^6 ± ppm) / 10^6. */
export function priceOffset(price: PriceMicros, ppm: number, rounding: Rounding): PriceMicros {
  return mulDiv(price, SCALE + ppm, SCALE, rounding) as PriceMicros;
}

/** part / whole as ppm (for PnL percentages), rounded half away from zero. */
export function ratioPpm(part: number, whole: number): number {
  if (whole === 0) return 0;
  return toSafeNumber(divRound(BigInt(part) * SCALE_BIG, BigInt(whole), 'half'), 'ratioPpm');
}

// One checked constructor per brand: alike in shape, kept apart so the brand a value gets is the one its name says.
export function micros(value: number): Micros {
  assertSafeInteger(value, 'micros');
  return value as Micros;
}

export function price(value: number): PriceMicros {
  assertSafeInteger(value, 'price');
  return value as PriceMicros;
}

export function qty(value: number): QtyMicros {
  assertSafeInteger(value, 'qty');
  return value as QtyMicros;
}

export function ppm(value: number): Ppm {
  assertSafeInteger(value, 'ppm');
  return value as Ppm;
}

export function assertSafeInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what}: ${String(value)} is not a safe integer`);
}

function toSafeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${what}: result ${value} exceeds the safe integer range`);
  }
  return Number(value);
}
