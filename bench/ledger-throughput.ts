// Benchmark 1 — ledger throughput: reserve + commit cycles per second through the project's Ledger, against the
// same work written by hand as raw better-sqlite3 prepared statements with the same pragmas and the same
// transaction boundaries (one BEGIN IMMEDIATE transaction for the reserve, one for the commit), on a temp WAL file.
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import type { SynchronousMode } from '../src/ledger/database.js';
import { Ledger } from '../src/ledger/ledger.js';
import type { Micros } from '../src/domain/money.js';
import { median, nowNs, pct, percentile, removeDir, scratchDir, secondsSince, shareOfFloor, type Measurement, type Section } from './harness.js';
import { connectionOf as dbOf } from '../src/ledger/connections.js';

const VENUE = 'bench';
const STARTING_BALANCE = 1_000_000_000_000_000 as Micros; // $1 billion: never the limit
const AMOUNT = 12_340_000 as Micros; // $12.34 per reservation
/**
 * Cycles per variant. The two variants run on two databases open side by side and take turns cycle by cycle
 * (ledger, raw, raw, ledger, …), each cycle timed on its own: load drift on a shared machine lands on both alike,
 * and the median cycle time is not decided by which variant happened to meet a disk stall or a busy neighbour.
 */
const CYCLES: Readonly<Record<'NORMAL' | 'FULL', number>> = { NORMAL: 8_000, FULL: 1_000 };
const WARMUP_CYCLES = 300;
const TARGETS: Readonly<Record<'NORMAL' | 'FULL', number>> = { NORMAL: 0.6, FULL: 0.9 };

type Variant = 'ledger' | 'raw';

interface Timings {
  /** Nanoseconds per cycle, in run order. */
  readonly cycleNs: number[];
  cpuSeconds: number;
}

export async function ledgerThroughput(): Promise<Section> {
  const started = nowNs();
  const dir = scratchDir('ledger');
  const measurements: Measurement[] = [];
  const details: string[] = [];
  try {
    for (const mode of ['NORMAL', 'FULL'] as const) {
      const timings = compare(dir, mode, CYCLES[mode]);
      const medianRate = (variant: Variant) => 1e9 / median(timings[variant].cycleNs);
      const meanRate = (variant: Variant) => timings[variant].cycleNs.length / (sum(timings[variant].cycleNs) / 1e9);
      const cpuRate = (variant: Variant) => timings[variant].cycleNs.length / timings[variant].cpuSeconds;
      measurements.push(
        shareOfFloor(
          `reserve+commit cycles/s, synchronous=${mode} (1 / median cycle time)`,
          { label: 'Ledger.reserve + Ledger.commitReservation', value: medianRate('ledger'), unit: 'cycles/s' },
          { label: 'raw better-sqlite3, same SQL and transactions', value: medianRate('raw'), unit: 'cycles/s' },
          TARGETS[mode],
        ),
      );
      details.push(
        `synchronous=${mode}: ${CYCLES[mode].toLocaleString('en-US')} cycles per variant (2 commits each), interleaved. ` +
          `Mean over the whole run (tails included): ledger ${rateText(meanRate('ledger'))}, raw ${rateText(meanRate('raw'))} ` +
          `(${pct(meanRate('ledger') / meanRate('raw'))}). Per CPU second (process.cpuUsage, blind to waiting for the CPU or the disk): ` +
          `ledger ${rateText(cpuRate('ledger'))}, raw ${rateText(cpuRate('raw'))} (${pct(cpuRate('ledger') / cpuRate('raw'))}). ` +
          `p99 cycle: ledger ${(percentile(timings.ledger.cycleNs, 99) / 1e6).toFixed(2)} ms, raw ${(percentile(timings.raw.cycleNs, 99) / 1e6).toFixed(2)} ms.`,
      );
    }
    details.push(
      'Statements per cycle: the Ledger runs 11 (reserve: key lookup, wallet read, insert, the wallet read again inside applyChange, ' +
        'wallet update, transaction insert; commit: reservation read, wallet read, wallet update, transaction insert, reservation update); ' +
        'the hand-written floor runs 10 (the wallet is read once per transaction). The rest of the gap is JavaScript: named-parameter ' +
        'mapping in PreparedQuery, row-to-object conversion, formatted descriptions and timestamps.',
    );
    return { title: '1. Ledger throughput (reserve + commit)', measurements, details, seconds: secondsSince(started) };
  } finally {
    removeDir(dir);
  }
}

function rateText(rate: number): string {
  return `${Math.round(rate).toLocaleString('en-US')} cycles/s`;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function compare(dir: string, mode: SynchronousMode, cycleCount: number): Record<Variant, Timings> {
  const ledgers = {
    ledger: Ledger.open(join(dir, `${mode}-ledger.db`), { synchronous: mode }),
    raw: Ledger.open(join(dir, `${mode}-raw.db`), { synchronous: mode }),
  };
  try {
    const cycles = { ledger: ledgerCycle(ledgers.ledger), raw: rawCycle(dbOf(ledgers.raw)) };
    const timings: Record<Variant, Timings> = { ledger: { cycleNs: [], cpuSeconds: 0 }, raw: { cycleNs: [], cpuSeconds: 0 } };
    for (const variant of ['ledger', 'raw'] as const) {
      ledgers[variant].ensureWallet(VENUE, STARTING_BALANCE);
      for (let i = 0; i < WARMUP_CYCLES; i += 1) cycles[variant](`warm-${i}`);
    }
    for (let i = 0; i < cycleCount; i += 1) {
      for (const variant of i % 2 === 0 ? (['ledger', 'raw'] as const) : (['raw', 'ledger'] as const)) {
        const cpu = process.cpuUsage();
        const start = nowNs();
        cycles[variant](`cycle-${i}`);
        timings[variant].cycleNs.push(Number(nowNs() - start));
        const used = process.cpuUsage(cpu);
        timings[variant].cpuSeconds += (used.user + used.system) / 1e6;
      }
    }
    for (const variant of ['ledger', 'raw'] as const) assertBalanced(ledgers[variant], WARMUP_CYCLES + cycleCount);
    return timings;
  } finally {
    ledgers.ledger.close();
    ledgers.raw.close();
  }
}

function ledgerCycle(ledger: Ledger): (key: string) => void {
  return (key) => {
    const { reservation } = ledger.reserve({ venue: VENUE, amount: AMOUNT, idempotencyKey: key, purpose: 'bench' });
    ledger.commitReservation(reservation.id);
  };
}

interface WalletRow {
  total: number;
  available: number;
  locked: number;
}

/**
 * The floor: what Ledger.reserve and Ledger.commitReservation do, written directly — the idempotency lookup, the
 * balance check, the reservation row, the wallet row and one wallet transaction per balance change — each method
 * as one BEGIN IMMEDIATE transaction, with descriptions and timestamps of the same shape.
 */
function rawCycle(db: Database.Database): (key: string) => void {
  const s = {
    reservationByKey: db.prepare('SELECT * FROM reservations WHERE idempotency_key = ?'),
    reservationById: db.prepare('SELECT venue, amount, state, purpose FROM reservations WHERE id = ?'),
    wallet: db.prepare('SELECT total, available, locked FROM wallets WHERE venue = ?'),
    insertReservation: db.prepare(
      "INSERT INTO reservations (venue, amount, state, idempotency_key, purpose, created_at) VALUES (?, ?, 'pending', ?, ?, ?)",
    ),
    resolveReservation: db.prepare(
      "UPDATE reservations SET state = 'committed', committed_amount = ?, resolved_at = ? WHERE id = ? AND state = 'pending'",
    ),
    updateWallet: db.prepare('UPDATE wallets SET total = ?, available = ?, locked = ?, updated_at = ? WHERE venue = ?'),
    insertTransaction: db.prepare(
      `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after,
         position_id, reservation_id, order_ref, idempotency_key, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, NULL, ?, ?)`,
    ),
  };
  const change = (reservationId: number, type: string, amount: number, lockedDelta: number, description: string, at: string): void => {
    const before = s.wallet.get(VENUE) as WalletRow;
    const total = before.total + amount;
    const locked = before.locked + lockedDelta;
    if (total - locked < 0) throw new Error('insufficient balance');
    s.updateWallet.run(total, total - locked, locked, at, VENUE);
    s.insertTransaction.run(VENUE, type, amount, lockedDelta, before.total, total, before.locked, locked, reservationId, description, at);
  };
  const reserve = db.transaction((key: string): number => {
    if (s.reservationByKey.get(key) !== undefined) throw new Error(`key ${key} reused`);
    const wallet = s.wallet.get(VENUE) as WalletRow;
    if (wallet.available < AMOUNT) throw new Error('insufficient balance');
    const at = new Date().toISOString();
    const id = Number(s.insertReservation.run(VENUE, AMOUNT, key, 'bench', at).lastInsertRowid);
    change(id, 'reserve', 0, AMOUNT, `Reserved $${AMOUNT / 1e6} for bench`, at);
    return id;
  });
  const commit = db.transaction((id: number): void => {
    const reservation = s.reservationById.get(id) as { amount: number; state: string; purpose: string };
    if (reservation.state !== 'pending') throw new Error(`reservation ${id} already ${reservation.state}`);
    const at = new Date().toISOString();
    change(id, 'commit', -reservation.amount, -reservation.amount, `Committed $${reservation.amount / 1e6} of reservation #${id} (${reservation.purpose})`, at);
    s.resolveReservation.run(reservation.amount, at, id);
  });
  return (key) => commit.immediate(reserve.immediate(key));
}

/** Both variants must leave the same books: every cycle spent AMOUNT and nothing stays locked. */
function assertBalanced(ledger: Ledger, cycles: number): void {
  const wallet = ledger.requireWallet(VENUE);
  const expected = STARTING_BALANCE - cycles * AMOUNT;
  if (wallet.total !== expected || wallet.locked !== 0) {
    throw new Error(`ledger bench: wallet ${wallet.total}/${wallet.locked}, expected ${expected}/0`);
  }
}
