// `arbbot reconcile`: the log is the truth and a wallet row its projection. A drifted row is rebuilt (with an audit
// record) and the books are healthy after; --dry-run writes nothing; what the log cannot decide is left unresolved.
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { cli, cliJson, dump } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { closeAt, cliDir, openPosition, rawSql } from '../fixtures/ledger.js';
import { dbOf } from '../fixtures/helpers.js';

/** paper $100; #1 closed at 110; #2 open $25 (+ $0.065 fee set aside); reservation $5 pending → total 102.322250, locked 30.065, available 72.257250. */
function books(): { dir: string; db: string } {
  return cliDir('100', (ledger) => {
    const first = openPosition(ledger, { market: 'A' }).position;
    closeAt(ledger, first.id, '110');
    openPosition(ledger, { market: 'B' });
    ledger.reserve({ venue: 'paper', amount: 5_000_000 as never, idempotencyKey: 'r1', purpose: 'leg' });
  });
}

const DRIFT = "UPDATE wallets SET total = total + 1000000, available = available + 1000000 WHERE venue = 'paper'";

function audit(db: string): { kind: string; venue: string; detail: string }[] {
  const ledger = Ledger.open(db, { readonly: true });
  try {
    return dbOf(ledger).prepare('SELECT kind, venue, detail FROM audit_log ORDER BY id').all() as { kind: string; venue: string; detail: string }[];
  } finally {
    ledger.close();
  }
}

describe('reconcile', () => {
  it('rebuilds a wallet row that drifted from its log, records why, and leaves the books healthy', () => {
    const { dir, db } = books();
    rawSql(db, DRIFT);
    expect(cli(dir, ['wallet-check']).code).toBe(1);
    const repaired = cli(dir, ['reconcile']);
    expect(repaired.code, repaired.stderr).toBe(0);
    const detail =
      'wallet row drifted from its log: total 103.322250 → 102.322250, available 73.257250 → 72.257250, locked 30.065000 → 30.065000';
    expect(repaired.stdout).toContain(`⟳ repaired paper: ${detail}`);
    expect(repaired.stdout).toContain('✓ ledger consistent after repair');
    expect(audit(db)).toEqual([{ kind: 'wallet_rebuilt', venue: 'paper', detail }]);
    const healthy = cli(dir, ['wallet-check']);
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toMatch(/^HEALTHY/m);
    const ledger = Ledger.open(db);
    try {
      assertInvariants(ledger);
    } finally {
      ledger.close();
    }
    // Nothing left to do: a second run repairs nothing and writes no second audit row.
    const again = cli(dir, ['reconcile']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('✓ ledger consistent: nothing to repair');
    expect(audit(db)).toHaveLength(1);
  });

  it('rebuilds locked drift too, reporting the action in --json', () => {
    const { dir, db } = books();
    rawSql(db, "UPDATE wallets SET locked = locked + 2000000, available = available - 2000000 WHERE venue = 'paper'");
    const { code, json } = cliJson<{ consistent: boolean; actions: { venue: string; kind: string }[]; unresolved: unknown[] }>(dir, ['reconcile']);
    expect(code).toBe(0);
    expect(json).toMatchObject({ dryRun: false, consistent: true, unresolved: [] });
    expect(json.actions).toEqual([expect.objectContaining({ venue: 'paper', kind: 'wallet_rebuilt' })]);
    const ledger = Ledger.open(db);
    try {
      expect(ledger.requireWallet('paper')).toEqual({ venue: 'paper', total: 102_322_250, available: 72_257_250, locked: 30_065_000, deficit: 0 });
      assertInvariants(ledger);
    } finally {
      ledger.close();
    }
  });

  it('--dry-run shows the repair and writes nothing', () => {
    const { dir, db } = books();
    rawSql(db, DRIFT);
    const before = dump(db);
    const result = cli(dir, ['reconcile', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('⟳ would repair paper: wallet row drifted from its log: total 103.322250 → 102.322250');
    expect(result.stdout).toContain('✓ consistent once repaired');
    expect(dump(db)).toBe(before);
    expect(audit(db)).toEqual([]);
  });

  it('leaves a log that disagrees with positions unresolved: exit 1, nothing written', () => {
    const { dir, db } = books();
    rawSql(db, 'UPDATE positions SET cost_basis = cost_basis + 500000 WHERE id = 2');
    const before = dump(db);
    const human = cli(dir, ['reconcile']);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(
      '✗ unresolved [paper]: log says locked 30.065000 but pending reservations and open positions hold 30.565000',
    );
    const { code, json } = cliJson<{ consistent: boolean; unresolved: { kind: string; venue: string }[] }>(dir, ['reconcile']);
    expect(code).toBe(1);
    expect(json.consistent).toBe(false);
    expect(json.unresolved).toEqual([expect.objectContaining({ kind: 'locked_disagrees_with_holdings', venue: 'paper' })]);
    expect(dump(db)).toBe(before);
  });
});
