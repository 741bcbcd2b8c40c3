// A hedged pair is one bet, won or lost as a whole: when a resolution closes the last of its legs, the pair's net
// result is reported in one line, rather than each leg alone at ±100% of its cost.
import type { Micros } from '../../domain/money.js';
import type { ArbStore } from '../../ledger/arb-store.js';
import type { Position } from '../../domain/position.js';

export interface PairResolved {
  readonly tradeId: number;
  readonly pair: string;
  readonly netPnl: Micros;
  readonly legs: readonly { readonly positionId: number; readonly venue: string; readonly market: string; readonly netPnl: Micros }[];
}

/** The hedged pairs whose last leg is among `closed`, each once, with every leg's net PnL and their sum. */
export function resolvedPairs(store: ArbStore, closed: readonly Position[]): PairResolved[] {
  const seen = new Set<number>();
  const resolved: PairResolved[] = [];
  for (const position of closed) {
    if (position.kind !== 'arb_hedged') continue;
    const pair = store.hedgedPairOf(position.id);
    if (!pair || seen.has(pair.tradeId)) continue;
    seen.add(pair.tradeId);
    const legs = pair.legs.flatMap((leg) => (leg.closed && leg.netPnl !== null ? [{ positionId: leg.positionId, venue: leg.venue, market: leg.market, netPnl: leg.netPnl }] : []));
    if (legs.length !== pair.legs.length) continue; // a leg is still open: its venue has not resolved yet
    resolved.push({ tradeId: pair.tradeId, pair: pair.pair, netPnl: legs.reduce((sum, leg) => sum + leg.netPnl, 0) as Micros, legs });
  }
  return resolved;
}
