// Risk limits, pure: what may be opened given the day's realised PnL, the positions open and a position's cost.
// Every figure is an integer (micro-USD or a count); the callers read the figures, these rules only judge them.
import { formatUsd, type Micros } from './money.js';

/** The configured limits; null (or a venue absent from the map) means no limit. */
export interface RiskLimits {
  /** The most the day's realised net PnL may lose, all venues together. */
  readonly maxDailyLossMicros: Micros | null;
  /** The same, per venue (config venues.<name>.maxDailyLossUsd). */
  readonly venueMaxDailyLossMicros: ReadonlyMap<string, Micros>;
  /** The most positions open at once, every kind counted. */
  readonly maxOpenPositions: number | null;
  /** The most cost basis one position may have. */
  readonly maxPositionMicros: Micros | null;
}

export const NO_RISK_LIMITS: RiskLimits = {
  maxDailyLossMicros: null,
  venueMaxDailyLossMicros: new Map(),
  maxOpenPositions: null,
  maxPositionMicros: null,
};

/** Config keys, so a refusal names the limit the way the user wrote it. */
export const MAX_DAILY_LOSS_KEY = 'risk.maxDailyLossUsd';
export const MAX_OPEN_POSITIONS_KEY = 'risk.maxOpenPositions';
export const MAX_POSITION_KEY = 'risk.maxPositionUsd';
export const venueDailyLossKey = (venue: string): string => `venues.${venue}.maxDailyLossUsd`;

/** A limit that refuses something, with its figures. */
export interface RiskBreach {
  /** The config key of the limit. */
  readonly limit: string;
  /** The venue of a per-venue limit, or of the position refused; null for a limit over all venues. */
  readonly venue: string | null;
  /** The figure judged (a loss or a cost in micro-USD, or a count of positions) and the limit it met. */
  readonly value: number;
  readonly limitValue: number;
  readonly unit: 'usd' | 'positions';
  /** One line naming the limit and the figures. */
  readonly message: string;
}

export const DAY_MS = 86_400_000;

/** The UTC midnight that starts the day holding `ms`. */
export function utcDayStartMs(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** "2026-11-22": the UTC day starting at `dayStartMs`. */
export function utcDayLabel(dayStartMs: number): string {
  return new Date(dayStartMs).toISOString().slice(0, 10);
}

export function hasAnyLimit(limits: RiskLimits): boolean {
  return hasDailyLossLimit(limits) || limits.maxOpenPositions !== null || limits.maxPositionMicros !== null;
}

export function hasDailyLossLimit(limits: RiskLimits): boolean {
  return limits.maxDailyLossMicros !== null || limits.venueMaxDailyLossMicros.size > 0;
}

/** A running total of realised net PnL and the deepest loss it has reached (0 or more, micro-USD). */
interface RunningLoss {
  net: number;
  deepest: number;
}

/**
 * One UTC day's realised losses, built close by close in the order the closes were recorded: each close's net PnL
 * (fees, and any loss beyond the wallet's funds, included). The day's loss is its deepest point: a limit reached once
 * holds until midnight, even if a later close wins part of the loss back, so a day cannot trade again by recovering.
 */
export class DailyLoss {
  private readonly overall: RunningLoss = { net: 0, deepest: 0 };
  private readonly byVenue = new Map<string, RunningLoss>();

  constructor(readonly dayStartMs: number) {}

  add(venue: string, netPnlMicros: number): void {
    accumulate(this.overall, netPnlMicros);
    let running = this.byVenue.get(venue);
    if (!running) {
      running = { net: 0, deepest: 0 };
      this.byVenue.set(venue, running);
    }
    accumulate(running, netPnlMicros);
  }

  /** The deepest loss of the day so far, on `venue`, or over all venues together for null. */
  deepestLoss(venue: string | null): number {
    return (venue === null ? this.overall : this.byVenue.get(venue))?.deepest ?? 0;
  }

  /** The day's realised net PnL so far (a loss is negative). */
  netPnl(venue: string | null): number {
    return (venue === null ? this.overall : this.byVenue.get(venue))?.net ?? 0;
  }
}

/** Only a negative running total is a loss: a winning day loses nothing. */
function accumulate(running: RunningLoss, netPnlMicros: number): void {
  running.net += netPnlMicros;
  if (-running.net > running.deepest) running.deepest = -running.net;
}

/**
 * Every daily-loss limit reached on the day: the overall one (all venues together) and each venue's. Reached means
 * the loss came to the limit or beyond it: from then on, until midnight, no new position opens where it applies.
 */
export function dailyLossBreaches(limits: RiskLimits, day: DailyLoss): RiskBreach[] {
  const breaches: RiskBreach[] = [];
  const dayText = utcDayLabel(day.dayStartMs);
  if (limits.maxDailyLossMicros !== null) {
    const loss = day.deepestLoss(null);
    if (loss >= limits.maxDailyLossMicros) {
      breaches.push(lossBreach(MAX_DAILY_LOSS_KEY, null, loss, limits.maxDailyLossMicros, `today's realised loss across venues reached ${formatUsd(loss)} (UTC ${dayText})`));
    }
  }
  for (const [venue, limit] of limits.venueMaxDailyLossMicros) {
    const loss = day.deepestLoss(venue);
    if (loss >= limit) breaches.push(lossBreach(venueDailyLossKey(venue), venue, loss, limit, `today's realised loss on ${venue} reached ${formatUsd(loss)} (UTC ${dayText})`));
  }
  return breaches;
}

function lossBreach(limit: string, venue: string | null, loss: number, limitValue: number, what: string): RiskBreach {
  return { limit, venue, value: loss, limitValue, unit: 'usd', message: `${limit}: ${what}, the limit is ${formatUsd(limitValue)}` };
}

/** The first reached daily-loss limit that stops new positions on any of `venues` (the overall limit stops all). */
export function dailyLossBreachFor(breaches: readonly RiskBreach[], venues: readonly string[]): RiskBreach | null {
  return breaches.find((breach) => breach.venue === null || venues.includes(breach.venue)) ?? null;
}

/** Whether `adding` more positions fit beside `open` ones. */
export function openPositionsBreach(limits: RiskLimits, open: number, adding: number): RiskBreach | null {
  const max = limits.maxOpenPositions;
  if (max === null || open + adding <= max) return null;
  const needs = adding === 1 ? '' : ` (this needs room for ${adding})`;
  return {
    limit: MAX_OPEN_POSITIONS_KEY,
    venue: null,
    value: open,
    limitValue: max,
    unit: 'positions',
    message: `${MAX_OPEN_POSITIONS_KEY}: ${open} position${open === 1 ? '' : 's'} open, the limit is ${max}${needs}`,
  };
}

/** Whether one position of `costMicros` (its cost basis) is within the limit; exactly the limit is allowed. */
export function positionSizeBreach(limits: RiskLimits, venue: string, costMicros: number): RiskBreach | null {
  const max = limits.maxPositionMicros;
  if (max === null || costMicros <= max) return null;
  return {
    limit: MAX_POSITION_KEY,
    venue,
    value: costMicros,
    limitValue: max,
    unit: 'usd',
    message: `${MAX_POSITION_KEY}: a position of ${formatUsd(costMicros)} on ${venue} is above the limit of ${formatUsd(max)}`,
  };
}

/** What opening new positions needs: their venues, how many, and the cost of the largest one (null: sized within the limit). */
export interface NewPositions {
  readonly venues: readonly string[];
  readonly count: number;
  readonly largestCostMicros: number | null;
}

/**
 * The first limit the new positions would break, or null: cost first (nothing else matters for a position too big),
 * then room beside the open positions, then the day's losses.
 */
export function newPositionsBreach(limits: RiskLimits, request: NewPositions, state: { openPositions: number; dailyLoss: readonly RiskBreach[] }): RiskBreach | null {
  const venue = request.venues[0] ?? '';
  return (
    (request.largestCostMicros === null ? null : positionSizeBreach(limits, venue, request.largestCostMicros)) ??
    openPositionsBreach(limits, state.openPositions, request.count) ??
    dailyLossBreachFor(state.dailyLoss, request.venues)
  );
}

/** A size capped at the position limit: what the engine opens when it sizes a position itself. */
export function capToPositionLimit(limits: RiskLimits, sizeMicros: Micros): Micros {
  return limits.maxPositionMicros !== null && sizeMicros > limits.maxPositionMicros ? limits.maxPositionMicros : sizeMicros;
}
