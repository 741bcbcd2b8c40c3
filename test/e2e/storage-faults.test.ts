// The engine outlives storage faults, through the real CLI: another process holding the ledger's write lock past
// busyTimeoutMs, and the disk under the ledger filled to its last byte. `arbbot run` stays up, says it paused on the
// status line's log, retries, resumes by itself once the fault clears, and ends with exit 0 on books that are healthy
// and hold every row committed before the fault exactly once. Each has its control: the same fault with
// onStorageFault "exit", which the same detectors see as an engine that stopped (exit 3).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cli, spawnArbbot, tempDir, writeConfig, type Child } from '../fixtures/helpers.js';
import { fillDisk, fingerprint, lockHolder, smallDisk, stillRunning, tmpfsRefusal, until, type LedgerFingerprint } from '../fixtures/storage.js';

const PAUSED_BUSY = '⏸ Trading paused on every venue: the ledger cannot be written (SQLITE_BUSY: database is locked); every committed trade is kept';
const PAUSED_FULL = /⏸ Trading paused on every venue: the ledger cannot be written \(SQLITE_(FULL|IOERR)[^)]*\); every committed trade is kept/;
const RESUMED = /▶ Ledger writable again after \d+\.\ds \(\d+ attempt\(s\)\): reconciled \(\d+ repaired, 0 unresolved\), trading resumed/;
/** How long a fault is held once the engine has said it paused: several retries' worth. */
const FAULT_HELD_MS = 1_500;

/** A run that is trading: it has opened a position or settled an arbitrage. */
function trading(stderr: string): boolean {
  return stderr.includes('✓ Position opened successfully') && /arb #\d+ settled/.test(stderr);
}

/** The end of what a run printed: enough to say why an assertion on it failed. */
function tail(run: Child): string {
  return `${run.stderr().split('\n').slice(-25).join('\n')}\n${run.stdout().split('\n').slice(-40).join('\n')}`;
}

function lastTransactionId(db: Database.Database): number {
  return (db.prepare('SELECT coalesce(max(id), 0) AS id FROM wallet_transactions').get() as { id: number }).id;
}

/** Holds the write lock on the running engine's ledger; returns what was committed before it and the holder. */
async function holdLock(dir: string, run: Child): Promise<{ db: Database.Database; before: LedgerFingerprint }> {
  await run.waitForStderr(trading);
  const db = lockHolder(join(dir, 'arbbot.db'));
  db.exec('BEGIN IMMEDIATE');
  // Inside the held transaction: exactly what was committed before the fault, since nothing can commit now.
  return { db, before: fingerprint(db) };
}

describe('a ledger locked by another process past busyTimeoutMs', () => {
  it('pauses every venue, retries, resumes by itself once the lock is released, and loses or doubles nothing', async () => {
    const dir = tempDir();
    writeConfig(dir, { busyTimeoutMs: 200 });
    const run = spawnArbbot(dir, ['run', '--speed', 'max', '--duration', '14']);
    const { db, before } = await holdLock(dir, run);
    await run.waitForStderr((stderr) => stderr.includes(PAUSED_BUSY));
    await sleep(FAULT_HELD_MS);
    expect(stillRunning(run), tail(run)).toBe(true);
    expect(run.stderr()).toMatch(/⏸ ledger still not writable \(SQLITE_BUSY\): retry 2 in 0\.5s/);
    db.exec('ROLLBACK');
    await run.waitForStderr((stderr) => RESUMED.test(stderr));
    // Trading again: the engine commits past the fault.
    expect(await until(() => lastTransactionId(db) > before.lastTransactionId, 10_000)).toBe(true);
    const exit = await run.exited;
    expect(exit.code, tail(run)).toBe(0);
    expect(run.stdout()).toMatch(/storage pauses \(ledger not writable\) +│ [1-9]/);
    expect(fingerprint(db, before)).toEqual(before);
    db.close();
    const check = cli(dir, ['wallet-check']);
    expect(check.code, check.stdout).toBe(0);
  });

  it('the control: with onStorageFault "exit" the same lock stops the engine with exit 3, and the detector sees it', async () => {
    const dir = tempDir();
    writeConfig(dir, { busyTimeoutMs: 200, onStorageFault: 'exit' });
    const run = spawnArbbot(dir, ['run', '--speed', 'max', '--duration', '14']);
    const { db, before } = await holdLock(dir, run);
    const exit = await run.exited;
    expect(stillRunning(run)).toBe(false);
    expect(exit.code).toBe(3);
    expect(run.stderr()).toMatch(/^arbbot: storage error: \S*arbbot\.db: database is locked$/m);
    expect(run.stderr()).not.toContain('Trading paused on every venue');
    db.exec('ROLLBACK');
    // What was committed stays committed even so (crash-only): the fingerprint proves it both ways.
    expect(fingerprint(db, before)).toEqual(before);
    db.close();
  });
});

const refusal = tmpfsRefusal();
if (refusal !== null) console.log(`storage-faults: disk-full tests skipped: ${refusal}`);

describe.skipIf(refusal !== null)('a full disk under the ledger', () => {
  /** A run on a tmpfs (room for the whole run, many times over), trading; then the disk filled. */
  async function runOnFullDisk(config: Record<string, unknown>): Promise<{ disk: string; run: Child; filler: string }> {
    const disk = smallDisk(32 * 1024 * 1024);
    writeConfig(disk, config);
    const run = spawnArbbot(disk, ['run', '--speed', 'max', '--duration', '60']);
    await run.waitForStderr(trading);
    return { disk, run, filler: fillDisk(disk) };
  }

  it('pauses every venue, keeps running while it is full, and resumes by itself once space is freed', async () => {
    const { disk, run, filler } = await runOnFullDisk({});
    await run.waitForStderr((stderr) => PAUSED_FULL.test(stderr));
    await sleep(FAULT_HELD_MS);
    expect(stillRunning(run), tail(run)).toBe(true);
    rmSync(filler);
    const freedAt = run.stderr().length;
    // SQLite reuses pages it freed, so a full disk can take some writes: the engine may resume and pause again before
    // the space comes back. Once it has: resumed (the last storage line says so) and trading (an arbitrage settled).
    await run.waitForStderr((stderr) => /arb #\d+ settled/.test(stderr.slice(freedAt)) && lastStorageLine(stderr) === 'resumed');
    run.child.kill('SIGINT');
    const exit = await run.exited;
    expect(exit.code, tail(run)).toBe(0);
    expect(run.stdout()).toMatch(/storage pauses \(ledger not writable\) +│ [1-9]/);
    const check = cli(disk, ['wallet-check', '--deep']);
    expect(check.code, check.stdout).toBe(0);
  });

  it('the control: with onStorageFault "exit" a full disk stops the engine with exit 3, and the detector sees it', async () => {
    const { run, filler } = await runOnFullDisk({ onStorageFault: 'exit' });
    const exit = await run.exited;
    expect(stillRunning(run)).toBe(false);
    expect(exit.code).toBe(3);
    expect(run.stderr()).toMatch(/^arbbot: storage error: \S*: database or disk is full$/m);
    rmSync(filler);
  });
});

/** Whether the storage pause's last word in `stderr` was a pause or a resume (null: it said neither). */
function lastStorageLine(stderr: string): 'paused' | 'resumed' | null {
  const paused = Math.max(stderr.lastIndexOf('⏸ Trading paused on every venue'), stderr.lastIndexOf('⏸ ledger still not writable'));
  const resumed = stderr.lastIndexOf('▶ Ledger writable again');
  if (paused < 0 && resumed < 0) return null;
  return resumed > paused ? 'resumed' : 'paused';
}
