// What watches a run besides its own output: the metrics endpoint (--metrics-port). Each hangs off the engine's
// listener, does the least it can inside the engine's turn, and is closed when the run ends, whatever ends it.
import type { Config } from '../config/config.js';
import type { Engine } from '../engine/engine.js';
import type { EngineListener } from '../engine/events.js';
import type { Ledger } from '../ledger/ledger.js';
import { MetricsCollector } from './metrics/collector.js';
import { startMetricsServer, type MetricsServer } from './metrics/server.js';

export interface ObserverOptions {
  /** Port of the metrics endpoint on 127.0.0.1 (0: any free one); null: no endpoint. */
  readonly metricsPort: number | null;
  /** Told the endpoint's address once it listens. */
  readonly metricsListening?: (url: string) => void;
}

export class RunObservers {
  private readonly collector: MetricsCollector | null;
  private server: MetricsServer | null = null;

  constructor(
    config: Config,
    private readonly options: ObserverOptions,
  ) {
    this.collector = options.metricsPort === null ? null : new MetricsCollector([...config.venues.keys()]);
  }

  /** The engine's listener: the observers first (a map update each), then what shows the run. */
  listener(shows: EngineListener): EngineListener {
    const collector = this.collector;
    if (collector === null) return shows;
    return (event) => {
      collector.observe(event);
      shows(event);
    };
  }

  /** Starts the endpoint before anything trades: a port that cannot be had stops the run before it begins. */
  async start(): Promise<void> {
    if (this.collector === null || this.options.metricsPort === null) return;
    const collector = this.collector;
    this.server = await startMetricsServer(this.options.metricsPort, () => collector.families());
    this.options.metricsListening?.(this.server.url);
  }

  /** From here on a scrape reads the engine's figures and the ledger's. */
  attach(engine: Engine, ledger: Ledger): void {
    this.collector?.attach(engine, ledger);
  }

  /** The run is over: the endpoint closes before the ledger does. */
  async stop(): Promise<void> {
    this.collector?.detach();
    const server = this.server;
    this.server = null;
    await server?.close();
  }
}
