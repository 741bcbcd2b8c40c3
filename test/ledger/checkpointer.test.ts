// WAL checkpoints beside the engine: while the checkpointer runs, the engine's own commits never checkpoint (so none
// of them pays for copying the WAL back), the worker's checkpoints catch the WAL up, the next write starts it over,
// and checkpoints come back to the engine's connection when the worker stops or dies.
//
// Starting the WAL over: the engine's next write starts the WAL over only if a checkpoint caught up with every frame
// just before it. A write that lands while a PASSIVE checkpoint runs, or a reader that holds it back, leaves the WAL
// to grow, and an engine that commits back to back meets one or the other every time. Past a threshold the
// checkpointer follows its PASSIVE checkpoint with a RESTART one, and retries it soon when something is in the way.
import { closeSync, openSync, readSync } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackgroundCheckpointer } from '../../src/ledger/checkpointer.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { tempLedger } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { usd } from '../fixtures/ledger.js';
import { dbOf } from '../fixtures/helpers.js';

/** More commits than one automatic checkpoint's worth of pages (1,000): each deposit writes several pages. */
const COMMITS = 600;
/** Long enough that only checkpointNow() (and the checkpointer's own retries of a RESTART) checkpoint during a test. */
const INTERVAL_MS = 3_600_000;
/** Under a steady writer: a small threshold, crossed many times over, and a short interval. */
const STEADY_RESTART_WAL_FRAMES = 100;
const STEADY_INTERVAL_MS = 2;
/** Long enough for the worker to cross the threshold many times over (dozens of restarts on a quiet machine). */
const STEADY_WRITE_MS = 800;
const STEADY_RESTARTS_MIN = 3;

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

const autocheckpoint = () => dbOf(ledger).pragma('wal_autocheckpoint', { simple: true }) as number;
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

/**
 * Deposits one after another, as the engine commits: each a transaction of its own, with a turn of the event loop
 * (the engine awaits a venue) between them; until `count` are made or `ms` have passed. Returns how many.
 */
async function writeSteadily(limits: { count?: number; ms?: number }): Promise<number> {
  const until = Date.now() + (limits.ms ?? Number.POSITIVE_INFINITY);
  let made = 0;
  while (made < (limits.count ?? Number.POSITIVE_INFINITY) && Date.now() < until) {
    ledger.deposit('paper', usd('1'), { idempotencyKey: `d${made}` });
    made += 1;
    await new Promise(setImmediate);
  }
  return made;
}

/** How many times the WAL has started over: its header's checkpoint sequence number (big-endian, bytes 12–15). */
function walRestarts(): number {
  const fd = openSync(`${path}-wal`, 'r');
  try {
    const header = Buffer.alloc(16);
    readSync(fd, header, 0, 16, 0);
    return header.readUInt32BE(12);
  } finally {
    closeSync(fd);
  }
}

/** Deposits one every few milliseconds until the WAL starts over (or `ms` pass). Returns whether it did. */
async function writeUntilRestart(restartsBefore: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (let i = 0; Date.now() < until; i += 1) {
    ledger.deposit('paper', usd('1'), { idempotencyKey: `poll${i}` });
    if (walRestarts() > restartsBefore) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return false;
}

/**
 * The WAL left behind a reader: a second connection holds a read snapshot while the engine writes more, so the
 * checkpoint can copy only the frames before the snapshot, and the engine's next writes find the WAL not caught up.
 */
async function checkpointBehindAReader(): Promise<{ restartsBefore: number }> {
  writeSteadilyFor(20);
  const reader = new Database(path, { readonly: true });
  try {
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM wallet_transactions').get();
    writeSteadilyFor(20, 'more');
    const restartsBefore = walRestarts();
    const result = await checkpointer?.checkpointNow();
    expect(result?.checkpointedFrames).toBeLessThan(result?.walFrames ?? 0);
    expect(result?.restarted).toBe(false);
    reader.exec('COMMIT');
    return { restartsBefore };
  } finally {
    reader.close();
  }
}

function writeSteadilyFor(count: number, prefix = 'd'): void {
  for (let i = 0; i < count; i += 1) ledger.deposit('paper', usd('1'), { idempotencyKey: `${prefix}${i}` });
}

describe('background checkpointer, a checkpoint held back', () => {
  it('retries the RESTART once the reader is gone, and the next write starts the WAL over', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: INTERVAL_MS, restartWalFrames: 10 });
    const { restartsBefore } = await checkpointBehindAReader();
    expect(await writeUntilRestart(restartsBefore, 5_000)).toBe(true);
    assertInvariants(ledger);
  });

  it('control: with PASSIVE checkpoints alone, nothing catches the WAL up again and it keeps growing', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: INTERVAL_MS, restartWalFrames: Number.POSITIVE_INFINITY });
    const { restartsBefore } = await checkpointBehindAReader();
    expect(await writeUntilRestart(restartsBefore, 300)).toBe(false);
  });
});

describe('background checkpointer under a steady writer', () => {
  it('restarts the WAL again and again while the engine never pauses', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: STEADY_INTERVAL_MS, restartWalFrames: STEADY_RESTART_WAL_FRAMES });
    await checkpointer.checkpointNow(); // the worker is up and checkpointing before the writing starts
    const restartsBefore = walRestarts();
    const deposits = await writeSteadily({ ms: STEADY_WRITE_MS });
    expect(walRestarts() - restartsBefore).toBeGreaterThanOrEqual(STEADY_RESTARTS_MIN);
    expect(ledger.requireWallet('paper').total).toBe(usd(String(100 + deposits)));
    assertInvariants(ledger);
  });
});
