// `arbbot run` wired together: the ledger (stamped with the feed's time on a replay), the venues (with the demo's
// failure injection, or their book streams), the feed (a file, the demo's synthetic market, or live venues' books,
// streamed or polled), the engine, the background checkpointer and the engine lock — and their release, whatever
// happens. The CLI supplies what shows it.
import type { Config } from '../config/config.js';
import { InputError, OperationalError } from '../domain/errors.js';
import type { Micros } from '../domain/money.js';
import { Engine, type DemoOptions } from '../engine/engine.js';
import type { EngineListener } from '../engine/events.js';
import { runFeed, type RunLimits, type StopCause } from '../engine/run-loop.js';
import { demoFaults, demoFeed, demoMarkets } from '../feeds/demo.js';
import type { Feed } from '../feeds/events.js';
import { assertReadableFeed, JsonlFeed, type ReplaySpeed } from '../feeds/jsonl.js';
import { LiveFeed } from '../feeds/live.js';
import { BackgroundCheckpointer } from '../ledger/checkpointer.js';
import { isStorageError } from '../ledger/database.js';
import { acquireEngineLock } from '../ledger/engine-lock.js';
import { quickCheck } from '../ledger/health.js';
import type { Ledger } from '../ledger/ledger.js';
import type { VenueSet, VenueSetOptions } from '../venues/registry.js';
import type { Venue } from '../venues/venue.js';
import type { DeliveryCounts } from './notify/dispatcher.js';
import { RunObservers } from './observers.js';

/** How often live books are polled where a venue's books are not streamed. */
const LIVE_POLL_INTERVAL_MS = 1_000;
/** The demo opens at most this many positions at once, and this many in a run. */
const DEMO_OPEN_POSITIONS_MAX = 3;
const DEMO_OPENS_MAX = 1_000;

export interface RunRequest {
  readonly config: Config;
  readonly dbPath: string;
  /** A JSON Lines file to replay ("-": stdin); null for the demo, or with live venues configured, their books. */
  readonly feedPath: string | null;
  readonly speed: ReplaySpeed;
  readonly seed: number;
  readonly syntheticIntervalMs: number;
  /** The demo's position size; null: open no demo positions (--no-demo). */
  readonly demoSizeMicros: Micros | null;
  readonly limits: RunLimits;
  /** Serve metrics on 127.0.0.1 at this port (0: any free one); null: no metrics endpoint. */
  readonly metricsPort: number | null;
}

/** What the caller provides: how to open the ledger and venues, and what shows the run. */
export interface RunHost {
  openLedger(options: { readonly now?: () => Date }): Ledger;
  openVenues(options: Omit<VenueSetOptions, 'live'>): Promise<VenueSet>;
  readonly listener: EngineListener;
  /** The engine has started (reconciled): a status line can begin. */
  started(engine: Engine, ledger: Ledger, venues: ReadonlyMap<string, Venue>): Promise<void>;
  /** The run is over (or failed): a status line stops, before any summary is printed. */
  stopped(): void;
  readonly stop: AbortSignal;
  /** The metrics endpoint listens at `url`. */
  metricsListening?(url: string): void;
}

export interface RunOutcome {
  readonly engine: Engine;
  readonly ledger: Ledger;
  readonly cause: StopCause;
  /** What alert delivery came to; null when no channel is configured. */
  readonly alerts: DeliveryCounts | null;
}

export async function runEngine(request: RunRequest, host: RunHost): Promise<RunOutcome> {
  const { dbPath } = request;
  if (request.feedPath) assertReadableFeed(request.feedPath);
  // Two engines on one ledger would both trade the same books: the lock comes before the ledger is opened.
  const lock = acquireEngineLock(dbPath);
  try {
    return await runLocked(request, host);
  } finally {
    lock.release();
  }
}

async function runLocked(request: RunRequest, host: RunHost): Promise<RunOutcome> {
  const { config, dbPath } = request;
  // A replay stamps the ledger with the feed's time, so what it records (and the UTC day the daily-loss limits count)
  // is the same whenever and however fast it runs. Before the feed's first timed line: the wall clock.
  // Before the ledger: a channel whose secret is missing stops the run with nothing opened.
  const observers = new RunObservers(config, { metricsPort: request.metricsPort, metricsListening: (url) => host.metricsListening?.(url) });
  let engineRef: Engine | null = null;
  const feedClock = () => new Date(engineRef !== null && engineRef.feedTimeMs > 0 ? engineRef.feedTimeMs : Date.now());
  const ledger = host.openLedger(request.feedPath ? { now: feedClock } : {});
  // A damaged file is not traded on: SQLite's quick_check reads every page once (about a second per 200 MB).
  const damage = quickCheck(ledger);
  if (damage.length > 0) {
    ledger.close();
    const message = `${dbPath} fails SQLite's quick_check, refusing to trade on it: ${damage.join('; ')} (arbbot wallet-check --deep for the full report)`;
    observers.raise({ kind: 'wallet_check', text: `arbbot: ${message}`, at: new Date() });
    await observers.stop();
    throw new OperationalError(message);
  }
  const liveConfigured = [...config.venues.values()].some((venue) => venue.type !== 'paper');
  const demo = request.feedPath || liveConfigured || request.demoSizeMicros === null ? null : demoOptions(config, request.demoSizeMicros);
  // The demo shows what goes wrong between venues: some legs are rejected, partly filled or time out.
  // Streams only for the live feed: a replay's quotes come from its file, and its books are read as without one.
  const venues = await host.openVenues(demo ? { faults: demoFaults(config) } : { streamBooks: liveConfigured && !request.feedPath });
  const engine = new Engine({ ledger, config, venues: venues.venues, listener: observers.listener(host.listener), demo });
  engineRef = engine;
  observers.attach(engine, ledger);
  const feed = chooseFeed(request, liveConfigured, venues.venues);
  // WAL checkpoints run beside the engine, not inside its commits (see ledger/checkpointer.ts).
  const checkpointer = BackgroundCheckpointer.start(ledger, dbPath, { synchronous: config.synchronous, busyTimeoutMs: config.busyTimeoutMs });
  try {
    await observers.start();
    await engine.start();
    await host.started(engine, ledger, venues.venues);
    const cause = await runFeed(engine, feed, request.limits, host.stop);
    return { engine, ledger, cause, alerts: await observers.stop() };
  } finally {
    await observers.stop();
    await checkpointer.stop();
    host.stopped();
    await closeVenues(venues, host.listener);
  }
}

/**
 * Closing writes the paper books one last time. On a disk still full (a stop during a storage pause) that write is
 * said and skipped: the books only trail the engine's trades, and the next run writes them.
 */
async function closeVenues(venues: VenueSet, listener: EngineListener): Promise<void> {
  try {
    await venues.close();
  } catch (error) {
    if (!isStorageError(error)) throw error;
    listener({ kind: 'warning', message: `paper books not written at stop: ${(error as Error).message}` });
  }
}

function chooseFeed(request: RunRequest, liveConfigured: boolean, venues: ReadonlyMap<string, Venue>): Feed {
  if (request.feedPath) return new JsonlFeed(request.feedPath, request.speed);
  if (liveConfigured) return liveFeed(request.config, venues);
  return demoFeed(request.config, { seed: request.seed, tickIntervalMs: request.syntheticIntervalMs });
}

/** With live venues configured, quotes come from the paired markets' books: streamed where a venue streams, else polled. */
function liveFeed(config: Config, venues: ReadonlyMap<string, Venue>): Feed {
  const markets = [...config.pairs.values()].flatMap((pair) => [pair.a, pair.b]).map((leg) => ({ venue: leg.venue, market: leg.market }));
  if (markets.length === 0) throw new InputError('live venues are configured but no pairs: nothing to watch (configure "pairs", or pass --feed FILE)');
  return new LiveFeed(venues, markets, { pollIntervalMs: LIVE_POLL_INTERVAL_MS });
}

/** The demo opens its own positions on the general (not prediction) markets it quotes. */
function demoOptions(config: Config, sizeMicros: Micros): DemoOptions {
  const markets = demoMarkets(config).filter((m) => !m.predictionMarket);
  return { markets, sizeMicros, openPositionsMax: DEMO_OPEN_POSITIONS_MAX, opensMax: DEMO_OPENS_MAX };
}
