// Armed trades: each confirmed pair's next arbitrage, committed ahead of any opportunity, so that when one comes its
// orders leave without waiting for the disk. What makes sending safe is already durable when an order is sent:
//   - both legs' funds, reserved (each leg up to the pair's maxSize),
//   - both client order ids, with venue, market and outcome, so a crash at any later moment is settled by asking
//     the venues by client order id (recovery.ts), exactly as for a trade committed just before its send.
// Only the order's own size and limit price are written after the send (fireArmedWithin), in the same synchronous
// turn. An armed trade is a trade in state 'reserved' with its legs 'reserved'; it is used once, then armed anew.
import type { PairConfig } from '../../config/config.js';
import type { ArbDirection } from '../../domain/arb.js';
import { formatUsd, mulDiv, SCALE, type Micros, type PriceMicros, type QtyMicros } from '../../domain/money.js';
import type { ArbLeg, NewLeg, NewTrade } from '../../ledger/arb-store.js';
import type { Reservation } from '../../ledger/ledger.js';
import type { Outcome } from '../../venues/venue.js';
import { opposite } from '../../domain/market.js';
import { newClientOrderId } from '../../domain/ids.js';
import { abandon, type ArbDeps } from './trade-records.js';
import { cheapestAsk, type PairBooks } from './scanner.js';

/** The highest limit price an armed leg allows: a prediction-market price is below 1. */
export const ARMED_LIMIT_PRICE_MAX = (SCALE - 1) as PriceMicros;
/**
 * An armed leg's most contracts: maxSize buys this many pairs when a pair costs $0.50. An opportunity paying more
 * than its cost again is rare enough (and suspect enough) to take the path that commits first.
 */
const ARMED_CONTRACTS_PER_USD = 2;
/**
 * The most of a venue's balance its armed trades hold together: with many pairs, arming each to maxSize would lock
 * every dollar ahead and leave nothing for positions. A pair armed with less, or not at all, commits before its send.
 */
export const ARMED_WALLET_SHARE_PCT_MAX = 50;

/** How the note of an armed trade released unused begins (its legs were never sent). */
export const RELEASED_UNUSED = 'armed, released unused';

export interface ArmedTrade {
  readonly tradeId: number;
  readonly pair: string;
  readonly direction: ArbDirection;
  /** The most contracts an opportunity may have and use this trade. */
  readonly contractsMax: QtyMicros;
  readonly legA: ArbLeg;
  readonly legB: ArbLeg;
  readonly reservationA: Reservation;
  readonly reservationB: Reservation;
}

/** The direction whose cheapest asks come closest to paying: where the next opportunity most likely lies. */
export function likelierDirection(books: PairBooks | null): ArbDirection {
  if (books === null) return 'yes_a_no_b';
  const sum = (a: PriceMicros | null, b: PriceMicros | null) => (a === null || b === null ? Number.POSITIVE_INFINITY : a + b);
  const yesANoB = sum(cheapestAsk(books.aYes.asks), cheapestAsk(books.bNo.asks));
  const noAYesB = sum(cheapestAsk(books.aNo.asks), cheapestAsk(books.bYes.asks));
  return noAYesB < yesANoB ? 'no_a_yes_b' : 'yes_a_no_b';
}

/** Each leg's outcome in a direction: the pair's YES on one venue, its NO on the other. */
function outcomes(pair: PairConfig, direction: ArbDirection): [Outcome, Outcome] {
  return direction === 'yes_a_no_b' ? [pair.a.yesIs, opposite(pair.b.yesIs)] : [opposite(pair.a.yesIs), pair.b.yesIs];
}

/**
 * Arms the pair's next trade in one commit: the trade and its legs written reserved, each leg holding up to the
 * pair's maxSize, less when the wallet holds less or its armed trades (`heldOn`) already hold their share of it.
 * Null, with nothing written, when a leg would hold nothing.
 */
function armTrade(deps: ArbDeps, pair: PairConfig, direction: ArbDirection, heldOn: (venue: string) => number): ArmedTrade | null {
  const { ledger, store } = deps;
  const [outcomeA, outcomeB] = outcomes(pair, direction);
  const contractsMax = Math.max(Math.floor((pair.maxSizeMicros * ARMED_CONTRACTS_PER_USD) / SCALE), 1) * SCALE as QtyMicros;
  const leg = (name: 'a' | 'b', venue: string, market: string, outcome: Outcome): NewLeg => ({
    leg: name,
    venue,
    market,
    outcome,
    side: 'buy',
    quantity: contractsMax,
    limitPrice: ARMED_LIMIT_PRICE_MAX,
    clientOrderId: newClientOrderId(),
  });
  const legs = [leg('a', pair.a.venue, pair.a.market, outcomeA), leg('b', pair.b.venue, pair.b.market, outcomeB)] as const;
  const trade: NewTrade = { pair: pair.name, direction, contracts: contractsMax, expectedNetEdge: 0, legs };
  return ledger.transaction(() => {
    // Read inside the IMMEDIATE transaction: no other process can spend these funds before they are reserved.
    const amounts = legs.map((planned) => {
      const wallet = ledger.getWallet(planned.venue);
      if (!wallet) return 0;
      // Both legs on one venue share what it may hold ahead.
      const share = pair.a.venue === pair.b.venue ? 2 : 1;
      const headroom = mulDiv(wallet.total, ARMED_WALLET_SHARE_PCT_MAX, 100, 'down') - heldOn(planned.venue);
      return Math.floor(Math.min(pair.maxSizeMicros, wallet.available, headroom) / share);
    });
    if (amounts.some((amount) => amount <= 0)) return null;
    let reservations: Reservation[] = [];
    const armed = store.armNewTradeWithin(trade, (tradeId) => {
      reservations = ledger.reserveWithin(
        legs.map((planned, index) => {
          const amount = amounts[index] as Micros;
          const name = planned.leg.toUpperCase();
          return {
            venue: planned.venue,
            amount,
            idempotencyKey: `arb-leg:${planned.clientOrderId}`,
            purpose: `arb #${tradeId} leg ${name} (armed)`,
            description: `Reserved ${formatUsd(amount)} ahead for arb #${tradeId} leg ${name} (${planned.market} ${planned.outcome.toUpperCase()}), armed`,
          };
        }),
      );
      return reservations.map((reservation) => reservation.id);
    });
    const [legA, legB] = armed.legs as [ArbLeg, ArbLeg];
    const [reservationA, reservationB] = reservations as [Reservation, Reservation];
    return { tradeId: armed.trade.id, pair: pair.name, direction, contractsMax: trade.contracts as QtyMicros, legA, legB, reservationA, reservationB };
  });
}

/**
 * The engine's armed trades, one per pair at most. Owned by one engine: taken when an opportunity fires it, released
 * (its funds back, the trade failed with nothing sent) when the engine stops or before it reconciles itself.
 */
export class ArmedTrades {
  private readonly byPair = new Map<string, ArmedTrade>();

  constructor(private readonly deps: ArbDeps) {}

  /** The trades armed now, by id. */
  tradeIds(): number[] {
    return [...this.byPair.values()].map((armed) => armed.tradeId);
  }

  get(pair: string): ArmedTrade | undefined {
    return this.byPair.get(pair);
  }

  /** Funds held by the pair's armed trade on each leg's venue (0 when none): the scanner may size with them. */
  heldFor(pair: string): { a: Micros; b: Micros } {
    const armed = this.byPair.get(pair);
    return armed ? { a: armed.reservationA.amount, b: armed.reservationB.amount } : { a: 0 as Micros, b: 0 as Micros };
  }

  /** Arms the pair unless it already is; false when the wallets hold nothing to arm it with. */
  arm(pair: PairConfig, direction: ArbDirection): boolean {
    if (this.byPair.has(pair.name)) return true;
    const armed = armTrade(this.deps, pair, direction, (venue) => this.heldOn(venue));
    if (armed) this.byPair.set(pair.name, armed);
    return armed !== null;
  }

  /** What the armed trades hold on a venue, together. */
  private heldOn(venue: string): number {
    let held = 0;
    for (const armed of this.byPair.values()) {
      if (armed.reservationA.venue === venue) held += armed.reservationA.amount;
      if (armed.reservationB.venue === venue) held += armed.reservationB.amount;
    }
    return held;
  }

  /** Hands the pair's armed trade over to be fired: from here its orders may be sent, and it is no longer held. */
  take(pair: string): void {
    this.byPair.delete(pair);
  }

  /**
   * The pair's armed trade if the ledger still holds it armed (one indexed read). A reconcile run as if no engine
   * were running may have released it: then it is dropped here too, and nothing may be sent under it.
   */
  live(pair: string): ArmedTrade | undefined {
    const armed = this.byPair.get(pair);
    if (!armed) return undefined;
    if (this.deps.store.tradeState(armed.tradeId) === 'reserved') return armed;
    this.byPair.delete(pair);
    return undefined;
  }

  /** Releases the pair's armed trade, unused. */
  disarm(pair: string, reason: string): void {
    const armed = this.byPair.get(pair);
    if (!armed) return;
    this.byPair.delete(pair);
    // Released already by a reconcile that ignored this engine: nothing left to release.
    if (this.deps.store.tradeState(armed.tradeId) !== 'reserved') return;
    abandon(this.deps, armed.tradeId, `${RELEASED_UNUSED}: ${reason}`);
  }

  disarmAll(reason: string): void {
    for (const pair of [...this.byPair.keys()]) this.disarm(pair, reason);
  }
}
