// What arbitrage code shares: its dependencies, and abandoning a trade that never sent an order (its reservations
// released, its legs settled as not placed, the trade failed), in one transaction.
import type { Config } from '../../config/config.js';
import type { ArbStore } from '../../ledger/arb-store.js';
import type { Ledger } from '../../ledger/ledger.js';
import type { Venue } from '../../venues/venue.js';

export interface ArbDeps {
  readonly ledger: Ledger;
  readonly store: ArbStore;
  readonly venues: ReadonlyMap<string, Venue>;
  readonly config: Config;
}

/** Releases the reservations of a trade that never sent an order (one interrupted before its send), and marks it failed. */
export function abandon(deps: ArbDeps, tradeId: number, reason: string): void {
  const { ledger, store } = deps;
  ledger.transaction(() => {
    for (const leg of store.legsOf(tradeId)) {
      if (leg.state === 'submitted' || leg.state === 'unknown') throw new Error(`leg ${leg.id} may have been sent: it cannot be abandoned`);
      if (leg.reservation_id !== null) ledger.releaseReservation(leg.reservation_id, { description: `Released arb #${tradeId} leg ${leg.leg.toUpperCase()}: ${reason}` });
      if (leg.state !== 'settled') store.transitionLeg(leg.id, 'settled', {}, `not placed: ${reason}`);
    }
    store.setTradeState(tradeId, 'failed', { outcome: 'none', note: reason });
  });
}
