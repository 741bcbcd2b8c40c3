// Builds the configured venues. Paper venues share one state file beside the ledger (arbbot.db → arbbot.paper.db);
// live adapters are imported only when configured, so paper-only commands never load their signing libraries.
import type { Config, VenueConfig, VenueType } from '../config/config.js';
import type { LiveVenueOptions } from './http/live-options.js';
import { PaperState, paperStatePath } from './paper/paper-state.js';
import { PaperVenue, type PaperFaultPlan } from './paper/paper-venue.js';
import type { Venue } from './venue.js';

export interface VenueSet {
  readonly venues: ReadonlyMap<string, Venue>;
  /** The paper venues themselves, for what only a paper venue does (scripted faults, seeding): never the engine's business. */
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
  /**
   * Keep live books from the venues' streams (the engine, `arbbot run`): the venues then read their books from memory
   * once the feed starts their streams. Other commands read a book when they need it, over REST.
   */
  readonly streamBooks?: boolean;
}

/** What building one venue may use: the shared paper state file (created on first use) and the live adapters' options. */
interface BuildContext {
  readonly config: Config;
  readonly paperState: () => PaperState;
  readonly faults: ReadonlyMap<string, PaperFaultPlan> | undefined;
  readonly live: LiveVenueOptions;
}

/**
 * Each venue type and how it is built: the one table a new venue is added to (the compiler asks for an entry per
 * `type` the config accepts). A live adapter's module is imported only when a venue of its type is configured.
 */
const VENUE_KINDS: { readonly [type in VenueType]: (venue: VenueConfig, context: BuildContext) => Promise<Venue> } = {
  paper: async (venue, context) => createPaperVenue(venue, context),
  kalshi: async (venue, context) => (await import('./kalshi/index.js')).createKalshiVenue(venue, context.live),
  polymarket: async (venue, context) => (await import('./polymarket/index.js')).createPolymarketVenue(venue, context.live),
  sx: async (venue, context) => (await import('./sx/index.js')).createSxVenue(venue, context.live),
};

function createPaperVenue(venueConfig: VenueConfig, context: BuildContext): PaperVenue {
  const faults = context.faults?.get(venueConfig.name);
  const venue = new PaperVenue({
    name: venueConfig.name,
    predictionMarket: venueConfig.predictionMarket,
    costs: context.config.costs,
    state: context.paperState(),
    startingBalance: venueConfig.startingBalance,
    ...(faults ? { faults } : {}),
  });
  for (const [market, quote] of venueConfig.markets) venue.seedQuote(market, quote.bid, quote.ask, quote.depth);
  return venue;
}

export async function createVenues(config: Config, ledgerPath: string, options: VenueSetOptions = {}): Promise<VenueSet> {
  const venues = new Map<string, Venue>();
  const paper = new Map<string, PaperVenue>();
  // Paper venues share one state file, opened by the first of them.
  const shared: { state: PaperState | null } = { state: null };
  const context: BuildContext = {
    config,
    paperState: () => (shared.state ??= new PaperState(paperStatePath(ledgerPath), { readonly: options.readonly === true })),
    faults: options.faults,
    live: { ...options.live, streamBooks: options.streamBooks === true },
  };
  for (const venueConfig of config.venues.values()) {
    const venue = await VENUE_KINDS[venueConfig.type](venueConfig, context);
    venues.set(venueConfig.name, venue);
    if (venue instanceof PaperVenue) paper.set(venueConfig.name, venue);
  }
  const state = shared.state;
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
