// Ledger-side reconcile, called directly (the CLI suite covers the command). Focus: it never rebuilds a wallet from a
// log whose chain is broken, however many broken rows come before that venue's.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfigObject } from '../../src/config/config.js';
import { reconcile } from '../../src/engine/reconcile.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { readCheckpoint } from '../../src/ledger/log-audit.js';
import { reconcileLedger } from '../../src/ledger/reconcile.js';
import { dump, tempLedger } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { rawSql, usd } from '../fixtures/ledger.js';
import { dbOf } from '../fixtures/helpers.js';

let ledger: Ledger;
let path: string;

beforeEach(() => {
  ({ ledger, path } = tempLedger());
  ledger.ensureWallet('alpha', usd('100'));
  ledger.ensureWallet('beta', usd('100'));
});

afterEach(() => ledger.close());

/** Appends a wallet transaction whose balance_before skips ahead by one micro: a chain break with no change to the sums. */
const gap = (venue: string) =>
  `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after,
     description, created_at)
   SELECT '${venue}', 'adjustment', 0, 0, b + 1, b + 1, 0, 0, 'gap', 'now'
   FROM (SELECT balance_after AS b FROM wallet_transactions WHERE venue = '${venue}' ORDER BY id DESC LIMIT 1);`;

describe('reconcileLedger', () => {
  it('rebuilds a drifted wallet from its log inside one transaction and audits it', () => {
    rawSql(path, "UPDATE wallets SET total = total - 7, available = available - 7 WHERE venue = 'beta'");
    const report = reconcileLedger(ledger, { dryRun: false });
    expect(report.unresolved).toEqual([]);
    expect(report.actions.map((a) => a.venue)).toEqual(['beta']);
    expect(ledger.requireWallet('beta').total).toBe(usd('100'));
    assertInvariants(ledger);
  });

  it('does not rebuild any venue with a broken chain, even past the first five broken rows', () => {
    rawSql(path, gap('alpha').repeat(6) + gap('beta'));
    rawSql(path, "UPDATE wallets SET total = total + 1, available = available + 1 WHERE venue = 'beta'");
    const before = dump(path);
    const report = reconcileLedger(ledger, { dryRun: false });
    expect(report.actions).toEqual([]);
    expect(report.unresolved).toEqual([expect.objectContaining({ kind: 'broken_chain', venue: null })]);
    expect(report.unresolved[0]?.detail).toMatch(/^7 wallet transaction\(s\) break the before\/after chain/);
    expect(dump(path)).toBe(before);
  });
});

describe('reconcile (the engine\'s start-up and resume, and cron) records the proof of books that reconcile', () => {
  const config = parseConfigObject({}, null);
  const lastTx = () => (dbOf(ledger).prepare('SELECT max(id) AS id FROM wallet_transactions').get() as { id: number }).id;

  it('records the log checkpoint through the last row, so the next reconcile starts from there', async () => {
    expect(readCheckpoint(ledger)).toBeNull();
    const report = await reconcile(ledger, config, { dryRun: false });
    expect(report.consistent).toBe(true);
    expect(readCheckpoint(ledger)?.throughId).toBe(lastTx());
    ledger.deposit('alpha', usd('5'), { idempotencyKey: 'later' });
    await reconcile(ledger, config, { dryRun: false });
    expect(readCheckpoint(ledger)?.throughId).toBe(lastTx());
    assertInvariants(ledger);
  });

  it('after repairing a drifted wallet: the books now prove healthy, and that is recorded', async () => {
    rawSql(path, "UPDATE wallets SET total = total - 7, available = available - 7 WHERE venue = 'beta'");
    const report = await reconcile(ledger, config, { dryRun: false });
    expect(report.actions.map((a) => a.kind)).toEqual(['wallet_rebuilt']);
    expect(readCheckpoint(ledger)?.throughId).toBe(lastTx());
  });

  it('records nothing for books left inconsistent, nor on a dry run', async () => {
    rawSql(path, gap('alpha'));
    const broken = await reconcile(ledger, config, { dryRun: false });
    expect(broken.consistent).toBe(false);
    expect(readCheckpoint(ledger)).toBeNull();
    rawSql(path, 'DROP TRIGGER wallet_transactions_no_delete; DELETE FROM wallet_transactions WHERE description = \'gap\'');
    const dry = await reconcile(ledger, config, { dryRun: true });
    expect(dry.consistent).toBe(true);
    expect(readCheckpoint(ledger)).toBeNull();
  });
});
