// Positions and the TP/SL ladder, as pure functions. The ladder is measured from the entry price:
// TP1 → stop to breakeven, TP2 → stop trails to the TP1 price, TP3 → close; price at or through the stop → close.
// Shorts mirror longs. A price that gaps through several levels applies them all, in order, within one tick.
import { priceOffset, type Ppm, type PriceMicros } from './money.js';

export type Side = 'long' | 'short';
export const SIDES: readonly Side[] = ['long', 'short'];

export interface LadderConfig {
  readonly tp1Ppm: Ppm;
  readonly tp2Ppm: Ppm;
  readonly tp3Ppm: Ppm;
  readonly slPpm: Ppm;
}

export interface LadderLevels {
  readonly tp1Price: PriceMicros;
  readonly tp2Price: PriceMicros;
  readonly tp3Price: PriceMicros;
  readonly slPrice: PriceMicros;
  /**
   * A short with no price ceiling: the mark at which the money locked for it is used up. It closes there like a stop,
   * even when its stop is further away (a stop loss of 99% sits beyond it).
   */
  readonly liquidationPrice?: PriceMicros | null;
}

export interface LadderState {
  readonly tp1Hit: boolean;
  readonly tp2Hit: boolean;
  /** The current stop: the initial stop loss, then breakeven after TP1, then the TP1 price after TP2. */
  readonly stopPrice: PriceMicros;
}

export type LadderEvent =
  | { readonly kind: 'tp1'; readonly price: PriceMicros; readonly newStop: PriceMicros }
  | { readonly kind: 'tp2'; readonly price: PriceMicros; readonly newStop: PriceMicros };

export type CloseTrigger = 'tp3' | 'stop_loss' | 'breakeven_stop' | 'trailing_stop' | 'liquidation';

export interface LadderDecision {
  readonly state: LadderState;
  readonly events: readonly LadderEvent[];
  readonly close: { readonly trigger: CloseTrigger; readonly price: PriceMicros } | null;
}

export class LadderConfigError extends Error {
  override readonly name = 'LadderConfigError';
}

/** Price levels for a new position. Levels round away from the entry, so a target is never easier to reach than configured. */
export function ladderLevels(side: Side, entryPrice: PriceMicros, config: LadderConfig): LadderLevels {
  if (!(config.tp1Ppm > 0 && config.tp1Ppm < config.tp2Ppm && config.tp2Ppm < config.tp3Ppm)) {
    throw new LadderConfigError('take-profit levels must satisfy 0 < tp1 < tp2 < tp3');
  }
  if (!(config.slPpm > 0 && config.slPpm < 1_000_000)) throw new LadderConfigError('stop loss must be between 0 and 100%');
  if (side === 'long') {
    return {
      tp1Price: priceOffset(entryPrice, config.tp1Ppm, 'up'),
      tp2Price: priceOffset(entryPrice, config.tp2Ppm, 'up'),
      tp3Price: priceOffset(entryPrice, config.tp3Ppm, 'up'),
      slPrice: priceOffset(entryPrice, -config.slPpm, 'down'),
    };
  }
  if (config.tp3Ppm >= 1_000_000) throw new LadderConfigError('a short take-profit must be below 100%');
  return {
    tp1Price: priceOffset(entryPrice, -config.tp1Ppm, 'down'),
    tp2Price: priceOffset(entryPrice, -config.tp2Ppm, 'down'),
    tp3Price: priceOffset(entryPrice, -config.tp3Ppm, 'down'),
    slPrice: priceOffset(entryPrice, config.slPpm, 'up'),
  };
}

export function initialLadderState(levels: LadderLevels): LadderState {
  return { tp1Hit: false, tp2Hit: false, stopPrice: levels.slPrice };
}

/** Whether `price` is at or beyond `level` in the position's favourable direction. */
function reached(side: Side, price: PriceMicros, level: PriceMicros): boolean {
  return side === 'long' ? price >= level : price <= level;
}

/** Whether `price` is at or through the stop (the unfavourable direction). */
function stopped(side: Side, price: PriceMicros, stop: PriceMicros): boolean {
  return side === 'long' ? price <= stop : price >= stop;
}

/**
 * Applies one accepted mark price to a position's ladder. `markPrice` is the bid for a long and the ask for a short.
 */
export function evaluateLadder(
  side: Side,
  entryPrice: PriceMicros,
  levels: LadderLevels,
  state: LadderState,
  markPrice: PriceMicros,
): LadderDecision {
  const events: LadderEvent[] = [];
  let next = state;
  if (!next.tp1Hit && reached(side, markPrice, levels.tp1Price)) {
    next = { tp1Hit: true, tp2Hit: false, stopPrice: entryPrice };
    events.push({ kind: 'tp1', price: markPrice, newStop: entryPrice });
  }
  if (next.tp1Hit && !next.tp2Hit && reached(side, markPrice, levels.tp2Price)) {
    next = { tp1Hit: true, tp2Hit: true, stopPrice: levels.tp1Price };
    events.push({ kind: 'tp2', price: markPrice, newStop: levels.tp1Price });
  }
  if (next.tp2Hit && reached(side, markPrice, levels.tp3Price)) {
    return { state: next, events, close: { trigger: 'tp3', price: markPrice } };
  }
  const liquidation = levels.liquidationPrice ?? null;
  // Only when it is nearer than the stop (the stop at or beyond it): otherwise the stop is what the price crossed first.
  if (liquidation !== null && stopped(side, markPrice, liquidation) && stopped(side, next.stopPrice, liquidation)) {
    return { state: next, events, close: { trigger: 'liquidation', price: markPrice } };
  }
  if (stopped(side, markPrice, next.stopPrice)) {
    const trigger: CloseTrigger = next.tp2Hit ? 'trailing_stop' : next.tp1Hit ? 'breakeven_stop' : 'stop_loss';
    return { state: next, events, close: { trigger, price: markPrice } };
  }
  return { state: next, events, close: null };
}
