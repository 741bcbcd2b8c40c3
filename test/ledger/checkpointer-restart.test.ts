// The WAL under a steady writer: an engine that commits back to back never begins a write just when a PASSIVE
// checkpoint has caught up, so without RESTART checkpoints the WAL never starts over and grows with every commit.
// The writer here is this thread in a tight loop; the checkpointer is a real worker thread beside it.
import { openSync, readSync, closeSync, statSync } from 'node:fs';
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
/** Long enough for the worker to cross the threshold many times over. */
const WRITE_FOR_MS = 800;
/** Each deposit writes at least two pages (its wallet row and its transaction row): 3,000 write 24 MB or more. */
const CONTROL_DEPOSITS = 3_000;
const RESTARTS_MIN = 6;

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

describe('background checkpointer under a steady writer', () => {
  it('restarts the WAL, so the file stays a small part of what was written', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: INTERVAL_MS, restartWalFrames: RESTART_WAL_FRAMES });
    await checkpointer.checkpointNow(); // the worker is up and checkpointing before the writing starts
    const restartsBefore = walRestarts();
    const deposits = await writeSteadily({ ms: WRITE_FOR_MS });
    const walBytes = statSync(`${path}-wal`).size;
    // Dozens of times here; the control below, a few at most.
    expect(walRestarts() - restartsBefore).toBeGreaterThanOrEqual(RESTARTS_MIN);
    // The file holds less than everything written: the two pages or more each deposit wrote.
    expect(walBytes).toBeLessThan(deposits * 2 * PAGE_BYTES);
    expect(ledger.requireWallet('paper').total).toBe(usd(String(100 + deposits)));
    assertInvariants(ledger);
  });

  it('control: with PASSIVE checkpoints alone, the WAL never starts over and holds everything written', async () => {
    checkpointer = BackgroundCheckpointer.start(ledger, path, { synchronous: 'NORMAL', busyTimeoutMs: 5_000, intervalMs: INTERVAL_MS, restartWalFrames: Number.POSITIVE_INFINITY });
    await checkpointer.checkpointNow(); // the worker is up and checkpointing before the writing starts
    const restartsBefore = walRestarts();
    const deposits = await writeSteadily({ count: CONTROL_DEPOSITS });
    const walBytes = statSync(`${path}-wal`).size;
    // The first deposit after checkpointNow() starts the WAL over; after that a PASSIVE checkpoint may catch up by
    // luck once or twice between two commits, so the bounds leave room for that and no more.
    expect(walRestarts() - restartsBefore).toBeLessThan(RESTARTS_MIN);
    expect(walBytes).toBeGreaterThan((deposits * 2 * PAGE_BYTES) / 4);
  });
});
