// Builds the configured venues. Paper venues share one state file beside the ledger (arbbot.db → arbbot.paper.db);
// live adapters are imported only when configured, so paper-only commands never load their signing libraries.
import type { Config, VenueConfig } from '../config/config.js';
import type { LiveVenueOptions } from './http/live-options.js';
import { PaperState, paperStatePath } from './paper/paper-state.js';
import { PaperVenue, type PaperFaultPlan } from './paper/paper-venue.js';
import type { Venue } from './venue.js';

export interface VenueSet {
  readonly venues: ReadonlyMap<string, Venue>;
  readonly paper: ReadonlyMap<string, PaperVenue>;
  readonly paperState: PaperState | null;
  close(): Promise<void>;
}

export interface VenueSetOptions {
  /** Failure injection per paper venue (tests and the demo). */
  readonly faults?: ReadonlyMap<string, PaperFaultPlan>;
  /**
   * For a command that only reads: the paper venues' books are a copy in memory of their file, which is neither
   * created nor written (what the command does to them is forgotten).
   */
  readonly readonly?: boolean;
  /** Passed to live adapters: environment for credentials, verbose log sink. */
  readonly live?: LiveVenueOptions;
}

async function createLiveVenue(config: VenueConfig, options: LiveVenueOptions): Promise<Venue> {
  switch (config.type) {
    case 'kalshi':
      return (await import('./kalshi/index.js')).createKalshiVenue(config, options);
    case 'polymarket':
      return (await import('./polymarket/index.js')).createPolymarketVenue(config, options);
    case 'sx':
      return (await import('./sx/index.js')).createSxVenue(config, options);
    case 'paper':
      throw new Error('paper venues are not live');
  }
}

export async function createVenues(config: Config, ledgerPath: string, options: VenueSetOptions = {}): Promise<VenueSet> {
  const venues = new Map<string, Venue>();
  const paper = new Map<string, PaperVenue>();
  let paperState: PaperState | null = null;
  for (const venueConfig of config.venues.values()) {
    if (venueConfig.type !== 'paper') {
      venues.set(venueConfig.name, await createLiveVenue(venueConfig, options.live ?? {}));
      continue;
    }
    paperState ??= new PaperState(paperStatePath(ledgerPath), { readonly: options.readonly === true });
    const faults = options.faults?.get(venueConfig.name);
    const venue = new PaperVenue({
      name: venueConfig.name,
      predictionMarket: venueConfig.predictionMarket,
      costs: config.costs,
      state: paperState,
      startingBalance: venueConfig.startingBalance,
      ...(faults ? { faults } : {}),
    });
    for (const [market, quote] of venueConfig.markets) venue.seedQuote(market, quote.bid, quote.ask, quote.depth);
    venues.set(venueConfig.name, venue);
    paper.set(venueConfig.name, venue);
  }
  const state = paperState;
  return {
    venues,
    paper,
    paperState: state,
    close: async () => {
      for (const venue of venues.values()) await venue.close?.();
      state?.close();
    },
  };
}
