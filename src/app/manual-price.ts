// A price typed by a person is checked like a price from a feed: farther from the market's last accepted price than
// the price guard allows, it is refused unless the person says it is real (--force). A mistyped close price books a
// gain or a loss that never happened into an append-only ledger, and wallet-check cannot tell it from a real one.
import type { Config } from '../config/config.js';
import { InputError } from '../domain/errors.js';
import { formatUsd, type PriceMicros } from '../domain/money.js';
import { exceedsJump, jumpLimitText } from '../engine/price-guard.js';
import type { Ledger } from '../ledger/ledger.js';

export interface ManualPrice {
  readonly venue: string;
  readonly market: string;
  readonly price: PriceMicros;
  /** --force: the person vouches for the price. */
  readonly force: boolean;
  /** What to judge by when the engine has saved no price for the market (a position's entry price), if anything. */
  readonly fallback?: { readonly price: PriceMicros; readonly what: string };
}

/** Refuses (exit 2, nothing written) a hand-typed price beyond the price guard's jump limit, unless forced. */
export function assertPlausibleManualPrice(ledger: Ledger, config: Config, input: ManualPrice): void {
  if (input.force) return;
  const saved = ledger.marketPrice(input.venue, input.market);
  const reference = saved
    ? { price: Math.floor((saved.bid + saved.ask) / 2), what: `the last accepted price of ${input.market} on ${input.venue}` }
    : input.fallback;
  if (reference === undefined) return; // nothing to judge by: the first price of a market, as for a feed
  const maxJumpPpm = config.priceGuard.maxJumpPpm;
  if (!exceedsJump(input.price, reference.price, maxJumpPpm)) return;
  throw new InputError(
    `--price ${formatUsd(input.price, 4)} is more than ${jumpLimitText(maxJumpPpm)}% from ${reference.what} (${formatUsd(reference.price, 4)}); check it, or pass --force to book it anyway`,
  );
}
