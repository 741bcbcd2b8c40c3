// Arbitrage trades that need a person, as `positions` lists them and `resolve-trade` settles them: a trade a venue
// reported the impossible about is held until the venue answers sanely (reconcile) or a person records, from the
// venue's own records, what its held leg's order came to.
import type { Config } from '../config/config.js';
import { resolveByHand, type HandResolution, type HandVerdict } from '../engine/arb/hand-resolution.js';
import { tradesNeedingAttention, type AttentionTrade } from '../engine/arb/quarantine.js';
import { ArbStore } from '../ledger/arb-store.js';
import type { Ledger } from '../ledger/ledger.js';

export type { AttentionTrade } from '../engine/arb/quarantine.js';
export type { HandResolution, HandVerdict } from '../engine/arb/hand-resolution.js';

export function listTradesNeedingAttention(ledger: Ledger): AttentionTrade[] {
  return tradesNeedingAttention({ ledger, store: new ArbStore(ledger) });
}

/** Records what the person established for the trade's held leg and books it, in one transaction; bad input writes nothing. */
export function resolveTrade(ledger: Ledger, config: Config, verdict: HandVerdict): HandResolution {
  return resolveByHand({ ledger, store: new ArbStore(ledger), config }, verdict);
}
