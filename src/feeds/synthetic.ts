// A synthetic price generator for the zero-config demo and for tests: seeded and deterministic. Prices wander,
// trend, gap through TP/SL levels, and now and then jump absurdly or the venue disconnects, so the price guard and
// the network pause have something to do. Everything is integer micro-units.
import { setTimeout as sleep } from 'node:timers/promises';
import { formatMicros, PPM_ALL } from '../domain/money.js';
import { seededRandom } from '../domain/random.js';

export { seededRandom } from '../domain/random.js';
import type { Feed, FeedEvent } from './events.js';

export interface SyntheticMarket {
  readonly venue: string;
  readonly market: string;
  /** Starting mid price in micro-units. */
  readonly startPrice: number;
  /** Keep prices strictly inside (0, 1). */
  readonly predictionMarket: boolean;
  /**
   * Markets of one group quote the same event on different venues: they share a fair value and differ by
   * venue noise, so their prices now and then cross (an arbitrage). Groups resolve every `resolveEveryTicks`.
   */
  readonly group?: string;
}

export interface SyntheticOptions {
  readonly seed: number;
  readonly markets: readonly SyntheticMarket[];
  /** Wall-clock pause between ticks; 0 runs as fast as the engine can. */
  readonly tickIntervalMs: number;
  /** Feed time advanced per tick. */
  readonly feedStepMs?: number;
  readonly startTimeMs?: number;
  /** Tick count after which the feed ends on its own (null: until stopped). */
  readonly ticksMax?: number | null;
  /** Grouped (prediction) markets resolve this often; 0 never. */
  readonly resolveEveryTicks?: number;
}


/** Chance per tick: these shape the demo, they are not a market model. */
const GAP_CHANCE = 0.015;
const ABSURD_CHANCE = 0.01;
const DISCONNECT_CHANCE = 0.002;
const DISCONNECT_TICKS = 40;
const TREND_SWITCH_CHANCE = 0.02;
/** Step sizes in parts per million of the price. */
const STEP_PPM = 3_000;
const TREND_PPM = 900;
const GAP_PPM = 60_000;
const SPREAD_PPM = 500;

/** How far a venue's price strays from its group's fair value, in micro-units of $1 (two cents). */
const GROUP_NOISE_MICROS = 20_000;

interface MarketState {
  readonly spec: SyntheticMarket;
  mid: number;
  trend: number;
}

interface GroupState {
  fair: number;
}

export class SyntheticFeed implements Feed {
  private stopped = false;

  constructor(private readonly options: SyntheticOptions) {}

  stop(): void {
    this.stopped = true;
  }

  async *events(): AsyncIterable<FeedEvent> {
    const random = seededRandom(this.options.seed);
    const states: MarketState[] = this.options.markets.map((spec) => ({ spec, mid: spec.startPrice, trend: 0 }));
    const groups = new Map<string, GroupState>();
    for (const state of states) if (state.spec.group) groups.set(state.spec.group, { fair: state.spec.startPrice });
    const resolveEveryTicks = this.options.resolveEveryTicks ?? 0;
    const disconnectedUntil = new Map<string, number>();
    const stepMs = this.options.feedStepMs ?? 250;
    let timestampMs = this.options.startTimeMs ?? Date.UTC(2026, 0, 1);
    for (let tick = 0; !this.stopped && (this.options.ticksMax == null || tick < this.options.ticksMax); tick += 1) {
      timestampMs += stepMs;
      for (const [venue, until] of disconnectedUntil) {
        if (tick >= until) {
          disconnectedUntil.delete(venue);
          yield { type: 'reconnect', venue, timestampMs };
        }
      }
      if (resolveEveryTicks > 0 && tick > 0 && tick % resolveEveryTicks === 0) {
        for (const [name, group] of groups) {
          for (const member of states.filter((m) => m.spec.group === name)) {
            yield { type: 'resolve', venue: member.spec.venue, market: member.spec.market, outcome: group.fair >= 500_000 ? 'yes' : 'no', timestampMs };
          }
        }
      }
      const state = states[Math.floor(random() * states.length)];
      if (!state) break;
      const venue = state.spec.venue;
      if (!disconnectedUntil.has(venue) && random() < DISCONNECT_CHANCE) {
        disconnectedUntil.set(venue, tick + DISCONNECT_TICKS);
        yield { type: 'disconnect', venue, timestampMs };
      }
      const group = state.spec.group ? groups.get(state.spec.group) : undefined;
      yield group ? this.groupQuote(state, group, random, timestampMs) : this.nextQuote(state, random, timestampMs);
      if (this.options.tickIntervalMs > 0) await sleep(this.options.tickIntervalMs);
      else if (tick % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** A grouped market: the shared fair value wanders a little, and this venue quotes it with its own noise. */
  private groupQuote(state: MarketState, group: GroupState, random: () => number, timestampMs: number): FeedEvent {
    group.fair = Math.min(950_000, Math.max(50_000, group.fair + Math.floor((random() * 2 - 1) * 6_000)));
    const mid = Math.min(970_000, Math.max(30_000, group.fair + Math.floor((random() * 2 - 1) * GROUP_NOISE_MICROS)));
    state.mid = mid;
    const spread = 5_000;
    return { type: 'quote', venue: state.spec.venue, market: state.spec.market, bid: formatMicros(mid - spread), ask: formatMicros(mid + spread), timestampMs };
  }

  private nextQuote(state: MarketState, random: () => number, timestampMs: number): FeedEvent {
    const { venue, market, predictionMarket } = state.spec;
    if (random() < ABSURD_CHANCE) {
      // Garbage the guard must reject: a 3× spike, a zero, a negative, a non-number, or crossed prices.
      const kinds = [String(formatMicros(state.mid * 3)), '0', '-1', 'NaN', 'crossed'];
      const kind = kinds[Math.floor(random() * kinds.length)] ?? 'NaN';
      if (kind === 'crossed') return { type: 'quote', venue, market, bid: formatMicros(state.mid + 2 * spreadOf(state.mid)), ask: formatMicros(state.mid), timestampMs };
      return { type: 'quote', venue, market, price: kind, timestampMs };
    }
    if (random() < TREND_SWITCH_CHANCE) state.trend = Math.floor((random() * 2 - 1) * TREND_PPM);
    let movePpm = state.trend + Math.floor((random() * 2 - 1) * STEP_PPM);
    if (random() < GAP_CHANCE) movePpm += (random() < 0.5 ? -1 : 1) * Math.floor(GAP_PPM * (0.5 + random()));
    let mid = state.mid + Math.trunc((state.mid * movePpm) / PPM_ALL);
    if (predictionMarket) mid = Math.min(980_000, Math.max(20_000, mid));
    state.mid = Math.max(1_000, mid);
    const spread = spreadOf(state.mid);
    return { type: 'quote', venue, market, bid: formatMicros(state.mid - spread), ask: formatMicros(state.mid + spread), timestampMs };
  }
}

function spreadOf(mid: number): number {
  return Math.max(1, Math.trunc((mid * SPREAD_PPM) / PPM_ALL));
}
