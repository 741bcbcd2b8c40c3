// An independent auditor of the invariants of docs/ledger.md. It reads every row and recomputes each figure in TypeScript
// with BigInt sums — deliberately not reusing src/ledger/health.ts — so a bug in the health check cannot hide a bug
// in the ledger. Any suite that touches money can call `assertInvariants(ledger)` after each step.
import type Database from 'better-sqlite3';
import { expect } from 'vitest';
import { Ledger } from '../src/ledger/ledger.js';
import { dbOf } from './helpers.js';

interface WalletRow {
  venue: string;
  total: number;
  available: number;
  locked: number;
  deficit: number;
}

interface TransactionRow {
  id: number;
  venue: string;
  type: string;
  amount: number;
  locked_delta: number;
  deficit_delta: number;
  balance_before: number;
  balance_after: number;
  locked_before: number;
  locked_after: number;
  position_id: number | null;
  reservation_id: number | null;
  idempotency_key: string | null;
}

interface ReservationRow {
  id: number;
  venue: string;
  amount: number;
  state: string;
  committed_amount: number;
  idempotency_key: string;
  resolved_at: string | null;
}

interface PositionRow {
  id: number;
  venue: string;
  status: string;
  cost_basis: number;
  close_reserve: number;
  reservation_id: number | null;
  idempotency_key: string | null;
  closed_at: string | null;
}

const big = (value: number): bigint => BigInt(value);
const sum = <T>(rows: readonly T[], pick: (row: T) => number): bigint => rows.reduce((acc, row) => acc + big(pick(row)), 0n);

/** Every invariant that does not hold, one line each; empty when the books balance. */
export function invariantViolations(target: Ledger | Database.Database): string[] {
  const db = target instanceof Ledger ? dbOf(target) : target;
  const read = (): string[] => audit(db);
  // One snapshot for every figure, unless the caller is already inside a transaction.
  return db.inTransaction ? read() : db.transaction(read).deferred();
}

/** Fails the test, listing every violated invariant. */
export function assertInvariants(target: Ledger | Database.Database): void {
  expect(invariantViolations(target)).toEqual([]);
}

function audit(db: Database.Database): string[] {
  const wallets = db.prepare('SELECT venue, total, available, locked, deficit FROM wallets ORDER BY venue').all() as WalletRow[];
  const transactions = db.prepare('SELECT * FROM wallet_transactions ORDER BY id').all() as TransactionRow[];
  const reservations = db.prepare('SELECT * FROM reservations ORDER BY id').all() as ReservationRow[];
  const positions = db.prepare('SELECT * FROM positions ORDER BY id').all() as PositionRow[];
  return [
    ...walletViolations(wallets, transactions, reservations, positions),
    ...chainViolations(transactions),
    ...amountViolations(transactions),
    ...reservationViolations(reservations, transactions, positions),
    ...positionViolations(positions, transactions),
    ...keyViolations(transactions, reservations, positions),
    ...sqliteViolations(db),
  ];
}

/** Invariants 1–3: the balance formula, total and locked against the log, locked against what is held. */
function walletViolations(
  wallets: readonly WalletRow[],
  transactions: readonly TransactionRow[],
  reservations: readonly ReservationRow[],
  positions: readonly PositionRow[],
): string[] {
  const out: string[] = [];
  for (const w of wallets) {
    const log = transactions.filter((t) => t.venue === w.venue);
    const pending = sum(reservations.filter((r) => r.venue === w.venue && r.state === 'pending'), (r) => r.amount);
    const open = sum(positions.filter((p) => p.venue === w.venue && p.status === 'open'), (p) => p.cost_basis + p.close_reserve);
    const values = [w.total, w.available, w.locked];
    if (!values.every(Number.isSafeInteger)) out.push(`${w.venue}: balances are not safe integers (${values.join(', ')})`);
    if (big(w.total) !== big(w.available) + big(w.locked)) {
      out.push(`${w.venue}: total ${w.total} != available ${w.available} + locked ${w.locked}`);
    }
    if (w.available < 0) out.push(`${w.venue}: available ${w.available} < 0`);
    if (w.locked < 0) out.push(`${w.venue}: locked ${w.locked} < 0`);
    if (w.deficit < 0) out.push(`${w.venue}: deficit ${w.deficit} < 0`);
    // Owed money is repaid from the first money that comes free: a wallet in deficit has nothing free.
    if (w.deficit > 0 && w.available !== 0) out.push(`${w.venue}: owes ${w.deficit} while ${w.available} is available`);
    const logTotal = sum(log, (t) => t.amount);
    const logLocked = sum(log, (t) => t.locked_delta);
    const logDeficit = sum(log, (t) => t.deficit_delta);
    if (big(w.deficit) !== logDeficit) out.push(`${w.venue}: deficit ${w.deficit} != sum(deficit_delta) ${logDeficit}`);
    if (big(w.total) !== logTotal) out.push(`${w.venue}: total ${w.total} != sum(amount) ${logTotal}`);
    if (big(w.locked) !== logLocked) out.push(`${w.venue}: locked ${w.locked} != sum(locked_delta) ${logLocked}`);
    if (big(w.locked) !== pending + open) {
      out.push(`${w.venue}: locked ${w.locked} != pending reservations ${pending} + open positions ${open}`);
    }
  }
  for (const venue of new Set(transactions.map((t) => t.venue))) {
    if (!wallets.some((w) => w.venue === venue)) out.push(`${venue}: transactions without a wallet row`);
  }
  return out;
}

/** Invariant 4: per wallet, each row continues the previous one and adds up, for total and for locked. */
function chainViolations(transactions: readonly TransactionRow[]): string[] {
  const out: string[] = [];
  const last = new Map<string, { total: number; locked: number; deficit: number }>();
  for (const t of transactions) {
    const prev = last.get(t.venue) ?? { total: 0, locked: 0, deficit: 0 };
    if (t.balance_before !== prev.total) out.push(`tx #${t.id}: balance_before ${t.balance_before} != previous balance_after ${prev.total}`);
    if (t.locked_before !== prev.locked) out.push(`tx #${t.id}: locked_before ${t.locked_before} != previous locked_after ${prev.locked}`);
    if (big(t.balance_after) !== big(t.balance_before) + big(t.amount)) out.push(`tx #${t.id}: balance_after != balance_before + amount`);
    if (big(t.locked_after) !== big(t.locked_before) + big(t.locked_delta)) out.push(`tx #${t.id}: locked_after != locked_before + locked_delta`);
    if (t.balance_after - t.locked_after < 0) out.push(`tx #${t.id}: available after ${t.balance_after - t.locked_after} < 0`);
    const deficit = (last.get(t.venue)?.deficit ?? 0) + t.deficit_delta;
    if (deficit < 0) out.push(`tx #${t.id}: repays more than was owed (deficit would be ${deficit})`);
    last.set(t.venue, { total: t.balance_after, locked: t.locked_after, deficit });
  }
  return out;
}

/** Invariant 7: integers, and each kind of movement has the signs its operation allows (no zero deposit, etc.). */
function amountViolations(transactions: readonly TransactionRow[]): string[] {
  const rules: Record<string, (t: TransactionRow) => boolean> = {
    deposit: (t) => t.amount > 0 && t.locked_delta === 0,
    withdrawal: (t) => t.amount < 0 && t.locked_delta === 0,
    reserve: (t) => t.amount === 0 && t.locked_delta > 0 && t.reservation_id !== null,
    release: (t) => t.amount === 0 && t.locked_delta < 0 && t.reservation_id !== null,
    commit: (t) => t.amount < 0 && t.locked_delta === t.amount && t.reservation_id !== null,
    position_open: (t) => t.amount === 0 && t.locked_delta >= 0 && t.position_id !== null,
    fee: (t) => t.amount < 0,
    position_close: (t) => t.locked_delta < 0 && t.position_id !== null,
    settlement: (t) => t.locked_delta < 0 && t.position_id !== null,
    // Booked for a position's close (nothing else moves) or repaid from the wallet's own money.
    deficit: (t) =>
      t.locked_delta === 0 && ((t.amount === 0 && t.deficit_delta > 0 && t.position_id !== null) || (t.amount < 0 && t.deficit_delta === t.amount)),
  };
  const out: string[] = [];
  for (const t of transactions) {
    if (!Number.isSafeInteger(t.amount) || !Number.isSafeInteger(t.locked_delta)) out.push(`tx #${t.id}: non-integer amounts`);
    if (t.type !== 'deficit' && t.deficit_delta !== 0) out.push(`tx #${t.id}: a ${t.type} moved the deficit by ${t.deficit_delta}`);
    const rule = rules[t.type];
    if (rule && !rule(t)) out.push(`tx #${t.id}: ${t.type} with amount ${t.amount}, locked_delta ${t.locked_delta} is not allowed`);
  }
  return out;
}

/**
 * Invariant 5: one state each, resolved rows carry their resolution, and the locked money a reservation moved adds
 * up: pending holds its amount; released holds nothing; committed holds only what became an opened position.
 */
function reservationViolations(
  reservations: readonly ReservationRow[],
  transactions: readonly TransactionRow[],
  positions: readonly PositionRow[],
): string[] {
  const out: string[] = [];
  for (const r of reservations) {
    const flow = transactions.filter((t) => t.reservation_id === r.id);
    const reserves = flow.filter((t) => t.type === 'reserve');
    const opened = positions.filter((p) => p.reservation_id === r.id);
    const lockedFlow = sum(flow, (t) => t.locked_delta);
    if (!['pending', 'committed', 'released'].includes(r.state)) out.push(`reservation #${r.id}: unknown state ${r.state}`);
    if ((r.state === 'pending') !== (r.resolved_at === null)) out.push(`reservation #${r.id}: ${r.state} but resolved_at ${r.resolved_at}`);
    if (reserves.length !== 1 || reserves[0]?.locked_delta !== r.amount) {
      out.push(`reservation #${r.id}: ${reserves.length} reserve transaction(s) for amount ${r.amount}`);
    }
    if (r.state === 'pending' && lockedFlow !== big(r.amount)) out.push(`reservation #${r.id}: pending but its transactions lock ${lockedFlow}`);
    if (r.state === 'released' && (lockedFlow !== 0n || r.committed_amount !== 0)) {
      out.push(`reservation #${r.id}: released but still locks ${lockedFlow} (committed_amount ${r.committed_amount})`);
    }
    if (r.state === 'committed') {
      const kept = sum(opened, (p) => p.cost_basis + p.close_reserve);
      // What left the wallet out of it (commits and fees paid from it) plus what stayed locked as positions.
      const spent = -sum(flow.filter((t) => t.type === 'commit' || t.type === 'fee'), (t) => t.amount);
      const used = spent + kept;
      if (lockedFlow !== kept) out.push(`reservation #${r.id}: committed but its transactions lock ${lockedFlow}, positions hold ${kept}`);
      if (used !== big(r.committed_amount)) out.push(`reservation #${r.id}: committed_amount ${r.committed_amount} but ${used} was used`);
      if (r.committed_amount > r.amount) out.push(`reservation #${r.id}: committed ${r.committed_amount} > reserved ${r.amount}`);
    }
  }
  return out;
}

/** Each position opened once; a closed one has exactly one close record that frees exactly what it locked; an open one none. */
function positionViolations(positions: readonly PositionRow[], transactions: readonly TransactionRow[]): string[] {
  const out: string[] = [];
  for (const p of positions) {
    const opens = transactions.filter((t) => t.position_id === p.id && t.type === 'position_open');
    const closes = transactions.filter((t) => t.position_id === p.id && (t.type === 'position_close' || t.type === 'settlement'));
    if (opens.length !== 1) out.push(`position #${p.id}: ${opens.length} open transaction(s)`);
    if ((p.status === 'closed') !== (p.closed_at !== null)) out.push(`position #${p.id}: ${p.status} with closed_at ${p.closed_at}`);
    const expectedCloses = p.status === 'closed' ? 1 : 0;
    if (closes.length !== expectedCloses) out.push(`position #${p.id}: ${p.status} with ${closes.length} close transaction(s)`);
    if (closes.length === 1 && closes[0]?.locked_delta !== -(p.cost_basis + p.close_reserve)) {
      out.push(`position #${p.id}: close freed ${-(closes[0]?.locked_delta ?? 0)} of cost basis ${p.cost_basis} + reserve ${p.close_reserve}`);
    }
  }
  return out;
}

/** Invariant 6 (the storage half): no idempotency key appears twice. */
function keyViolations(
  transactions: readonly TransactionRow[],
  reservations: readonly ReservationRow[],
  positions: readonly PositionRow[],
): string[] {
  const out: string[] = [];
  const groups: [string, (string | null)[]][] = [
    ['wallet_transactions', transactions.map((t) => t.idempotency_key)],
    ['reservations', reservations.map((r) => r.idempotency_key)],
    ['positions', positions.map((p) => p.idempotency_key)],
  ];
  for (const [table, keys] of groups) {
    const present = keys.filter((key): key is string => key !== null);
    if (new Set(present).size !== present.length) out.push(`${table}: an idempotency key is used twice`);
  }
  return out;
}

/** Invariant 8. */
function sqliteViolations(db: Database.Database): string[] {
  const out: string[] = [];
  const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
  if (integrity.length !== 1 || integrity[0]?.integrity_check !== 'ok') {
    out.push(`integrity_check: ${integrity.map((row) => row.integrity_check).join('; ')}`);
  }
  const foreignKeys = db.pragma('foreign_key_check') as unknown[];
  if (foreignKeys.length > 0) out.push(`foreign_key_check: ${foreignKeys.length} row(s)`);
  return out;
}
