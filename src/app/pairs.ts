// Finding pairs: list two venues' open markets, cache them in the ledger with their fetch time, and propose candidate
// pairs from the cache; confirm one by its id into the config file; list the configured pairs. Nothing here trades,
// and suggesting never confirms: only `confirmSuggestedPair`, run by a person naming an id, writes a pair.
import type { Config, PairConfig } from '../config/config.js';
import { confirmPairInFile, type ConfirmOutcome } from '../config/pair-confirm.js';
import { InputError } from '../domain/errors.js';
import { suggestPairs, type PairSuggestion } from '../domain/pairing.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Venue } from '../venues/venue.js';

export interface ListingFetched {
  readonly venue: string;
  readonly markets: number;
  readonly fetchedAt: string;
}

export interface PairSuggestions {
  readonly venues: readonly [string, string];
  readonly listings: readonly ListingFetched[];
  readonly suggestions: readonly PairSuggestion[];
}

/** The two venues to compare: those named, else the first two configured venues that can list their markets. */
function chooseListingVenues(venues: ReadonlyMap<string, Venue>, named: readonly string[] | null): [string, string] {
  const chosen = named ?? [...venues].filter(([, venue]) => venue.listMarkets !== undefined).map(([name]) => name).slice(0, 2);
  if (chosen.length !== 2) throw new InputError(named ? `--venues names ${chosen.length} venue(s); name two` : 'pairs are found between two venues that list their markets (kalshi, polymarket); fewer are configured');
  const [a, b] = chosen as [string, string];
  if (a === b) throw new InputError(`--venues names ${a} twice`);
  for (const name of chosen) {
    const venue = venues.get(name);
    if (!venue) throw new InputError(`unknown venue "${name}"`);
    if (!venue.listMarkets) throw new InputError(`${name} cannot list its markets`);
  }
  return [a, b];
}

/** Fetches two venues' open markets, replaces their cached listings, and proposes pairs from them. */
export async function suggestPairsBetween(
  ledger: Ledger,
  venues: ReadonlyMap<string, Venue>,
  named: readonly string[] | null,
  query: string | null,
): Promise<PairSuggestions> {
  const names = chooseListingVenues(venues, named);
  const listings: ListingFetched[] = [];
  for (const name of names) {
    const markets = await venues.get(name)!.listMarkets!();
    listings.push({ venue: name, markets: markets.length, fetchedAt: ledger.replaceMarketListings(name, markets) });
  }
  const suggestions = suggestPairs(ledger.marketListings(names[0]).markets, ledger.marketListings(names[1]).markets, { query });
  return { venues: names, listings, suggestions };
}

/** Every suggestion the cached listings allow between any two venues of the config, unbounded: what an id may name. */
function cachedSuggestion(ledger: Ledger, config: Config, id: string): PairSuggestion | null {
  const names = [...config.venues.keys()];
  for (const [index, a] of names.entries()) {
    for (const b of names.slice(index + 1)) {
      const found = suggestPairs(ledger.marketListings(a).markets, ledger.marketListings(b).markets, { limit: Number.MAX_SAFE_INTEGER }).find((s) => s.id === id);
      if (found) return found;
    }
  }
  return null;
}

export interface ConfirmedPair {
  readonly name: string;
  readonly outcome: ConfirmOutcome;
  readonly suggestion: PairSuggestion;
}

/** Writes the suggestion `id` (from the cached listings) into the config file as a confirmed pair. */
export function confirmSuggestedPair(ledger: Ledger, config: Config, id: string): ConfirmedPair {
  if (config.source === null) throw new InputError('no config file: pairs are confirmed into one (--config, or arbbot.config.json here)');
  const suggestion = cachedSuggestion(ledger, config, id);
  if (!suggestion) throw new InputError(`no suggestion "${id}" among the cached listings (run arbbot pairs suggest)`);
  const written = confirmPairInFile(config.source, suggestion.id, suggestion.a, suggestion.b);
  return { ...written, suggestion };
}

/** The configured pairs, confirmed or not, in the config's order. */
export function configuredPairs(config: Config): readonly PairConfig[] {
  return [...config.pairs.values()];
}
