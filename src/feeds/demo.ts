// The zero-configuration demo's scenario: which paper markets the synthetic feed quotes (each paper venue's configured
// markets, or SOL-USD and ETH-USD on a general venue with none), paired markets sharing a fair value so their prices
// cross now and then and resolve every few thousand ticks, and the failures the paired venues inject.
import type { Config } from '../config/config.js';
import { InputError } from '../domain/errors.js';
import type { PaperFaultPlan } from '../venues/paper/paper-venue.js';
import type { Feed } from './events.js';
import { SyntheticFeed, type SyntheticMarket } from './synthetic.js';

/** A paired market resolves this often in the demo, so hedged pairs are paid out while one watches. */
const DEMO_RESOLVE_EVERY_TICKS = 2_000;
const SOL_START_PRICE_MICROS = 100_000_000;
const ETH_START_PRICE_MICROS = 2_500_000_000;

/** Demo markets: each paper venue's configured markets, or two general markets on a venue with none. */
export function demoMarkets(config: Config): SyntheticMarket[] {
  const markets: SyntheticMarket[] = [];
  for (const venue of config.venues.values()) {
    if (venue.type !== 'paper') continue;
    if (venue.markets.size === 0 && !venue.predictionMarket) {
      markets.push({ venue: venue.name, market: 'SOL-USD', startPrice: SOL_START_PRICE_MICROS, predictionMarket: false });
      markets.push({ venue: venue.name, market: 'ETH-USD', startPrice: ETH_START_PRICE_MICROS, predictionMarket: false });
    }
    for (const [market, quote] of venue.markets) {
      markets.push({ venue: venue.name, market, startPrice: Math.floor((quote.bid + quote.ask) / 2), predictionMarket: venue.predictionMarket });
    }
  }
  if (markets.length === 0) throw new InputError('no paper markets to simulate: configure a paper venue (or pass --feed FILE)');
  return markets;
}

/** The demo's synthetic feed: paired markets share a fair value, so their prices cross now and then. */
export function demoFeed(config: Config, options: { readonly seed: number; readonly tickIntervalMs: number }): Feed {
  const groupOf = new Map<string, string>();
  for (const pair of config.pairs.values()) for (const leg of [pair.a, pair.b]) groupOf.set(`${leg.venue}\u0000${leg.market}`, pair.name);
  const markets = demoMarkets(config).map((m) => {
    const group = groupOf.get(`${m.venue}\u0000${m.market}`);
    return group ? { ...m, group } : m;
  });
  // Feed time starts at the wall clock: `open` and `close` beside the demo fill at its paper books, and refuse a quote
  // that looks older than priceGuard.staleAfterMs.
  return new SyntheticFeed({
    seed: options.seed,
    markets,
    tickIntervalMs: options.tickIntervalMs,
    resolveEveryTicks: DEMO_RESOLVE_EVERY_TICKS,
    startTimeMs: Date.now(),
  });
}

/** Failure injection on the paired paper venues (seeded, so a run is replayable): what goes wrong between venues. */
export function demoFaults(config: Config): Map<string, PaperFaultPlan> {
  const faults = new Map<string, PaperFaultPlan>();
  let seed = 7;
  for (const pair of config.pairs.values()) {
    for (const leg of [pair.a, pair.b]) faults.set(leg.venue, { rejectRate: 0.12, partialFillRate: 0.08, timeoutAfterAcceptRate: 0.05, seed: (seed += 1) });
  }
  return faults;
}
