// A token bucket per request class (reads, writes): venues publish their limits as buckets (Kalshi: ~20 reads and
// 10 writes per second on the Basic tier), so pacing ourselves the same way keeps us out of 429s in the first place.

export interface Clock {
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class TokenBucket {
  private tokens: number;
  private lastRefillMs: number;
  /** Callers wait in arrival order: each take() chains onto the previous one. */
  private queue: Promise<void> = Promise.resolve();

  /**
   * @param ratePerSecond tokens added per second (the venue's sustained limit)
   * @param capacity burst size; defaults to one second's worth (at least 1)
   */
  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number = Math.max(1, Math.floor(ratePerSecond)),
    private readonly clock: Clock = systemClock,
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError(`TokenBucket: ratePerSecond must be positive, got ${ratePerSecond}`);
    if (!(capacity >= 1)) throw new RangeError(`TokenBucket: capacity must be at least 1, got ${capacity}`);
    this.tokens = capacity;
    this.lastRefillMs = clock.nowMs();
  }

  /** Resolves when a token is available (and consumes it). */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.takeInTurn());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async takeInTurn(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      const waitMs = Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
      await this.clock.sleep(waitMs);
      this.refill();
    }
    // After the wait the deficit is covered up to timer granularity; never let the count go far below zero.
    this.tokens = Math.max(0, this.tokens - 1);
  }

  private refill(): void {
    const nowMs = this.clock.nowMs();
    const elapsedMs = Math.max(0, nowMs - this.lastRefillMs);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs / 1000) * this.ratePerSecond);
    this.lastRefillMs = nowMs;
  }
}
