// Network pause: a venue that reports a disconnect, or sends no fresh quote for staleAfterMs, is paused — no ladder
// decisions on its stale prices and no new entries — until it reconnects (or quotes again after going stale);
// the engine reconciles before resuming.

export type PauseReason = 'disconnect' | 'stale';

export class NetworkPause {
  private readonly paused = new Map<string, PauseReason>();
  private readonly lastQuoteMs = new Map<string, number>();
  pauseCount = 0;

  constructor(private readonly staleAfterMs: number) {}

  isPaused(venue: string): boolean {
    return this.paused.has(venue);
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
    return this.paused.delete(venue);
  }

  /** A fresh quote: ends a staleness pause (not a disconnect: that needs an explicit reconnect). */
  quoted(venue: string, nowMs: number): boolean {
    this.lastQuoteMs.set(venue, nowMs);
    if (this.paused.get(venue) === 'stale') {
      this.paused.delete(venue);
      return true;
    }
    return false;
  }

  /** Pauses every venue whose last quote is older than staleAfterMs at `nowMs`; returns the newly paused ones. */
  checkStale(nowMs: number): string[] {
    const newlyPaused: string[] = [];
    for (const [venue, lastMs] of this.lastQuoteMs) {
      if (!this.paused.has(venue) && nowMs - lastMs > this.staleAfterMs) {
        this.paused.set(venue, 'stale');
        this.pauseCount += 1;
        newlyPaused.push(venue);
      }
    }
    return newlyPaused;
  }
}
