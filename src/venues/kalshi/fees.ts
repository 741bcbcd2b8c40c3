// Kalshi's taker fee: ceil_to_cent(0.07 × C × P × (1 − P)) per order, times the series' fee multiplier.
// Worked check (venues.md): 100 contracts at 0.42 → 0.07 × 100 × 0.42 × 0.58 = 1.7052 → $1.71.
import { divRound, parseScaled, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';

/** 0.07 as a fraction. */
const TAKER_RATE_NUMERATOR = 7n;
const TAKER_RATE_DENOMINATOR = 100n;
const MICROS_PER_CENT = 10_000n;
const SCALE_BIG = BigInt(SCALE);

/** The config's `fees.multiplier` (a decimal string, default 1) in parts per million. */
export function parseKalshiMultiplierPpm(multiplier: string | null): number {
  return multiplier === null ? SCALE : parseScaled(multiplier, 6, { label: 'fees.multiplier', allowZero: true });
}

/** Exact in integers: every factor stays a BigInt and the only rounding is the venue's ceiling to the cent. */
export function kalshiTakerFee(quantity: QtyMicros, price: PriceMicros, multiplierPpm: number): Micros {
  if (quantity <= 0) return 0 as Micros;
  const numerator =
    TAKER_RATE_NUMERATOR * BigInt(quantity) * BigInt(price) * (SCALE_BIG - BigInt(price)) * BigInt(multiplierPpm);
  // quantity, price, (1 − price) and the multiplier are each scaled by 10^6: divide three of those scales away to get
  // micro-dollars, then express in cents.
  const denominator = TAKER_RATE_DENOMINATOR * SCALE_BIG * SCALE_BIG * SCALE_BIG * MICROS_PER_CENT;
  const cents = divRound(numerator, denominator, 'up');
  return Number(cents * MICROS_PER_CENT) as Micros;
}
