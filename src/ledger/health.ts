// wallet-check: proves the books balance, exactly, in integers. Each check names its figures when it fails.
// The heavy checks run as single SQL aggregates so they stay fast over millions of wallet transactions.
import { formatMicros } from '../domain/money.js';
import type { Ledger, Wallet } from './ledger.js';

export interface CheckResult {
  readonly name: string;
  readonly venue: string | null;
  readonly ok: boolean;
  readonly detail: string;
}

export interface HealthReport {
  readonly healthy: boolean;
  readonly wallets: readonly Wallet[];
  readonly checks: readonly CheckResult[];
}

/** How many broken rows to name in a report; the count is always exact. */
const VIOLATIONS_LISTED_MAX = 5;

interface Sums {
  venue: string;
  total: number;
  locked: number;
  count: number;
}

export interface Holdings {
  venue: string;
  pending: number;
  positions: number;
}

export function logSums(ledger: Ledger): Map<string, Sums> {
  const rows = ledger.db
    .prepare(
      `SELECT venue, coalesce(sum(amount), 0) AS total, coalesce(sum(locked_delta), 0) AS locked, count(*) AS count
       FROM wallet_transactions GROUP BY venue`,
    )
    .all() as Sums[];
  return new Map(rows.map((row) => [row.venue, row]));
}

export function holdings(ledger: Ledger): Map<string, Holdings> {
  const rows = ledger.db
    .prepare(
      `SELECT w.venue AS venue,
         (SELECT coalesce(sum(amount), 0) FROM reservations r WHERE r.venue = w.venue AND r.state = 'pending') AS pending,
         (SELECT coalesce(sum(cost_basis), 0) FROM positions p WHERE p.venue = w.venue AND p.status = 'open') AS positions
       FROM wallets w`,
    )
    .all() as Holdings[];
  return new Map(rows.map((row) => [row.venue, row]));
}

interface ChainBreak {
  id: number;
  venue: string;
  balance_before: number;
  balance_after: number;
  amount: number;
  locked_before: number;
  locked_after: number;
  locked_delta: number;
  prev_after: number;
  prev_locked_after: number;
}

export function chainBreaks(ledger: Ledger): { count: number; rows: ChainBreak[]; venues: string[] } {
  const broken = `FROM (
      SELECT id, venue, balance_before, balance_after, amount, locked_before, locked_after, locked_delta,
        lag(balance_after, 1, 0) OVER w AS prev_after, lag(locked_after, 1, 0) OVER w AS prev_locked_after
      FROM wallet_transactions WINDOW w AS (PARTITION BY venue ORDER BY id))
    WHERE balance_before <> prev_after OR locked_before <> prev_locked_after
       OR balance_after <> balance_before + amount OR locked_after <> locked_before + locked_delta`;
  const rows = ledger.db.prepare(`SELECT * ${broken} ORDER BY id LIMIT ${VIOLATIONS_LISTED_MAX}`).all() as ChainBreak[];
  const count = rows.length < VIOLATIONS_LISTED_MAX ? rows.length : (ledger.db.prepare(`SELECT count(*) AS n ${broken}`).get() as { n: number }).n;
  // Every venue with a break, not only those of the rows listed: reconcile must not rebuild a wallet from a broken log.
  const venues =
    count === rows.length
      ? [...new Set(rows.map((row) => row.venue))]
      : (ledger.db.prepare(`SELECT DISTINCT venue ${broken}`).all() as { venue: string }[]).map((row) => row.venue);
  return { count, rows, venues };
}

export function walletCheck(ledger: Ledger): HealthReport {
  // One read transaction: every figure comes from the same snapshot even while a bot is writing.
  return ledger.db.transaction(() => collect(ledger)).deferred();
}

function collect(ledger: Ledger): HealthReport {
  const checks: CheckResult[] = [];
  const wallets = ledger.listWallets();
  const sums = logSums(ledger);
  const held = holdings(ledger);
  for (const wallet of wallets) checks.push(...walletChecks(wallet, sums.get(wallet.venue), held.get(wallet.venue)));
  for (const venue of sums.keys()) {
    if (!wallets.some((wallet) => wallet.venue === venue)) {
      checks.push({ name: 'wallet_exists', venue, ok: false, detail: `transactions exist for ${venue} but it has no wallet row` });
    }
  }
  checks.push(chainCheck(ledger), signCheck(ledger), doubleCloseCheck(ledger), closeRecordCheck(ledger), reservationCheck(ledger));
  checks.push(...sqliteChecks(ledger));
  return { healthy: checks.every((check) => check.ok), wallets, checks };
}

function walletChecks(wallet: Wallet, sums: Sums | undefined, held: Holdings | undefined): CheckResult[] {
  const venue = wallet.venue;
  const logTotal = sums?.total ?? 0;
  const logLocked = sums?.locked ?? 0;
  const heldLocked = (held?.pending ?? 0) + (held?.positions ?? 0);
  const $ = formatMicros;
  const formulaOk = wallet.total === wallet.available + wallet.locked && wallet.available >= 0 && wallet.locked >= 0;
  return [
    {
      name: 'balance_formula',
      venue,
      ok: formulaOk,
      detail: formulaOk
        ? `total ${$(wallet.total)} = available ${$(wallet.available)} + locked ${$(wallet.locked)}`
        : `total ${$(wallet.total)} ≠ available ${$(wallet.available)} + locked ${$(wallet.locked)} (or a negative balance)`,
    },
    {
      name: 'total_matches_log',
      venue,
      ok: wallet.total === logTotal,
      detail: `total ${$(wallet.total)}, sum of transactions ${$(logTotal)}, difference ${$(wallet.total - logTotal)}`,
    },
    {
      name: 'locked_matches_log',
      venue,
      ok: wallet.locked === logLocked,
      detail: `locked ${$(wallet.locked)}, sum of locked changes ${$(logLocked)}, difference ${$(wallet.locked - logLocked)}`,
    },
    {
      name: 'locked_matches_holdings',
      venue,
      ok: wallet.locked === heldLocked,
      detail: `locked ${$(wallet.locked)}, pending reservations ${$(held?.pending ?? 0)} + open positions ${$(
        held?.positions ?? 0,
      )} = ${$(heldLocked)}, difference ${$(wallet.locked - heldLocked)}`,
    },
  ];
}

function chainCheck(ledger: Ledger): CheckResult {
  const { count, rows } = chainBreaks(ledger);
  const named = rows
    .map(
      (row) =>
        `#${row.id} (${row.venue}): before ${formatMicros(row.balance_before)} after ${formatMicros(row.balance_after)} amount ${formatMicros(
          row.amount,
        )}, previous after ${formatMicros(row.prev_after)}; locked before ${formatMicros(row.locked_before)}, previous ${formatMicros(
          row.prev_locked_after,
        )}`,
    )
    .join('; ');
  return {
    name: 'transaction_chain',
    venue: null,
    ok: count === 0,
    detail: count === 0 ? 'every balance_before equals the previous balance_after' : `${count} broken link(s): ${named}`,
  };
}

/**
 * Invariant 7: each kind of movement has the signs its operation allows — a deposit adds, a withdrawal removes, a
 * reserve only locks, a close frees locked money. A row can satisfy every sum and still be impossible (a negative
 * "deposit" offset by an edited wallet row). Fees and adjustments may go either way and are not judged here.
 */
function signCheck(ledger: Ledger): CheckResult {
  const wrong = `FROM wallet_transactions WHERE NOT (CASE type
      WHEN 'deposit' THEN amount > 0 AND locked_delta = 0
      WHEN 'withdrawal' THEN amount < 0 AND locked_delta = 0
      WHEN 'reserve' THEN amount = 0 AND locked_delta > 0
      WHEN 'release' THEN amount = 0 AND locked_delta < 0
      WHEN 'commit' THEN amount < 0 AND locked_delta = amount
      WHEN 'position_open' THEN amount = 0 AND locked_delta >= 0
      WHEN 'position_close' THEN locked_delta < 0
      WHEN 'settlement' THEN locked_delta < 0
      ELSE 1 END)`;
  const rows = ledger.db
    .prepare(`SELECT id, venue, type, amount, locked_delta ${wrong} ORDER BY id LIMIT ${VIOLATIONS_LISTED_MAX}`)
    .all() as { id: number; venue: string; type: string; amount: number; locked_delta: number }[];
  const count = rows.length < VIOLATIONS_LISTED_MAX ? rows.length : (ledger.db.prepare(`SELECT count(*) AS n ${wrong}`).get() as { n: number }).n;
  return {
    name: 'transaction_signs',
    venue: null,
    ok: count === 0,
    detail:
      count === 0
        ? 'every transaction moves money in the direction its type allows'
        : `${count} transaction(s) with impossible amounts: ${rows
            .map((r) => `#${r.id} (${r.venue}) ${r.type} amount ${formatMicros(r.amount)} locked ${formatMicros(r.locked_delta)}`)
            .join('; ')}`,
  };
}

function doubleCloseCheck(ledger: Ledger): CheckResult {
  const rows = ledger.db
    .prepare(
      `SELECT position_id AS id, count(*) AS n FROM wallet_transactions
       WHERE type IN ('position_close', 'settlement') AND position_id IS NOT NULL
       GROUP BY position_id HAVING count(*) > 1 ORDER BY position_id LIMIT ${VIOLATIONS_LISTED_MAX}`,
    )
    .all() as { id: number; n: number }[];
  return {
    name: 'no_double_close',
    venue: null,
    ok: rows.length === 0,
    detail: rows.length === 0 ? 'no position was closed twice' : `closed more than once: ${rows.map((r) => `#${r.id} (${r.n}×)`).join(', ')}`,
  };
}

function closeRecordCheck(ledger: Ledger): CheckResult {
  const rows = ledger.db
    .prepare(
      `SELECT p.id AS id, p.status AS status, count(t.id) AS n FROM positions p
       LEFT JOIN wallet_transactions t ON t.position_id = p.id AND t.type IN ('position_close', 'settlement')
       GROUP BY p.id HAVING (p.status = 'closed' AND count(t.id) <> 1) OR (p.status = 'open' AND count(t.id) <> 0)
       ORDER BY p.id LIMIT ${VIOLATIONS_LISTED_MAX}`,
    )
    .all() as { id: number; status: string; n: number }[];
  return {
    name: 'positions_match_close_records',
    venue: null,
    ok: rows.length === 0,
    detail:
      rows.length === 0
        ? 'every closed position has exactly one close transaction, every open one none'
        : rows.map((r) => `position #${r.id} is ${r.status} with ${r.n} close transaction(s)`).join('; '),
  };
}

function reservationCheck(ledger: Ledger): CheckResult {
  const rows = ledger.db
    .prepare(
      // One grouped pass over the log joined to the reservations: a correlated count per reservation would scan
      // every transaction once per reservation (nothing indexes reservation_id), which never finishes at 1M rows.
      `SELECT r.id AS id, r.state AS state, r.amount AS amount, coalesce(t.n, 0) AS reserves
       FROM reservations r
       LEFT JOIN (SELECT reservation_id, count(*) AS n FROM wallet_transactions
                  WHERE type = 'reserve' AND reservation_id IS NOT NULL GROUP BY reservation_id) t ON t.reservation_id = r.id
       WHERE coalesce(t.n, 0) <> 1 OR r.committed_amount > r.amount
       ORDER BY r.id LIMIT ${VIOLATIONS_LISTED_MAX}`,
    )
    .all() as { id: number; state: string; amount: number; reserves: number }[];
  return {
    name: 'reservations_recorded',
    venue: null,
    ok: rows.length === 0,
    detail:
      rows.length === 0
        ? 'every reservation has exactly one reserve transaction'
        : rows.map((r) => `reservation #${r.id} (${r.state}, ${formatMicros(r.amount)}) has ${r.reserves} reserve transaction(s)`).join('; '),
  };
}

function sqliteChecks(ledger: Ledger): CheckResult[] {
  const integrity = ledger.db.pragma('integrity_check') as { integrity_check: string }[];
  const integrityOk = integrity.length === 1 && integrity[0]?.integrity_check === 'ok';
  const foreignKeys = ledger.db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  return [
    {
      name: 'integrity_check',
      venue: null,
      ok: integrityOk,
      detail: integrityOk ? 'ok' : integrity.map((row) => row.integrity_check).slice(0, VIOLATIONS_LISTED_MAX).join('; '),
    },
    {
      name: 'foreign_key_check',
      venue: null,
      ok: foreignKeys.length === 0,
      detail:
        foreignKeys.length === 0
          ? 'ok'
          : foreignKeys
              .slice(0, VIOLATIONS_LISTED_MAX)
              .map((row) => `${row.table} row ${row.rowid} → missing ${row.parent}`)
              .join('; '),
    },
  ];
}
