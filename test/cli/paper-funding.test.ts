// A paper deposit is recorded by the ledger first and mirrored into the paper venue's cash after. When that second
// write fails, the command says the ledger has it (exit 3, the key to complete it), and the retry with that key books
// nothing twice: the ledger replays its key, the paper venue applies the transaction once.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliJson } from '../fixtures/helpers.js';
import { cliDir } from '../fixtures/ledger.js';

interface Reconcile {
  venueBalances: { venue: string; venueCash: string; expectedCash: string; agrees: boolean }[];
}

describe('a paper deposit whose paper write fails', () => {
  it('is reported as recorded (exit 3, the key named), and the retry with the key completes it once', () => {
    const { dir } = cliDir('100');
    const paperDb = join(dir, 'arbbot.paper.db');
    mkdirSync(paperDb); // the paper venue's file cannot be opened

    const failed = cli(dir, ['deposit', 'paper', '5']);
    expect(failed.code, failed.stderr).toBe(3);
    const match = /^arbbot: deposit #(\d+) is recorded in the ledger, but the paper venue's book could not be saved \(.+\); run it again with --key (deposit-[0-9a-f-]{36}) to complete it \(the ledger will not book it twice\)$/.exec(
      failed.stderr.trim(),
    );
    expect(match, failed.stderr).not.toBeNull();
    const key = match?.[2] as string;

    rmSync(paperDb, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const retried = cliJson<{ replayed: boolean; wallet: { total: string } }>(dir, ['deposit', 'paper', '5', '--key', key]);
      expect(retried.code, retried.stderr).toBe(0);
      expect(retried.json.replayed).toBe(true);
      expect(retried.json.wallet.total).toBe('105.000000');
    }
    // The paper venue holds what the ledger expects: the deposit applied once on each side.
    const reconcile = cliJson<Reconcile>(dir, ['reconcile', '--dry-run']);
    const paper = reconcile.json.venueBalances.find((balance) => balance.venue === 'paper');
    expect(paper).toMatchObject({ venueCash: '105.000000', expectedCash: '105.000000', agrees: true });
  });

  it('control: a deposit whose paper write succeeds is applied once, and a replayed key applies nothing more', () => {
    const { dir } = cliDir('100');
    expect(cli(dir, ['deposit', 'paper', '5', '--key', 'k1']).code).toBe(0);
    expect(cli(dir, ['deposit', 'paper', '5', '--key', 'k1']).code).toBe(0);
    expect(cli(dir, ['deposit', 'paper', '7']).code).toBe(0);
    const paper = cliJson<Reconcile>(dir, ['reconcile', '--dry-run']).json.venueBalances.find((balance) => balance.venue === 'paper');
    expect(paper).toMatchObject({ venueCash: '112.000000', expectedCash: '112.000000', agrees: true });
  });
});
