// Several OS processes on one ledger file: no SQLITE_BUSY surfaces, no update is lost, the last unit is spent once,
// and a process killed mid-stream leaves every acknowledged write and nothing half-done.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { loadMigrations } from '../../src/ledger/database.js';
import { cliAsync, tempDir, writeConfig, type CliResult } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { cliDir, usd } from '../fixtures/ledger.js';
import { dbOf } from '../fixtures/helpers.js';

const WORKER = fileURLToPath(new URL('../fixtures/workers/ledger-worker.mjs', import.meta.url));

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line so far. */
  readonly lines: string[];
  readonly ready: Promise<void>;
  readonly done: Promise<{ code: number | null; summary: { errors: Record<string, number>; won?: string[] } | null; stderr: string }>;
}

function startWorker(mode: string, db: string, args: readonly string[]): Worker {
  const child = spawn(process.execPath, [WORKER, mode, db, ...args]);
  const lines: string[] = [];
  let stderr = '';
  let buffer = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      if (line === 'ready') markReady();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Awaited<Worker['done']>>((resolve) =>
    child.on('close', (code) => {
      const last = lines[lines.length - 1];
      resolve({ code, summary: last?.startsWith('{') ? JSON.parse(last) : null, stderr });
    }),
  );
  return { child, lines, ready, done };
}

/** Starts the workers, waits until each has opened the ledger, then releases them together. */
async function race(workers: readonly Worker[]) {
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.child.stdin.write('go\n');
  return Promise.all(workers.map((w) => w.done));
}

function withLedger<T>(db: string, fn: (ledger: Ledger) => T): T {
  const ledger = Ledger.open(db);
  try {
    return fn(ledger);
  } finally {
    ledger.close();
  }
}

describe('concurrent writers', () => {
  it('two processes churning one wallet: no SQLITE_BUSY, no lost update, books healthy', async () => {
    const { dir, db } = cliDir('100');
    const rounds = 150;
    const results = await race([startWorker('churn', db, [String(rounds), 'a']), startWorker('churn', db, [String(rounds), 'b'])]);
    for (const { code, summary, stderr } of results) {
      expect(code, stderr).toBe(0);
      expect(summary?.errors).toEqual({});
    }
    // Per round: +1.000001 deposited, 0.25 committed on even rounds, 0.5 withdrawn: exactly 75.000150 per worker.
    const perWorker = rounds * 1_000_001 - (rounds / 2) * 250_000 - rounds * 500_000;
    withLedger(db, (ledger) => {
      expect(ledger.requireWallet('paper')).toEqual({ venue: 'paper', total: usd('100') + 2 * perWorker, available: usd('100') + 2 * perWorker, locked: 0, deficit: 0 });
      assertInvariants(ledger);
    });
    const check = await cliAsync(dir, ['wallet-check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/^HEALTHY/m);
  });

  it('spends the last unit once: of two concurrent withdrawals of the whole balance exactly one succeeds (Medici)', async () => {
    const venues = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const { db } = cliDir('0', (ledger) => {
      for (const venue of venues) ledger.ensureWallet(venue, usd('10'));
    });
    const results = await race([startWorker('spend', db, venues), startWorker('spend', db, venues)]);
    const won = results.flatMap(({ code, summary, stderr }) => {
      expect(code, stderr).toBe(0);
      for (const name of Object.keys(summary?.errors ?? {})) expect(name).toMatch(/^InsufficientBalanceError: /);
      return summary?.won ?? [];
    });
    expect([...won].sort()).toEqual([...venues].sort()); // each wallet won exactly once, by one process
    withLedger(db, (ledger) => {
      for (const venue of venues) expect(ledger.requireWallet(venue).total).toBe(0);
      assertInvariants(ledger);
    });
  });

  it('the same race through the real CLI: one withdraw of the last $10 succeeds, the other is refused (exit 2)', async () => {
    const { dir, db } = cliDir('10');
    const results: CliResult[] = await Promise.all([cliAsync(dir, ['withdraw', 'paper', '10']), cliAsync(dir, ['withdraw', 'paper', '10'])]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 2]);
    expect(results.find((r) => r.code === 2)?.stderr).toMatch(/^arbbot: insufficient available balance on paper/);
    withLedger(db, (ledger) => {
      expect(ledger.requireWallet('paper').total).toBe(0);
      assertInvariants(ledger);
    });
  });

  it('several CLI processes on a fresh directory: migrations and the starting deposit happen exactly once', async () => {
    const dir = tempDir();
    writeConfig(dir, { venues: { paper: { startingBalance: '100' } } });
    const results = await Promise.all(Array.from({ length: 4 }, () => cliAsync(dir, ['deposit', 'paper', '1'])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const db = join(dir, 'arbbot.db');
    expect(existsSync(db)).toBe(true);
    withLedger(db, (ledger) => {
      expect(ledger.requireWallet('paper').total).toBe(usd('104'));
      const starts = dbOf(ledger).prepare("SELECT count(*) AS n FROM wallet_transactions WHERE description LIKE 'Starting balance%'").get();
      expect(starts).toEqual({ n: 1 });
      expect(dbOf(ledger).prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: loadMigrations().length });
      assertInvariants(ledger);
    });
  });
});

describe('crash safety', () => {
  it('a writer killed with SIGKILL mid-stream loses no acknowledged deposit and leaves the books whole', async () => {
    const { db } = cliDir('100');
    const acked: string[] = [];
    for (const prefix of ['k1', 'k2', 'k3']) {
      const worker = startWorker('ack', db, [prefix]);
      await worker.ready;
      worker.child.stdin.write('go\n');
      // Let it commit a few dozen deposits, then kill it wherever it happens to be (or stop waiting if it died).
      const acks = () => worker.lines.filter((l) => l.startsWith('ack ')).length;
      await new Promise<void>((resolve) => {
        const poll = (): void => {
          if (acks() >= 40 || worker.child.exitCode !== null) resolve();
          else setTimeout(poll, 5);
        };
        poll();
      });
      worker.child.kill('SIGKILL');
      const { stderr } = await worker.done;
      expect(acks(), stderr).toBeGreaterThanOrEqual(40);
      acked.push(...worker.lines.filter((l) => l.startsWith('ack ')).map((l) => l.slice(4)));
      withLedger(db, (ledger) => {
        const keys = new Set(
          (dbOf(ledger).prepare('SELECT idempotency_key AS k FROM wallet_transactions WHERE idempotency_key IS NOT NULL').all() as { k: string }[]).map(
            (row) => row.k,
          ),
        );
        for (const key of acked) expect(keys.has(key), key).toBe(true);
        // At most the one deposit in flight at the kill can be committed without its acknowledgement.
        expect(keys.size - acked.length).toBeLessThanOrEqual(3);
        expect(ledger.requireWallet('paper').total).toBe(usd('100') + keys.size * 10_000);
        assertInvariants(ledger);
      });
    }
  });
});
