// Positions and the TP/SL ladder, as pure functions. The ladder is measured from the entry price:
// TP1 → stop to breakeven, TP2 → stop trails to the TP1 price, TP3 → close; price at or through the stop → close.
// Shorts mirror longs. A price that gaps through several levels applies them all, in order, within one tick.
import { formatPpmPct, formatUsd, PPM_ALL, priceOffset, ratioPpm, type Micros, type Ppm, type PriceMicros, type QtyMicros } from './money.js';

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

/**
 * single: a position under the TP/SL ladder; arb_hedged: one leg of a hedged arbitrage pair, held to resolution;
 * arb_unhedged: an arbitrage leg whose hedge did not fill, under the ladder until hedged or unwound.
 */
export const POSITION_KINDS = ['single', 'arb_hedged', 'arb_unhedged'] as const;
export type PositionKind = (typeof POSITION_KINDS)[number];
export const POSITION_STATUSES = ['open', 'closed'] as const;
export type PositionStatus = (typeof POSITION_STATUSES)[number];

/** What the TP/SL ladder reads of a position on every quote that reaches it: its levels and its stored state. */
export interface LadderPosition extends LadderLevels, LadderState {
  readonly id: number;
  readonly side: Side;
  readonly entryPrice: PriceMicros;
  readonly liquidationPrice: PriceMicros | null;
}

/** A position as the books hold it: its ladder, what it cost and locks, and once closed, what the close came to. */
export interface Position extends LadderPosition {
  readonly venue: string;
  readonly market: string;
  readonly kind: PositionKind;
  readonly status: PositionStatus;
  readonly quantity: QtyMicros;
  readonly costBasis: Micros;
  /** The fee on entry: paid from the wallet at open when `entryFeeCharged`, otherwise charged at close. */
  readonly entryFee: Micros;
  readonly entryFeeCharged: boolean;
  /** Locked beside the cost basis so that the worst close can be booked (set-aside.ts). */
  readonly closeReserve: Micros;
  /** The reservation the position was opened out of (an arbitrage leg's fill), if any. */
  readonly reservationId: number | null;
  readonly idempotencyKey: string | null;
  readonly openedAt: string;
  /** The close's figures (costs.ts), null while the position is open. */
  readonly exitPrice: PriceMicros | null;
  readonly exitValue: Micros | null;
  readonly grossPnl: Micros | null;
  readonly exitFee: Micros | null;
  readonly spreadCost: Micros | null;
  readonly slippageCost: Micros | null;
  readonly totalCosts: Micros | null;
  readonly netPnl: Micros | null;
  readonly closeReason: string | null;
  readonly closedAt: string | null;
  /** Why the engine could not close or settle it; null when nothing needs a person. */
  readonly attention: string | null;
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
  if (!(config.slPpm > 0 && config.slPpm < PPM_ALL)) throw new LadderConfigError('stop loss must be between 0 and 100%');
  if (side === 'long') {
    return {
      tp1Price: priceOffset(entryPrice, config.tp1Ppm, 'up'),
      tp2Price: priceOffset(entryPrice, config.tp2Ppm, 'up'),
      tp3Price: priceOffset(entryPrice, config.tp3Ppm, 'up'),
      slPrice: priceOffset(entryPrice, -config.slPpm, 'down'),
    };
  }
  if (config.tp3Ppm >= PPM_ALL) throw new LadderConfigError('a short take-profit must be below 100%');
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

/** The take-profit level a stored ladder state tests next: TP1, then TP2 once TP1 is hit, then TP3 once TP2 is. */
export function nextTakeProfit(levels: Pick<LadderLevels, 'tp1Price' | 'tp2Price' | 'tp3Price'>, state: Pick<LadderState, 'tp1Hit' | 'tp2Hit'>): PriceMicros {
  return !state.tp1Hit ? levels.tp1Price : !state.tp2Hit ? levels.tp2Price : levels.tp3Price;
}

/**
 * The level whose crossing closes the position on the losing side: its stop, or a short's liquidation price when that
 * is nearer (the stop at or beyond it). `liquidation` is true when the liquidation price is the one.
 */
export function closingStop(side: Side, stopPrice: PriceMicros, liquidationPrice: PriceMicros | null): { price: PriceMicros; liquidation: boolean } {
  if (liquidationPrice !== null && stopped(side, stopPrice, liquidationPrice)) return { price: liquidationPrice, liquidation: true };
  return { price: stopPrice, liquidation: false };
}

/**
 * Applies one accepted mark price to a position's ladder. `markPrice` is the bid for a long and the ask for a short.
 * Each take-profit the mark reaches is applied in turn (a gap through several applies them all); then the stop.
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
  while (reached(side, markPrice, nextTakeProfit(levels, next))) {
    if (next.tp2Hit) return { state: next, events, close: { trigger: 'tp3', price: markPrice } };
    // TP1 moves the stop to breakeven, TP2 trails it to the TP1 price.
    const tier = next.tp1Hit ? 'tp2' : 'tp1';
    const newStop = tier === 'tp1' ? entryPrice : levels.tp1Price;
    next = { tp1Hit: true, tp2Hit: tier === 'tp2', stopPrice: newStop };
    events.push({ kind: tier, price: markPrice, newStop });
  }
  const stop = closingStop(side, next.stopPrice, levels.liquidationPrice ?? null);
  if (!stopped(side, markPrice, stop.price)) return { state: next, events, close: null };
  const trigger: CloseTrigger = stop.liquidation ? 'liquidation' : next.tp2Hit ? 'trailing_stop' : next.tp1Hit ? 'breakeven_stop' : 'stop_loss';
  return { state: next, events, close: { trigger, price: markPrice } };
}

/** The levels a close label quotes: the position's own, so a label reads the same whatever the config says now. */
export interface LabelledPosition {
  readonly side: Side;
  readonly entryPrice: PriceMicros;
  readonly tp1Price: PriceMicros;
  readonly tp3Price: PriceMicros;
  readonly slPrice: PriceMicros;
  readonly liquidationPrice: PriceMicros | null;
}

/** "TP3 (+10%) reached", "Stop loss (-5%) hit", … — the percentage measured from the position's own levels. */
export function closeLabel(trigger: CloseTrigger, position: LabelledPosition): string {
  // Measured in the position's favour: a short's TP3 below entry reads +10%, its stop above entry -5%.
  const direction = position.side === 'long' ? 1 : -1;
  const pct = (level: number) => trimPct(formatPpmPct(ratioPpm(direction * (level - position.entryPrice), position.entryPrice)));
  switch (trigger) {
    case 'tp3':
      return `TP3 (${pct(position.tp3Price)}) reached`;
    case 'stop_loss':
      return `Stop loss (${pct(position.slPrice)}) hit`;
    case 'breakeven_stop':
      return 'Breakeven stop hit after TP1';
    case 'trailing_stop':
      return `Trailing stop at TP1 (${pct(position.tp1Price)}) hit after TP2`;
    case 'liquidation':
      return `Liquidation price ${formatUsd(position.liquidationPrice ?? 0, 4)} reached: the money set aside for it is used up`;
  }
}

/** How the moment a close is triggered reads: "TP3 hit", "Stop hit", "Liquidation price reached". */
export function closingHeadline(trigger: CloseTrigger): string {
  return trigger === 'tp3' ? 'TP3 hit' : trigger === 'liquidation' ? 'Liquidation price reached' : 'Stop hit';
}

function trimPct(text: string): string {
  return text.replace(/\.?0+%$/, '%');
}
