// Finding the same event on two venues: open markets compared by the words of their titles and by when they close.
// Pure and deterministic (same listings, same suggestions, same ids), so a suggestion can be named again later by its id
// from the cached listings alone. Nothing here confirms a pair: a person reads both venues' rules and decides.
import { createHash } from 'node:crypto';

/** One open market as a venue lists it, in the venue's own words. */
export interface ListedMarket {
  readonly venue: string;
  readonly market: string;
  readonly title: string;
  /** When trading closes (or the market resolves), ISO-8601 as the venue gives it; null when it does not say. */
  readonly closeTime: string | null;
  /** The venue's resolution rules, as it writes them; null when the listing carries none. */
  readonly rules: string | null;
  /** The venue's name for the outcome the adapter trades as YES ("Yes", or a side's own name). */
  readonly yesOutcome: string;
}

export interface PairSuggestion {
  /** Stable: a short hash of both venues and markets, whichever order they were compared in. */
  readonly id: string;
  readonly a: ListedMarket;
  readonly b: ListedMarket;
  /** Token-set similarity of the two titles, 0..1 (shared words over all words). */
  readonly similarity: number;
  /** The close times' distance in hours; null when either venue does not say. */
  readonly closeGapHours: number | null;
  /** True when the close times are more than CLOSE_GAP_HOURS_MAX apart (or unknown): ranked below every matching one. */
  readonly closeDatesDiffer: boolean;
}

/** Titles sharing less than this fraction of their words are not proposed. */
export const SIMILARITY_MIN = 0.35;
/** Two markets of one event close within a day of each other; further apart, they are marked and ranked down. */
export const CLOSE_GAP_HOURS_MAX = 24;
/** Suggestions returned at most: a person reads each one. */
export const SUGGESTIONS_MAX = 50;
const HOUR_MS = 3_600_000;

/** Words that say nothing about which event a market is (question scaffolding, articles). */
const STOP_WORDS = new Set(['a', 'an', 'the', 'will', 'be', 'is', 'are', 'of', 'in', 'on', 'at', 'by', 'to', 'for', 'or', 'and', 'after', 'before', 'than', 'this', 'that', 'with']);

/** A title's words, lower case, without punctuation or stop words ("4.00%" stays one token: "4.00"). */
export function titleTokens(title: string): ReadonlySet<string> {
  const words = title.toLowerCase().match(/[a-z0-9]+(?:\.[0-9]+)?/g) ?? [];
  return new Set(words.filter((word) => !STOP_WORDS.has(word)));
}

/** Jaccard similarity of two token sets: |shared| / |either|; 0 when both are empty. */
export function tokenSimilarity(left: ReadonlySet<string>, right: ReadonlySet<string>): number {
  let shared = 0;
  for (const token of left) if (right.has(token)) shared += 1;
  const union = left.size + right.size - shared;
  return union === 0 ? 0 : shared / union;
}

/** Hours between two ISO times, or null when either is missing or unreadable. */
export function closeGapHours(left: string | null, right: string | null): number | null {
  if (left === null || right === null) return null;
  const gapMs = Math.abs(Date.parse(left) - Date.parse(right));
  return Number.isFinite(gapMs) ? gapMs / HOUR_MS : null;
}

/** The suggestion id of two markets: the same whichever side is named first. */
export function pairId(a: Pick<ListedMarket, 'venue' | 'market'>, b: Pick<ListedMarket, 'venue' | 'market'>): string {
  const [first, second] = [`${a.venue}\u0000${a.market}`, `${b.venue}\u0000${b.market}`].sort();
  return createHash('sha256').update(`${first}\u0001${second}`).digest('hex').slice(0, 10);
}

/** Whether a market's title holds every word of the query (no query: every market). */
export function matchesQuery(market: ListedMarket, query: string | null): boolean {
  if (query === null || query.trim() === '') return true;
  const tokens = titleTokens(market.title);
  return [...titleTokens(query)].every((token) => tokens.has(token));
}

/**
 * Candidate pairs between two venues' listings, best first: close dates that agree before those that do not, then by
 * title similarity, then by id (so the order never depends on the listings' order). Only pairs sharing words are
 * compared at all (an index of B's tokens), so thousands of markets a side stay cheap.
 */
export function suggestPairs(
  aMarkets: readonly ListedMarket[],
  bMarkets: readonly ListedMarket[],
  options: { readonly query?: string | null; readonly limit?: number } = {},
): PairSuggestion[] {
  const query = options.query ?? null;
  const left = aMarkets.filter((market) => matchesQuery(market, query));
  const right = bMarkets.filter((market) => matchesQuery(market, query));
  const rightTokens = right.map((market) => titleTokens(market.title));
  const index = new Map<string, number[]>();
  rightTokens.forEach((tokens, at) => {
    for (const token of tokens) {
      const postings = index.get(token);
      if (postings) postings.push(at);
      else index.set(token, [at]);
    }
  });
  const suggestions: PairSuggestion[] = [];
  for (const a of left) {
    const tokens = titleTokens(a.title);
    const candidates = new Set<number>();
    for (const token of tokens) for (const at of index.get(token) ?? []) candidates.add(at);
    for (const at of candidates) {
      const similarity = tokenSimilarity(tokens, rightTokens[at]!);
      if (similarity < SIMILARITY_MIN) continue;
      const b = right[at]!;
      const gap = closeGapHours(a.closeTime, b.closeTime);
      suggestions.push({ id: pairId(a, b), a, b, similarity, closeGapHours: gap, closeDatesDiffer: gap === null || gap > CLOSE_GAP_HOURS_MAX });
    }
  }
  suggestions.sort(
    (x, y) => Number(x.closeDatesDiffer) - Number(y.closeDatesDiffer) || y.similarity - x.similarity || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  );
  return suggestions.slice(0, options.limit ?? SUGGESTIONS_MAX);
}
