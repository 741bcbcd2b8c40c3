// `reconcile --dry-run` writes nothing to any file: the ledger, the paper venue's books and their WAL files are
// byte for byte what they were, even when there is something it would repair. The real reconcile is the control.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../fixtures/helpers.js';
import { rawSql } from '../fixtures/ledger.js';

/** Every file in `dir` with a hash of its bytes. */
function files(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, createHash('sha256').update(readFileSync(join(dir, name))).digest('hex')]));
}

describe('reconcile --dry-run', () => {
  it('leaves every file as it was, with a drifted wallet to report; the real reconcile then writes', () => {
    const dir = tempDir();
    expect(cli(dir, ['run', '--max-ticks', '300', '--speed', 'max']).code).toBe(0);
    rawSql(join(dir, 'arbbot.db'), "UPDATE wallets SET total = total + 1000000, available = available + 1000000 WHERE venue = 'paper'");
    const before = files(dir);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['arbbot.db', 'arbbot.paper.db']));
    const dry = cli(dir, ['reconcile', '--dry-run']);
    expect(dry.stdout).toContain('wallet row drifted from its log');
    expect(files(dir)).toEqual(before);
    expect(cli(dir, ['reconcile']).code).toBe(0);
    expect(files(dir)).not.toEqual(before);
  });
});
