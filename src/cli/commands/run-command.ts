// `arbbot run`: the engine. With no --feed it runs the zero-config paper demo on a synthetic feed and opens demo
// positions; with --feed it replays a JSON Lines file (or stdin) against the positions already in the ledger.
import type { Command } from 'commander';
import { ledgerReport, type Report } from '../../app/report.js';
import type { DeliveryCounts } from '../../app/notify/dispatcher.js';
import { runEngine } from '../../app/run.js';
import { readStatus } from '../../app/status.js';
import { statusLines } from './status-command.js';
import type { Config } from '../../config/config.js';
import { InputError } from '../../domain/errors.js';
import { formatMicros, formatPpmPct, formatSignedUsd, formatUsd, parseMicros, ratioPpm } from '../../domain/money.js';
import type { Engine } from '../../engine/engine.js';
import type { StopCause } from '../../engine/run-loop.js';
import type { ReplaySpeed } from '../../feeds/jsonl.js';
import type { AttentionTrade } from '../../app/trades.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Position } from '../../domain/position.js';
import type { Wallet } from '../../domain/wallet.js';
import { CommandContext } from '../context.js';
import { StatusLine } from '../status-line.js';
import type { Output } from '../output.js';
import { parsePort, parsePositiveInt } from '../parse.js';
import { attentionTradeJson, attentionTradeLines, walletJson } from '../present.js';

interface RunOptions {
  feed?: string;
  seed?: string;
  speed?: string;
  duration?: string;
  maxTicks?: string;
  demo?: boolean;
  size?: string;
  metricsPort?: string;
}

/** Wall-clock pause between synthetic ticks at normal speed: fast enough to watch things happen. */
const DEMO_TICK_INTERVAL_MS = 40;

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
    .option('--metrics-port <port>', 'serve Prometheus metrics at http://127.0.0.1:PORT/metrics (0: any free port, printed)')
    .action(async (options: RunOptions, command: Command) => {
      const ctx = CommandContext.from(command);
      const parsed = parseRunOptions(options);
      const config = ctx.config;
      const status = new StatusLine(ctx.out, config);
      const stop = new AbortController();
      // A second Ctrl-C while the engine finishes its event leaves at once.
      const onSignal = () => (stop.signal.aborted ? process.exit(130) : stop.abort());
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const request = { config, dbPath: ctx.dbPath, ...parsed, demoSizeMicros: options.demo === false ? null : parsed.sizeMicros };
        const outcome = await runEngine(request, {
          openLedger: (ledgerOptions) => ctx.openLedger(ledgerOptions),
          openVenues: (venueOptions) => ctx.openVenues(venueOptions),
          listener: status.listener(config.log),
          started: (engine, ledger, venues) => {
            // The same facts `arbbot status` gives, said once as the engine starts: which ledger, config and venues.
            if (!ctx.out.json) for (const line of statusLines(ctx.out, readStatus(config, ctx.dbPath, venues, () => ledger))) ctx.out.log(ctx.out.role.muted(line));
            return status.start(engine, ledger);
          },
          stopped: () => status.stop(),
          stop: stop.signal,
          metricsListening: (url) => ctx.out.log(`metrics: ${url}`),
        });
        printSummary(ctx.out, outcome.engine, outcome.ledger, outcome.cause, config, outcome.alerts);
        if (outcome.alerts) warnDroppedAlerts(ctx.out, outcome.alerts);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
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
    metricsPort: options.metricsPort === undefined ? null : parsePort(options.metricsPort, '--metrics-port'),
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

function entries(map: ReadonlyMap<string, number>): string {
  return [...map].map(([key, value]) => `${key} ${value}`).join(', ');
}

/** Alerts that never reached a channel: said on stderr whatever the mode, with the last reason of each channel. */
function warnDroppedAlerts(out: Output, alerts: DeliveryCounts): void {
  if (alerts.dropped === 0) return;
  const channels = alerts.channels.filter((c) => c.dropped > 0).map((c) => `${c.channel} ${c.dropped}${c.lastFailure ? ` (last: ${c.lastFailure})` : ''}`);
  out.warn(`${alerts.dropped} alert(s) dropped: ${channels.join(', ')}`);
}

/** What a run's summary reports besides the engine's counters. */
interface SummaryFacts {
  readonly wallets: readonly Wallet[];
  readonly openPositions: number;
  /** Positions flagged by this run or an earlier one, and still open: each waits for a person (`arbbot positions` says why). */
  readonly attention: readonly Position[];
  /** Arbitrage trades a venue reported the impossible about, this run or an earlier one. */
  readonly trades: readonly AttentionTrade[];
  /** The ledger's whole story, as `arbbot report` tells it: equity against deposits. */
  readonly books: Report;
  /** Alert delivery (null: no channel configured). */
  readonly alerts: DeliveryCounts | null;
}

function printSummary(out: Output, engine: Engine, ledger: Ledger, cause: StopCause, config: Config, alerts: DeliveryCounts | null): void {
  const open = ledger.listPositions('open');
  const facts: SummaryFacts = {
    wallets: ledger.listWallets(),
    openPositions: open.length,
    attention: open.filter((p) => p.attention !== null),
    trades: engine.tradesNeedingAttention(),
    books: ledgerReport(ledger, config),
    alerts,
  };
  if (out.json) return out.printJson(summaryJson(engine, cause, facts));
  printSummaryTables(out, engine, cause, facts);
  for (const trade of facts.trades) attentionTradeLines(trade).forEach((line, index) => out.line(index === 0 ? out.role.error(line) : line));
}

function summaryJson(engine: Engine, cause: StopCause, { wallets, openPositions, attention, trades, books, alerts }: SummaryFacts): Record<string, unknown> {
  const stats = engine.stats;
  return {
    stoppedBy: cause,
    events: stats.events,
    quotesAccepted: stats.quotesAccepted,
    quotesRejected: engine.guard.totalRejected(),
    rejectedByReason: Object.fromEntries(engine.rejectedByReason()),
    badLines: stats.badLines,
    pauses: engine.pause.pauseCount,
    storagePauses: engine.storage.pauseCount,
    positionsOpened: stats.opened,
    positionsClosed: [...stats.closedByReason.values()].reduce((a, b) => a + b, 0),
    closedByReason: Object.fromEntries(stats.closedByReason),
    tiersHit: stats.tiersHit,
    resolutions: stats.resolutions,
    resolutionsRefused: stats.resolutionsRefused,
    openPositions,
    needsAttention: attention.map((p) => ({ positionId: p.id, market: p.market, reason: p.attention })),
    tradesNeedingAttention: trades.map(attentionTradeJson),
    realisedNetPnl: formatMicros(stats.realisedNetPnl),
    books: {
      equity: formatMicros(books.equity),
      netDeposits: formatMicros(books.netDeposits),
      pnl: formatMicros(books.pnl),
      realised: formatMicros(books.realised),
      unrealised: formatMicros(books.unrealised),
      lockedEdge: formatMicros(books.lockedEdge),
    },
    arbitrage: {
      found: stats.arbsFound,
      executed: stats.arbsExecuted,
      failed: stats.arbsFailed,
      needsAttention: stats.arbsNeedingAttention,
      outcomes: Object.fromEntries(stats.arbOutcomes),
      unhedgedLegs: stats.unhedgedLegs,
      unhedgedResolved: Object.fromEntries(stats.unhedgedResolved),
    },
    skippedByRiskLimit: Object.fromEntries(engine.risk?.skipped ?? []),
    wallets: wallets.map((w) => ({ ...walletJson(w), utilization: formatPpmPct(ratioPpm(w.locked, w.total), false) })),
    ...(alerts === null ? {} : { alerts }),
  };
}

function printSummaryTables(out: Output, engine: Engine, cause: StopCause, { wallets, openPositions, attention, trades, books, alerts }: SummaryFacts): void {
  const stats = engine.stats;
  const closed = Object.fromEntries(stats.closedByReason);
  const rejected = Object.fromEntries(engine.rejectedByReason());
  const flagged = [...attention.map((p) => `#${p.id}`), ...trades.map(({ trade }) => `arb #${trade.id}`)];
  out.line();
  out.line(out.role.strong(`Run summary (stopped: ${cause.replace('_', ' ')})`));
  out.table(
    ['measure', 'value'],
    [
      ['events', stats.events],
      ['quotes accepted / rejected', `${stats.quotesAccepted} / ${engine.guard.totalRejected()}${Object.keys(rejected).length ? ` (${Object.entries(rejected).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`],
      ['bad feed lines', stats.badLines],
      ['pauses', engine.pause.pauseCount],
      ['storage pauses (ledger not writable)', engine.storage.pauseCount],
      ['positions opened', stats.opened],
      ['positions closed', Object.entries(closed).map(([k, v]) => `${k} ${v}`).join(', ') || '0'],
      ['still open', openPositions],
      ['needing attention', flagged.length === 0 ? '0' : out.role.error(`${flagged.length} (${flagged.join(', ')}: see arbbot positions)`)],
      ['realised net PnL (this run)', out.role.money(stats.realisedNetPnl, formatSignedUsd(stats.realisedNetPnl))],
      ['equity / deposited', `${formatUsd(books.equity)} / ${formatUsd(books.netDeposits)}: ${out.role.money(books.pnl, formatSignedUsd(books.pnl))}`],
      [
        'realised / unrealised / locked-in edge',
        [books.realised, books.unrealised, books.lockedEdge].map((value) => out.role.money(value, formatSignedUsd(value))).join(' / '),
      ],
      ['arbs found / executed / failed', `${stats.arbsFound} / ${stats.arbsExecuted} / ${stats.arbsFailed}${stats.arbsNeedingAttention > 0 ? ` (${stats.arbsNeedingAttention} held: needs attention)` : ''}`],
      ['arb outcomes', entries(stats.arbOutcomes) || '-'],
      ['unhedged legs (resolved)', `${stats.unhedgedLegs}${stats.unhedgedResolved.size ? ` (${entries(stats.unhedgedResolved)})` : ''}`],
      ['skipped by risk limits', entries(engine.risk?.skipped ?? new Map()) || '-'],
      ...(alerts === null ? [] : [['alerts sent / dropped', `${alerts.sent} / ${alerts.dropped}`]]),
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
