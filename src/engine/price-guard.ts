// The price guard: no quote reaches a decision unless it is numeric, positive, not crossed, inside (0, 1) on a
// prediction market, and within maxJumpPct of the market's last accepted price. The last accepted price per
// market is kept (and persisted by the engine), so a restart does not forget what "normal" was.
import { isPredictionPrice, type MarketPrice } from '../domain/market.js';
import { formatMicrosTrim, formatScaled, MoneyFormatError, parsePrice, PPM_ALL, type Ppm, type PriceMicros } from '../domain/money.js';
import type { Config } from '../config/config.js';
import type { RawQuote } from '../feeds/events.js';

export type RejectReason = 'unknown_venue' | 'non_numeric' | 'non_positive' | 'crossed' | 'out_of_range' | 'jump';

export interface AcceptedQuote {
  readonly venue: string;
  readonly market: string;
  readonly bid: PriceMicros;
  readonly ask: PriceMicros;
  readonly timestampMs: number;
}

export type GuardVerdict =
  | { readonly ok: true; readonly quote: AcceptedQuote }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

/**
 * After this many consecutive jump-rejected quotes that agree with each other (within the jump limit), the market
 * really moved (for example across a disconnect): the guard re-anchors instead of rejecting that market forever.
 */
export const REANCHOR_AFTER_CONSISTENT_QUOTES = 5;

interface Reference {
  readonly venue: string;
  readonly market: string;
  bid: PriceMicros;
  ask: PriceMicros;
  /** Jump-rejected quotes in a row that agree with each other, and the first of them. */
  pendingCount: number;
  pendingMid: number;
  /** Accepted a new price since the last save; the reference is then also in `changed`. */
  unsaved: boolean;
}

/** A venue's references, by market (a quote finds its reference without building a key string), and its kind. */
interface VenueReferences {
  readonly predictionMarket: boolean;
  readonly markets: Map<string, Reference>;
}

export class PriceGuard {
  private readonly venues = new Map<string, VenueReferences>();
  /** The references whose price changed since the last save, so a flush writes only those. */
  private readonly changed: Reference[] = [];
  readonly rejected = new Map<RejectReason, number>();

  constructor(
    private readonly maxJumpPpm: Ppm,
    private readonly isPredictionMarket: (venue: string) => boolean,
    /** A quote from a venue the config does not name is no quote: rejected and counted, never accepted. */
    private readonly isKnownVenue: (venue: string) => boolean = () => true,
  ) {}

  /** The guard the config describes: its jump limit, its prediction markets, and no venue it does not name. */
  static forConfig(config: Config): PriceGuard {
    return new PriceGuard(
      config.priceGuard.maxJumpPpm,
      (venue) => config.venues.get(venue)?.predictionMarket ?? false,
      (venue) => config.venues.has(venue),
    );
  }

  /** Seeds the last accepted prices (from the ledger at start-up). */
  restore(prices: Iterable<MarketPrice>): void {
    for (const price of prices) {
      this.setReference({
        venue: price.venue,
        market: price.market,
        bid: price.bid,
        ask: price.ask,
        pendingCount: 0,
        pendingMid: 0,
        unsaved: false,
      });
    }
  }

  lastAccepted(venue: string, market: string): { bid: PriceMicros; ask: PriceMicros } | undefined {
    return this.venues.get(venue)?.markets.get(market);
  }

  totalRejected(): number {
    let total = 0;
    for (const count of this.rejected.values()) total += count;
    return total;
  }

  check(raw: RawQuote): GuardVerdict {
    const verdict = this.evaluate(raw);
    if (!verdict.ok) this.rejected.set(verdict.reason, (this.rejected.get(verdict.reason) ?? 0) + 1);
    return verdict;
  }

  private evaluate(raw: RawQuote): GuardVerdict {
    const bidText = raw.price ?? raw.bid;
    const askText = raw.price ?? raw.ask;
    let bid: PriceMicros;
    let ask: PriceMicros;
    try {
      bid = parsePrice(bidText, OPTIONS_BID);
      ask = parsePrice(askText, OPTIONS_ASK);
    } catch (error) {
      if (error instanceof MoneyFormatError) return reject('non_numeric', error.message);
      throw error;
    }
    if (bid <= 0 || ask <= 0) return reject('non_positive', `bid ${formatMicrosTrim(bid)} / ask ${formatMicrosTrim(ask)} not positive`);
    if (bid > ask) return reject('crossed', `bid ${formatMicrosTrim(bid)} above ask ${formatMicrosTrim(ask)}`);
    let venue = this.venues.get(raw.venue);
    if (venue === undefined) {
      if (!this.isKnownVenue(raw.venue)) return reject('unknown_venue', `venue ${raw.venue} is not configured`);
      venue = this.addVenue(raw.venue);
    }
    if (venue.predictionMarket && !isPredictionPrice(ask)) {
      return reject('out_of_range', `ask ${formatMicrosTrim(ask)} outside (0, 1) on a prediction market`);
    }
    const reference = venue.markets.get(raw.market);
    const mid = Math.floor((bid + ask) / 2);
    if (reference) {
      const referenceMid = Math.floor((reference.bid + reference.ask) / 2);
      if (exceedsJump(mid, referenceMid, this.maxJumpPpm)) {
        if (reference.pendingCount > 0 && !exceedsJump(mid, reference.pendingMid, this.maxJumpPpm)) reference.pendingCount += 1;
        else {
          reference.pendingCount = 1;
          reference.pendingMid = mid;
        }
        if (reference.pendingCount < REANCHOR_AFTER_CONSISTENT_QUOTES) {
          return reject('jump', `mid ${formatMicrosTrim(mid)} is more than ${jumpLimitText(this.maxJumpPpm)}% from last accepted ${formatMicrosTrim(referenceMid)}`);
        }
      }
      reference.bid = bid;
      reference.ask = ask;
      reference.pendingCount = 0;
      this.noteChanged(reference);
    } else {
      const created: Reference = { venue: raw.venue, market: raw.market, bid, ask, pendingCount: 0, pendingMid: 0, unsaved: false };
      this.setReference(created);
      this.noteChanged(created);
    }
    return { ok: true, quote: { venue: raw.venue, market: raw.market, bid, ask, timestampMs: raw.timestampMs } };
  }

  /** Every market's last accepted quote. */
  snapshot(): MarketPrice[] {
    return [...this.venues.values()].flatMap((venue) => [...venue.markets.values()].map(priceOf));
  }

  /** The last accepted quote of each market whose price changed since markPricesSaved (for persisting). */
  changedPrices(): MarketPrice[] {
    return this.changed.map(priceOf);
  }

  markPricesSaved(): void {
    for (const reference of this.changed) reference.unsaved = false;
    this.changed.length = 0;
  }

  private setReference(reference: Reference): void {
    (this.venues.get(reference.venue) ?? this.addVenue(reference.venue)).markets.set(reference.market, reference);
  }

  private addVenue(name: string): VenueReferences {
    const venue: VenueReferences = { predictionMarket: this.isPredictionMarket(name), markets: new Map() };
    this.venues.set(name, venue);
    return venue;
  }

  private noteChanged(reference: Reference): void {
    if (reference.unsaved) return;
    reference.unsaved = true;
    this.changed.push(reference);
  }
}

function priceOf(reference: Reference): MarketPrice {
  return { venue: reference.venue, market: reference.market, bid: reference.bid, ask: reference.ask };
}

function reject(reason: RejectReason, detail: string): GuardVerdict {
  return { ok: false, reason, detail };
}

/** The largest factor whose product with a whole (in ppm) is still below 2^53. */
const EXACT_FACTOR_MAX = Math.floor(Number.MAX_SAFE_INTEGER / PPM_ALL);

/** The jump limit as a person reads it: 50 for 50%, 12.5 for 12.5%. */
export function jumpLimitText(maxJumpPpm: number): string {
  return formatScaled(maxJumpPpm, 4).replace(/\.?0+$/, '');
}

/** |price − reference| / reference > maxJump, compared exactly in integers. */
export function exceedsJump(price: number, reference: number, maxJumpPpm: number): boolean {
  const distance = Math.abs(price - reference);
  // Both products exact in doubles (below 2^53) for any price up to $9,007 and a jump limit up to 100%: compare them
  // directly; BigInt only beyond that.
  if (distance <= EXACT_FACTOR_MAX && reference >= 0 && reference <= EXACT_FACTOR_MAX && maxJumpPpm >= 0 && maxJumpPpm <= PPM_ALL) {
    return distance * PPM_ALL > reference * maxJumpPpm;
  }
  return BigInt(distance) * BigInt(PPM_ALL) > BigInt(reference) * BigInt(maxJumpPpm);
}

const OPTIONS_BID = { allowZero: true, allowNegative: true, label: 'bid' } as const;
const OPTIONS_ASK = { allowZero: true, allowNegative: true, label: 'ask' } as const;

