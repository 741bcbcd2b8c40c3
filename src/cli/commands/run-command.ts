// `arbbot run`: the engine. With no --feed it runs the zero-config paper demo on a synthetic feed and opens demo
// positions; with --feed it replays a JSON Lines file (or stdin) against the positions already in the ledger.
import type { Command } from 'commander';
import type { Config } from '../../config/config.js';
import { InputError } from '../../domain/errors.js';
import { formatMicros, formatPpmPct, formatSignedUsd, formatUsd, parseMicros, ratioPpm, type Micros, type Ppm } from '../../domain/money.js';
import { aboveUtilizationWarning, utilizationPpm } from '../../domain/utilization.js';
import { Engine, type DemoOptions } from '../../engine/engine.js';
import { markEngineRunning, otherEngine } from '../../engine/engine-marker.js';
import type { EngineEvent } from '../../engine/events.js';
import { runFeed, type StopCause } from '../../engine/run-loop.js';
import type { Feed } from '../../feeds/events.js';
import { assertReadableFeed, JsonlFeed, type ReplaySpeed } from '../../feeds/jsonl.js';
import { SyntheticFeed, type SyntheticMarket } from '../../feeds/synthetic.js';
import { VenuePollFeed } from '../../feeds/venue-poll.js';
import type { Venue } from '../../venues/venue.js';
import { BackgroundCheckpointer } from '../../ledger/checkpointer.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { PaperFaultPlan } from '../../venues/paper/paper-venue.js';
import { CommandContext } from '../context.js';
import { JsonLogFile, type Output, type Spinner } from '../output.js';
import { parsePositiveInt } from '../parse.js';
import { eventJson, renderEvent } from '../render-events.js';
import { walletJson } from '../present.js';

interface RunOptions {
  feed?: string;
  seed?: string;
  speed?: string;
  duration?: string;
  maxTicks?: string;
  demo?: boolean;
  size?: string;
}

/** Wall-clock pause between synthetic ticks at normal speed: fast enough to watch things happen. */
const DEMO_TICK_INTERVAL_MS = 40;
const STATUS_REFRESH_MS = 200;

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the engine: paper demo on a synthetic feed by default, or replay --feed FILE')
    .option('--feed <file>', 'JSON Lines feed to replay ("-" for stdin); the run ends at its last line. Default: the synthetic demo, or with live venues configured, their polled books')
    .option('--seed <n>', 'seed of the synthetic feed (demo)', '1')
    .option('--speed <speed>', '"max" (as fast as possible) or a multiple of recorded pace, e.g. 1 or 10', undefined)
    .option('--duration <seconds>', 'stop after this many seconds')
    .option('--max-ticks <n>', 'stop after this many feed events')
    .option('--no-demo', 'with the synthetic feed, do not open demo positions')
    .option('--size <usd>', 'demo position size', '25')
    .action(async (options: RunOptions, command: Command) => {
      const ctx = CommandContext.from(command);
      const parsed = parseRunOptions(options);
      // Two engines on one ledger would both trade the same books.
      const running = otherEngine(ctx.dbPath);
      if (running !== null) throw new InputError(`another arbbot run (pid ${running}) is already trading on ${ctx.dbPath}`);
      if (parsed.feedPath) assertReadableFeed(parsed.feedPath);
      const config = ctx.config;
      // A replay stamps the ledger with the feed's time, so what it records (and the UTC day the daily-loss limits
      // count) is the same whenever and however fast it runs. Before the feed's first timed line: the wall clock.
      let engineRef: Engine | null = null;
      const feedClock = () => new Date(engineRef !== null && engineRef.feedTimeMs > 0 ? engineRef.feedTimeMs : Date.now());
      const ledger = ctx.openLedger(parsed.feedPath ? { now: feedClock } : {});
      const liveConfigured = [...config.venues.values()].some((venue) => venue.type !== 'paper');
      const demo = parsed.feedPath || liveConfigured || options.demo === false ? null : demoOptions(config, parsed.sizeMicros);
      // The demo shows what goes wrong between venues: some legs are rejected, partly filled or time out.
      const venues = await ctx.openVenues(demo ? { faults: demoFaults(config) } : {});
      const feed = parsed.feedPath
        ? new JsonlFeed(parsed.feedPath, parsed.speed)
        : liveConfigured
          ? pollingFeed(config, venues.venues)
          : syntheticFeed(config, parsed);
      const status = new StatusLine(ctx.out, ledger, config.arbitrage.utilizationWarnPpm);
      const engine = new Engine({ ledger, config, paperVenues: venues.paper, venues: venues.venues, listener: status.listener(config.logFile), demo });
      engineRef = engine;
      const stop = new AbortController();
      const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      let cause: StopCause;
      const unmark = markEngineRunning(ctx.dbPath);
      // WAL checkpoints run beside the engine, not inside its commits (see ledger/checkpointer.ts).
      const checkpointer = BackgroundCheckpointer.start(ledger, ctx.dbPath, { synchronous: config.synchronous, busyTimeoutMs: config.busyTimeoutMs });
      try {
        await engine.start();
        await status.start(engine);
        cause = await runFeed(engine, feed, parsed.limits, stop.signal);
      } finally {
        await checkpointer.stop();
        unmark();
        status.stop();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await venues.close();
      }
      printSummary(ctx.out, engine, ledger, cause);
    });
}

function parseRunOptions(options: RunOptions) {
  // A file replays as fast as possible unless a pace is asked for; the synthetic demo ticks at a watchable pace.
  const speed: ReplaySpeed = options.speed === undefined || options.speed === 'max' ? 'max' : parseSpeed(options.speed);
  const syntheticIntervalMs =
    options.speed === undefined ? DEMO_TICK_INTERVAL_MS : speed === 'max' ? 0 : Math.trunc(DEMO_TICK_INTERVAL_MS / speed);
  return {
    feedPath: options.feed ?? null,
    seed: parsePositiveInt(options.seed ?? '1', '--seed', 2 ** 31),
    speed,
    syntheticIntervalMs,
    sizeMicros: parseMicros(options.size ?? '25', { label: '--size' }),
    limits: {
      eventsMax: options.maxTicks === undefined ? null : parsePositiveInt(options.maxTicks, '--max-ticks'),
      durationMs: options.duration === undefined ? null : parsePositiveInt(options.duration, '--duration', 7 * 24 * 3600) * 1000,
    },
  };
}

function parseSpeed(text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) <= 0) throw new InputError(`--speed must be "max" or a positive number, got "${text}"`);
  return Number(text);
}

/** Demo markets: each paper venue's configured markets, or two general markets on a venue with none. */
function syntheticMarkets(config: Config): SyntheticMarket[] {
  const markets: SyntheticMarket[] = [];
  for (const venue of config.venues.values()) {
    if (venue.type !== 'paper') continue;
    if (venue.markets.size === 0 && !venue.predictionMarket) {
      markets.push({ venue: venue.name, market: 'SOL-USD', startPrice: 100_000_000, predictionMarket: false });
      markets.push({ venue: venue.name, market: 'ETH-USD', startPrice: 2_500_000_000, predictionMarket: false });
    }
    for (const [market, quote] of venue.markets) {
      markets.push({ venue: venue.name, market, startPrice: Math.floor((quote.bid + quote.ask) / 2), predictionMarket: venue.predictionMarket });
    }
  }
  if (markets.length === 0) throw new InputError('no paper markets to simulate: configure a paper venue (or pass --feed FILE)');
  return markets;
}

function syntheticFeed(config: Config, parsed: ReturnType<typeof parseRunOptions>): Feed {
  // Paired markets share a fair value, so their prices cross now and then; they resolve every few thousand ticks.
  const groupOf = new Map<string, string>();
  for (const pair of config.pairs.values()) for (const leg of [pair.a, pair.b]) groupOf.set(`${leg.venue}\u0000${leg.market}`, pair.name);
  const markets = syntheticMarkets(config).map((m) => {
    const group = groupOf.get(`${m.venue}\u0000${m.market}`);
    return group ? { ...m, group } : m;
  });
  // Feed time starts at the wall clock: `open` and `close` beside the demo fill at its paper books, and refuse a quote
  // that looks older than priceGuard.staleAfterMs.
  return new SyntheticFeed({
    seed: parsed.seed,
    markets,
    tickIntervalMs: parsed.syntheticIntervalMs,
    resolveEveryTicks: DEMO_RESOLVE_EVERY_TICKS,
    startTimeMs: Date.now(),
  });
}

const DEMO_RESOLVE_EVERY_TICKS = 2_000;
/** How often live books are polled when a venue offers no usable stream. */
const LIVE_POLL_INTERVAL_MS = 1_000;

/** With live venues configured, quotes come from polling the paired markets' books. */
function pollingFeed(config: Config, venues: ReadonlyMap<string, Venue>): Feed {
  const markets = [...config.pairs.values()].flatMap((pair) => [pair.a, pair.b]).map((leg) => ({ venue: leg.venue, market: leg.market }));
  if (markets.length === 0) throw new InputError('live venues are configured but no pairs: nothing to watch (configure "pairs", or pass --feed FILE)');
  return new VenuePollFeed(venues, markets, { pollIntervalMs: LIVE_POLL_INTERVAL_MS });
}

/** Failure injection on the paired paper venues in the demo (seeded, so a run is replayable). */
function demoFaults(config: Config): Map<string, PaperFaultPlan> {
  const faults = new Map<string, PaperFaultPlan>();
  let seed = 7;
  for (const pair of config.pairs.values()) {
    for (const leg of [pair.a, pair.b]) faults.set(leg.venue, { rejectRate: 0.12, partialFillRate: 0.08, timeoutAfterAcceptRate: 0.05, seed: (seed += 1) });
  }
  return faults;
}

function demoOptions(config: Config, sizeMicros: Micros): DemoOptions {
  const markets = syntheticMarkets(config).filter((m) => !m.predictionMarket);
  return { markets, sizeMicros, openPositionsMax: 3, opensMax: 1_000 };
}

/** The live status line and the event log (stderr, and a JSON-lines file when configured). */
class StatusLine {
  private spinner: Spinner | null = null;
  private timer: NodeJS.Timeout | null = null;
  private engine: Engine | null = null;

  constructor(
    private readonly out: Output,
    private readonly ledger: Ledger,
    private readonly utilizationWarnPpm: Ppm,
  ) {}

  listener(logFile: string | null): (event: EngineEvent) => void {
    const log = logFile === null ? null : new JsonLogFile(logFile);
    return (event) => {
      log?.write({ ts: new Date().toISOString(), ...eventJson(event) });
      if (this.out.json && !this.out.verbose) return;
      const lines = renderEvent(this.out, event);
      const print = () => {
        for (const line of lines) this.out.log(line);
      };
      if (this.spinner) this.spinner.interrupt(print);
      else print();
    };
  }

  async start(engine: Engine): Promise<void> {
    this.engine = engine;
    this.spinner = await this.out.spinner(this.text());
    this.timer = setInterval(() => this.spinner?.update(this.text()), STATUS_REFRESH_MS);
    this.timer.unref();
  }

  private text(): string {
    const engine = this.engine;
    if (!engine) return 'starting';
    const paused = [...engine.pause.pausedVenues().keys()];
    const open = this.ledger.listPositions('open').length;
    return [
      `${engine.stats.events} events`,
      `open ${open}`,
      `PnL ${formatSignedUsd(engine.stats.realisedNetPnl)}`,
      `rejected ${engine.guard.totalRejected()}`,
      `arbs ${engine.stats.arbsExecuted}`,
      `util ${this.ledger.listWallets().map((w) => `${w.venue} ${formatPpmPct(utilizationPpm(w), false)}${aboveUtilizationWarning(w, this.utilizationWarnPpm) ? ' ⚠' : ''}`).join(' ')}`,
      paused.length > 0 ? `⏸ paused: ${paused.join(', ')}` : '▶ trading',
    ].join(' | ');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.spinner?.stop();
    this.spinner = null;
  }
}

function entries(map: ReadonlyMap<string, number>): string {
  return [...map].map(([key, value]) => `${key} ${value}`).join(', ');
}

function printSummary(out: Output, engine: Engine, ledger: Ledger, cause: StopCause): void {
  const stats = engine.stats;
  const wallets = ledger.listWallets();
  const open = ledger.listPositions('open');
  const openPositions = open.length;
  // Flagged by this run or an earlier one, and still open: each waits for a person (`arbbot positions` says why).
  const attention = open.filter((p) => p.attention !== null);
  const closed = Object.fromEntries(stats.closedByReason);
  const rejected = Object.fromEntries(engine.rejectedByReason());
  if (out.json) {
    out.printJson({
      stoppedBy: cause,
      events: stats.events,
      quotesAccepted: stats.quotesAccepted,
      quotesRejected: engine.guard.totalRejected(),
      rejectedByReason: rejected,
      badLines: stats.badLines,
      pauses: engine.pause.pauseCount,
      positionsOpened: stats.opened,
      positionsClosed: [...stats.closedByReason.values()].reduce((a, b) => a + b, 0),
      closedByReason: closed,
      tiersHit: stats.tiersHit,
      resolutions: stats.resolutions,
      openPositions,
      needsAttention: attention.map((p) => ({ positionId: p.id, market: p.market, reason: p.attention })),
      realisedNetPnl: formatMicros(stats.realisedNetPnl),
      arbitrage: {
        found: stats.arbsFound,
        executed: stats.arbsExecuted,
        failed: stats.arbsFailed,
        outcomes: Object.fromEntries(stats.arbOutcomes),
        unhedgedLegs: stats.unhedgedLegs,
        unhedgedResolved: Object.fromEntries(stats.unhedgedResolved),
      },
      skippedByRiskLimit: Object.fromEntries(engine.risk?.skipped ?? []),
      wallets: wallets.map((w) => ({ ...walletJson(w), utilization: formatPpmPct(ratioPpm(w.locked, w.total), false) })),
    });
    return;
  }
  out.line();
  out.line(out.role.strong(`Run summary (stopped: ${cause.replace('_', ' ')})`));
  out.table(
    ['measure', 'value'],
    [
      ['events', stats.events],
      ['quotes accepted / rejected', `${stats.quotesAccepted} / ${engine.guard.totalRejected()}${Object.keys(rejected).length ? ` (${Object.entries(rejected).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`],
      ['bad feed lines', stats.badLines],
      ['pauses', engine.pause.pauseCount],
      ['positions opened', stats.opened],
      ['positions closed', Object.entries(closed).map(([k, v]) => `${k} ${v}`).join(', ') || '0'],
      ['still open', openPositions],
      ['needing attention', attention.length === 0 ? '0' : out.role.error(`${attention.length} (${attention.map((p) => `#${p.id}`).join(', ')}: see arbbot positions)`)],
      ['realised net PnL', formatSignedUsd(stats.realisedNetPnl)],
      ['arbs found / executed / failed', `${stats.arbsFound} / ${stats.arbsExecuted} / ${stats.arbsFailed}`],
      ['arb outcomes', entries(stats.arbOutcomes) || '-'],
      ['unhedged legs (resolved)', `${stats.unhedgedLegs}${stats.unhedgedResolved.size ? ` (${entries(stats.unhedgedResolved)})` : ''}`],
      ['skipped by risk limits', entries(engine.risk?.skipped ?? new Map()) || '-'],
    ],
  );
  out.table(
    ['wallet', 'total', 'available', 'locked', 'deficit (owed)', 'utilisation'],
    wallets.map((w) => [
      w.venue,
      formatUsd(w.total),
      formatUsd(w.available),
      formatUsd(w.locked),
      w.deficit > 0 ? out.role.error(formatUsd(w.deficit, 4)) : formatUsd(0),
      formatPpmPct(ratioPpm(w.locked, w.total), false),
    ]),
  );
}
