// The schema defends the books on its own, against any writer (a bug, a script, a person with the sqlite3 shell):
// each statement below goes around the Ledger class through a separate raw connection and must be refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/ledger.js';
import { dump, tempLedger } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { closeAt, openPosition, rawSql, usd } from '../fixtures/ledger.js';

let ledger: Ledger;
let path: string;
let closedId: number;
let openId: number;
let releasedId: number;
let committedId: number;

beforeEach(() => {
  ({ ledger, path } = tempLedger());
  ledger.ensureWallet('paper', usd('100'));
  closedId = openPosition(ledger, { market: 'A' }).position.id;
  closeAt(ledger, closedId, '110');
  openId = openPosition(ledger, { market: 'B' }).position.id;
  releasedId = ledger.reserve({ venue: 'paper', amount: usd('5'), idempotencyKey: 'r1', purpose: 'p' }).reservation.id;
  ledger.releaseReservation(releasedId);
  committedId = ledger.reserve({ venue: 'paper', amount: usd('5'), idempotencyKey: 'r2', purpose: 'p' }).reservation.id;
  ledger.commitReservation(committedId, { amount: usd('2') });
  assertInvariants(ledger);
});

afterEach(() => ledger.close());

/** The statement is refused with `message` and the database is exactly as it was. */
function refused(sql: string, message: RegExp | string): void {
  const before = dump(path);
  expect(() => rawSql(path, sql)).toThrow(message);
  expect(dump(path)).toBe(before);
}

describe('schema: append-only wallet transactions', () => {
  it('refuses UPDATE of any wallet transaction', () => {
    refused('UPDATE wallet_transactions SET amount = amount + 1 WHERE id = 1', 'wallet_transactions is append-only');
    refused("UPDATE wallet_transactions SET description = 'edited'", 'wallet_transactions is append-only');
  });

  it('refuses DELETE of any wallet transaction', () => {
    refused('DELETE FROM wallet_transactions WHERE id = (SELECT max(id) FROM wallet_transactions)', 'wallet_transactions is append-only');
  });

  it('refuses a row whose balance_after is not balance_before + amount, or that leaves available negative', () => {
    const row = (before: number, amount: number, after: number, lockedBefore = 0, lockedAfter = 0, delta = 0) =>
      `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before,
         locked_after, description, created_at) VALUES ('paper', 'adjustment', ${amount}, ${delta}, ${before}, ${after},
         ${lockedBefore}, ${lockedAfter}, 'x', 'now')`;
    refused(row(10, 5, 16), /CHECK constraint failed/);
    refused(row(10, 0, 10, 0, 1, 0), /CHECK constraint failed/); // locked chain does not add up
    refused(row(10, 0, 10, 0, 11, 11), /CHECK constraint failed/); // available after = -1
    refused(row(10, 0, 10, 5, -1, -6), /CHECK constraint failed/); // locked after < 0
    refused(row(10, 1.5 as number, 11.5), /cannot store REAL value in INTEGER column|CHECK constraint failed/);
  });
});

describe('schema: positions', () => {
  it('refuses re-closing a closed position, or any other change to it', () => {
    refused(
      `UPDATE positions SET status = 'closed', exit_price = 1, net_pnl = 0, close_reason = 'again', closed_at = 'now' WHERE id = ${closedId}`,
      'position is already closed',
    );
    refused(`UPDATE positions SET net_pnl = net_pnl + 1 WHERE id = ${closedId}`, 'position is already closed');
    refused(`UPDATE positions SET status = 'open', closed_at = NULL WHERE id = ${closedId}`, 'position is already closed');
  });

  it('refuses deleting a position, open or closed', () => {
    refused(`DELETE FROM positions WHERE id = ${openId}`, 'positions cannot be deleted');
    refused(`DELETE FROM positions WHERE id = ${closedId}`, 'positions cannot be deleted');
  });

  it('refuses closing without the close record, or closed_at without status', () => {
    refused(`UPDATE positions SET status = 'closed', closed_at = 'now' WHERE id = ${openId}`, /CHECK constraint failed/);
    refused(`UPDATE positions SET closed_at = 'now' WHERE id = ${openId}`, /CHECK constraint failed/);
  });
});

describe('schema: reservations', () => {
  it('refuses changing a resolved reservation: reopening, re-committing or editing', () => {
    refused(`UPDATE reservations SET state = 'pending', resolved_at = NULL WHERE id = ${releasedId}`, 'reservation is already resolved');
    refused(
      `UPDATE reservations SET state = 'committed', committed_amount = 5 WHERE id = ${releasedId}`,
      'reservation is already resolved',
    );
    refused(`UPDATE reservations SET committed_amount = 5 WHERE id = ${committedId}`, 'reservation is already resolved');
    refused(`UPDATE reservations SET state = 'released', committed_amount = 0 WHERE id = ${committedId}`, 'reservation is already resolved');
  });

  it('refuses deleting a reservation', () => {
    refused(`DELETE FROM reservations WHERE id = ${releasedId}`, 'reservations cannot be deleted');
  });

  it('refuses a zero amount, an unknown state, a commit above the amount, and pending with resolved_at', () => {
    const insert = (amount: number, state: string, committed: number, resolved: string) =>
      `INSERT INTO reservations (venue, amount, state, committed_amount, idempotency_key, purpose, created_at, resolved_at)
       VALUES ('paper', ${amount}, '${state}', ${committed}, 'new', 'p', 'now', ${resolved})`;
    refused(insert(0, 'pending', 0, 'NULL'), /CHECK constraint failed/);
    refused(insert(5, 'expired', 0, "'now'"), /CHECK constraint failed/);
    refused(insert(5, 'committed', 6, "'now'"), /CHECK constraint failed/);
    refused(insert(5, 'pending', 0, "'now'"), /CHECK constraint failed/);
    refused(insert(5, 'released', 1, "'now'"), /CHECK constraint failed/);
    refused(insert(5, 'pending', 0, 'NULL').replace("'new'", "'r1'"), /UNIQUE constraint failed/);
  });
});

describe('schema: wallets', () => {
  it('refuses a wallet where total is not available + locked, or available/locked is negative', () => {
    refused("UPDATE wallets SET available = available + 1 WHERE venue = 'paper'", /CHECK constraint failed/);
    refused("UPDATE wallets SET available = -1, locked = locked + available + 1 WHERE venue = 'paper'", /CHECK constraint failed/);
    refused("UPDATE wallets SET locked = -1, available = total + 1 WHERE venue = 'paper'", /CHECK constraint failed/);
    refused("UPDATE wallets SET total = 1.5 WHERE venue = 'paper'", /cannot store REAL value|CHECK constraint failed/);
  });

  it('refuses a reservation or a transaction for a venue with no wallet (foreign keys on)', () => {
    refused(
      `INSERT INTO reservations (venue, amount, state, idempotency_key, purpose, created_at) VALUES ('ghost', 1, 'pending', 'g', 'p', 'now')`,
      /FOREIGN KEY constraint failed/,
    );
  });
});
