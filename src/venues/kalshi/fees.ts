// Kalshi's taker fee on a buy, as the exchange charges it (Kalshi docs: "Fee Rounding"; the fee schedule's taker
// formula 0.07 × C × P × (1 − P), times the series' fee multiplier):
//   trade fee     the formula's value rounded up to $0.0001 (a centicent);
//   rounding fee  what brings the balance back to the member's precision: the balance moves by
//                 floor(−C × P − trade fee) to $0.01 (to $0.0001 for direct members of the exchange);
//   net fee       trade fee + rounding fee = ceil_to_precision(C × P + trade fee) − C × P.
// At whole-cent prices and whole contracts C × P is a whole number of cents, so the net fee is the trade fee rounded
// up to the cent. Worked check: 100 contracts at 0.42 → 0.07 × 100 × 0.42 × 0.58 = 1.7052 → $1.71.
// Estimated at the cent (the coarser precision), so the figure is never below what either kind of member pays. It is
// the fee of one fill: Kalshi's per-order fee accumulator refunds whole cents of rounding paid over several fills, so
// an order's fills add up to within a cent of it; the fills' own fee_cost is what the ledger books.
import { divRound, parseScaled, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';

/** 0.07 as a fraction. */
const TAKER_RATE_NUMERATOR = 7n;
const TAKER_RATE_DENOMINATOR = 100n;
const SCALE_BIG = BigInt(SCALE);
/** Amounts below are in 10^-12 dollars: a quantity (10^-6) times a price (10^-6) is exact there. */
const PICO_PER_MICRO = SCALE_BIG;
const PICO_PER_CENTICENT = 100n * PICO_PER_MICRO;
export const CENT_MICROS = 10_000;
export const CENTICENT_MICROS = 100;

/** The config's `fees.multiplier` (a decimal string, default 1) in parts per million. */
export function parseKalshiMultiplierPpm(multiplier: string | null): number {
  return multiplier === null ? SCALE : parseScaled(multiplier, 6, { label: 'fees.multiplier', allowZero: true });
}

/**
 * The net taker fee for buying `quantity` at `price` in one fill, exact in integers. `balanceStepMicros` is the
 * member's balance precision: a cent (the default), or a centicent for a direct member.
 */
export function kalshiTakerFee(quantity: QtyMicros, price: PriceMicros, multiplierPpm: number, balanceStepMicros: number = CENT_MICROS): Micros {
  if (quantity <= 0) return 0 as Micros;
  const notionalPico = BigInt(quantity) * BigInt(price);
  // quantity, price, (1 − price) and the multiplier each carry 10^6: three of those scales and the rate's 100 are
  // divided away to reach centicents (10^-4 dollars).
  const formula = TAKER_RATE_NUMERATOR * BigInt(quantity) * BigInt(price) * (SCALE_BIG - BigInt(price)) * BigInt(multiplierPpm);
  const tradeFeeCenticents = divRound(formula, TAKER_RATE_DENOMINATOR * SCALE_BIG * SCALE_BIG * SCALE_BIG * (SCALE_BIG / 10_000n), 'up');
  const stepPico = BigInt(balanceStepMicros) * PICO_PER_MICRO;
  const debitedPico = divRound(notionalPico + tradeFeeCenticents * PICO_PER_CENTICENT, stepPico, 'up') * stepPico;
  // Exact in micro-dollars whenever the price has at most 4 decimals; an average price may have more: round up.
  return Number(divRound(debitedPico - notionalPico, PICO_PER_MICRO, 'up')) as Micros;
}
