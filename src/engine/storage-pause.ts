// The storage pause: when the ledger cannot be written — another process holds its write lock past busyTimeoutMs, the
// disk is full, an I/O error — the engine stops taking feed events, so nothing is decided that could not be recorded,
// and retries with a backoff (250 ms doubling to 10 s). A retry is the reconcile a network pause ends with: it must
// write to succeed, and it brings memory back into line with the ledger (a trade whose legs were sent but not booked
// is settled from the venues' answers, an armed trade left half-fired is asked about, as after a crash). Then
// trading resumes. Each state change is one transaction, so a failed write committed nothing: what was committed
// before the fault stays exactly as it was.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FeedEvent } from '../feeds/events.js';
import { transientStorageFault, type StorageFault } from '../ledger/database.js';
import type { EngineEvent } from './events.js';
import type { ReconcileReport } from './reconcile.js';

export const STORAGE_RETRY_MS_MIN = 250;
export const STORAGE_RETRY_MS_MAX = 10_000;
/**
 * A fault within this long of the last resume carries on the backoff where it stopped: a disk that fills again at
 * once is not hammered at the fastest pace, and a lock taken every few seconds is not mistaken for a new fault.
 */
export const STORAGE_CALM_MS = 30_000;
/** The most times one feed event is applied again after a pause (a resolution the ledger had not settled). */
const EVENT_REPLAYS_MAX = 10;

export type StorageFaultAction = 'pause' | 'exit';

/** A pause under way: what stopped the ledger, since when (wall ms), retries so far and when the next one is due. */
export interface StoragePauseState {
  readonly fault: StorageFault;
  readonly sinceMs: number;
  readonly attempts: number;
  readonly retryAtMs: number;
}

/** What the engine lends the pause: how to reconcile and resume, what it reports, and whether an event needs replaying. */
export interface StoragePauseHooks {
  readonly action: StorageFaultAction;
  /** Reconciles, arms again and recomputes what follows the books; throws while the ledger still cannot be written. */
  readonly resume: () => Promise<ReconcileReport>;
  readonly emit: (event: EngineEvent) => void;
  /** Whether an event the fault interrupted must be applied again once writes work (a resolution nobody settled). */
  readonly needsReplay: (event: FeedEvent) => boolean;
  readonly wallClockMs?: () => number;
}

/** The next wait: the first one, or double the last, within the bounds. */
export function nextRetryMs(lastMs: number): number {
  return lastMs <= 0 ? STORAGE_RETRY_MS_MIN : Math.min(lastMs * 2, STORAGE_RETRY_MS_MAX);
}

export class StoragePause {
  private current: StoragePauseState | null = null;
  private lastDelayMs = 0;
  private lastResumedMs = Number.NEGATIVE_INFINITY;
  private readonly clockMs: () => number;
  /** Storage pauses this run. */
  pauseCount = 0;

  constructor(private readonly hooks: StoragePauseHooks) {
    this.clockMs = hooks.wallClockMs ?? Date.now;
  }

  /** The pause under way, or null while the ledger takes writes. */
  get state(): StoragePauseState | null {
    return this.current;
  }

  /**
   * Applies one feed event through `handle`: synchronously when it is (nearly every event), with no extra turn of the
   * event loop. A storage fault that can clear pauses until a retry succeeds; false when `halt` fired meanwhile (the
   * run stops). Any other error, or any fault with action `exit`, is thrown as it was.
   */
  apply(event: FeedEvent, handle: (event: FeedEvent) => void | Promise<void>, halt: AbortSignal, replays = 0): boolean | Promise<boolean> {
    let pending: void | Promise<void>;
    try {
      pending = handle(event);
    } catch (error) {
      return this.afterFault(error, event, handle, halt, replays);
    }
    if (!pending) return true;
    return pending.then(
      () => true,
      (error: unknown) => this.afterFault(error, event, handle, halt, replays),
    );
  }

  private async afterFault(error: unknown, event: FeedEvent, handle: (event: FeedEvent) => void | Promise<void>, halt: AbortSignal, replays: number): Promise<boolean> {
    const fault = this.hooks.action === 'pause' && replays < EVENT_REPLAYS_MAX ? transientStorageFault(error) : null;
    if (!fault) throw error;
    if (!(await this.outlast(fault, halt))) return false;
    if (!this.hooks.needsReplay(event)) return true;
    return this.apply(event, handle, halt, replays + 1);
  }

  /** Waits the fault out: retries with backoff until the resume goes through (true) or `halt` fires (false). */
  private async outlast(first: StorageFault, halt: AbortSignal): Promise<boolean> {
    const nowMs = this.clockMs();
    // Soon after the last resume the backoff goes on from where it was; otherwise it starts over.
    const carried = nowMs - this.lastResumedMs < STORAGE_CALM_MS ? this.lastDelayMs : 0;
    let delayMs = nextRetryMs(carried);
    this.current = { fault: first, sinceMs: nowMs, attempts: 0, retryAtMs: nowMs + delayMs };
    this.pauseCount += 1;
    this.hooks.emit({ kind: 'storage_paused', fault: first, retryInMs: delayMs });
    // As many attempts as the fault lasts: waiting is the safe state, and each wait is bounded (STORAGE_RETRY_MS_MAX).
    for (let attempt = 1; ; attempt += 1) {
      if (!(await waitUnlessHalted(delayMs, halt))) return false;
      try {
        const report = await this.hooks.resume();
        this.resumed(attempt, report, delayMs);
        return true;
      } catch (error) {
        const fault = transientStorageFault(error);
        if (!fault) throw error;
        delayMs = nextRetryMs(delayMs);
        this.current = { fault, sinceMs: this.current?.sinceMs ?? nowMs, attempts: attempt, retryAtMs: this.clockMs() + delayMs };
        this.hooks.emit({ kind: 'storage_retry', fault, attempt, retryInMs: delayMs });
      }
    }
  }

  private resumed(attempts: number, report: ReconcileReport, delayMs: number): void {
    const nowMs = this.clockMs();
    const pausedMs = nowMs - (this.current?.sinceMs ?? nowMs);
    this.current = null;
    this.lastDelayMs = delayMs;
    this.lastResumedMs = nowMs;
    this.hooks.emit({ kind: 'storage_resumed', pausedMs, attempts, report });
  }
}

/** Sleeps `ms`; false at once when `halt` fires first (a stop, or the run's duration reached). */
async function waitUnlessHalted(ms: number, halt: AbortSignal): Promise<boolean> {
  if (halt.aborted) return false;
  try {
    await sleep(ms, undefined, { signal: halt });
    return true;
  } catch {
    return false;
  }
}
