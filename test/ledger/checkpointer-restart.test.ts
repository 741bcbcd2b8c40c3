// Starting the WAL over. The engine's next write starts the WAL over only if a checkpoint caught up with every frame
// just before it: a write that lands while a PASSIVE checkpoint runs, or a reader that holds it back, leaves the WAL to
// grow, and an engine that commits back to back meets one or the other every time. Past a threshold the checkpointer
// follows its PASSIVE checkpoint with a RESTART one, and retries it soon when something is in the way.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackgroundCheckpointer } from '../../src/ledger/checkpointer.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { tempLedger } from '../helpers.js';
import { assertInvariants } from '../invariants.js';
import { usd } from '../ledger-fixtures.js';

const PAGE_BYTES = 4_096;
/** Small, so a few hundred commits cross it many times over. */
const RESTART_WAL_FRAMES = 100;
const INTERVAL_MS = 2;
/** Long enough for the worker to cross the threshold many times over (dozens of restarts on a quiet machine). */
const WRITE_FOR_MS = 800;
const RESTARTS_MIN = 3;
/** Long enough that only checkpointNow() and the checkpointer's own retries checkpoint during a test. */
const ONLY_ON_REQUEST_MS = 3_600_000;

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
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: ONLY_ON_REQUEST_MS, restartWalFrames: 10 });
    const { restartsBefore } = await checkpointBehindAReader();
    expect(await writeUntilRestart(restartsBefore, 5_000)).toBe(true);
    assertInvariants(ledger);
  });

  it('control: with PASSIVE checkpoints alone, nothing catches the WAL up again and it keeps growing', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: ONLY_ON_REQUEST_MS, restartWalFrames: Number.POSITIVE_INFINITY });
    const { restartsBefore } = await checkpointBehindAReader();
    expect(await writeUntilRestart(restartsBefore, 300)).toBe(false);
  });
});

describe('background checkpointer under a steady writer', () => {
  it('restarts the WAL again and again while the engine never pauses', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: INTERVAL_MS, restartWalFrames: RESTART_WAL_FRAMES });
    await checkpointer.checkpointNow(); // the worker is up and checkpointing before the writing starts
    const restartsBefore = walRestarts();
    const deposits = await writeSteadily({ ms: WRITE_FOR_MS });
    const walBytes = statSync(`${path}-wal`).size;
    expect(walRestarts() - restartsBefore).toBeGreaterThanOrEqual(RESTARTS_MIN);
    // The file holds less than everything written: the two pages or more each deposit wrote.
    expect(walBytes).toBeLessThan(deposits * 2 * PAGE_BYTES);
    expect(ledger.requireWallet('paper').total).toBe(usd(String(100 + deposits)));
    assertInvariants(ledger);
  });
});
