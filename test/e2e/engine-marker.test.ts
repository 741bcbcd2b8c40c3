import { existsSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliAsync, tempDir } from '../fixtures/helpers.js';

/** Waits until `predicate` holds, checking every 50 ms, for at most `limitMs`. */
async function until(predicate: () => boolean, limitMs: number): Promise<boolean> {
  for (let waited = 0; waited < limitMs; waited += 50) {
    if (predicate()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return predicate();
}

describe('one engine per ledger', () => {
  it('refuses a second run while one is trading, leaves its in-flight trades alone, and frees the ledger on stop', async () => {
    const dir = tempDir();
    const marker = join(dir, 'arbbot.db.engine.pid');
    const first = cliAsync(dir, ['run', '--duration', '4']);
    expect(await until(() => existsSync(marker), 15_000)).toBe(true);

    const second = cli(dir, ['run', '--max-ticks', '5']);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/another arbbot run \(pid \d+\) is already trading on/);

    const reconcile = cli(dir, ['--json', 'reconcile']);
    expect(reconcile.code).toBe(0);
    const report = JSON.parse(reconcile.stdout) as { actions: { detail: string }[]; venueBalances: unknown[] };
    expect(report.actions.map((a) => a.detail)).toContain('venue balances not compared while the engine runs');
    expect(report.venueBalances).toEqual([]);

    expect((await first).code).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(cli(dir, ['wallet-check']).code).toBe(0);
  });

  it('ignores the marker of an engine that died (after a crash, recovery proceeds)', () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'arbbot.db.engine.pid'), `${dead.stdout}\n`);
    const run = cli(dir, ['run', '--max-ticks', '50', '--speed', 'max']);
    expect(run.code).toBe(0);
    const reconcile = cli(dir, ['--json', 'reconcile']);
    expect(JSON.parse(reconcile.stdout).venueBalances.length).toBeGreaterThan(0);
  });
});
