// The zero-configuration demo's own positions: on a demo market with none open, one $size position at the current
// quote, alternately long and short, within the wallet, the risk limits and a cap on how many are open at once.
import type { Config } from '../config/config.js';
import { InsufficientBalanceError } from '../domain/errors.js';
import type { Micros } from '../domain/money.js';
import type { Side } from '../domain/position.js';
import { capToPositionLimit } from '../domain/risk.js';
import type { Ledger } from '../ledger/ledger.js';
import type { AcceptedQuote } from './price-guard.js';
import type { RiskGate } from './risk-gate.js';
import { openPosition } from './trading.js';

export interface DemoOptions {
  /** Markets the demo opens positions on. */
  readonly markets: readonly { readonly venue: string; readonly market: string }[];
  readonly sizeMicros: Micros;
  readonly openPositionsMax: number;
  readonly opensMax: number;
}

export type DemoOpened = ReturnType<typeof openPosition>;

export class DemoOpener {
  private side: Side = 'long';
  private opened = 0;

  constructor(
    private readonly options: DemoOptions,
    private readonly ledger: Ledger,
    private readonly config: Config,
    private readonly risk: RiskGate | null,
  ) {}

  /** Opens the demo's next position on this quote's market when it has room for one; null when it does not. */
  maybeOpen(quote: AcceptedQuote): DemoOpened | null {
    const demo = this.options;
    if (this.opened >= demo.opensMax) return null;
    if (!demo.markets.some((m) => m.venue === quote.venue && m.market === quote.market)) return null;
    if (this.ledger.listOpenPositionsForMarket(quote.venue, quote.market).length > 0) return null;
    // Arbitrage legs are not demo positions: count only the ladder positions the demo opened.
    if (this.ledger.listPositions('open').filter((p) => p.kind === 'single').length >= demo.openPositionsMax) return null;
    // The engine sizes its own positions: within the position limit, as arbitrage sizes its legs.
    const size = this.risk ? capToPositionLimit(this.config.risk, demo.sizeMicros) : demo.sizeMicros;
    const wallet = this.ledger.getWallet(quote.venue);
    if (!wallet || wallet.available < size) return null;
    if (this.risk && !this.risk.admit([quote.venue], 1)) return null;
    const side = this.side;
    this.side = side === 'long' ? 'short' : 'long';
    const opened = this.tryOpen(quote, side, size);
    if (opened) this.opened += 1;
    return opened;
  }

  /** A demo open the wallet cannot fund (its cost and what its close may cost need to be free) is skipped, not fatal. */
  private tryOpen(quote: AcceptedQuote, side: Side, size: Micros): DemoOpened | null {
    try {
      return openPosition(this.ledger, {
        venue: quote.venue,
        market: quote.market,
        side,
        size,
        price: side === 'long' ? quote.ask : quote.bid,
        ladder: this.config.tpsl,
        costs: this.config.costs,
        predictionMarket: this.config.venues.get(quote.venue)?.predictionMarket ?? false,
      });
    } catch (error) {
      if (error instanceof InsufficientBalanceError) return null;
      throw error;
    }
  }
}
