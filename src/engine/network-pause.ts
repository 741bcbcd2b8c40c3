// Network pause: a venue that reports a disconnect, or sends no fresh quote for staleAfterMs, is paused — no ladder
// decisions on its stale prices and no new entries — until it reconnects (or quotes again after going stale);
// the engine reconciles before resuming.

/** 'mismatch': a reconcile left the venue's books unresolved (held by MismatchHold, not by this class). */
export type PauseReason = 'disconnect' | 'stale' | 'mismatch';

const NONE_PAUSED: readonly string[] = [];

export class NetworkPause {
  private readonly paused = new Map<string, PauseReason>();
  private readonly lastQuoteMs = new Map<string, number>();
  /**
   * No venue can go stale before this time: checkStale runs on every feed event and skips the scan until then. A lower
   * bound (a fresh quote only moves a venue's own deadline later), made exact again by each scan.
   */
  private staleCheckDueMs = Infinity;
  pauseCount = 0;

  constructor(private readonly staleAfterMs: number) {}

  isPaused(venue: string): boolean {
    // Asked on every quote, and nearly always with nothing paused.
    return this.paused.size > 0 && this.paused.has(venue);
  }

  pausedVenues(): ReadonlyMap<string, PauseReason> {
    return this.paused;
  }

  /** Returns true when this pauses a venue that was trading. */
  disconnect(venue: string): boolean {
    const was = this.paused.get(venue);
    this.paused.set(venue, 'disconnect');
    if (was === undefined) this.pauseCount += 1;
    return was === undefined;
  }

  /** Returns true when the venue was paused and may now resume (after reconcile). */
  reconnect(venue: string, nowMs: number): boolean {
    this.lastQuoteMs.set(venue, nowMs);
    this.staleCheckDueMs = Math.min(this.staleCheckDueMs, nowMs + this.staleAfterMs);
    return this.paused.delete(venue);
  }

  /** A fresh quote: ends a staleness pause (not a disconnect: that needs an explicit reconnect). */
  quoted(venue: string, nowMs: number): boolean {
    this.lastQuoteMs.set(venue, nowMs);
    if (nowMs + this.staleAfterMs < this.staleCheckDueMs) this.staleCheckDueMs = nowMs + this.staleAfterMs;
    if (this.paused.size > 0 && this.paused.get(venue) === 'stale') {
      this.paused.delete(venue);
      return true;
    }
    return false;
  }

  /** Pauses every venue whose last quote is older than staleAfterMs at `nowMs`; returns the newly paused ones. */
  checkStale(nowMs: number): readonly string[] {
    if (nowMs <= this.staleCheckDueMs) return NONE_PAUSED;
    const newlyPaused: string[] = [];
    let dueMs = Infinity;
    for (const [venue, lastMs] of this.lastQuoteMs) {
      if (this.paused.has(venue)) continue;
      if (nowMs - lastMs > this.staleAfterMs) {
        this.paused.set(venue, 'stale');
        this.pauseCount += 1;
        newlyPaused.push(venue);
      } else {
        dueMs = Math.min(dueMs, lastMs + this.staleAfterMs);
      }
    }
    this.staleCheckDueMs = dueMs;
    return newlyPaused;
  }
}
