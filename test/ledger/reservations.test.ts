import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyConflictError, InputError, InsufficientBalanceError } from '../../src/domain/errors.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { dump, tempLedger } from '../fixtures/helpers.js';
import { assertInvariants } from '../fixtures/invariants.js';
import { usd } from '../fixtures/ledger.js';
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

const reserve = (amount: string, key = 'order-1', purpose = 'buy leg') =>
  ledger.reserve({ venue: 'paper', amount: usd(amount), idempotencyKey: key, purpose });
const wallet = () => ledger.requireWallet('paper');
const txCount = () => (dbOf(ledger).prepare('SELECT count(*) AS n FROM wallet_transactions').get() as { n: number }).n;

describe('reservations', () => {
  it('moves the amount from available to locked at once, total unchanged', () => {
    const { status, reservation } = reserve('40');
    expect(status).toBe('created');
    expect(reservation).toMatchObject({ state: 'pending', amount: usd('40'), committedAmount: 0, resolvedAt: null });
    expect(wallet()).toEqual({ venue: 'paper', total: usd('100'), available: usd('60'), locked: usd('40'), deficit: 0 });
    assertInvariants(ledger);
  });

  it('commits in full: the money leaves the wallet', () => {
    const { reservation } = reserve('40');
    const result = ledger.commitReservation(reservation.id);
    expect(result.status).toBe('committed');
    expect(result.reservation).toMatchObject({ state: 'committed', committedAmount: usd('40') });
    expect(wallet()).toEqual({ venue: 'paper', total: usd('60'), available: usd('60'), locked: 0, deficit: 0 });
  });

  it('commits part and releases the remainder in the same transaction', () => {
    const { reservation } = reserve('40');
    ledger.commitReservation(reservation.id, { amount: usd('30.5') });
    expect(ledger.requireReservation(reservation.id)).toMatchObject({ state: 'committed', committedAmount: usd('30.5') });
    expect(wallet()).toEqual({ venue: 'paper', total: usd('69.5'), available: usd('69.5'), locked: 0, deficit: 0 });
    const rows = dbOf(ledger)
      .prepare('SELECT type, amount, locked_delta FROM wallet_transactions WHERE reservation_id = ? ORDER BY id')
      .all(reservation.id);
    expect(rows).toEqual([
      { type: 'reserve', amount: 0, locked_delta: usd('40') },
      { type: 'commit', amount: -usd('30.5'), locked_delta: -usd('30.5') },
      { type: 'release', amount: 0, locked_delta: -usd('9.5') },
    ]);
  });

  it('releases the whole amount back to available', () => {
    const { reservation } = reserve('40');
    expect(ledger.releaseReservation(reservation.id).status).toBe('released');
    expect(ledger.requireReservation(reservation.id)).toMatchObject({ state: 'released', committedAmount: 0 });
    expect(wallet()).toEqual({ venue: 'paper', total: usd('100'), available: usd('100'), locked: 0, deficit: 0 });
  });

  it('answers already_committed to a second commit and to a release after commit, writing nothing', () => {
    const { reservation } = reserve('40');
    ledger.commitReservation(reservation.id, { amount: usd('10') });
    const before = dump(path);
    expect(ledger.commitReservation(reservation.id).status).toBe('already_committed');
    expect(ledger.commitReservation(reservation.id, { amount: usd('40') }).status).toBe('already_committed');
    expect(ledger.releaseReservation(reservation.id).status).toBe('already_committed');
    expect(dump(path)).toBe(before);
  });

  it('answers already_released to a second release and to a commit after release, writing nothing', () => {
    const { reservation } = reserve('40');
    ledger.releaseReservation(reservation.id);
    const before = dump(path);
    expect(ledger.releaseReservation(reservation.id).status).toBe('already_released');
    const late = ledger.commitReservation(reservation.id);
    expect(late.status).toBe('already_released');
    expect(late.reservation.committedAmount).toBe(0);
    expect(dump(path)).toBe(before);
  });

  it('refuses to reserve more than available with InsufficientBalanceError, writing nothing', () => {
    reserve('60', 'first');
    const before = dump(path);
    let error: unknown;
    try {
      reserve('40.000001', 'second');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InsufficientBalanceError);
    expect(error).toMatchObject({ venue: 'paper', requiredMicros: usd('40.000001'), availableMicros: usd('40') });
    expect(dump(path)).toBe(before);
    expect(reserve('40', 'second').status).toBe('created'); // exactly the rest is fine
    expect(wallet().available).toBe(0);
  });

  it('replays a key with the same fields as "exists" without locking again', () => {
    const first = reserve('40', 'k');
    const count = txCount();
    const again = reserve('40', 'k');
    expect(again).toEqual({ status: 'exists', reservation: first.reservation });
    expect(txCount()).toBe(count);
    expect(wallet().locked).toBe(usd('40'));
  });

  it('still answers "exists" for a replayed key once the reservation is resolved', () => {
    const first = reserve('40', 'k');
    ledger.commitReservation(first.reservation.id);
    const before = dump(path);
    expect(reserve('40', 'k').status).toBe('exists');
    expect(dump(path)).toBe(before);
  });

  it('refuses a reused key with a different amount, purpose or venue: IdempotencyConflictError, nothing written', () => {
    ledger.ensureWallet('other', usd('100'));
    reserve('40', 'k');
    const before = dump(path);
    expect(() => reserve('41', 'k')).toThrow(IdempotencyConflictError);
    expect(() => reserve('40', 'k', 'sell leg')).toThrow(IdempotencyConflictError);
    expect(() => ledger.reserve({ venue: 'other', amount: usd('40'), idempotencyKey: 'k', purpose: 'buy leg' })).toThrow(
      IdempotencyConflictError,
    );
    expect(dump(path)).toBe(before);
  });

  it('refuses zero, negative, fractional and unsafe amounts, an empty key and an unknown venue', () => {
    const before = dump(path);
    for (const amount of [0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => ledger.reserve({ venue: 'paper', amount: amount as never, idempotencyKey: 'x', purpose: 'p' }), String(amount)).toThrow(
        InputError,
      );
    }
    expect(() => reserve('1', '')).toThrow(/key is empty/);
    expect(() => ledger.reserve({ venue: 'nowhere', amount: usd('1'), idempotencyKey: 'x', purpose: 'p' })).toThrow(/no wallet/);
    expect(dump(path)).toBe(before);
  });

  it('refuses a commit larger than the reservation or negative, and an unknown id, leaving it pending', () => {
    const { reservation } = reserve('40');
    const before = dump(path);
    expect(() => ledger.commitReservation(reservation.id, { amount: usd('40.000001') })).toThrow(InputError);
    expect(() => ledger.commitReservation(reservation.id, { amount: -1 as never })).toThrow(InputError);
    expect(() => ledger.commitReservation(reservation.id, { amount: 0.5 as never })).toThrow(InputError);
    expect(() => ledger.commitReservation(999)).toThrow('no reservation with id 999');
    expect(() => ledger.releaseReservation(999)).toThrow('no reservation with id 999');
    expect(dump(path)).toBe(before);
    expect(ledger.requireReservation(reservation.id).state).toBe('pending');
  });

  it('commits zero as "nothing spent": the whole amount is released and the reservation is final', () => {
    const { reservation } = reserve('40');
    expect(ledger.commitReservation(reservation.id, { amount: 0 as never }).reservation).toMatchObject({ state: 'committed', committedAmount: 0 });
    expect(wallet()).toEqual({ venue: 'paper', total: usd('100'), available: usd('100'), locked: 0, deficit: 0 });
  });

  it('rolls back both legs when a composed transaction fails half-way (linked events)', () => {
    ledger.ensureWallet('other', usd('10'));
    const before = dump(path);
    expect(() =>
      ledger.transaction(() => {
        ledger.reserve({ venue: 'paper', amount: usd('10'), idempotencyKey: 'leg-a', purpose: 'arb' });
        ledger.reserve({ venue: 'other', amount: usd('10.01'), idempotencyKey: 'leg-b', purpose: 'arb' });
      }),
    ).toThrow(InsufficientBalanceError);
    expect(dump(path)).toBe(before);
    expect(ledger.listPendingReservations()).toEqual([]);
  });
});

describe('reserveWithin', () => {
  const input = (amount: string, key: string, venue = 'paper') => ({ venue, amount: usd(amount), idempotencyKey: key, purpose: `leg ${key}` });
  /** As the arbitrage executor calls it: inside its own transaction. */
  const reserveWithin = (inputs: ReturnType<typeof input>[]) => ledger.transaction(() => ledger.reserveWithin(inputs));

  it('reserves each on its wallet in one go and returns the rows exactly as stored', () => {
    ledger.ensureWallet('other', usd('50'));
    const reserved = reserveWithin([input('40', 'a'), input('30', 'b', 'other')]);
    expect(reserved.map((r) => ledger.requireReservation(r.id))).toEqual(reserved);
    expect(wallet()).toEqual({ venue: 'paper', total: usd('100'), available: usd('60'), locked: usd('40'), deficit: 0 });
    expect(ledger.requireWallet('other')).toEqual({ venue: 'other', total: usd('50'), available: usd('20'), locked: usd('30'), deficit: 0 });
    const rows = dbOf(ledger).prepare("SELECT venue, amount, locked_delta, reservation_id FROM wallet_transactions WHERE type = 'reserve' ORDER BY id").all();
    expect(rows).toEqual([
      { venue: 'paper', amount: 0, locked_delta: usd('40'), reservation_id: reserved[0]?.id },
      { venue: 'other', amount: 0, locked_delta: usd('30'), reservation_id: reserved[1]?.id },
    ]);
  });

  it('checks each against what the earlier ones left on the same wallet: a chain of balances, one per reservation', () => {
    reserveWithin([input('40', 'a'), input('35', 'b')]);
    expect(wallet()).toEqual({ venue: 'paper', total: usd('100'), available: usd('25'), locked: usd('75'), deficit: 0 });
    const chain = dbOf(ledger).prepare("SELECT locked_before, locked_after FROM wallet_transactions WHERE type = 'reserve' ORDER BY id").all();
    expect(chain).toEqual([
      { locked_before: 0, locked_after: usd('40') },
      { locked_before: usd('40'), locked_after: usd('75') },
    ]);
  });

  it('reserves nothing when a later one does not fit, with the message reserve() gives', () => {
    const before = { wallet: wallet(), transactions: txCount() };
    expect(() => reserveWithin([input('60', 'a'), input('41', 'b')])).toThrow(InsufficientBalanceError);
    expect(() => reserveWithin([input('60', 'a'), input('41', 'b')])).toThrow('insufficient available balance on paper: reserving $41.00, available $40.00');
    expect({ wallet: wallet(), transactions: txCount() }).toEqual(before);
    expect(ledger.listPendingReservations()).toEqual([]);
  });

  it('takes only new keys: a used one fails on the unique constraint and the whole transaction rolls back', () => {
    const [first] = reserveWithin([input('40', 'a')]);
    const before = dump(path);
    expect(() => reserveWithin([input('10', 'b'), input('40', 'a')])).toThrow(/UNIQUE constraint failed: reservations.idempotency_key/);
    expect(dump(path)).toBe(before);
    expect(ledger.listPendingReservations()).toEqual([first]);
  });

  it('runs only inside a transaction the caller holds', () => {
    expect(() => ledger.reserveWithin([input('10', 'a')])).toThrow(/must run inside a ledger transaction/);
    expect(txCount()).toBe(1);
  });

  it('refuses a zero amount or an empty key before writing anything', () => {
    expect(() => reserveWithin([input('10', 'a'), input('0', 'b')])).toThrow(InputError);
    expect(() => reserveWithin([input('10', '')])).toThrow(InputError);
    expect(txCount()).toBe(1);
  });
});
