// The price guard: no quote reaches a decision unless it is numeric, positive, not crossed, inside (0, 1) on a
// prediction market, and within maxJumpPct of the market's last accepted price. The last accepted price per
// market is kept (and persisted by the engine), so a restart does not forget what "normal" was.
import { formatMicrosTrim, formatScaled, MoneyFormatError, parsePrice, type Ppm, type PriceMicros } from '../domain/money.js';
import type { RawQuote } from '../feeds/events.js';

export type RejectReason = 'non_numeric' | 'non_positive' | 'crossed' | 'out_of_range' | 'jump';

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
  bid: PriceMicros;
  ask: PriceMicros;
  /** Jump-rejected quotes in a row that agree with each other, and the first of them. */
  pendingCount: number;
  pendingMid: number;
}

export class PriceGuard {
  private readonly references = new Map<string, Reference>();
  readonly rejected = new Map<RejectReason, number>();

  constructor(
    private readonly maxJumpPpm: Ppm,
    private readonly isPredictionMarket: (venue: string) => boolean,
  ) {}

  /** Seeds the last accepted prices (from the ledger at start-up). */
  restore(prices: Iterable<{ venue: string; market: string; bid: number; ask: number }>): void {
    for (const price of prices) {
      this.references.set(key(price.venue, price.market), {
        bid: price.bid as PriceMicros,
        ask: price.ask as PriceMicros,
        pendingCount: 0,
        pendingMid: 0,
      });
    }
  }

  lastAccepted(venue: string, market: string): { bid: PriceMicros; ask: PriceMicros } | undefined {
    return this.references.get(key(venue, market));
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
    const parsed = parseSides(raw);
    if ('reason' in parsed) return { ok: false, ...parsed };
    const { bid, ask } = parsed;
    if (bid <= 0 || ask <= 0) return reject('non_positive', `bid ${formatMicrosTrim(bid)} / ask ${formatMicrosTrim(ask)} not positive`);
    if (bid > ask) return reject('crossed', `bid ${formatMicrosTrim(bid)} above ask ${formatMicrosTrim(ask)}`);
    if (this.isPredictionMarket(raw.venue) && ask >= 1_000_000) {
      return reject('out_of_range', `ask ${formatMicrosTrim(ask)} outside (0, 1) on a prediction market`);
    }
    const marketKey = key(raw.venue, raw.market);
    const reference = this.references.get(marketKey);
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
          return reject('jump', `mid ${formatMicrosTrim(mid)} is more than ${formatScaled(this.maxJumpPpm, 4).replace(/\.?0+$/, '')}% from last accepted ${formatMicrosTrim(referenceMid)}`);
        }
      }
      reference.bid = bid;
      reference.ask = ask;
      reference.pendingCount = 0;
    } else {
      this.references.set(marketKey, { bid, ask, pendingCount: 0, pendingMid: 0 });
    }
    return { ok: true, quote: { venue: raw.venue, market: raw.market, bid, ask, timestampMs: raw.timestampMs } };
  }

  /** Every market's last accepted quote (for persisting). */
  snapshot(): { venue: string; market: string; bid: number; ask: number }[] {
    return [...this.references].map(([marketKey, ref]) => {
      const [venue = '', market = ''] = marketKey.split('\u0000');
      return { venue, market, bid: ref.bid, ask: ref.ask };
    });
  }
}

function key(venue: string, market: string): string {
  return `${venue}\u0000${market}`;
}

function reject(reason: RejectReason, detail: string): GuardVerdict {
  return { ok: false, reason, detail };
}

/** |price − reference| / reference > maxJump, compared exactly in integers. */
function exceedsJump(price: number, reference: number, maxJumpPpm: number): boolean {
  return BigInt(Math.abs(price - reference)) * 1_000_000n > BigInt(reference) * BigInt(maxJumpPpm);
}

function parseSides(raw: RawQuote): { bid: PriceMicros; ask: PriceMicros } | { reason: RejectReason; detail: string } {
  const bidText = raw.price ?? raw.bid;
  const askText = raw.price ?? raw.ask;
  try {
    const bid = parsePrice(bidText, { allowZero: true, allowNegative: true, label: 'bid' });
    const ask = parsePrice(askText, { allowZero: true, allowNegative: true, label: 'ask' });
    return { bid, ask };
  } catch (error) {
    if (error instanceof MoneyFormatError) return { reason: 'non_numeric', detail: error.message };
    throw error;
  }
}
