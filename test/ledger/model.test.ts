// Random sequences of ledger operations run against the real ledger (a real SQLite file) and a tiny model side by
// side (pgledger's approach). After every command the wallet must equal the model exactly; after every run the
// independent auditor must find nothing. A refused command must change nothing, which the model checks for free.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closeFigures } from '../../src/domain/costs.js';
import { InsufficientBalanceError } from '../../src/domain/errors.js';
import { formatMicros, quantityFor, type Micros, type PriceMicros } from '../../src/domain/money.js';
import type { Side } from '../../src/domain/position.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { tempLedger } from '../helpers.js';
import { assertInvariants } from '../invariants.js';
import { openPosition, SEED_COSTS } from '../ledger-fixtures.js';

const VENUE = 'paper';
const START = 100_000_000;

interface ModelReservation {
  readonly id: number;
  readonly key: string;
  readonly amount: number;
  state: 'pending' | 'committed' | 'released';
}

interface ModelPosition {
  readonly id: number;
  readonly side: Side;
  readonly costBasis: number;
  readonly quantity: number;
  readonly entryFee: number;
  open: boolean;
}

interface Model {
  total: number;
  locked: number;
  keys: number;
  reservations: ModelReservation[];
  positions: ModelPosition[];
}

interface Real {
  readonly ledger: Ledger;
}

type Cmd = fc.Command<Model, Real>;

const available = (m: Model) => m.total - m.locked;

function expectWallet(m: Model, r: Real): void {
  const wallet = r.ledger.requireWallet(VENUE);
  expect({ total: wallet.total, locked: wallet.locked, available: wallet.available }).toEqual({
    total: m.total,
    locked: m.locked,
    available: available(m),
  });
}

function expectRefused(run: () => unknown): void {
  expect(run).toThrow(InsufficientBalanceError);
}

class Deposit implements Cmd {
  constructor(readonly amount: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    r.ledger.deposit(VENUE, this.amount as Micros);
    m.total += this.amount;
    expectWallet(m, r);
  }
  toString = () => `deposit(${formatMicros(this.amount)})`;
}

class Withdraw implements Cmd {
  constructor(readonly amount: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    if (this.amount > available(m)) expectRefused(() => r.ledger.withdraw(VENUE, this.amount as Micros));
    else {
      r.ledger.withdraw(VENUE, this.amount as Micros);
      m.total -= this.amount;
    }
    expectWallet(m, r);
  }
  toString = () => `withdraw(${formatMicros(this.amount)})`;
}

class Reserve implements Cmd {
  constructor(readonly amount: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const key = `k${m.keys++}`;
    const reserve = () => r.ledger.reserve({ venue: VENUE, amount: this.amount as Micros, idempotencyKey: key, purpose: 'model' });
    if (this.amount > available(m)) expectRefused(reserve);
    else {
      const { status, reservation } = reserve();
      expect(status).toBe('created');
      m.locked += this.amount;
      m.reservations.push({ id: reservation.id, key, amount: this.amount, state: 'pending' });
    }
    expectWallet(m, r);
  }
  toString = () => `reserve(${formatMicros(this.amount)})`;
}

/** Replays an earlier reservation's key with its original fields: "exists", nothing changes. */
class ReplayReserve implements Cmd {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.reservations.length > 0;
  run(m: Model, r: Real): void {
    const target = m.reservations[this.pick % m.reservations.length] as ModelReservation;
    const result = r.ledger.reserve({ venue: VENUE, amount: target.amount as Micros, idempotencyKey: target.key, purpose: 'model' });
    expect(result).toMatchObject({ status: 'exists', reservation: { id: target.id, state: target.state } });
    expectWallet(m, r);
  }
  toString = () => `replayReserve(#${this.pick})`;
}

class Commit implements Cmd {
  constructor(
    readonly pick: number,
    readonly spendPpm: number,
  ) {}
  check = (m: Readonly<Model>) => m.reservations.length > 0;
  run(m: Model, r: Real): void {
    const target = m.reservations[this.pick % m.reservations.length] as ModelReservation;
    const spend = Math.floor((target.amount * this.spendPpm) / 1_000_000);
    const result = r.ledger.commitReservation(target.id, { amount: spend as Micros });
    if (target.state !== 'pending') expect(result.status).toBe(`already_${target.state}`);
    else {
      expect(result.status).toBe('committed');
      target.state = 'committed';
      m.total -= spend;
      m.locked -= target.amount;
    }
    expectWallet(m, r);
  }
  toString = () => `commit(#${this.pick}, ${this.spendPpm}ppm)`;
}

class Release implements Cmd {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.reservations.length > 0;
  run(m: Model, r: Real): void {
    const target = m.reservations[this.pick % m.reservations.length] as ModelReservation;
    const result = r.ledger.releaseReservation(target.id);
    if (target.state !== 'pending') expect(result.status).toBe(`already_${target.state}`);
    else {
      expect(result.status).toBe('released');
      target.state = 'released';
      m.locked -= target.amount;
    }
    expectWallet(m, r);
  }
  toString = () => `release(#${this.pick})`;
}

class Open implements Cmd {
  constructor(
    readonly side: Side,
    readonly size: number,
    readonly price: number,
  ) {}
  check = () => quantityFor(this.size as Micros, this.price as PriceMicros, 'down') > 0;
  run(m: Model, r: Real): void {
    const open = () =>
      openPosition(r.ledger, { side: this.side, size: formatMicros(this.size), price: formatMicros(this.price), market: `M${m.keys++}` });
    if (this.size > available(m)) expectRefused(open);
    else {
      const { position } = open();
      m.locked += this.size;
      m.positions.push({
        id: position.id,
        side: this.side,
        costBasis: this.size,
        quantity: position.quantity,
        entryFee: position.entry_fee,
        open: true,
      });
    }
    expectWallet(m, r);
  }
  toString = () => `open(${this.side}, ${formatMicros(this.size)} @ ${formatMicros(this.price)})`;
}

class Close implements Cmd {
  constructor(
    readonly pick: number,
    readonly price: number,
  ) {}
  check = (m: Readonly<Model>) => m.positions.length > 0;
  run(m: Model, r: Real): void {
    const target = m.positions[this.pick % m.positions.length] as ModelPosition;
    const close = () => r.ledger.closePosition(target.id, { exitPrice: this.price as PriceMicros, reason: 'model', costs: SEED_COSTS });
    if (!target.open) expect(close().status).toBe('already_closed');
    else {
      const closing = { side: target.side, quantity: target.quantity as never, costBasis: target.costBasis as Micros, entryFee: target.entryFee as Micros };
      const { netPnl } = closeFigures(SEED_COSTS, closing, this.price as PriceMicros);
      // A loss the wallet cannot pay is refused, never clamped.
      if (available(m) + target.costBasis + netPnl < 0) expectRefused(close);
      else {
        expect(close().status).toBe('closed');
        target.open = false;
        m.total += netPnl;
        m.locked -= target.costBasis;
      }
    }
    expectWallet(m, r);
  }
  toString = () => `close(#${this.pick} @ ${formatMicros(this.price)})`;
}

const amount = fc.integer({ min: 1, max: 60_000_000 });
const pick = fc.nat({ max: 50 });
const price = fc.integer({ min: 10_000, max: 200_000_000 });

const commands = fc.commands<Model, Real>(
  [
    amount.map((a) => new Deposit(a)),
    amount.map((a) => new Withdraw(a)),
    amount.map((a) => new Reserve(a)),
    pick.map((p) => new ReplayReserve(p)),
    fc.tuple(pick, fc.integer({ min: 0, max: 1_000_000 })).map(([p, s]) => new Commit(p, s)),
    pick.map((p) => new Release(p)),
    fc.tuple(fc.constantFrom<Side>('long', 'short'), amount, price).map(([side, size, at]) => new Open(side, size, at)),
    fc.tuple(pick, fc.integer({ min: 1, max: 400_000_000 })).map(([p, at]) => new Close(p, at)),
  ],
  { maxCommands: 40 },
);

describe('ledger against a model', () => {
  it('keeps balances equal to the model and every invariant true over random operation sequences', () => {
    fc.assert(
      fc.property(commands, (cmds) => {
        const { ledger } = tempLedger();
        try {
          ledger.ensureWallet(VENUE, START as Micros);
          const model: Model = { total: START, locked: 0, keys: 0, reservations: [], positions: [] };
          fc.modelRun(() => ({ model, real: { ledger } }), cmds);
          assertInvariants(ledger);
        } finally {
          ledger.close();
        }
      }),
      { numRuns: 100 },
    );
  });
});
