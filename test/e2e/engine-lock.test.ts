import { existsSync, linkSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, spawnArbbot, tempDir, type CliResult } from '../fixtures/helpers.js';

/** Waits until `predicate` holds, checking every 50 ms, for at most `limitMs`. */
async function until(predicate: () => boolean, limitMs: number): Promise<boolean> {
  for (let waited = 0; waited < limitMs; waited += 50) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return predicate();
}

/** The pid file the engine holding the lock writes beside its lock file. */
function lockPidFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => /^\.arbbot-engine-\d+-\d+\.lock\.pid$/.test(name));
}

function refusedBy(result: CliResult): number | null {
  const match = /another arbbot run \(pid (\d+)\) is already trading on .*; one engine per ledger/.exec(result.stderr);
  return result.code === 2 && match ? Number(match[1]) : null;
}

describe('one engine per ledger', () => {
  it('refuses a second run while one is trading, leaves its in-flight trades alone, and frees the ledger on stop', async () => {
    const dir = tempDir();
    // Runs until told to stop: a busy machine must not end it before the others have tried.
    const first = spawnArbbot(dir, ['run', '--duration', '120']);
    expect(await until(() => lockPidFiles(dir).length === 1, 15_000)).toBe(true);

    const second = cli(dir, ['run', '--max-ticks', '5']);
    expect(refusedBy(second)).toBe(first.child.pid);

    const reconcile = cli(dir, ['--json', 'reconcile']);
    expect(reconcile.code).toBe(0);
    const report = JSON.parse(reconcile.stdout) as { actions: { detail: string }[]; venueBalances: unknown[] };
    expect(report.actions.map((a) => a.detail)).toContain('venue balances not compared while the engine runs');
    expect(report.venueBalances).toEqual([]);

    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(lockPidFiles(dir)).toEqual([]);
    expect(cli(dir, ['wallet-check']).code).toBe(0);
    // Stopped: reconcile compares the venues again.
    expect(JSON.parse(cli(dir, ['--json', 'reconcile']).stdout).venueBalances.length).toBeGreaterThan(0);
  });

  it('is released by the kernel when the engine is killed: the next run proceeds with recovery', async () => {
    const dir = tempDir();
    const first = spawnArbbot(dir, ['run', '--duration', '60']);
    expect(await until(() => lockPidFiles(dir).length === 1, 15_000)).toBe(true);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    // The dead engine's pid file is still there; its lock is not.
    expect(lockPidFiles(dir).length).toBe(1);
    const run = cli(dir, ['run', '--max-ticks', '50', '--speed', 'max']);
    expect(run.code, run.stderr).toBe(0);
    expect(cli(dir, ['wallet-check']).code).toBe(0);
  });

  it('meets the same lock through a symlink, a hard link and a relative path', async () => {
    const dir = tempDir();
    const first = spawnArbbot(dir, ['--db', join(dir, 'arbbot.db'), 'run', '--duration', '120']);
    expect(await until(() => lockPidFiles(dir).length === 1, 15_000)).toBe(true);
    symlinkSync(join(dir, 'arbbot.db'), join(dir, 'symlink.db'));
    linkSync(join(dir, 'arbbot.db'), join(dir, 'hardlink.db'));
    for (const db of ['symlink.db', 'hardlink.db', './arbbot.db']) {
      const result = cli(dir, ['--db', db, 'run', '--max-ticks', '5']);
      expect(refusedBy(result), `${db}: ${result.stderr}`).toBe(first.child.pid);
    }
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    // Not a lock of their own: the links made no lock files.
    expect(lockPidFiles(dir)).toEqual([]);
    expect(existsSync(join(dir, 'symlink.db'))).toBe(true);
  });

  it('lets exactly one of 20 simultaneous starts trade; the others exit 2 naming it', async () => {
    const dir = tempDir();
    // Each would run for two minutes: the winner is stopped once the other 19 have been refused, so a slow start on a
    // busy machine can never find the ledger free again.
    const children = Array.from({ length: 20 }, () => spawnArbbot(dir, ['run', '--duration', '120']));
    let exited = 0;
    for (const child of children) void child.exited.then(() => (exited += 1));
    await until(() => exited >= children.length - 1, 90_000);
    for (const child of children) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill('SIGTERM');
    const runs = await Promise.all(children.map(async (child) => ({ pid: child.child.pid, code: (await child.exited).code ?? -1, stdout: child.stdout(), stderr: child.stderr() })));
    const winners = runs.filter((run) => run.code === 0);
    expect(winners.length, runs.map((run) => `${run.code} ${run.stderr}`).join('\n')).toBe(1);
    // Every other start was refused, naming the one engine that traded.
    expect(new Set(runs.filter((run) => run.code !== 0).map(refusedBy))).toEqual(new Set([winners[0]?.pid]));
    expect(cli(dir, ['wallet-check']).code).toBe(0);
  }, 120_000);
});
