// The event log as `run` keeps it: a write that fails (the path is a directory, the device is full) never stops the
// engine and pauses nothing. It is reported once, the lines meanwhile are counted, the file is tried again at most
// once a second, and the first line written again is a record of how many were missed.
import type { LogConfig } from '../config/config.js';
import { JsonLogFile } from './log-file.js';

/** How often (wall time) a failing log file is tried again; the lines in between are counted as missed. */
export const LOG_RETRY_INTERVAL_MS = 1_000;

export interface EventLogHooks {
  /** The log stopped taking lines (once per failure): why. */
  readonly failed: (reason: string) => void;
  /** It takes lines again; `missed` were not written meanwhile. */
  readonly recovered: (missed: number) => void;
}

export class EventLog {
  private file: JsonLogFile | null = null;
  private failure: string | null = null;
  private missed = 0;
  private retryAtMs = 0;

  constructor(
    readonly path: string,
    private readonly rotation: Pick<LogConfig, 'maxBytes' | 'keep'>,
    private readonly hooks: EventLogHooks,
    private readonly clockMs: () => number = Date.now,
  ) {}

  /** Why the log is not being written, or null while it is. */
  get failingReason(): string | null {
    return this.failure;
  }

  write(record: Record<string, unknown>): void {
    if (this.failure !== null && this.clockMs() < this.retryAtMs) {
      this.missed += 1;
      return;
    }
    try {
      // Opened again after a failure: the path may have been replaced meanwhile.
      this.file ??= new JsonLogFile(this.path, this.rotation);
      if (this.failure !== null) this.file.write({ ts: new Date().toISOString(), kind: 'log_resumed', missed: this.missed, reason: this.failure });
      this.file.write(record);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.failure !== null) {
      const missed = this.missed;
      this.failure = null;
      this.missed = 0;
      this.hooks.recovered(missed);
    }
  }

  private fail(error: unknown): void {
    this.file = null;
    this.missed += 1;
    this.retryAtMs = this.clockMs() + LOG_RETRY_INTERVAL_MS;
    if (this.failure !== null) return;
    this.failure = error instanceof Error ? error.message : String(error);
    this.hooks.failed(this.failure);
  }
}
