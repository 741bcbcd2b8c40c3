// Builds the configured venues. Paper venues share one state file beside the ledger (arbbot.db → arbbot.paper.db).
import type { Config } from '../config/config.js';
import { InputError } from '../domain/errors.js';
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
}

export function createVenues(config: Config, ledgerPath: string, options: VenueSetOptions = {}): VenueSet {
  const venues = new Map<string, Venue>();
  const paper = new Map<string, PaperVenue>();
  let paperState: PaperState | null = null;
  for (const venueConfig of config.venues.values()) {
    if (venueConfig.type !== 'paper') {
      throw new InputError(`venue ${venueConfig.name}: ${venueConfig.type} adapter is not available in this build`);
    }
    paperState ??= new PaperState(paperStatePath(ledgerPath));
    const venue = new PaperVenue({
      name: venueConfig.name,
      predictionMarket: venueConfig.predictionMarket,
      costs: config.costs,
      state: paperState,
      startingBalance: venueConfig.startingBalance,
      ...(options.faults?.get(venueConfig.name) ? { faults: options.faults.get(venueConfig.name) } : {}),
    });
    for (const [market, quote] of venueConfig.markets) {
      if (!paperState.getBook(venueConfig.name, market)) venue.setQuote(market, quote.bid, quote.ask, quote.depth, 0);
    }
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
