// Every close can be booked: what a position locks at open covers its worst close, exactly; a loss beyond it (a gap
// past a short's liquidation price, a position opened before set-asides) is taken from what the wallet has free and
// the rest recorded as owed — a deficit that blocks new positions until money repays it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeFigures, walletChangeOnClose, type ClosingPosition } from '../../src/domain/costs.js';
import { InsufficientBalanceError } from '../../src/domain/errors.js';
import { parsePrice, quantityFor, type PriceMicros } from '../../src/domain/money.js';
import { closeSetAside, liquidationPrice } from '../../src/domain/set-aside.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { walletCheck } from '../../src/ledger/health.js';
import { dump, tempLedger } from '../fixtures/helpers.js';
import { assertInvariants, invariantViolations } from '../fixtures/invariants.js';
import { closeAt, openPosition, rawSql, SEED_COSTS, usd } from '../fixtures/ledger.js';
import { dbOf } from '../fixtures/helpers.js';

let ledger: Ledger;
let path: string;

beforeEach(() => {
  ({ ledger, path } = tempLedger());
  ledger.ensureWallet('paper', usd('30'));
});

afterEach(() => {
  if (dbOf(ledger).open) {
    assertInvariants(ledger);
    ledger.close();
  }
});

const wallet = () => ledger.requireWallet('paper');

/** What the wallet's total moves by when `position` closes at `price` under the reference costs. */
function walletChangeAt(position: ClosingPosition, price: number): number {
  const figures = closeFigures(SEED_COSTS, position, price as PriceMicros);
  return walletChangeOnClose(figures, false);
}

describe('what a position sets aside at open', () => {
  it('a long locks its cost basis and unpaid entry fee: exactly what it loses at a price of 0', () => {
    const { position } = openPosition(ledger, { size: '25', price: '0.5', predictionMarket: true });
    expect(position.closeReserve).toBe(usd('0.065'));
    const worst = -walletChangeAt(position, 0);
    expect(worst).toBe(position.costBasis + position.closeReserve);
    // Every other exit loses less: the set-aside is the maximum, not a bound above it.
    for (const price of ['0.000001', '0.01', '0.25', '0.5', '0.999999']) expect(-walletChangeAt(position, parsePrice(price))).toBeLessThan(worst);
  });

  it('a short on a prediction market locks what closing at $1 costs: its exact worst case', () => {
    const { position } = openPosition(ledger, { side: 'short', size: '10', price: '0.4', predictionMarket: true });
    // 25 contracts bought back at $1 = $25: gross −15; entry fee 0.026 + exit costs 0.41% of 25 (0.1025) = 15.1285.
    expect(position.costBasis + position.closeReserve).toBe(usd('15.1285'));
    expect(-walletChangeAt(position, parsePrice('1'))).toBe(usd('15.1285'));
    expect(position.liquidationPrice).toBeNull();
    expect(wallet().available).toBe(usd('14.8715'));
  });

  it('a short with no price ceiling holds its cost as collateral, and its liquidation price is the last price the collateral covers', () => {
    const { position } = openPosition(ledger, { side: 'short', size: '25', price: '100' });
    expect(position.closeReserve).toBe(usd('0.065'));
    const locked = position.costBasis + position.closeReserve;
    const liquidation = position.liquidationPrice ?? 0;
    // About twice the entry, less the costs of buying back there: $199.183344.
    expect(liquidation).toBe(parsePrice('199.183344'));
    expect(-walletChangeAt(position, liquidation)).toBeLessThanOrEqual(locked);
    expect(-walletChangeAt(position, liquidation + 1)).toBeGreaterThan(locked);
  });

  it('the liquidation search agrees with a plain scan over every nearby price', () => {
    const quantity = quantityFor(usd('3'), parsePrice('7.5'), 'down');
    const position = { side: 'short' as const, quantity, costBasis: usd('3'), entryFee: usd('0.0078'), entryFeeCharged: false, priceCeiling: null };
    const { closeReserve, liquidationPrice: found } = closeSetAside(SEED_COSTS, position);
    const locked = usd('3') + closeReserve;
    const covers = (price: number) => -walletChangeOnClose(closeFigures(SEED_COSTS, position, price as PriceMicros), false) <= locked;
    const around = found ?? 0;
    for (let price = around - 2_000; price <= around + 2_000; price += 1) expect(covers(price), String(price)).toBe(price <= around);
    expect(liquidationPrice(SEED_COSTS, position, locked)).toBe(found);
  });

  it('refuses to open (nothing written) when the wallet owes a deficit, naming what to repay', () => {
    const { position } = openPosition(ledger, { side: 'short', size: '25', price: '100' });
    closeAt(ledger, position.id, '250');
    const owed = wallet().deficit;
    expect(owed).toBeGreaterThan(0);
    const before = dump(path);
    expect(() => openPosition(ledger, { size: '1' })).toThrow(InsufficientBalanceError);
    expect(() => openPosition(ledger, { size: '1' })).toThrow(/paper owes \$7\.8213 .* deposit at least that much/);
    expect(dump(path)).toBe(before);
  });
});

describe('a loss beyond the money set aside', () => {
  it('takes what the wallet has free, books the rest as a deficit in its own row, and proves healthy', () => {
    const { position } = openPosition(ledger, { side: 'short', size: '25', price: '100' });
    expect(wallet().available).toBe(usd('4.935'));
    // The gap to $250: net −37.82125, of which 25.065 was set aside and 4.935 was free: 7.82125 owed.
    const result = closeAt(ledger, position.id, '250', 'stop gapped');
    if (result.status !== 'closed') throw new Error('expected closed');
    expect(result.figures.netPnl).toBe(usd('-37.82125'));
    expect(result.deficitBooked).toBe(usd('7.82125'));
    expect(wallet()).toEqual({ venue: 'paper', total: 0, available: 0, locked: 0, deficit: usd('7.82125') });
    const report = walletCheck(ledger, { deep: true });
    expect(report.checks.filter((check) => !check.ok)).toEqual([]);
    expect(report.checks.find((check) => check.name === 'deficit_matches_log')?.detail).toContain('deficit 7.821250');
  });

  it('a position from before set-asides (cost basis locked alone) still closes: the entry fee it lacks becomes owed', () => {
    ledger.close();
    ({ ledger, path } = tempLedger());
    ledger.ensureWallet('pm', usd('25'));
    const { position } = openPosition(ledger, { venue: 'pm', market: 'M', size: '25', price: '0.5', predictionMarket: true, setAside: false });
    expect(position.closeReserve).toBe(0);
    const result = ledger.closePosition(position.id, { exitPrice: 0 as PriceMicros, reason: 'Resolved NO', costs: SEED_COSTS, kind: 'settlement' });
    if (result.status !== 'closed') throw new Error('expected closed');
    expect(result.figures.netPnl).toBe(usd('-25.065'));
    expect(ledger.requireWallet('pm')).toEqual({ venue: 'pm', total: 0, available: 0, locked: 0, deficit: usd('0.065') });
  });

  it('is repaid from the first money that comes free: part of a deposit, then the rest of another', () => {
    const { position } = openPosition(ledger, { side: 'short', size: '25', price: '100' });
    closeAt(ledger, position.id, '250');
    ledger.deposit('paper', usd('5'));
    expect(wallet()).toEqual({ venue: 'paper', total: 0, available: 0, locked: 0, deficit: usd('2.82125') });
    ledger.deposit('paper', usd('10'));
    expect(wallet()).toEqual({ venue: 'paper', total: usd('7.17875'), available: usd('7.17875'), locked: 0, deficit: 0 });
    const repaid = dbOf(ledger).prepare("SELECT amount, deficit_delta FROM wallet_transactions WHERE type = 'deficit' AND amount < 0 ORDER BY id").all();
    expect(repaid).toEqual([
      { amount: -usd('5'), deficit_delta: -usd('5') },
      { amount: -usd('2.82125'), deficit_delta: -usd('2.82125') },
    ]);
    expect(openPosition(ledger, { size: '5' }).status).toBe('opened');
  });

  it('is repaid by a profitable close on the same wallet, in the same transaction', () => {
    ledger.deposit('paper', usd('30'));
    const winner = openPosition(ledger, { market: 'W', size: '25', price: '100' }).position;
    const loser = openPosition(ledger, { side: 'short', market: 'L', size: '25', price: '100' }).position;
    closeAt(ledger, loser.id, '250'); // 60 − 25.065 − 25.065 = 9.87 free: net −37.82125 → 2.88625 owed
    expect(wallet().deficit).toBe(usd('2.88625'));
    closeAt(ledger, winner.id, '110'); // frees 25.065 + 2.32225 net: the debt is paid first
    expect(wallet()).toEqual({ venue: 'paper', total: usd('24.501'), available: usd('24.501'), locked: usd('0'), deficit: 0 });
  });
});

describe('the books with deficits, proven both ways', () => {
  function bookDeficit(): void {
    const { position } = openPosition(ledger, { side: 'short', size: '25', price: '100' });
    closeAt(ledger, position.id, '250');
  }

  it('wallet-check and the independent auditor name a deficit row whose amount was edited', () => {
    bookDeficit();
    ledger.close();
    rawSql(path, "DROP TRIGGER wallet_transactions_no_update; UPDATE wallet_transactions SET deficit_delta = deficit_delta + 1 WHERE type = 'deficit'");
    ({ ledger } = reopen());
    const report = walletCheck(ledger, { deep: true });
    expect(report.healthy).toBe(false);
    expect(report.checks.find((check) => check.name === 'deficit_matches_log')?.ok).toBe(false);
    expect(invariantViolations(ledger)).toContain('paper: deficit 7821250 != sum(deficit_delta) 7821251');
    ledger.close();
  });

  it('wallet-check names a wallet that owes money while money sits free', () => {
    bookDeficit();
    ledger.close();
    // The sums disagree too now, but the rule has its own check, which names it.
    rawSql(path, "UPDATE wallets SET total = total + 1000000, available = available + 1000000 WHERE venue = 'paper'");
    ({ ledger } = reopen());
    const check = walletCheck(ledger).checks.find((c) => c.name === 'deficit_unpaid_only_when_nothing_free');
    expect(check).toMatchObject({ ok: false, venue: 'paper' });
    expect(check?.detail).toContain('owes 7.821250 while 1.000000 is free');
    ledger.close();
  });

  it('wallet-check and the auditor name a repayment larger than what was owed', () => {
    bookDeficit();
    ledger.close();
    rawSql(
      path,
      `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, deficit_delta, balance_before, balance_after, locked_before, locked_after, description, created_at)
       VALUES ('paper', 'deposit', 20000000, 0, 0, 0, 20000000, 0, 0, 'deposit', '2026-01-01T00:00:00.000Z'),
              ('paper', 'deficit', -9000000, 0, -9000000, 20000000, 11000000, 0, 0, 'repaid too much', '2026-01-01T00:00:00.000Z');
       UPDATE wallets SET total = 11000000, available = 11000000, deficit = 0 WHERE venue = 'paper';`,
      { ignoreChecks: true },
    );
    ({ ledger } = reopen());
    const signs = walletCheck(ledger, { deep: true }).checks.find((c) => c.name === 'transaction_signs');
    expect(signs?.ok).toBe(false);
    expect(signs?.detail).toMatch(/deficit amount -9\.000000 locked 0\.000000 deficit -9\.000000/);
    expect(invariantViolations(ledger).some((line) => line.includes('repays more than was owed'))).toBe(true);
    ledger.close();
  });

  it('the schema refuses a deficit moved by any other type of row', () => {
    bookDeficit();
    expect(() =>
      dbOf(ledger)
        .prepare(
          `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, deficit_delta, balance_before, balance_after, locked_before, locked_after, description, created_at)
           VALUES ('paper', 'deposit', 1, 0, -1, 0, 1, 0, 0, 'x', 'x')`,
        )
        .run(),
    ).toThrow(/CHECK constraint failed/);
  });
});

function reopen(): { ledger: Ledger } {
  return { ledger: Ledger.open(path, { synchronous: 'NORMAL' }) };
}
