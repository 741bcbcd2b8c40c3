// `arbbot wallet-check` through the real CLI: healthy books exit 0 with HEALTHY; each check, broken on purpose by a
// raw write the ledger would never make, exits 1 naming that check (and only the checks that must fail with it)
// together with the figures, in human output and in --json — by the routine check and by `--deep`, except the
// damage only SQLite's own checks can see, which only `--deep` runs.
import { describe, expect, it } from 'vitest';
import { cliAsync, type CliResult } from '../fixtures/helpers.js';
import { closeAt, cliDir, openPosition, rawSql } from '../fixtures/ledger.js';

interface Check {
  name: string;
  venue: string | null;
  ok: boolean;
  detail: string;
}

interface HealthJson {
  status: string;
  healthy: boolean;
  wallets: { venue: string; total: string; available: string; locked: string; deficit: string; equity: string }[];
  checks: Check[];
}

/**
 * paper, $100: position #1 long $25 @ 100 closed at 110 (+2.32225), position #2 open ($25 and its $0.065 entry fee
 * locked), reservation #1 pending $5. Transactions #1..#5. Wallet: total 102.322250, locked 30.065000, available 72.257250.
 */
function books(): { dir: string; db: string } {
  return cliDir('100', (ledger) => {
    const first = openPosition(ledger, { market: 'A' }).position;
    closeAt(ledger, first.id, '110');
    openPosition(ledger, { market: 'B' });
    ledger.reserve({ venue: 'paper', amount: 5_000_000 as never, idempotencyKey: 'r1', purpose: 'leg' });
  });
}

/** A wallet transaction that continues the chain exactly (so only what the case intends is broken). */
function txSql(fields: {
  type: string;
  amount?: number;
  lockedDelta?: number;
  deficitDelta?: number;
  positionId?: number;
  venue?: string;
  before?: number;
}): string {
  const venue = fields.venue ?? 'paper';
  const amount = fields.amount ?? 0;
  const delta = fields.lockedDelta ?? 0;
  const prev = `(SELECT %s FROM wallet_transactions WHERE venue = '${venue}' ORDER BY id DESC LIMIT 1)`;
  const total = fields.before === undefined ? `coalesce(${prev.replace('%s', 'balance_after')}, 0)` : String(fields.before);
  const locked = `coalesce(${prev.replace('%s', 'locked_after')}, 0)`;
  return `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, deficit_delta, balance_before, balance_after, locked_before, locked_after,
      position_id, description, created_at)
    SELECT '${venue}', '${fields.type}', ${amount}, ${delta}, ${fields.deficitDelta ?? 0}, t, t + ${amount}, l, l + ${delta}, ${fields.positionId ?? 'NULL'}, 'raw', 'now'
    FROM (SELECT ${total} AS t, ${locked} AS l)`;
}

async function check(dir: string, deep = false): Promise<{ human: CliResult; json: CliResult; report: HealthJson }> {
  const args = deep ? ['wallet-check', '--deep'] : ['wallet-check'];
  const [human, json] = await Promise.all([cliAsync(dir, args), cliAsync(dir, ['--json', ...args])]);
  return { human, json, report: JSON.parse(json.stdout) as HealthJson };
}

interface BreakCase {
  readonly check: string;
  readonly why: string;
  readonly sql: string;
  readonly options?: { ignoreChecks?: boolean; foreignKeys?: boolean };
  /** Checks that necessarily fail together with this one. */
  readonly alsoFailing?: readonly string[];
  /** Only `--deep` can see it (SQLite's own checks); with `alsoFailingDeep`, what fails with it only under `--deep`. */
  readonly deepOnly?: boolean;
  readonly alsoFailingDeep?: readonly string[];
  readonly venue: string | null;
  /** Exact figures the detail must contain. */
  readonly detail: string;
}

const CASES: readonly BreakCase[] = [
  {
    check: 'balance_formula',
    why: 'available moved without total (CHECK constraints bypassed)',
    sql: "UPDATE wallets SET available = available + 1 WHERE venue = 'paper'",
    options: { ignoreChecks: true },
    alsoFailingDeep: ['integrity_check'],
    venue: 'paper',
    detail: 'total 102.322250 ≠ available 72.257251 + locked 30.065000',
  },
  {
    check: 'total_matches_log',
    why: 'total and available raised together by $1 with no transaction',
    sql: "UPDATE wallets SET total = total + 1000000, available = available + 1000000 WHERE venue = 'paper'",
    venue: 'paper',
    detail: 'total 103.322250, sum of transactions 102.322250, difference 1.000000',
  },
  {
    check: 'locked_matches_log',
    why: 'a chained transaction locks $1 that the wallet row never did',
    sql: txSql({ type: 'adjustment', lockedDelta: 1_000_000 }),
    venue: 'paper',
    detail: 'locked 30.065000, sum of locked changes 31.065000, difference -1.000000',
  },
  {
    check: 'locked_matches_holdings',
    why: "an open position's cost basis edited by 50 cents",
    sql: 'UPDATE positions SET cost_basis = cost_basis + 500000 WHERE id = 2',
    venue: 'paper',
    detail: 'locked 30.065000, pending reservations 5.000000 + open positions 25.565000 = 30.565000, difference -0.500000',
  },
  {
    check: 'deficit_matches_log',
    why: 'a deficit of $1 written on the wallet row with no deficit transaction',
    sql: "UPDATE wallets SET deficit = deficit + 1000000 WHERE venue = 'paper'",
    // Owing $1 while $72 sits free breaks the repayment rule too.
    alsoFailing: ['deficit_unpaid_only_when_nothing_free'],
    venue: 'paper',
    detail: 'deficit 1.000000, sum of deficit changes 0.000000, difference 1.000000',
  },
  {
    check: 'deficit_unpaid_only_when_nothing_free',
    why: 'a deficit booked by a chained deficit row while money is free (its own rule broken, every sum agreeing)',
    sql: `${txSql({ type: 'deficit', deficitDelta: 1_000_000, positionId: 1 })};
          UPDATE wallets SET deficit = deficit + 1000000 WHERE venue = 'paper'`,
    venue: 'paper',
    detail: 'owes 1.000000 while 72.257250 is free',
  },
  {
    check: 'transaction_chain',
    why: "a transaction whose balance_before is not the previous row's balance_after",
    sql: txSql({ type: 'adjustment', before: 100_000_000 }),
    venue: null,
    detail: '1 broken link(s): #6 (paper): before 100.000000 after 100.000000 amount 0.000000, previous after 102.322250',
  },
  {
    check: 'transaction_signs',
    why: 'a "deposit" of -$1 whose wallet row was lowered to match (every sum and link still holds)',
    sql: `${txSql({ type: 'deposit', amount: -1_000_000 })};
          UPDATE wallets SET total = total - 1000000, available = available - 1000000 WHERE venue = 'paper'`,
    venue: null,
    detail: '1 transaction(s) with impossible amounts: #6 (paper) deposit amount -1.000000 locked 0.000000',
  },
  {
    check: 'no_double_close',
    why: 'a second close transaction for closed position #1',
    sql: txSql({ type: 'position_close', positionId: 1 }),
    alsoFailing: ['positions_match_close_records', 'transaction_signs'],
    venue: null,
    detail: 'closed more than once: #1 (2×)',
  },
  {
    check: 'positions_match_close_records',
    why: 'a close transaction for position #2, which is still open',
    sql: txSql({ type: 'position_close', positionId: 2 }),
    alsoFailing: ['transaction_signs'],
    venue: null,
    detail: 'position #2 is open with 1 close transaction(s)',
  },
  {
    check: 'reservations_recorded',
    why: 'a reservation row with no reserve transaction',
    sql: `INSERT INTO reservations (venue, amount, state, idempotency_key, purpose, created_at, resolved_at)
          VALUES ('paper', 5000000, 'released', 'ghost', 'leg', 'now', 'now')`,
    venue: null,
    detail: 'reservation #2 (released, 5.000000) has 0 reserve transaction(s)',
  },
  {
    check: 'wallet_exists',
    why: 'transactions for a venue that has no wallet row (foreign keys off)',
    sql: txSql({ type: 'deposit', amount: 1_000_000, venue: 'ghost' }),
    options: { foreignKeys: false },
    alsoFailingDeep: ['foreign_key_check'],
    venue: 'ghost',
    detail: 'transactions exist for ghost but it has no wallet row',
  },
  {
    check: 'integrity_check',
    why: 'a row that violates a CHECK constraint no other check reads (quantity 0)',
    sql: 'UPDATE positions SET quantity = 0 WHERE id = 2',
    options: { ignoreChecks: true },
    deepOnly: true,
    venue: null,
    detail: 'CHECK constraint failed in positions',
  },
  {
    check: 'foreign_key_check',
    why: 'an open position pointing at a reservation that does not exist (foreign keys off)',
    sql: 'UPDATE positions SET reservation_id = 999 WHERE id = 2',
    options: { foreignKeys: false },
    deepOnly: true,
    venue: null,
    detail: 'positions row 2 → missing reservations',
  },
];

describe('wallet-check', () => {
  it('exits 0 with HEALTHY and every check ok on sound books, routine and --deep', async () => {
    const { dir } = books();
    for (const deep of [false, true]) {
      const { human, json, report } = await check(dir, deep);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^HEALTHY \((\d+)\/\1 checks passed\)$/m);
      expect(human.stdout).toContain('✓ paper: Total=$102.32, Available=$72.26, Locked=$30.07');
      expect(human.stdout).not.toContain('✗');
      expect(json.code).toBe(0);
      expect(report.status).toBe('HEALTHY');
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.wallets).toEqual([
        { venue: 'paper', total: '102.322250', available: '72.257250', locked: '30.065000', deficit: '0.000000', equity: '102.322250' },
      ]);
      // Every check the command runs is broken by a case here or in the checkpoint tests (wallet_exists is only
      // listed when it fails).
      const broken = CASES.filter((c) => deep || !c.deepOnly)
        .map((c) => c.check)
        .filter((name) => name !== 'wallet_exists');
      const expected = [...broken, 'log_matches_checkpoint', ...(deep ? ['checkpoint_proven'] : [])];
      expect(new Set(report.checks.map((c) => c.name))).toEqual(new Set(expected));
    }
  });

  for (const broken of CASES) {
    for (const deep of broken.deepOnly ? [true] : [false, true]) {
      it(`exits 1 naming ${broken.check} with its figures when ${broken.why}${deep ? ' (--deep)' : ''}`, async () => {
        const { dir, db } = books();
        rawSql(db, broken.sql, broken.options);
        const { human, json, report } = await check(dir, deep);
        const tag = broken.venue ? ` [${broken.venue}]` : '';
        expect(human.code, human.stderr).toBe(1);
        expect(human.stdout).toContain(`✗ ${broken.check}${tag}: `);
        expect(human.stdout).toContain(broken.detail);
        const failing = [broken.check, ...(broken.alsoFailing ?? []), ...(deep ? (broken.alsoFailingDeep ?? []) : [])];
        expect(human.stdout).toMatch(new RegExp(`^UNHEALTHY \\(${failing.length} of \\d+ checks failed\\)$`, 'm'));
        expect(human.stdout).not.toMatch(/^HEALTHY/m);
        expect(json.code).toBe(1);
        expect(report.status).toBe('UNHEALTHY');
        expect(report.healthy).toBe(false);
        expect(report.checks.filter((c) => !c.ok).map((c) => c.name).sort()).toEqual([...failing].sort());
        const named = report.checks.find((c) => c.name === broken.check && c.venue === broken.venue);
        expect(named).toMatchObject({ ok: false });
        expect(named?.detail).toContain(broken.detail);
      });
    }
  }

  it('a routine check does not run SQLite\'s own checks, so damage only they see passes it and fails --deep', async () => {
    const { dir, db } = books();
    rawSql(db, 'UPDATE positions SET quantity = 0 WHERE id = 2', { ignoreChecks: true });
    expect((await check(dir)).human.code).toBe(0);
    expect((await check(dir, true)).human.code).toBe(1);
  });
});
