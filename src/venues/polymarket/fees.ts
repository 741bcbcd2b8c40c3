// Polymarket's taker fee, set per market at match time: fee = C × r × (p × (1 − p))^e (makers pay nothing).
// Computed in integers with one explicit rounding, up to the micro-dollar, so an estimate never understates the fee
// (the venue is reported to floor to 5 decimals, so the venue's charge is at most this figure).
import { divRound, parseScaled, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { PolymarketMarket } from './models.js';

const SCALE_BIG = BigInt(SCALE);
/** Exponents above this are refused (config allows 0–4; the venue uses small integers). */
export const FEE_EXPONENT_MAX = 4;

export interface PolymarketFeeSchedule {
  /** r in parts per million (0.03 → 30_000). */
  readonly ratePpm: number;
  readonly exponent: number;
}

/**
 * Before the market's schedule is known (and with none in the config), assume the highest category rate seen (0.07)
 * with exponent 1: overstating a fee can only make the bot skip a trade, understating it can make it take a losing one.
 */
export const CONSERVATIVE_FEES: PolymarketFeeSchedule = { ratePpm: 70_000, exponent: 1 };

export function polymarketTakerFee(quantity: QtyMicros, price: PriceMicros, fees: PolymarketFeeSchedule): Micros {
  if (quantity <= 0 || fees.ratePpm === 0) return 0 as Micros;
  if (!Number.isInteger(fees.exponent) || fees.exponent < 0 || fees.exponent > FEE_EXPONENT_MAX) {
    throw new RangeError(`polymarket fee exponent must be an integer 0–${FEE_EXPONENT_MAX}, got ${fees.exponent}`);
  }
  const variance = BigInt(price) * (SCALE_BIG - BigInt(price)); // p(1 − p), scaled by 10^12
  const numerator = BigInt(quantity) * BigInt(fees.ratePpm) * variance ** BigInt(fees.exponent);
  // quantity is in micros and stays so; divide away r's 10^6 and 10^12 per power of p(1 − p).
  const denominator = SCALE_BIG * (SCALE_BIG * SCALE_BIG) ** BigInt(fees.exponent);
  return Number(divRound(numerator, denominator, 'up')) as Micros;
}

/**
 * The schedule to use: the config's override when given, else the market's published one (a market that publishes
 * no `fd` charges none, as both official clients read it), else, while the market is unknown, the conservative one.
 */
export function feeScheduleFor(
  configRate: string | null,
  configExponent: number | null,
  market: PolymarketMarket | undefined,
): PolymarketFeeSchedule {
  const ratePpm = configRate !== null ? parseScaled(configRate, 6, { label: 'fees.takerRate', allowZero: true }) : market ? market.feeRatePpm : null;
  const exponent = configExponent ?? market?.feeExponent ?? null;
  if (ratePpm === null) return { ...CONSERVATIVE_FEES, ...(exponent === null ? {} : { exponent }) };
  return { ratePpm, exponent: exponent ?? CONSERVATIVE_FEES.exponent };
}
