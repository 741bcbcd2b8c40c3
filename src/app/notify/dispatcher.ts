// Alert delivery beside the engine: each channel has a bounded queue and one sender working through it in the
// background, retrying with exponential backoff a bounded number of times. The engine only ever pushes onto a queue
// (no await, no I/O in its turn); an alert that cannot be delivered, or finds its queue full, is dropped and counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryError, type Alert, type Channel } from './channels.js';

export interface DeliveryLimits {
  readonly queueLengthMax: number;
  readonly attemptsMax: number;
  readonly retryBackoffMs: number;
  readonly timeoutMs: number;
}

export interface ChannelCounts {
  readonly channel: string;
  readonly sent: number;
  readonly dropped: number;
  /** Why the last dropped alert was dropped; null when none was. */
  readonly lastFailure: string | null;
}

export interface DeliveryCounts {
  readonly sent: number;
  readonly dropped: number;
  readonly channels: readonly ChannelCounts[];
}

const RUN_ENDED = 'the run ended before it was sent';

/** The longest wait between two tries, however many there are. */
const RETRY_BACKOFF_MS_MAX = 30_000;

class ChannelQueue {
  private readonly queue: Alert[] = [];
  /** The sender at work, or null when the queue is idle (set and cleared in the same turn as the queue is checked). */
  private sending: Promise<void> | null = null;
  private readonly stopping = new AbortController();
  sent = 0;
  dropped = 0;
  lastFailure: string | null = null;

  constructor(
    readonly channel: Channel,
    private readonly limits: DeliveryLimits,
  ) {}

  push(alert: Alert): void {
    if (this.stopping.signal.aborted || this.queue.length >= this.limits.queueLengthMax) {
      this.drop(this.stopping.signal.aborted ? RUN_ENDED : `queue full (${this.limits.queueLengthMax})`);
      return;
    }
    this.queue.push(alert);
    this.sending ??= this.work();
  }

  private drop(reason: string, count = 1): void {
    this.dropped += count;
    this.lastFailure = reason;
  }

  private async work(): Promise<void> {
    try {
      while (!this.stopping.signal.aborted) {
        const alert = this.queue.shift();
        if (alert === undefined) break;
        const failure = await this.deliver(alert);
        if (failure === null) this.sent += 1;
        else this.drop(failure);
      }
    } finally {
      this.sending = null;
    }
  }

  /** Tries the alert until it is delivered (null), refused for good, or out of tries (why, for the count). */
  private async deliver(alert: Alert): Promise<string | null> {
    const { attemptsMax, retryBackoffMs, timeoutMs } = this.limits;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.channel.send(alert, AbortSignal.any([AbortSignal.timeout(timeoutMs), this.stopping.signal]));
        return null;
      } catch (error) {
        if (this.stopping.signal.aborted) return RUN_ENDED;
        const message = error instanceof Error ? error.message : String(error);
        const retryable = error instanceof DeliveryError && error.retryable;
        if (!retryable || attempt >= attemptsMax) return `${message}${attempt > 1 ? ` after ${attempt} tries` : ''}`;
      }
      const backoffMs = Math.min(retryBackoffMs * 2 ** (attempt - 1), RETRY_BACKOFF_MS_MAX);
      await sleep(backoffMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
    }
  }

  /** Waits up to `waitMs` for the queue to empty; then stops, and what is left (queued or in flight) is dropped. */
  async drain(waitMs: number): Promise<void> {
    const idle = (async () => {
      while (this.sending) await this.sending;
    })();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    await Promise.race([idle, deadline]);
    clearTimeout(timer);
    this.stopping.abort();
    if (this.queue.length > 0) this.drop(RUN_ENDED, this.queue.splice(0).length);
    // An alert in flight ends at once now (its request aborted), and counts as dropped.
    await this.sending;
  }
}

export class AlertDispatcher {
  private readonly queues: ChannelQueue[];

  constructor(channels: readonly Channel[], limits: DeliveryLimits) {
    this.queues = channels.map((channel) => new ChannelQueue(channel, limits));
  }

  /** Queues the alert for every channel and returns at once. */
  push(alert: Alert): void {
    for (const queue of this.queues) queue.push(alert);
  }

  counts(): DeliveryCounts {
    const channels = this.queues.map(({ channel, sent, dropped, lastFailure }) => ({ channel: channel.name, sent, dropped, lastFailure }));
    return { sent: channels.reduce((sum, c) => sum + c.sent, 0), dropped: channels.reduce((sum, c) => sum + c.dropped, 0), channels };
  }

  /** At the end of a run: what is still queued gets up to `waitMs` (all channels together), the rest is dropped. */
  async drain(waitMs: number): Promise<DeliveryCounts> {
    await Promise.all(this.queues.map((queue) => queue.drain(waitMs)));
    return this.counts();
  }
}
