// What the engine reports as it runs. The engine only emits these; the CLI decides how they look.
import type { Outcome } from '../domain/market.js';
import type { RiskBreach } from '../domain/risk.js';
import type { CloseTrigger, Position } from '../domain/position.js';
import type { Wallet } from '../domain/wallet.js';
import type { StorageFault } from '../ledger/database.js';
import type { CloseResult } from '../ledger/ledger.js';
import type { ReconcileReport } from './reconcile.js';
import type { RejectReason } from './price-guard.js';
import type { PauseReason } from './network-pause.js';
import type { ArbResult } from './arb/executor.js';
import type { Opportunity } from './arb/scanner.js';
import type { PairResolved } from './arb/pair-result.js';
import type { UnhedgedOutcome } from './arb/unhedged.js';

export type EngineEvent =
  | { readonly kind: 'reconciled'; readonly report: ReconcileReport; readonly openPositions: number; readonly locked: number }
  | { readonly kind: 'bad_line'; readonly line: number; readonly reason: string }
  | { readonly kind: 'quote_rejected'; readonly venue: string; readonly market: string; readonly reason: RejectReason; readonly detail: string }
  | { readonly kind: 'paused'; readonly venue: string; readonly reason: PauseReason; readonly detail?: string }
  | { readonly kind: 'resumed'; readonly venue: string; readonly report: ReconcileReport }
  | { readonly kind: 'tier'; readonly position: Position; readonly tier: 'tp1' | 'tp2'; readonly price: number; readonly newStop: number }
  | { readonly kind: 'closing'; readonly position: Position; readonly trigger: CloseTrigger; readonly price: number }
  /** `byResolution`: settled at 1 or 0 by its market's resolution, not closed at a price. */
  | { readonly kind: 'closed'; readonly result: Extract<CloseResult, { status: 'closed' }>; readonly byResolution: boolean }
  | { readonly kind: 'opened'; readonly position: Position; readonly walletBefore: Wallet; readonly walletAfter: Wallet }
  | { readonly kind: 'resolved'; readonly venue: string; readonly market: string; readonly outcome: Outcome; readonly settled: number }
  /** A resolution closed the last leg of a hedged arbitrage pair: the pair's net result. */
  | ({ readonly kind: 'pair_resolved' } & PairResolved)
  /**
   * latencyMs: wall time from the triggering quote's arrival in the engine to both orders handed to the venues; null
   * when no order was sent (or the trade was not started by a quote).
   */
  | { readonly kind: 'arb'; readonly opportunity: Opportunity; readonly result: ArbResult; readonly latencyMs: number | null }
  | { readonly kind: 'unhedged'; readonly tradeId: number; readonly positionId: number; readonly outcome: UnhedgedOutcome }
  /** A wallet's locked / total crossed arbitrage.utilizationWarnPct: above it, or back under it. */
  | {
      readonly kind: 'utilization';
      readonly state: 'above' | 'below';
      readonly venue: string;
      readonly utilizationPpm: number;
      readonly warnPpm: number;
      readonly locked: number;
      readonly total: number;
    }
  /** A risk limit started holding new positions back (reached), or stopped (lifted, with why). */
  | { readonly kind: 'risk_limit'; readonly state: 'reached' | 'lifted'; readonly breach: RiskBreach; readonly reason: string | null }
  /** A position the engine could not close or settle: marked for a person, and left alone for the rest of the run. */
  | { readonly kind: 'attention'; readonly positionId: number; readonly market: string; readonly reason: string }
  /** The ledger cannot be written (storage-pause.ts): every venue paused, retried after retryInMs. */
  | { readonly kind: 'storage_paused'; readonly fault: StorageFault; readonly retryInMs: number }
  /** A retry found the fault still there: the next one after retryInMs. */
  | { readonly kind: 'storage_retry'; readonly fault: StorageFault; readonly attempt: number; readonly retryInMs: number }
  /** The ledger took writes again: reconciled, trading resumed. */
  | { readonly kind: 'storage_resumed'; readonly pausedMs: number; readonly attempts: number; readonly report: ReconcileReport }
  | { readonly kind: 'warning'; readonly message: string };

export type EngineListener = (event: EngineEvent) => void;
