// Rows become domain objects on the way out of the ledger: camelCase, flags as booleans, money as integers, states from
// the domain's lists. Each read is shown both ways: the stored row maps, then the same row, made impossible by a raw
// write the ledger would never make, is refused with an error naming the table, the row and the column.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OperationalError } from '../../src/domain/errors.js';
import { parsePrice } from '../../src/domain/money.js';
import type { Ledger } from '../../src/ledger/ledger.js';
import { RiskReads } from '../../src/ledger/risk-reads.js';
import { CorruptRowError } from '../../src/ledger/rows.js';
import { dbOf, tempLedger } from '../fixtures/helpers.js';
import { closeAt, openPosition, usd } from '../fixtures/ledger.js';

let ledger: Ledger;

beforeEach(() => {
  ({ ledger } = tempLedger({ now: () => new Date('2026-03-04T05:06:07.000Z') }));
  ledger.ensureWallet('paper', usd('100'));
});

afterEach(() => ledger.close());

/** 2^53 + 1: SQLite stores it exactly; better-sqlite3 hands it over rounded to 2^53, which is no longer a safe integer. */
const PAST_SAFE = '9007199254740993';

/** A raw write through the ledger's own connection, with the schema's CHECK constraints off for its length. */
function corrupt(sql: string): void {
  const db = dbOf(ledger);
  db.pragma('ignore_check_constraints = ON');
  try {
    db.exec(sql);
  } finally {
    db.pragma('ignore_check_constraints = OFF');
  }
}

/** The read throws a CorruptRowError (an operating error, exit 3) whose message names `where` and `column`. */
function expectRefused(read: () => unknown, where: string, column: string, detail: RegExp): void {
  let thrown: unknown;
  try {
    read();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(CorruptRowError);
  expect(thrown).toBeInstanceOf(OperationalError);
  const error = thrown as CorruptRowError;
  expect(error.column).toBe(column);
  expect(error.message).toContain(`ledger row ${where}: ${column} is `);
  expect(error.message).toMatch(detail);
}

describe('a position', () => {
  it('maps its row: camelCase fields, flags as booleans, money and prices as integers, nothing snake_case', () => {
    const { position } = openPosition(ledger);
    ledger.updateLadder(position.id, { tp1Hit: true, tp2Hit: false, stopPrice: parsePrice('100') });
    const read = ledger.requirePosition(position.id);
    expect(read).toMatchObject({ id: position.id, kind: 'single', status: 'open', side: 'long', costBasis: usd('25'), entryPrice: parsePrice('100') });
    expect(read).toMatchObject({ tp1Hit: true, tp2Hit: false, stopPrice: parsePrice('100'), entryFeeCharged: false, netPnl: null, closedAt: null });
    expect(Object.keys(read).filter((key) => key.includes('_'))).toEqual([]);
    const closed = closeAt(ledger, position.id, '110');
    expect(closed.position).toMatchObject({ status: 'closed', exitPrice: parsePrice('110'), netPnl: usd('2.32225'), closedAt: '2026-03-04T05:06:07.000Z' });
  });

  const cases: readonly (readonly [column: string, set: string, detail: RegExp])[] = [
    ['tp1_hit', 'tp1_hit = 2', /is 2, expected 0 or 1$/],
    ['entry_fee_charged', 'entry_fee_charged = -1', /is -1, expected 0 or 1$/],
    ['kind', "kind = 'hedged'", /is "hedged", expected one of single, arb_hedged, arb_unhedged$/],
    ['status', "status = 'half-open'", /is "half-open", expected one of open, closed$/],
    ['side', "side = 'up'", /is "up", expected one of long, short$/],
    ['cost_basis', `cost_basis = ${PAST_SAFE}`, /is 9007199254740992, expected a whole number of micro-units/],
    ['tp2_price', `tp2_price = ${PAST_SAFE}`, /is 9007199254740992, expected/],
    ['exit_price', `exit_price = -${PAST_SAFE}`, /is -9007199254740992, expected/],
  ];
  it.each(cases)('refuses a stored %s that cannot be one (%s)', (column, set, detail) => {
    const { position } = openPosition(ledger);
    expect(ledger.requirePosition(position.id).id).toBe(position.id);
    corrupt(`UPDATE positions SET ${set} WHERE id = ${position.id}`);
    expectRefused(() => ledger.requirePosition(position.id), `positions #${position.id}`, column, detail);
    expectRefused(() => ledger.listPositions('all'), `positions #${position.id}`, column, detail);
  });

  it("refuses it in the ladder's own read too (the columns the ladder reads per market)", () => {
    const { position } = openPosition(ledger, { market: 'SOL-USD' });
    expect(ledger.listLadderPositionsForMarket('paper', 'SOL-USD')).toEqual([
      expect.objectContaining({ id: position.id, tp1Hit: false, stopPrice: parsePrice('95'), liquidationPrice: null }),
    ]);
    corrupt(`UPDATE positions SET stop_price = ${PAST_SAFE} WHERE id = ${position.id}`);
    expectRefused(() => ledger.listLadderPositionsForMarket('paper', 'SOL-USD'), `positions #${position.id}`, 'stop_price', /expected/);
  });

  it("refuses it in the risk limits' read of the day's closes", () => {
    const { position } = openPosition(ledger);
    closeAt(ledger, position.id, '90');
    const reads = new RiskReads(ledger);
    const dayStartMs = Date.parse('2026-03-04T00:00:00.000Z');
    expect(reads.closedOnDay(dayStartMs).closes).toEqual([
      { id: position.id, venue: 'paper', netPnl: expect.any(Number) as number, closedAt: '2026-03-04T05:06:07.000Z' },
    ]);
    const db = dbOf(ledger);
    db.exec('DROP TRIGGER positions_closed_immutable');
    db.exec(`UPDATE positions SET net_pnl = ${PAST_SAFE} WHERE id = ${position.id}`);
    expectRefused(() => reads.closedOnDay(dayStartMs), `positions #${position.id}`, 'net_pnl', /expected/);
  });
});

describe('a wallet', () => {
  it('maps its row, and refuses a balance past 2^53 naming the wallet by venue', () => {
    expect(ledger.requireWallet('paper')).toEqual({ venue: 'paper', total: usd('100'), available: usd('100'), locked: 0, deficit: 0 });
    corrupt(`UPDATE wallets SET total = ${PAST_SAFE} WHERE venue = 'paper'`);
    expectRefused(() => ledger.requireWallet('paper'), 'wallets "paper"', 'total', /is 9007199254740992, expected/);
    expectRefused(() => ledger.listWallets(), 'wallets "paper"', 'total', /expected/);
  });
});

describe('a wallet transaction', () => {
  it('maps its row, and refuses a type the ledger never writes', () => {
    const [deposit] = ledger.listTransactions('paper', 10);
    expect(deposit).toMatchObject({ type: 'deposit', amount: usd('100'), lockedDelta: 0, deficitDelta: 0, balanceBefore: 0, balanceAfter: usd('100') });
    expect(deposit).toMatchObject({ positionId: null, reservationId: null, createdAt: '2026-03-04T05:06:07.000Z' });
    corrupt(
      `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after,
         description, created_at) VALUES ('paper', 'gift', 0, 0, 100000000, 100000000, 0, 0, 'x', 'now')`,
    );
    const id = (dbOf(ledger).prepare('SELECT max(id) AS id FROM wallet_transactions').get() as { id: number }).id;
    expectRefused(() => ledger.listTransactions('paper', 10), `wallet_transactions #${id}`, 'type', /is "gift", expected one of deposit, withdrawal, /);
  });
});

describe('a reservation', () => {
  it('maps its row, and refuses a state the ledger never writes', () => {
    const { reservation } = ledger.reserve({ venue: 'paper', amount: usd('5'), idempotencyKey: 'r1', purpose: 'leg' });
    expect(ledger.requireReservation(reservation.id)).toEqual(reservation);
    corrupt(`UPDATE reservations SET state = 'lost' WHERE id = ${reservation.id}`);
    expectRefused(() => ledger.requireReservation(reservation.id), `reservations #${reservation.id}`, 'state', /is "lost", expected one of pending, committed, released$/);
  });

  it('refuses an amount past 2^53', () => {
    const { reservation } = ledger.reserve({ venue: 'paper', amount: usd('5'), idempotencyKey: 'r1', purpose: 'leg' });
    corrupt(`UPDATE reservations SET amount = ${PAST_SAFE} WHERE id = ${reservation.id}`);
    expectRefused(() => ledger.listPendingReservations(), `reservations #${reservation.id}`, 'amount', /expected/);
  });
});

describe('a market price', () => {
  it('maps its row, and refuses a price past 2^53 naming the venue and market', () => {
    ledger.saveMarketPrices([{ venue: 'paper', market: 'SOL-USD', bid: parsePrice('99'), ask: parsePrice('101') }]);
    expect(ledger.loadMarketPrices()).toEqual([{ venue: 'paper', market: 'SOL-USD', bid: parsePrice('99'), ask: parsePrice('101') }]);
    corrupt(`UPDATE market_prices SET ask = ${PAST_SAFE}`);
    expectRefused(() => ledger.loadMarketPrices(), 'market_prices "paper SOL-USD"', 'ask', /expected/);
  });
});
