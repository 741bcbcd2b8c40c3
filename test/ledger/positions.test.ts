import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyConflictError, InputError, InsufficientBalanceError } from '../../src/domain/errors.js';
import { parsePrice } from '../../src/domain/money.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { dump, tempLedger } from '../helpers.js';
import { assertInvariants } from '../invariants.js';
import { closeAt, openPosition, SEED_COSTS, usd } from '../ledger-fixtures.js';

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
  (ledger.db.prepare("SELECT count(*) AS n FROM wallet_transactions WHERE position_id = ? AND type = 'position_close'").get(id) as { n: number }).n;

describe('positions', () => {
  it('locks the cost basis on open: $100 wallet, long $25 at $100 → available 75, total 100', () => {
    const { status, position, walletBefore, walletAfter } = openPosition(ledger);
    expect(status).toBe('opened');
    expect(position).toMatchObject({ status: 'open', cost_basis: usd('25'), quantity: usd('0.25'), entry_fee: usd('0.065') });
    expect(position).toMatchObject({ tp1_price: parsePrice('103'), stop_price: parsePrice('95'), tp1_hit: 0, tp2_hit: 0 });
    expect(walletBefore.available).toBe(usd('100'));
    expect(walletAfter).toEqual({ venue: 'paper', total: usd('100'), available: usd('75'), locked: usd('25') });
  });

  it('books the seed close exactly: at $110 available and total become 102.32225', () => {
    const { position } = openPosition(ledger);
    const result = closeAt(ledger, position.id, '110', 'TP3 (+10%) reached');
    expect(result.status).toBe('closed');
    if (result.status !== 'closed') return;
    expect(result.figures.netPnl).toBe(usd('2.32225'));
    expect(result.walletAfter).toEqual({ venue: 'paper', total: usd('102.32225'), available: usd('102.32225'), locked: 0 });
    expect(wallet()).toEqual(result.walletAfter);
    expect(result.position).toMatchObject({
      status: 'closed',
      exit_price: parsePrice('110'),
      exit_value: usd('27.5'),
      gross_pnl: usd('2.5'),
      exit_fee: usd('0.0715'),
      spread_cost: usd('0.0275'),
      slippage_cost: usd('0.01375'),
      total_costs: usd('0.17775'),
      net_pnl: usd('2.32225'),
      close_reason: 'TP3 (+10%) reached',
    });
    const tx = ledger.db.prepare("SELECT amount, locked_delta FROM wallet_transactions WHERE type = 'position_close'").get();
    expect(tx).toEqual({ amount: usd('2.32225'), locked_delta: -usd('25') });
  });

  it('answers already_closed to a second close and writes one close transaction only', () => {
    const { position } = openPosition(ledger);
    closeAt(ledger, position.id, '110');
    const before = dump(path);
    const again = closeAt(ledger, position.id, '90');
    expect(again.status).toBe('already_closed');
    expect(again.position.exit_price).toBe(parsePrice('110'));
    expect(dump(path)).toBe(before);
    expect(closeTxCount(position.id)).toBe(1);
  });

  it('closes a short at a profit when the price falls and at a loss when it rises', () => {
    const win = openPosition(ledger, { side: 'short', market: 'A' }).position;
    const lose = openPosition(ledger, { side: 'short', market: 'B' }).position;
    expect(win.tp1_price).toBe(parsePrice('97'));
    expect(win.sl_price).toBe(parsePrice('105'));
    const won = closeAt(ledger, win.id, '90');
    const lost = closeAt(ledger, lose.id, '105');
    if (won.status !== 'closed' || lost.status !== 'closed') throw new Error('expected both closed');
    expect(won.figures.netPnl).toBe(usd('2.34275'));
    // Buy back 0.25 at 105 = 26.25: gross −1.25; costs 0.065 + 0.06825 + 0.02625 + 0.013125 = 0.172625.
    expect(lost.figures.netPnl).toBe(usd('-1.422625'));
    expect(wallet()).toEqual({ venue: 'paper', total: usd('100.920125'), available: usd('100.920125'), locked: 0 });
  });

  it('refuses to open when available is short (InsufficientBalanceError) and writes nothing', () => {
    openPosition(ledger, { size: '80' });
    const before = dump(path);
    expect(() => openPosition(ledger, { size: '20.000001' })).toThrow(InsufficientBalanceError);
    expect(dump(path)).toBe(before);
    expect(openPosition(ledger, { size: '20' }).status).toBe('opened');
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
    expect(wallet()).toEqual({ venue: 'paper', total: usd('89.974'), available: usd('89.974'), locked: 0 });
  });

  it('refuses a close whose loss would make available negative, rather than clamping, and keeps the position open', () => {
    const { position } = openPosition(ledger, { side: 'short', size: '100' });
    const before = dump(path);
    // Buying back at $250 costs $250 for $100 of collateral: the wallet cannot pay, so nothing is written.
    expect(() => closeAt(ledger, position.id, '250')).toThrow(InsufficientBalanceError);
    expect(dump(path)).toBe(before);
    expect(ledger.requirePosition(position.id).status).toBe('open');
  });

  it('charges an entry fee paid at open once, not again at close', () => {
    const { position, walletAfter } = openPosition(ledger, { entryFeeCharged: true });
    expect(walletAfter).toEqual({ venue: 'paper', total: usd('99.935'), available: usd('74.935'), locked: usd('25') });
    closeAt(ledger, position.id, '110');
    expect(wallet().total).toBe(usd('102.32225'));
  });

  it('opens from a pending reservation: the cost changes owner, the rest is released', () => {
    const { reservation } = ledger.reserve({ venue: 'paper', amount: usd('30'), idempotencyKey: 'r', purpose: 'open' });
    const { position, walletAfter } = openPosition(ledger, { reservationId: reservation.id, entryFeeCharged: true });
    expect(position.reservation_id).toBe(reservation.id);
    expect(ledger.requireReservation(reservation.id)).toMatchObject({ state: 'committed', committedAmount: usd('25.065') });
    expect(walletAfter).toEqual({ venue: 'paper', total: usd('99.935'), available: usd('74.935'), locked: usd('25') });
    const before = dump(path);
    expect(() => openPosition(ledger, { reservationId: reservation.id, market: 'X' })).toThrow(/already committed/);
    expect(dump(path)).toBe(before);
  });

  it('refuses to open from a reservation that is too small or on another venue', () => {
    ledger.ensureWallet('other', usd('50'));
    const small = ledger.reserve({ venue: 'paper', amount: usd('24.99'), idempotencyKey: 's', purpose: 'open' }).reservation;
    const elsewhere = ledger.reserve({ venue: 'other', amount: usd('30'), idempotencyKey: 'o', purpose: 'open' }).reservation;
    const before = dump(path);
    expect(() => openPosition(ledger, { reservationId: small.id })).toThrow(/holds \$24\.99, less than cost \$25\.00/);
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
    expect(ledger.requirePosition(position.id)).toMatchObject({ tp1_hit: 1, tp2_hit: 0, stop_price: parsePrice('100') });
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
