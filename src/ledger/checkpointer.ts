// WAL checkpoints off the engine's hot path. SQLite copies the WAL back into the database file on the commit that
// crosses `wal_autocheckpoint` (1,000 pages by default), and that commit does the copying and, at synchronous NORMAL
// or FULL, two fsyncs: milliseconds, every few dozen trades, inside whichever transaction crossed the line — often
// the commit right before an arbitrage's orders are sent. While the engine runs, its connection turns automatic
// checkpoints off and a worker thread with its own connection runs a PASSIVE checkpoint every interval: PASSIVE
// never waits on a reader or writer, and once it has caught up the engine's next write starts the WAL over from the
// beginning. If the worker ever stops on its own, automatic checkpoints are turned back on at once.
//
// Under a steady stream of commits that restart never comes: the engine's next write begins before a PASSIVE
// checkpoint has caught up with the last frame, so the WAL grows without bound (100 MB after 800 back-to-back
// arbitrages), and every commit appends to the file, which makes its fsync also write the file's new size: at
// synchronous=FULL a commit cost half as much again. Once the WAL holds `restartWalFrames`, the worker follows its
// PASSIVE checkpoint with a RESTART one, which copies the few frames written since and makes the next writer start
// the file over. RESTART holds off writers while it runs, so it never waits: with no busy timeout it gives up at
// once if a writer or a reader is in the way (another process's long read, say), and is tried again shortly.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SynchronousMode } from './database.js';
import type { Ledger } from './ledger.js';
import { connectionOf } from './connections.js';

/** SQLite's own default, restored when the worker stops. */
const AUTOCHECKPOINT_PAGES_DEFAULT = 1_000;
export const CHECKPOINT_INTERVAL_MS_DEFAULT = 200;
/**
 * 10,000 frames: about 40 MB of WAL at 4 KB pages. A RESTART that lands while the engine wants to write makes the
 * engine's BEGIN wait out SQLite's busy handler, whose first sleep is a whole millisecond: at 4,000 frames, back-to-back
 * arbitrages (some 35 frames each) met one such stall every hundred or so, enough to move the 99th percentile.
 */
export const RESTART_WAL_FRAMES_DEFAULT = 10_000;

export interface CheckpointerOptions {
  readonly synchronous: SynchronousMode;
  readonly busyTimeoutMs: number;
  readonly intervalMs?: number;
  /** WAL frames past which a checkpoint also makes the next writer start the WAL over. */
  readonly restartWalFrames?: number;
}

/**
 * What one checkpoint reported: frames in the WAL, how many of them are now in the database file, and whether the
 * next write starts the WAL over (a RESTART checkpoint went through).
 */
export interface CheckpointResult {
  readonly walFrames: number;
  readonly checkpointedFrames: number;
  readonly restarted: boolean;
}

// The worker's source, run as CommonJS (an `eval` worker), so it needs no file of its own next to the compiled code
// and works the same from dist/ and from the TypeScript sources under test.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
db.pragma('synchronous = ' + workerData.synchronous);
const restart = () => {
  db.pragma('busy_timeout = 0');
  try {
    return db.pragma('wal_checkpoint(RESTART)')[0].busy === 0;
  } finally {
    db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
  }
};
const checkpoint = () => {
  const row = db.pragma('wal_checkpoint(PASSIVE)')[0];
  const restarted = row.log >= workerData.restartWalFrames && restart();
  return { walFrames: row.log, checkpointedFrames: row.checkpointed, restarted };
};
// A RESTART that found a writer or reader in the way is tried again soon, backing off to the interval: a steady
// writer leaves gaps between its transactions, but another process's long read may hold the WAL for seconds.
let retryMs = 0;
let timer;
const schedule = (result) => {
  const blocked = result.walFrames >= workerData.restartWalFrames && !result.restarted;
  retryMs = blocked ? Math.min(Math.max(1, retryMs * 2), workerData.intervalMs) : 0;
  clearTimeout(timer);
  timer = setTimeout(next, blocked ? retryMs : workerData.intervalMs);
};
// A checkpoint the disk or a lock refuses (the database file cannot grow on a full disk; another process holds it)
// is tried again at the next interval: the worker outlives a storage fault as the engine does.
const next = () => {
  try {
    schedule(checkpoint());
  } catch (error) {
    if (!/^SQLITE_(BUSY|LOCKED|FULL|IOERR)/.test(String(error && error.code))) throw error;
    schedule({ walFrames: 0, checkpointedFrames: 0, restarted: false });
  }
};
timer = setTimeout(next, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'now') {
    const result = checkpoint();
    schedule(result);
    parentPort.postMessage(result);
  }
  if (message === 'stop') {
    clearTimeout(timer);
    db.close();
    parentPort.close();
  }
});
`;

export class BackgroundCheckpointer {
  private stopping = false;
  private readonly exited: Promise<void>;
  private readonly replies: ((result: CheckpointResult) => void)[] = [];

  private constructor(
    private readonly ledger: Ledger,
    private readonly worker: Worker,
  ) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (result: CheckpointResult) => this.replies.shift()?.(result));
    // A worker that dies (an error in SQLite, a thread killed) must not leave the WAL growing without bound.
    worker.once('error', () => this.restoreAutocheckpoint());
    worker.once('exit', () => this.restoreAutocheckpoint());
    // The engine stops it; an engine that forgets must still be able to exit.
    worker.unref();
  }

  static start(ledger: Ledger, path: string, options: CheckpointerOptions): BackgroundCheckpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { driver, path, synchronous: options.synchronous, busyTimeoutMs: options.busyTimeoutMs, intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS_DEFAULT,
        restartWalFrames: options.restartWalFrames ?? RESTART_WAL_FRAMES_DEFAULT,
      },
    });
    connectionOf(ledger).pragma('wal_autocheckpoint = 0');
    return new BackgroundCheckpointer(ledger, worker);
  }

  /** Runs one checkpoint now (tests and diagnostics); rejects if the worker has stopped. */
  checkpointNow(): Promise<CheckpointResult> {
    return new Promise((resolve, reject) => {
      if (this.stopping) return reject(new Error('checkpointer stopped'));
      this.worker.ref();
      this.replies.push((result) => {
        if (this.replies.length === 0 && !this.stopping) this.worker.unref();
        resolve(result);
      });
      this.worker.postMessage('now');
      void this.exited.then(() => reject(new Error('checkpointer stopped')));
    });
  }

  /** Stops the worker and hands checkpoints back to the ledger's connection. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      // Referenced again while it closes: an unreferenced worker alone would let the process exit mid-await.
      this.worker.ref();
      this.worker.postMessage('stop');
    }
    await this.exited;
  }

  private restoreAutocheckpoint(): void {
    this.stopping = true;
    if (connectionOf(this.ledger).open) connectionOf(this.ledger).pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES_DEFAULT}`);
  }
}
