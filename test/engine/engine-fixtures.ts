// Engine-level fixtures: a real Engine on a real Ledger in a temporary SQLite file, fed with the same JSON Lines the
// CLI replays (through the real line parser), with every event it emits collected for assertions.
import { parseConfigObject, type Config } from '../../src/config/config.js';
import { parseMicros, parsePrice } from '../../src/domain/money.js';
import type { Side } from '../../src/domain/position.js';
import { Engine, type DemoOptions } from '../../src/engine/engine.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { openPosition } from '../../src/engine/trading.js';
import { parseFeedLine } from '../../src/feeds/jsonl.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { tempLedger } from '../helpers.js';

/** The reference figures (docs/ledger.md): $100 wallet, TP 3/6/10%, SL 5%, fee 0.26%, spread 0.1%, slippage 0.05%. */
export function seedConfigJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    synchronous: 'NORMAL',
    venues: {
      paper: { type: 'paper', startingBalance: '1000' },
      other: { type: 'paper', startingBalance: '1000' },
      pm: { type: 'paper', startingBalance: '1000', predictionMarket: true },
    },
    tpsl: { tp1Pct: '3', tp2Pct: '6', tp3Pct: '10', slPct: '5' },
    costs: { feePct: '0.26', spreadPct: '0.1', slippagePct: '0.05' },
    priceGuard: { maxJumpPct: '50', staleAfterMs: 10_000 },
    ...overrides,
  };
}

export const T0_MS = Date.UTC(2026, 0, 1);

/** A feed line's timestamp `second` seconds after 2026-01-01T00:00:00Z. */
export function at(second: number): string {
  return new Date(T0_MS + second * 1000).toISOString();
}

export interface Harness {
  readonly ledger: Ledger;
  readonly path: string;
  readonly config: Config;
  readonly engine: Engine;
  readonly events: EngineEvent[];
  /** Feeds JSON Lines objects (or raw text lines) one by one, awaiting the engine as the run loop does. */
  feed(lines: readonly (Record<string, unknown> | string)[]): Promise<void>;
  open(args: { side: Side; price: string; market?: string; venue?: string; size?: string }): number;
  position(id: number): NonNullable<ReturnType<Ledger['getPosition']>>;
  /** Stops the engine (flushing prices) and closes the ledger, as a process exit would. */
  shutdown(): void;
}

/** Starts an engine (reconcile + restore) on the ledger file at `path`, or on a fresh one. */
export async function startEngine(
  options: {
    path?: string;
    config?: Record<string, unknown>;
    wallClockMs?: () => number;
    demo?: DemoOptions;
    /** Stamp the ledger with the feed's time, as `arbbot run --feed` does (T0 before the first line). */
    feedClock?: boolean;
  } = {},
): Promise<Harness> {
  const config = parseConfigObject(options.config ?? seedConfigJson(), null);
  let engineRef: Engine | null = null;
  const clock = options.feedClock ? { now: () => new Date(engineRef !== null && engineRef.feedTimeMs > 0 ? engineRef.feedTimeMs : T0_MS) } : {};
  const { ledger, path } = options.path
    ? { ledger: Ledger.open(options.path, { synchronous: 'NORMAL', ...clock }), path: options.path }
    : tempLedger(clock);
  for (const venue of config.venues.values()) ledger.ensureWallet(venue.name, venue.startingBalance);
  const events: EngineEvent[] = [];
  const engine = new Engine({
    ledger,
    config,
    paperVenues: new Map(),
    listener: (event) => events.push(event),
    ...(options.wallClockMs ? { wallClockMs: options.wallClockMs } : {}),
    ...(options.demo ? { demo: options.demo } : {}),
  });
  engineRef = engine;
  await engine.start();
  let lineNumber = 0;
  let lastTimestampMs = 0;
  return {
    ledger,
    path,
    config,
    engine,
    events,
    async feed(lines) {
      for (const line of lines) {
        lineNumber += 1;
        const event = parseFeedLine(typeof line === 'string' ? line : JSON.stringify(line), lineNumber, lastTimestampMs);
        if (event === null) continue;
        if (event.type !== 'bad_line') lastTimestampMs = event.timestampMs;
        const pending = engine.handle(event);
        if (pending) await pending;
      }
    },
    open({ side, price, market = 'SOL-USD', venue = 'paper', size = '25' }) {
      const venueConfig = config.venues.get(venue);
      const result = openPosition(ledger, {
        venue,
        market,
        side,
        size: parseMicros(size),
        price: parsePrice(price),
        ladder: config.tpsl,
        costs: config.costs,
        predictionMarket: venueConfig?.predictionMarket ?? false,
      });
      return result.position.id;
    },
    position(id) {
      return ledger.requirePosition(id);
    },
    shutdown() {
      engine.stop();
      ledger.close();
    },
  };
}

/** A quote line: `price` sets bid = ask; a pair sets them apart. */
export function quote(
  second: number,
  price: string | { bid: string; ask: string },
  market = 'SOL-USD',
  venue = 'paper',
): Record<string, unknown> {
  const sides = typeof price === 'string' ? { price } : price;
  return { ts: at(second), venue, market, ...sides };
}

export function kinds(events: readonly EngineEvent[]): string[] {
  return events.map((event) => event.kind);
}
