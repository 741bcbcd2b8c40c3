import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyConflictError, InputError, InsufficientBalanceError } from '../../src/domain/errors.js';
import { parsePrice } from '../../src/domain/money.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { dump, tempLedger } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { closeAt, openPosition, SEED_COSTS, usd } from '../fixtures/ledger.js';
import { dbOf } from '../fixtures/helpers.js';

let ledger: Ledger;
let path: string;

beforeEach(() => {
  ({ ledger, path } = tempLedger());
  ledger.ensureWallet('paper', usd('100'));
});

afterEach(() => {
  assertInvariants(ledger);
  ledger.close();
});

const wallet = () => ledger.requireWallet('paper');
const closeTxCount = (id: number) =>
  (dbOf(ledger).prepare("SELECT count(*) AS n FROM wallet_transactions WHERE position_id = ? AND type = 'position_close'").get(id) as { n: number }).n;

describe('positions', () => {
  it('locks the cost basis and the unpaid entry fee on open: $100 wallet, long $25 at $100 → available 74.935, total 100', () => {
    const { status, position, walletBefore, walletAfter } = openPosition(ledger);
    expect(status).toBe('opened');
    expect(position).toMatchObject({ status: 'open', costBasis: usd('25'), quantity: usd('0.25'), entryFee: usd('0.065') });
    expect(position).toMatchObject({ closeReserve: usd('0.065'), liquidationPrice: null });
    expect(position).toMatchObject({ tp1Price: parsePrice('103'), stopPrice: parsePrice('95'), tp1Hit: false, tp2Hit: false });
    expect(walletBefore.available).toBe(usd('100'));
    expect(walletAfter).toEqual({ venue: 'paper', total: usd('100'), available: usd('74.935'), locked: usd('25.065'), deficit: 0 });
  });

  it('books the reference close exactly: at $110 available and total become 102.32225', () => {
    const { position } = openPosition(ledger);
    const result = closeAt(ledger, position.id, '110', 'TP3 (+10%) reached');
    expect(result.status).toBe('closed');
    if (result.status !== 'closed') return;
    expect(result.figures.netPnl).toBe(usd('2.32225'));
    expect(result.walletAfter).toEqual({ venue: 'paper', total: usd('102.32225'), available: usd('102.32225'), locked: 0, deficit: 0 });
    expect(wallet()).toEqual(result.walletAfter);
    expect(result.position).toMatchObject({
      status: 'closed',
      exitPrice: parsePrice('110'),
      exitValue: usd('27.5'),
      grossPnl: usd('2.5'),
      exitFee: usd('0.0715'),
      spreadCost: usd('0.0275'),
      slippageCost: usd('0.01375'),
      totalCosts: usd('0.17775'),
      netPnl: usd('2.32225'),
      closeReason: 'TP3 (+10%) reached',
    });
    const tx = dbOf(ledger).prepare("SELECT amount, locked_delta FROM wallet_transactions WHERE type = 'position_close'").get();
    expect(tx).toEqual({ amount: usd('2.32225'), locked_delta: -usd('25.065') });
  });

  it('answers already_closed to a second close and writes one close transaction only', () => {
    const { position } = openPosition(ledger);
    closeAt(ledger, position.id, '110');
    const before = dump(path);
    const again = closeAt(ledger, position.id, '90');
    expect(again.status).toBe('already_closed');
    expect(again.position.exitPrice).toBe(parsePrice('110'));
    expect(dump(path)).toBe(before);
    expect(closeTxCount(position.id)).toBe(1);
  });

  it('closes a short at a profit when the price falls and at a loss when it rises', () => {
    const win = openPosition(ledger, { side: 'short', market: 'A' }).position;
    const lose = openPosition(ledger, { side: 'short', market: 'B' }).position;
    expect(win.tp1Price).toBe(parsePrice('97'));
    expect(win.slPrice).toBe(parsePrice('105'));
    const won = closeAt(ledger, win.id, '90');
    const lost = closeAt(ledger, lose.id, '105');
    if (won.status !== 'closed' || lost.status !== 'closed') throw new Error('expected both closed');
    expect(won.figures.netPnl).toBe(usd('2.34275'));
    // Buy back 0.25 at 105 = 26.25: gross −1.25; costs 0.065 + 0.06825 + 0.02625 + 0.013125 = 0.172625.
    expect(lost.figures.netPnl).toBe(usd('-1.422625'));
    expect(wallet()).toEqual({ venue: 'paper', total: usd('100.920125'), available: usd('100.920125'), locked: 0, deficit: 0 });
  });

  it('refuses to open when available is short of the whole set-aside (InsufficientBalanceError), names it and writes nothing', () => {
    openPosition(ledger, { size: '80' }); // locks 80 + 0.208
    expect(wallet().available).toBe(usd('19.792'));
    const before = dump(path);
    // 19.740675 + its fee 0.051326 (rounded up) = 19.792001: one micro-dollar more than is free.
    expect(() => openPosition(ledger, { size: '19.740675' })).toThrow(InsufficientBalanceError);
    expect(() => openPosition(ledger, { size: '19.740675' })).toThrow(
      'opening needs $19.7920 (cost basis $19.74 + $0.0513 set aside for its close), available $19.7920',
    );
    expect(dump(path)).toBe(before);
    expect(openPosition(ledger, { size: '19.740674' }).status).toBe('opened');
    expect(wallet().available).toBe(0);
  });

  it('refuses zero, negative and fractional sizes and prices before touching the database', () => {
    const before = dump(path);
    const base = openArgs();
    for (const bad of [{ costBasis: 0 }, { costBasis: -1 }, { quantity: 0 }, { entryPrice: 0 }, { entryPrice: 1.5 }, { costBasis: 2 ** 53 }]) {
      expect(() => ledger.openPosition({ ...base, ...bad } as never), JSON.stringify(bad)).toThrow(InputError);
    }
    expect(() => ledger.openPosition({ ...base, venue: 'nowhere' })).toThrow(/no wallet/);
    expect(dump(path)).toBe(before);
  });

  it('refuses a close at a zero price (except settlement), an unknown id, and a fractional price', () => {
    const { position } = openPosition(ledger);
    const before = dump(path);
    expect(() => ledger.closePosition(position.id, { exitPrice: 0 as never, reason: 'x', costs: SEED_COSTS })).toThrow(InputError);
    expect(() => ledger.closePosition(position.id, { exitPrice: 1.5 as never, reason: 'x', costs: SEED_COSTS })).toThrow(InputError);
    expect(() => ledger.closePosition(999, { exitPrice: parsePrice('1'), reason: 'x', costs: SEED_COSTS })).toThrow('no position with id 999');
    expect(dump(path)).toBe(before);
  });

  it('settles a prediction-market position at 0 with only the entry fee as cost', () => {
    const { position } = openPosition(ledger, { size: '10', price: '0.4' });
    const result = ledger.closePosition(position.id, { exitPrice: 0 as never, reason: 'resolved NO', costs: SEED_COSTS, kind: 'settlement' });
    if (result.status !== 'closed') throw new Error('expected closed');
    expect(result.figures.netPnl).toBe(usd('-10.026'));
    expect(wallet()).toEqual({ venue: 'paper', total: usd('89.974'), available: usd('89.974'), locked: 0, deficit: 0 });
  });

  it('never refuses a close: a loss beyond everything the wallet holds is booked as a deficit, not clamped', () => {
    const { position } = openPosition(ledger, { side: 'short', size: '99' }); // locks 99 + 0.2574 of the $100
    // Buying back 0.99 at $250 costs $247.50 for $99 of collateral: the wallet pays all it has, the rest is owed.
    const result = closeAt(ledger, position.id, '250');
    if (result.status !== 'closed') throw new Error('expected closed');
    // Gross −148.50; costs 0.2574 entry + 0.6435 fee + 0.2475 spread + 0.12375 slippage = 1.27215.
    expect(result.figures.netPnl).toBe(usd('-149.77215'));
    expect(result.deficitBooked).toBe(usd('49.77215'));
    expect(wallet()).toEqual({ venue: 'paper', total: 0, available: 0, locked: 0, deficit: usd('49.77215') });
    expect(ledger.requirePosition(position.id)).toMatchObject({ status: 'closed', netPnl: usd('-149.77215') });
    const rows = dbOf(ledger).prepare("SELECT type, amount, locked_delta, deficit_delta, position_id FROM wallet_transactions WHERE id > 2 ORDER BY id").all();
    expect(rows).toEqual([
      { type: 'position_close', amount: -usd('100'), locked_delta: -usd('99.2574'), deficit_delta: 0, position_id: position.id },
      { type: 'deficit', amount: 0, locked_delta: 0, deficit_delta: usd('49.77215'), position_id: position.id },
    ]);
  });

  it('charges an entry fee paid at open once, not again at close', () => {
    const { position, walletAfter } = openPosition(ledger, { entryFeeCharged: true });
    expect(walletAfter).toEqual({ venue: 'paper', total: usd('99.935'), available: usd('74.935'), locked: usd('25'), deficit: 0 });
    closeAt(ledger, position.id, '110');
    expect(wallet().total).toBe(usd('102.32225'));
  });

  it('opens from a pending reservation: the cost changes owner, the rest is released', () => {
    const { reservation } = ledger.reserve({ venue: 'paper', amount: usd('30'), idempotencyKey: 'r', purpose: 'open' });
    const { position, walletAfter } = openPosition(ledger, { reservationId: reservation.id, entryFeeCharged: true });
    expect(position.reservationId).toBe(reservation.id);
    expect(ledger.requireReservation(reservation.id)).toMatchObject({ state: 'committed', committedAmount: usd('25.065') });
    expect(walletAfter).toEqual({ venue: 'paper', total: usd('99.935'), available: usd('74.935'), locked: usd('25'), deficit: 0 });
    const before = dump(path);
    expect(() => openPosition(ledger, { reservationId: reservation.id, market: 'X' })).toThrow(/already committed/);
    expect(dump(path)).toBe(before);
  });

  it('refuses to open from a reservation that is too small or on another venue', () => {
    ledger.ensureWallet('other', usd('50'));
    const small = ledger.reserve({ venue: 'paper', amount: usd('24.99'), idempotencyKey: 's', purpose: 'open' }).reservation;
    const elsewhere = ledger.reserve({ venue: 'other', amount: usd('30'), idempotencyKey: 'o', purpose: 'open' }).reservation;
    const before = dump(path);
    expect(() => openPosition(ledger, { reservationId: small.id })).toThrow(/holds \$24\.99, less than the \$25\.0650 the fill needs/);
    expect(() => openPosition(ledger, { reservationId: elsewhere.id })).toThrow(/belongs to other/);
    expect(dump(path)).toBe(before);
  });

  it('replays an open with the same key and fields as "exists"; different fields are a conflict', () => {
    const first = openPosition(ledger, { idempotencyKey: 'sig-1' });
    const before = dump(path);
    const again = openPosition(ledger, { idempotencyKey: 'sig-1' });
    expect(again.status).toBe('exists');
    expect(again.position.id).toBe(first.position.id);
    expect(() => openPosition(ledger, { idempotencyKey: 'sig-1', size: '30' })).toThrow(IdempotencyConflictError);
    expect(() => openPosition(ledger, { idempotencyKey: 'sig-1', side: 'short' })).toThrow(IdempotencyConflictError);
    expect(() => openPosition(ledger, { idempotencyKey: 'sig-1', market: 'ETH-USD' })).toThrow(IdempotencyConflictError);
    expect(dump(path)).toBe(before);
  });

  it('stores ladder progress on an open position and ignores it on a closed one', () => {
    const { position } = openPosition(ledger);
    ledger.updateLadder(position.id, { tp1Hit: true, tp2Hit: false, stopPrice: parsePrice('100') });
    expect(ledger.requirePosition(position.id)).toMatchObject({ tp1Hit: true, tp2Hit: false, stopPrice: parsePrice('100') });
    closeAt(ledger, position.id, '100', 'breakeven');
    const before = dump(path);
    ledger.updateLadder(position.id, { tp1Hit: true, tp2Hit: true, stopPrice: parsePrice('103') });
    expect(dump(path)).toBe(before);
  });
});

function openArgs() {
  return {
    venue: 'paper',
    market: 'BTC-USD',
    side: 'long' as const,
    quantity: usd('0.25') as never,
    entryPrice: parsePrice('100'),
    costBasis: usd('25'),
    levels: { tp1Price: parsePrice('103'), tp2Price: parsePrice('106'), tp3Price: parsePrice('110'), slPrice: parsePrice('95') },
    entryFee: usd('0.065'),
  };
}
