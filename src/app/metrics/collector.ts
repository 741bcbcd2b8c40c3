// What `arbbot run --metrics-port` exposes. Counts that only the engine's events carry (rejected quotes, arbitrages,
// their latency) are kept here as the events pass; everything else is read when scraped — the engine's event count,
// its pauses, and the wallets and open positions from the ledger — so a metric never drifts from the books.
import type { Engine } from '../../engine/engine.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Ledger } from '../../ledger/ledger.js';
import { SCALE } from '../../domain/money.js';
import { Histogram, type MetricFamily, type Sample } from './exposition.js';

/**
 * Bounds of the tick-to-order histogram, in seconds: an in-memory paper venue hands both orders over in well under a
 * millisecond, a live venue whose books must be requested first takes up to seconds.
 */
export const TICK_TO_ORDER_BOUNDS_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] as const;

/** What alert delivery reports for the metrics (null when no channel is configured). */
export interface AlertCounts {
  readonly sent: number;
  readonly dropped: number;
}

interface Running {
  readonly engine: Engine;
  readonly ledger: Ledger;
}

export class MetricsCollector {
  private readonly rejected = new Map<string, number>();
  /** Pauses by venue and reason ("venue reason"): a stream that broke is a disconnect. */
  private readonly pauses = new Map<string, { readonly venue: string; readonly reason: string; count: number }>();
  /** Arbitrages by "status outcome": a settled trade's outcome, or how an unsettled one ended. */
  private readonly arbitrages = new Map<string, { readonly status: string; readonly outcome: string; count: number }>();
  private readonly tickToOrder = new Histogram(TICK_TO_ORDER_BOUNDS_SECONDS);
  private running: Running | null = null;

  constructor(
    private readonly venueNames: readonly string[],
    private readonly alertCounts: () => AlertCounts | null = () => null,
  ) {}

  /** The engine has started: from now on a scrape reads its figures and the ledger's. */
  attach(engine: Engine, ledger: Ledger): void {
    this.running = { engine, ledger };
  }

  /** The run is over: the ledger may close, so nothing is read from it any more. */
  detach(): void {
    this.running = null;
  }

  /** The engine listener's share: cheap (a map update), as it runs inside the engine's turn. */
  observe(event: EngineEvent): void {
    if (event.kind === 'quote_rejected') this.rejected.set(event.reason, (this.rejected.get(event.reason) ?? 0) + 1);
    if (event.kind === 'paused') {
      const key = `${event.venue} ${event.reason}`;
      const entry = this.pauses.get(key);
      if (entry) entry.count += 1;
      else this.pauses.set(key, { venue: event.venue, reason: event.reason, count: 1 });
    }
    if (event.kind !== 'arb') return;
    const status = event.result.status;
    const outcome = event.result.status === 'settled' ? (event.result.settlement.trade.outcome ?? 'none') : 'none';
    const key = `${status} ${outcome}`;
    const entry = this.arbitrages.get(key);
    if (entry) entry.count += 1;
    else this.arbitrages.set(key, { status, outcome, count: 1 });
    if (event.latencyMs !== null) this.tickToOrder.observe(event.latencyMs / 1000);
  }

  /** Every metric family, read now. */
  families(): MetricFamily[] {
    const running = this.running;
    return [
      { type: 'counter', name: 'arbbot_feed_events_total', help: 'Feed events (quotes, disconnects, reconnects, resolutions, bad lines) the engine handled.', samples: [{ labels: {}, value: running?.engine.stats.events ?? 0 }] },
      {
        type: 'counter',
        name: 'arbbot_venue_pauses_total',
        help: 'Times trading on a venue was paused, by reason (disconnect: a dropped venue or a broken book stream; stale; mismatch).',
        samples: [...this.pauses.values()].map(({ venue, reason, count }) => ({ labels: { venue, reason }, value: count })),
      },
      { type: 'counter', name: 'arbbot_quotes_rejected_total', help: 'Quotes the price guard rejected, by reason.', samples: [...this.rejected].map(([reason, value]) => ({ labels: { reason }, value })) },
      {
        type: 'counter',
        name: 'arbbot_arbitrages_total',
        help: 'Arbitrages executed, by status (settled, failed, pending, needs_attention) and a settled trade\'s outcome.',
        samples: [...this.arbitrages.values()].map(({ status, outcome, count }) => ({ labels: { status, outcome }, value: count })),
      },
      {
        type: 'histogram',
        name: 'arbbot_tick_to_order_seconds',
        help: 'Wall time from the quote that triggered an arbitrage reaching the engine to both orders handed to the venues.',
        series: [this.tickToOrder.series()],
      },
      ...this.ledgerFamilies(running),
      { type: 'gauge', name: 'arbbot_venue_paused', help: 'Whether trading on the venue is paused (1) or not (0).', samples: this.pauseSamples(running) },
      ...this.alertFamilies(),
    ];
  }

  private ledgerFamilies(running: Running | null): MetricFamily[] {
    const wallets = running?.ledger.listWallets() ?? [];
    const dollars = (micros: number): number => micros / SCALE;
    const gauge = (name: string, help: string, value: (wallet: (typeof wallets)[number]) => number): MetricFamily => ({
      type: 'gauge',
      name,
      help,
      samples: wallets.map((wallet) => ({ labels: { venue: wallet.venue }, value: value(wallet) })),
    });
    return [
      { type: 'gauge', name: 'arbbot_open_positions', help: 'Positions open in the ledger.', samples: running ? [{ labels: {}, value: running.ledger.positionTotals().open }] : [] },
      gauge('arbbot_wallet_total_dollars', 'Wallet total (available + locked), in dollars.', (w) => dollars(w.total)),
      gauge('arbbot_wallet_available_dollars', 'Wallet funds free to use, in dollars.', (w) => dollars(w.available)),
      gauge('arbbot_wallet_locked_dollars', 'Wallet funds locked by open positions and reservations, in dollars.', (w) => dollars(w.locked)),
      gauge('arbbot_wallet_utilisation_ratio', 'Locked / total of the wallet (0 for an empty wallet).', (w) => (w.total > 0 ? w.locked / w.total : 0)),
    ];
  }

  private pauseSamples(running: Running | null): Sample[] {
    const paused = running?.engine.pause.pausedVenues();
    return this.venueNames.map((venue) => ({ labels: { venue }, value: paused?.has(venue) === true ? 1 : 0 }));
  }

  private alertFamilies(): MetricFamily[] {
    const counts = this.alertCounts();
    if (counts === null) return [];
    return [
      {
        type: 'counter',
        name: 'arbbot_alerts_total',
        help: 'Alert deliveries by result: sent, or dropped (endpoint down, refused, or the queue full).',
        samples: [
          { labels: { result: 'sent' }, value: counts.sent },
          { labels: { result: 'dropped' }, value: counts.dropped },
        ],
      },
    ];
  }
}
