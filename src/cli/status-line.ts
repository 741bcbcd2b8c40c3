// The live status line of `arbbot run` (events, open positions, PnL against deposits, rejects, arbitrages, wallet
// utilisation, and what is paused) and the event log beside it: events printed above the line, and written as JSON
// lines to the configured file.
import { EquityWatch, type EquityNow } from '../app/report.js';
import type { Config, LogConfig } from '../config/config.js';
import { formatPpmPct, formatSignedUsd } from '../domain/money.js';
import { aboveUtilizationWarning, utilizationPpm } from '../domain/utilization.js';
import type { Engine } from '../engine/engine.js';
import type { EngineEvent } from '../engine/events.js';
import type { Ledger } from '../ledger/ledger.js';
import { EventLog } from './event-log.js';
import type { Output, Spinner } from './output.js';
import { eventJson, renderEvent, secondsText } from './render-events.js';

const STATUS_REFRESH_MS = 200;
/** How often the status line reads equity anew: a few indexed reads, but not five times a second. */
const EQUITY_REFRESH_MS = 5_000;

/** The live status line and the event log (stderr, and a JSON-lines file when configured). */
export class StatusLine {
  private spinner: Spinner | null = null;
  private timer: NodeJS.Timeout | null = null;
  private engine: Engine | null = null;
  private ledger: Ledger | null = null;
  private equityWatch: EquityWatch | null = null;
  private equity: { readonly figures: EquityNow; readonly readAtMs: number } | null = null;
  private log: EventLog | null = null;
  /** The last figures shown: kept when the ledger cannot be read for a moment. */
  private lastFigures = 'starting';

  constructor(
    private readonly out: Output,
    private readonly config: Config,
  ) {}

  listener(logConfig: LogConfig): (event: EngineEvent) => void {
    const log = logConfig.file === null ? null : this.openLog(logConfig.file, logConfig);
    return (event) => {
      log?.write({ ts: new Date().toISOString(), ...eventJson(event) });
      if (this.out.json && !this.out.verbose) return;
      this.print(renderEvent(this.out, event));
    };
  }

  /** The event log; its failure is said once on stderr (also under --json) and shown on the status line until it clears. */
  private openLog(path: string, rotation: LogConfig): EventLog {
    this.log = new EventLog(path, rotation, {
      failed: (reason) => this.print([this.out.role.warn(`⚠ event log ${path} not written (${reason}); the engine goes on, and tries it again every second`)]),
      recovered: (missed) => this.print([this.out.role.success(`✓ event log ${path} written again (${missed} line(s) missed meanwhile)`)]),
    });
    return this.log;
  }

  private print(lines: readonly string[]): void {
    const print = () => {
      for (const line of lines) this.out.log(line);
    };
    if (this.spinner) this.spinner.interrupt(print);
    else print();
  }

  async start(engine: Engine, ledger: Ledger): Promise<void> {
    this.engine = engine;
    this.ledger = ledger;
    this.equityWatch = new EquityWatch(ledger, this.config);
    this.spinner = await this.out.spinner(this.text());
    this.timer = setInterval(() => this.spinner?.update(this.text()), STATUS_REFRESH_MS);
    this.timer.unref();
  }

  /** The status; while the ledger cannot be read (a storage fault), the last one with the pause state brought up to date. */
  private text(): string {
    try {
      this.lastFigures = this.figures();
    } catch {
      // The figures are read from the ledger; the pause state is not, and is always current.
    }
    return `${this.lastFigures} | ${this.pauseText()}`;
  }

  private pauseText(): string {
    const engine = this.engine;
    if (!engine) return '▶ trading';
    const storage = engine.storage.state;
    const paused = [...engine.pause.pausedVenues().keys(), ...[...engine.hold.heldVenues().keys()].map((venue) => `${venue} (books disagree)`)];
    const parts: string[] = [];
    if (storage) {
      parts.push(`⏸ paused: storage (${storage.fault.code}), retry ${storage.attempts + 1} in ${secondsText(Math.max(storage.retryAtMs - Date.now(), 0))}`);
    }
    if (paused.length > 0) parts.push(`⏸ paused: ${paused.join(', ')}`);
    if (this.log?.failingReason) parts.push('⚠ event log not written');
    return parts.length > 0 ? parts.join(' | ') : '▶ trading';
  }

  private figures(): string {
    const { engine, ledger } = this;
    if (!engine || !ledger) return 'starting';
    const open = ledger.listPositions('open').length;
    const held = engine.tradesNeedingAttention().length;
    return [
      `${engine.stats.events} events`,
      `open ${open}`,
      `PnL ${formatSignedUsd(this.equityNow().pnl)}`,
      `rejected ${engine.guard.totalRejected()}`,
      `arbs ${engine.stats.arbsExecuted}`,
      `util ${ledger.listWallets().map((w) => `${w.venue} ${formatPpmPct(utilizationPpm(w), false)}${aboveUtilizationWarning(w, this.config.arbitrage.utilizationWarnPpm) ? ' ⚠' : ''}`).join(' ')}`,
      ...(held > 0 ? [`⚠ ${held} arb(s) need attention`] : []),
    ].join(' | ');
  }

  /** Equity against deposits as `arbbot report` has it, read anew every EQUITY_REFRESH_MS. */
  private equityNow(): EquityNow {
    const nowMs = performance.now();
    if (this.equityWatch && (this.equity === null || nowMs - this.equity.readAtMs >= EQUITY_REFRESH_MS)) {
      this.equity = { figures: this.equityWatch.now(), readAtMs: nowMs };
    }
    return this.equity?.figures ?? { equity: 0 as EquityNow['equity'], netDeposits: 0 as EquityNow['netDeposits'], pnl: 0 as EquityNow['pnl'] };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.spinner?.stop();
    this.spinner = null;
  }
}
