// What watches a run besides its own output: the metrics endpoint (--metrics-port) and the alerts (config `notify`).
// Each hangs off the engine's listener, does the least it can inside the engine's turn (a map update, a push onto a
// queue), and is closed when the run ends, whatever ends it.
import type { Config } from '../config/config.js';
import type { Engine } from '../engine/engine.js';
import type { EngineListener } from '../engine/events.js';
import type { Ledger } from '../ledger/ledger.js';
import { MetricsCollector } from './metrics/collector.js';
import type { MetricsServer } from './metrics/server.js';
import { alertOf, PauseAlerts } from './notify/alerts.js';
import { makeChannels, type Alert } from './notify/channels.js';
import { AlertDispatcher, type DeliveryCounts } from './notify/dispatcher.js';

/** At the end of a run, alerts still queued get this long to go out; what is left is dropped and counted. */
const ALERT_DRAIN_MS_MAX = 5_000;

interface Alerting {
  readonly dispatcher: AlertDispatcher;
  readonly pauses: PauseAlerts;
}

export interface ObserverOptions {
  /** Port of the metrics endpoint on 127.0.0.1 (0: any free one); null: no endpoint. */
  readonly metricsPort: number | null;
  /** Told the endpoint's address once it listens. */
  readonly metricsListening?: (url: string) => void;
}

export class RunObservers {
  private readonly collector: MetricsCollector | null;
  private readonly alerting: Alerting | null;
  private server: MetricsServer | null = null;
  private delivered: DeliveryCounts | null = null;

  /** Reads the alert channels' secrets from the environment: a missing one stops the run before anything opens. */
  constructor(
    config: Config,
    private readonly options: ObserverOptions,
  ) {
    const channels = makeChannels(config.notify.channels);
    const dispatcher = channels.length === 0 ? null : new AlertDispatcher(channels, config.notify);
    this.alerting = dispatcher === null ? null : { dispatcher, pauses: new PauseAlerts(config.notify.pauseAlertAfterMs, (alert) => dispatcher.push(alert)) };
    this.collector = options.metricsPort === null ? null : new MetricsCollector([...config.venues.keys()], () => this.alertCounts());
  }

  private alertCounts(): DeliveryCounts | null {
    return this.delivered ?? this.alerting?.dispatcher.counts() ?? null;
  }

  /** An alert from outside the engine (the ledger refused at start-up, say); nothing when no channel is configured. */
  raise(alert: Alert): void {
    this.alerting?.dispatcher.push(alert);
  }

  /** The engine's listener: the observers first, then what shows the run. */
  listener(shows: EngineListener): EngineListener {
    const { collector, alerting } = this;
    if (collector === null && alerting === null) return shows;
    return (event) => {
      collector?.observe(event);
      if (alerting) {
        const alert = alertOf(event, new Date());
        if (alert) alerting.dispatcher.push(alert);
        alerting.pauses.observe(event);
      }
      shows(event);
    };
  }

  /** Starts the endpoint before anything trades: a port that cannot be had stops the run before it begins. */
  async start(): Promise<void> {
    if (this.collector === null || this.options.metricsPort === null) return;
    const collector = this.collector;
    // Loaded only when asked for: node:http is no part of every other command's start-up.
    const { startMetricsServer } = await import('./metrics/server.js');
    this.server = await startMetricsServer(this.options.metricsPort, () => collector.families());
    this.options.metricsListening?.(this.server.url);
  }

  /** From here on a scrape reads the engine's figures and the ledger's. */
  attach(engine: Engine, ledger: Ledger): void {
    this.collector?.attach(engine, ledger);
  }

  /**
   * The run is over: the endpoint closes before the ledger does, and queued alerts get a bounded time to go out.
   * Returns what alert delivery came to (null: no channel configured). Calling it again changes nothing.
   */
  async stop(): Promise<DeliveryCounts | null> {
    this.collector?.detach();
    const server = this.server;
    this.server = null;
    await server?.close();
    if (this.alerting && this.delivered === null) {
      this.alerting.pauses.stop();
      this.delivered = await this.alerting.dispatcher.drain(ALERT_DRAIN_MS_MAX);
    }
    return this.delivered;
  }
}
