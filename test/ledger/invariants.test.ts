// The auditor in test/invariants.ts must hold after every kind of operation, and must fail on every kind of broken
// row; otherwise the suites that rely on it would prove nothing.
import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import { IdempotencyConflictError, InputError, InsufficientBalanceError } from '../../src/domain/errors.js';
import { MICROS_MAX, type Micros } from '../../src/domain/money.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { dump, tempLedger } from '../fixtures/helpers.js';
import { assertInvariants, invariantViolations } from '../fixtures/invariants.js';
import { closeAt, openPosition, rawSql, usd } from '../fixtures/ledger.js';
import { dbOf } from '../fixtures/helpers.js';

let ledger: Ledger;
let path: string;

beforeEach(() => {
  ({ ledger, path } = tempLedger());
  ledger.ensureWallet('paper', usd('100'));
});

afterEach(() => ledger.close());

/** A mixed history on two wallets: every kind of wallet transaction the ledger writes. */
function mixedHistory(): { openId: number } {
  ledger.ensureWallet('kalshi', usd('50'));
  ledger.deposit('paper', usd('20'), { idempotencyKey: 'd1' });
  ledger.withdraw('paper', usd('5.5'));
  const r1 = ledger.reserve({ venue: 'kalshi', amount: usd('10'), idempotencyKey: 'r1', purpose: 'leg' }).reservation;
  ledger.commitReservation(r1.id, { amount: usd('7.25') });
  const r2 = ledger.reserve({ venue: 'kalshi', amount: usd('10'), idempotencyKey: 'r2', purpose: 'leg' }).reservation;
  ledger.releaseReservation(r2.id);
  ledger.reserve({ venue: 'kalshi', amount: usd('3'), idempotencyKey: 'r3', purpose: 'leg' });
  const r4 = ledger.reserve({ venue: 'paper', amount: usd('30'), idempotencyKey: 'r4', purpose: 'open' }).reservation;
  openPosition(ledger, { reservationId: r4.id, entryFeeCharged: true, market: 'R' });
  const closed = openPosition(ledger, { market: 'A' }).position;
  closeAt(ledger, closed.id, '110');
  const open = openPosition(ledger, { market: 'B', side: 'short' }).position;
  return { openId: open.id };
}

const lastTx = () =>
  dbOf(ledger).prepare('SELECT balance_after AS total, locked_after AS locked FROM wallet_transactions WHERE venue = ? ORDER BY id DESC LIMIT 1');

describe('invariants after operations', () => {
  it('hold after every kind of wallet transaction, on every wallet', () => {
    mixedHistory();
    assertInvariants(ledger);
    // The open short locks its $25 and its unpaid $0.065 entry fee; the long from a reservation paid its fee at open.
    expect(ledger.requireWallet('paper')).toEqual({ venue: 'paper', total: usd('116.75725'), available: usd('66.69225'), locked: usd('50.065'), deficit: 0 });
    expect(ledger.requireWallet('kalshi')).toEqual({ venue: 'kalshi', total: usd('42.75'), available: usd('39.75'), locked: usd('3'), deficit: 0 });
  });

  it('deposits and withdrawals replay by key, refuse a reused key for something else, and never overdraw', () => {
    ledger.deposit('paper', usd('10'), { idempotencyKey: 'k' });
    const before = dump(path);
    expect(ledger.deposit('paper', usd('10'), { idempotencyKey: 'k' }).total).toBe(usd('110'));
    expect(dump(path)).toBe(before);
    expect(() => ledger.deposit('paper', usd('11'), { idempotencyKey: 'k' })).toThrow(IdempotencyConflictError);
    expect(() => ledger.withdraw('paper', usd('10'), { idempotencyKey: 'k' })).toThrow(IdempotencyConflictError);
    expect(() => ledger.withdraw('paper', usd('110.000001'))).toThrow(InsufficientBalanceError);
    expect(dump(path)).toBe(before);
    expect(ledger.withdraw('paper', usd('110')).available).toBe(0);
    assertInvariants(ledger);
  });

  it('refuses a deposit that would take a balance past 2^53 micros instead of rounding it', () => {
    const before = dump(path);
    expect(() => ledger.deposit('paper', MICROS_MAX as Micros)).toThrow(InputError);
    expect(() => ledger.deposit('paper', MICROS_MAX as Micros)).toThrow(/largest supported amount/);
    expect(dump(path)).toBe(before);
    expect(ledger.deposit('paper', (MICROS_MAX - usd('100')) as Micros).total).toBe(MICROS_MAX);
    assertInvariants(ledger);
  });
});

describe('invariant auditor detects broken books', () => {
  beforeEach(() => {
    mixedHistory();
    expect(invariantViolations(ledger)).toEqual([]);
  });

  const violations = () => invariantViolations(ledger);

  it('a wallet row drifted from its log (total and available moved together)', () => {
    rawSql(path, "UPDATE wallets SET total = total + 1, available = available + 1 WHERE venue = 'paper'");
    expect(violations()).toEqual([`paper: total ${usd('116.75725') + 1} != sum(amount) ${usd('116.75725')}`]);
  });

  it('a wallet that breaks total = available + locked', () => {
    rawSql(path, "UPDATE wallets SET available = available - 1 WHERE venue = 'paper'", { ignoreChecks: true });
    expect(violations()).toContain(`paper: total ${usd('116.75725')} != available ${usd('66.69225') - 1} + locked ${usd('50.065')}`);
  });

  it('locked that no longer matches reservations and open positions', () => {
    rawSql(path, "UPDATE positions SET cost_basis = cost_basis + 1 WHERE market = 'B'");
    expect(violations()).toContain(`paper: locked ${usd('50.065')} != pending reservations 0 + open positions ${usd('50.065') + 1}`);
  });

  it('locked that no longer matches what an open position set aside for its close', () => {
    rawSql(path, "UPDATE positions SET close_reserve = close_reserve - 1 WHERE market = 'B'");
    expect(violations()).toContain(`paper: locked ${usd('50.065')} != pending reservations 0 + open positions ${usd('50.065') - 1}`);
  });

  it('a transaction that breaks the before/after chain', () => {
    const { total, locked } = lastTx().get('paper') as { total: number; locked: number };
    rawSql(
      path,
      `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after,
         description, created_at) VALUES ('paper', 'adjustment', 0, 0, ${total + 1}, ${total + 1}, ${locked}, ${locked}, 'gap', 'now')`,
    );
    expect(violations().some((v) => /balance_before \d+ != previous balance_after \d+/.test(v))).toBe(true);
  });

  it('a deposit of a negative amount, even with a consistent chain and wallet', () => {
    const { total, locked } = lastTx().get('paper') as { total: number; locked: number };
    rawSql(
      path,
      `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after,
         description, created_at) VALUES ('paper', 'deposit', -1, 0, ${total}, ${total - 1}, ${locked}, ${locked}, 'bad', 'now');
       UPDATE wallets SET total = total - 1, available = available - 1 WHERE venue = 'paper';`,
    );
    expect(violations()).toEqual([expect.stringMatching(/deposit with amount -1, locked_delta 0 is not allowed/)]);
  });

  it('a reservation without its reserve transaction', () => {
    rawSql(
      path,
      `INSERT INTO reservations (venue, amount, state, idempotency_key, purpose, created_at, resolved_at)
       VALUES ('paper', 5, 'released', 'ghost', 'p', 'now', 'now')`,
    );
    expect(violations()).toEqual([expect.stringMatching(/reservation #\d+: 0 reserve transaction\(s\) for amount 5/)]);
  });

  it('a position closed twice', () => {
    const closed = dbOf(ledger).prepare("SELECT id FROM positions WHERE status = 'closed'").get() as { id: number };
    const { total, locked } = lastTx().get('paper') as { total: number; locked: number };
    rawSql(
      path,
      `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after,
         position_id, description, created_at) VALUES ('paper', 'position_close', 0, 0, ${total}, ${total}, ${locked}, ${locked},
         ${closed.id}, 'again', 'now')`,
    );
    expect(violations()).toContain(`position #${closed.id}: closed with 2 close transaction(s)`);
  });

  it('a row pointing at a missing parent (foreign_key_check)', () => {
    rawSql(path, "UPDATE positions SET reservation_id = 999 WHERE market = 'B'", { foreignKeys: false });
    expect(violations()).toEqual(['foreign_key_check: 1 row(s)']);
  });
});
