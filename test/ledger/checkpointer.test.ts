// WAL checkpoints beside the engine: while the checkpointer runs, the engine's own commits never checkpoint (so none
// of them pays for copying the WAL back), the worker's checkpoints catch the WAL up, the next write starts it over,
// and checkpoints come back to the engine's connection when the worker stops or dies.
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackgroundCheckpointer } from '../../src/ledger/checkpointer.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { tempLedger } from '../helpers.js';
import { assertInvariants } from '../invariants.js';
import { usd } from '../ledger-fixtures.js';

/** More commits than one automatic checkpoint's worth of pages (1,000): each deposit writes several pages. */
const COMMITS = 600;
/** Long enough that only checkpointNow() checkpoints during a test. */
const INTERVAL_MS = 3_600_000;

let ledger: Ledger;
let path: string;
let checkpointer: BackgroundCheckpointer | null = null;

beforeEach(() => {
  ({ ledger, path } = tempLedger());
  ledger.ensureWallet('paper', usd('100'));
});

afterEach(async () => {
  await checkpointer?.stop();
  checkpointer = null;
  ledger.close();
});

const autocheckpoint = () => ledger.db.pragma('wal_autocheckpoint', { simple: true }) as number;
const deposits = (from: number) => {
  for (let i = from; i < from + COMMITS; i += 1) ledger.deposit('paper', usd('1'), { idempotencyKey: `d${i}` });
};

/** Frames in the WAL, read by checkpointing it from another connection. */
function walFramesFromOutside(): number {
  const db = new Database(path);
  try {
    return (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]?.log ?? -1;
  } finally {
    db.close();
  }
}

describe('background checkpointer', () => {
  it('takes checkpoints off the engine connection, catches the WAL up, and the next write starts it over', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: INTERVAL_MS });
    expect(autocheckpoint()).toBe(0);
    deposits(0);
    // Every frame since the start is still in the WAL: the engine's commits crossed 1,000 pages without checkpointing.
    const caughtUp = await checkpointer.checkpointNow();
    expect(caughtUp.walFrames).toBeGreaterThan(1_000);
    expect(caughtUp.checkpointedFrames).toBe(caughtUp.walFrames);
    // Caught up: the next commit writes from the start of the WAL again.
    ledger.deposit('paper', usd('1'), { idempotencyKey: 'after' });
    const restarted = await checkpointer.checkpointNow();
    expect(restarted.walFrames).toBeLessThan(20);
    expect(restarted.checkpointedFrames).toBe(restarted.walFrames);
    expect(ledger.requireWallet('paper').total).toBe(usd(String(100 + COMMITS + 1)));
    assertInvariants(ledger);
  });

  it('control: without it, the engine connection checkpoints on its own and the WAL never holds 1,000 pages', () => {
    expect(autocheckpoint()).toBe(1_000);
    deposits(0);
    expect(walFramesFromOutside()).toBeLessThan(1_000);
  });

  it('hands checkpoints back to the engine connection when stopped', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: INTERVAL_MS });
    await checkpointer.stop();
    expect(autocheckpoint()).toBe(1_000);
    await expect(checkpointer.checkpointNow()).rejects.toThrow('checkpointer stopped');
  });

  it('hands checkpoints back when its worker dies, so the WAL cannot grow without bound', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: INTERVAL_MS });
    await (checkpointer as unknown as { worker: Worker }).worker.terminate();
    await checkpointer.stop();
    expect(autocheckpoint()).toBe(1_000);
    deposits(0);
    expect(walFramesFromOutside()).toBeLessThan(1_000);
  });
});
