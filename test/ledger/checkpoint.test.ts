// The log checkpoint: a healthy wallet-check records how far the log is proven, and the next check walks only what
// was added since. Held: the figures are the same as a walk from the first row, and the walk really is shorter.
// Broken: damage after the checkpoint is found by the routine check; damage before it (possible only with the
// append-only triggers dropped) is found by the row count or by `--deep`, which also proves the checkpoint itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walletCheck, type HealthReport } from '../../src/ledger/health.js';
import { readCheckpoint } from '../../src/ledger/log-audit.js';
import { reconcileLedger } from '../../src/ledger/reconcile.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { tempLedger } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { closeAt, openPosition, rawSql, usd } from '../fixtures/ledger.js';
import { dbOf } from '../fixtures/helpers.js';

let ledger: Ledger;
let path: string;

/** Deposits, a closed and an open position, a committed and a pending reservation: every kind of row. */
function activity(tag: string): void {
  ledger.deposit('paper', usd('10'), { idempotencyKey: `deposit-${tag}` });
  const closed = openPosition(ledger, { market: `A-${tag}` }).position;
  closeAt(ledger, closed.id, '105');
  openPosition(ledger, { market: `B-${tag}` });
  const committed = ledger.reserve({ venue: 'paper', amount: usd('2'), idempotencyKey: `commit-${tag}`, purpose: 'leg' }).reservation;
  ledger.commitReservation(committed.id, { amount: usd('1') });
  ledger.reserve({ venue: 'paper', amount: usd('1'), idempotencyKey: `pending-${tag}`, purpose: 'leg' });
}

const failing = (report: HealthReport) => report.checks.filter((c) => !c.ok).map((c) => c.name).sort();
const lastTx = () => (dbOf(ledger).prepare('SELECT max(id) AS id FROM wallet_transactions').get() as { id: number }).id;

beforeEach(() => {
  ({ ledger, path } = tempLedger());
  ledger.ensureWallet('paper', usd('100'));
  activity('1');
});

afterEach(() => ledger.close());

describe('log checkpoint', () => {
  it('is recorded by a healthy check, and the next check walks only the rows added since, with the same figures', () => {
    const rows = lastTx();
    const first = walletCheck(ledger);
    expect(first.healthy).toBe(true);
    expect(first.log).toEqual({ deep: false, fromId: 0, throughId: rows, rowsWalked: rows, checkpointRecorded: true });
    expect(readCheckpoint(ledger)?.throughId).toBe(rows);

    const again = walletCheck(ledger);
    expect(again.log).toMatchObject({ fromId: rows, rowsWalked: 0, checkpointRecorded: false });
    expect(again.healthy).toBe(true);

    activity('2');
    const added = lastTx() - rows;
    const routine = walletCheck(ledger);
    expect(routine.healthy).toBe(true);
    expect(routine.log).toMatchObject({ fromId: rows, throughId: rows + added, rowsWalked: added, checkpointRecorded: true });
    // The same checks with the same figures as a walk from the first row.
    const deep = walletCheck(ledger, { deep: true });
    expect(deep.log).toMatchObject({ deep: true, fromId: 0, rowsWalked: rows + added });
    const routineAgain = walletCheck(ledger);
    const byName = (report: HealthReport) => report.checks.filter((c) => !['log_matches_checkpoint', 'checkpoint_proven', 'integrity_check', 'foreign_key_check'].includes(c.name));
    expect(byName(routineAgain)).toEqual(byName(deep));
    assertInvariants(ledger);
  });

  it('finds a broken row added after the checkpoint, and leaves the checkpoint where it was', () => {
    walletCheck(ledger);
    const through = lastTx();
    rawSql(
      path,
      `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after, description, created_at)
       SELECT 'paper', 'adjustment', 0, 0, balance_after + 1, balance_after + 1, locked_after, locked_after, 'gap', 'now'
       FROM wallet_transactions ORDER BY id DESC LIMIT 1`,
    );
    const report = walletCheck(ledger);
    expect(report.log).toMatchObject({ fromId: through, rowsWalked: 1, checkpointRecorded: false });
    expect(failing(report)).toEqual(['transaction_chain']);
    expect(report.checks.find((c) => c.name === 'transaction_chain')?.detail).toContain(`#${through + 1} (paper)`);
    expect(readCheckpoint(ledger)?.throughId).toBe(through);
  });

  it('finds a row removed before the checkpoint by the row count; --deep names the break and disproves the checkpoint', () => {
    walletCheck(ledger);
    activity('2');
    rawSql(path, 'DROP TRIGGER wallet_transactions_no_delete; DELETE FROM wallet_transactions WHERE id = 3');
    const routine = walletCheck(ledger);
    expect(failing(routine)).toEqual(['log_matches_checkpoint']);
    expect(routine.checks.find((c) => c.name === 'log_matches_checkpoint')?.detail).toMatch(/^the log has \d+ row\(s\) but \d+ row\(s\) proven through #\d+/);
    const deep = walletCheck(ledger, { deep: true });
    expect(failing(deep)).toEqual(expect.arrayContaining(['transaction_chain', 'checkpoint_proven']));
    expect(deep.checks.find((c) => c.name === 'transaction_chain')?.detail).toContain('#4 (paper)');
  });

  it('trusts rows before the checkpoint in the routine check, and --deep does not: an edited old row fails only --deep', () => {
    walletCheck(ledger);
    // An old deposit raised by $1 with its own before/after kept consistent, and the wallet left alone: every sum the
    // routine check reads (the checkpoint's and the rows since) is unchanged.
    rawSql(path, 'DROP TRIGGER wallet_transactions_no_update; UPDATE wallet_transactions SET amount = amount + 1000000, balance_after = balance_after + 1000000 WHERE id = 1');
    expect(walletCheck(ledger).healthy).toBe(true);
    const deep = walletCheck(ledger, { deep: true });
    expect(failing(deep)).toEqual(['checkpoint_proven', 'total_matches_log', 'transaction_chain']);
    expect(deep.checks.find((c) => c.name === 'checkpoint_proven')?.detail).toContain('paper: checkpoint total');
  });

  it('catches a checkpoint edited by hand: the routine check against the wallets, --deep against the log', () => {
    walletCheck(ledger);
    rawSql(path, "UPDATE log_checkpoint_wallets SET total = total + 1 WHERE venue = 'paper'");
    expect(failing(walletCheck(ledger))).toEqual(['total_matches_log']);
    expect(failing(walletCheck(ledger, { deep: true }))).toEqual(['checkpoint_proven']);
  });

  it('is recorded by --deep when there is none, and never from an unhealthy check', () => {
    rawSql(path, "UPDATE wallets SET total = total + 1, available = available + 1 WHERE venue = 'paper'");
    expect(walletCheck(ledger, { deep: true }).log.checkpointRecorded).toBe(false);
    expect(walletCheck(ledger).log.checkpointRecorded).toBe(false);
    expect(readCheckpoint(ledger)).toBeNull();
    rawSql(path, "UPDATE wallets SET total = total - 1, available = available - 1 WHERE venue = 'paper'");
    expect(walletCheck(ledger, { deep: true }).log.checkpointRecorded).toBe(true);
    expect(readCheckpoint(ledger)?.throughId).toBe(lastTx());
  });

  it('on a read-only connection the check still runs and the checkpoint stays', () => {
    const readonly = Ledger.open(path, { readonly: true });
    try {
      const report = walletCheck(readonly);
      expect(report.healthy).toBe(true);
      expect(report.log.checkpointRecorded).toBe(false);
    } finally {
      readonly.close();
    }
    expect(readCheckpoint(ledger)).toBeNull();
  });

  it('is where reconcile starts too: a wallet drifted after the checkpoint is rebuilt from checkpoint + rows since', () => {
    walletCheck(ledger);
    activity('2');
    const total = ledger.requireWallet('paper').total;
    rawSql(path, "UPDATE wallets SET total = total + 7, available = available + 7 WHERE venue = 'paper'");
    const report = reconcileLedger(ledger, { dryRun: false });
    expect(report.unresolved).toEqual([]);
    expect(report.actions.map((a) => a.venue)).toEqual(['paper']);
    expect(ledger.requireWallet('paper').total).toBe(total);
    expect(walletCheck(ledger, { deep: true }).healthy).toBe(true);
    assertInvariants(ledger);
  });

  it('is never what reconcile repairs from when it disagrees with the log: the wallet stays, the checkpoint is dropped', () => {
    walletCheck(ledger);
    const total = ledger.requireWallet('paper').total;
    // The checkpoint says $1 more than the log: against it the wallet looks drifted, and a repair from it would
    // invent a dollar. Reconcile walks the whole log before repairing anything, and the log says the wallet is right.
    rawSql(path, "UPDATE log_checkpoint_wallets SET total = total + 1000000 WHERE venue = 'paper'");
    const dry = reconcileLedger(ledger, { dryRun: true });
    expect(dry.actions.map((a) => a.kind)).toEqual(['checkpoint_dropped']);
    expect(readCheckpoint(ledger)).not.toBeNull();
    const report = reconcileLedger(ledger, { dryRun: false });
    expect(report.unresolved).toEqual([]);
    expect(report.actions.map((a) => a.kind)).toEqual(['checkpoint_dropped']);
    expect(report.actions[0]?.detail).toContain('paper: checkpoint total');
    expect(ledger.requireWallet('paper').total).toBe(total);
    expect(readCheckpoint(ledger)).toBeNull();
    const audit = dbOf(ledger).prepare("SELECT count(*) AS n FROM audit_log WHERE kind = 'checkpoint_dropped'").get() as { n: number };
    expect(audit.n).toBe(1);
    expect(walletCheck(ledger, { deep: true }).healthy).toBe(true);
  });
});
