// wallet-check: proves the books balance, exactly, in integers. Each check names its figures when it fails.
// The log is walked from its checkpoint (see log-audit.ts) and every other check is an indexed lookup or a b-tree
// count, so a routine check costs what was added since the last one, not the size of the whole history.
import { OperationalError } from '../domain/errors.js';
import { formatMicros } from '../domain/money.js';
import type { Wallet } from '../domain/wallet.js';
import { archiveChecks } from './archive-check.js';
import { connectionOf } from './connections.js';
import { healthQueries, type CloseMismatch, type Holdings, type ReservationMismatch } from './health-queries.js';
import type { Ledger } from './ledger.js';
import { auditLog, readCheckpoint, VIOLATIONS_LISTED_MAX, writeCheckpoint, type Checkpoint, type LogAudit, type WalletLog } from './log-audit.js';

export type { Holdings } from './health-queries.js';

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
  readonly log: LogScope;
}

/** What part of the log this check walked, and whether it moved the checkpoint. */
export interface LogScope {
  readonly deep: boolean;
  /** The checkpoint's last row the walk started after (0: the first row). */
  readonly fromId: number;
  readonly throughId: number;
  readonly rowsWalked: number;
  readonly checkpointRecorded: boolean;
}

/** What each wallet's pending reservations and open positions hold locked, by venue. */
export function holdings(ledger: Ledger): Map<string, Holdings> {
  return new Map(healthQueries(ledger).holdings.all({}).map((row) => [row.venue, row]));
}

export interface CheckOptions {
  /**
   * Walk the whole log instead of from the checkpoint, prove the checkpoint itself, and run SQLite's own
   * integrity_check and foreign_key_check. Its cost grows with the whole file; the default grows with what was
   * added since the last healthy check.
   */
  readonly deep?: boolean;
  /** false: prove the books without moving the checkpoint (archive proves them first and must change nothing else). */
  readonly recordCheckpoint?: boolean;
}

/**
 * Proves the books. A healthy result moves the checkpoint to the last row walked, so the next check starts there;
 * on a read-only file the check still runs and the checkpoint stays where it was.
 */
export function walletCheck(ledger: Ledger, options: CheckOptions = {}): HealthReport {
  const deep = options.deep === true;
  // One read transaction: every figure comes from the same snapshot even while a bot is writing.
  let collected: ReturnType<typeof collect>;
  try {
    collected = connectionOf(ledger).transaction(() => collect(ledger, deep)).deferred();
  } catch (error) {
    // A damaged file cannot be walked; the deep check's answer is then SQLite's own account of the damage.
    if (deep && isCorruption(error)) return corruptionReport(ledger);
    throw error;
  }
  const { checks, wallets, audit, checkpoint } = collected;
  const healthy = checks.every((check) => check.ok);
  const checkpointRecorded = healthy && options.recordCheckpoint !== false && recordCheckpoint(ledger, audit, checkpoint);
  return {
    healthy,
    wallets,
    checks,
    log: { deep, fromId: audit.from?.throughId ?? 0, throughId: audit.throughId, rowsWalked: audit.rowsWalked, checkpointRecorded },
  };
}

function isCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

/** What a deep check reports on a file SQLite calls malformed: integrity_check's own lines, as a failed check. */
function corruptionReport(ledger: Ledger): HealthReport {
  let detail: string;
  try {
    const rows = connectionOf(ledger).pragma(`integrity_check(${VIOLATIONS_LISTED_MAX})`) as { integrity_check: string }[];
    detail = rows.map((row) => row.integrity_check).join('; ');
  } catch (error) {
    detail = error instanceof Error ? error.message : String(error);
  }
  return {
    healthy: false,
    wallets: [],
    checks: [{ name: 'integrity_check', venue: null, ok: false, detail: `the ledger file is damaged, its books cannot be read: ${detail}` }],
    log: { deep: true, fromId: 0, throughId: 0, rowsWalked: 0, checkpointRecorded: false },
  };
}

/** SQLite's quick_check of the whole file: nothing when it is sound, else SQLite's own words (the first few). */
export function quickCheck(ledger: Ledger): string[] {
  try {
    const rows = connectionOf(ledger).pragma(`quick_check(${VIOLATIONS_LISTED_MAX})`) as { quick_check: string }[];
    return rows.length === 1 && rows[0]?.quick_check === 'ok' ? [] : rows.map((row) => row.quick_check);
  } catch (error) {
    if (isCorruption(error)) return [error instanceof Error ? error.message : String(error)];
    throw error;
  }
}

function recordCheckpoint(ledger: Ledger, audit: LogAudit, checkpoint: Checkpoint | null): boolean {
  if (ledger.readsOnly) return false;
  try {
    return writeCheckpoint(ledger, audit, checkpoint?.throughId ?? null);
  } catch (error) {
    // A read-only copy of the ledger (a backup being inspected) is still checked; it only cannot remember the result.
    if ((error as { code?: string }).code === 'SQLITE_READONLY' || error instanceof OperationalError) return false;
    throw error;
  }
}

function collect(ledger: Ledger, deep: boolean): { checks: CheckResult[]; wallets: Wallet[]; audit: LogAudit; checkpoint: Checkpoint | null } {
  const checks: CheckResult[] = [];
  const checkpoint = readCheckpoint(ledger);
  const audit = deep ? auditLog(ledger, null, checkpoint) : auditLog(ledger, checkpoint);
  const wallets = ledger.listWallets();
  const held = holdings(ledger);
  for (const wallet of wallets) checks.push(...walletChecks(wallet, audit.wallets.get(wallet.venue), held.get(wallet.venue)));
  for (const venue of audit.wallets.keys()) {
    if (!wallets.some((wallet) => wallet.venue === venue)) {
      checks.push({ name: 'wallet_exists', venue, ok: false, detail: `transactions exist for ${venue} but it has no wallet row` });
    }
  }
  checks.push(chainCheck(audit), signCheck(audit), doubleCloseCheck(ledger, audit), closeRecordCheck(ledger, audit), reservationCheck(ledger, audit));
  checks.push(logCountCheck(ledger, audit));
  if (deep) checks.push(checkpointCheck(audit, checkpoint), ...archiveChecks(ledger), ...sqliteChecks(ledger));
  return { checks, wallets, audit, checkpoint };
}

function walletChecks(wallet: Wallet, log: WalletLog | undefined, held: Holdings | undefined): CheckResult[] {
  const venue = wallet.venue;
  const logTotal = log?.total ?? 0;
  const logLocked = log?.locked ?? 0;
  const logDeficit = log?.deficit ?? 0;
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
      name: 'deficit_matches_log',
      venue,
      ok: wallet.deficit === logDeficit,
      detail: `deficit ${$(wallet.deficit)}, sum of deficit changes ${$(logDeficit)}, difference ${$(wallet.deficit - logDeficit)}`,
    },
    deficitCheck(wallet),
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

/** Money owed is repaid from the first money that comes free, so a wallet in deficit has none free. */
function deficitCheck(wallet: Wallet): CheckResult {
  const $ = formatMicros;
  const ok = wallet.deficit >= 0 && (wallet.deficit === 0 || wallet.available === 0);
  return {
    name: 'deficit_unpaid_only_when_nothing_free',
    venue: wallet.venue,
    ok,
    detail:
      wallet.deficit === 0
        ? 'nothing owed'
        : ok
          ? `owes ${$(wallet.deficit)} from a loss larger than the wallet held; nothing free to repay it`
          : `owes ${$(wallet.deficit)} while ${$(wallet.available)} is free (or a negative deficit)`,
  };
}

function chainCheck(audit: LogAudit): CheckResult {
  const { count, listed } = audit.breaks;
  const named = listed
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

function signCheck(audit: LogAudit): CheckResult {
  const { count, listed } = audit.signErrors;
  return {
    name: 'transaction_signs',
    venue: null,
    ok: count === 0,
    detail:
      count === 0
        ? 'every transaction moves money in the direction its type allows'
        : `${count} transaction(s) with impossible amounts: ${listed
            .map(
              (r) =>
                `#${r.id} (${r.venue}) ${r.type} amount ${formatMicros(r.amount)} locked ${formatMicros(r.locked_delta)}${
                  r.deficit_delta === 0 ? '' : ` deficit ${formatMicros(r.deficit_delta)}`
                }`,
            )
            .join('; ')}`,
  };
}

function doubleCloseCheck(ledger: Ledger, audit: LogAudit): CheckResult {
  const q = healthQueries(ledger);
  // From a checkpoint, the positions the walked rows close; from the first row, every close record.
  const rows = audit.from ? q.doubleClosesWalked.all({ throughId: audit.from.throughId }) : q.doubleClosesEvery.all({});
  return {
    name: 'no_double_close',
    venue: null,
    ok: rows.length === 0,
    detail: rows.length === 0 ? 'no position was closed twice' : `closed more than once: ${rows.map((r) => `#${r.id} (${r.n}×)`).join(', ')}`,
  };
}

/**
 * The shape of a one-to-one check between a table and its records in the log (each closed position closed once,
 * each reservation reserved once). From a checkpoint, `walked` names the rows the walked log touches; from the first
 * row, `every` reads them all in one grouped pass. Then the two totals are compared, which is cheap; only when they
 * differ and the walked rows look right is every row read to name the stray one.
 */
function oneToOneCheck<Row>(
  audit: LogAudit,
  check: {
    readonly name: string;
    readonly okDetail: string;
    readonly walked: (throughId: number) => Row[];
    readonly every: () => Row[];
    readonly describe: (row: Row) => string;
    readonly rows: number;
    readonly records: number;
    readonly totals: string;
  },
): CheckResult {
  let rows = audit.from ? check.walked(audit.from.throughId) : check.every();
  if (check.rows !== check.records && rows.length === 0 && audit.from) rows = check.every();
  const ok = rows.length === 0 && check.rows === check.records;
  const named = rows.map(check.describe);
  if (check.rows !== check.records) named.push(check.totals);
  return { name: check.name, venue: null, ok, detail: ok ? check.okDetail : [...new Set(named)].join('; ') };
}

function closeRecordCheck(ledger: Ledger, audit: LogAudit): CheckResult {
  const q = healthQueries(ledger);
  // Closed positions are the table's b-tree count less the open ones, found by the open-positions index.
  const positions = q.positionCount.get({})?.n ?? 0;
  const open = q.openPositionCount.get({})?.n ?? 0;
  return oneToOneCheck<CloseMismatch>(audit, {
    name: 'positions_match_close_records',
    okDetail: 'every closed position has exactly one close transaction, every open one none',
    walked: (throughId) => [...q.closeMismatchesWalked.all({ throughId }), ...q.closeMismatchesOpen.all({})],
    every: () => q.closeMismatchesEvery.all({}),
    describe: (r) => `position #${r.id} is ${r.status} with ${r.n} close transaction(s)`,
    rows: positions - open,
    records: audit.closeCount,
    totals: `${positions - open} closed position(s), ${audit.closeCount} close transaction(s)`,
  });
}

function reservationCheck(ledger: Ledger, audit: LogAudit): CheckResult {
  const q = healthQueries(ledger);
  const count = q.reservationCount.get({})?.n ?? 0;
  return oneToOneCheck<ReservationMismatch>(audit, {
    name: 'reservations_recorded',
    okDetail: 'every reservation has exactly one reserve transaction',
    walked: (throughId) => q.reservationMismatchesWalked.all({ throughId }),
    every: () => q.reservationMismatchesEvery.all({}),
    describe: (r) => `reservation #${r.id} (${r.state}, ${formatMicros(r.amount)}) has ${r.reserves} reserve transaction(s)`,
    rows: count,
    records: audit.reserveCount,
    totals: `${count} reservation(s), ${audit.reserveCount} reserve transaction(s)`,
  });
}

/**
 * The rows before the checkpoint are still the ones it proved: as many rows as it counted plus those walked since.
 * SQLite counts them from the table's b-tree, reading its leaf pages but no row (about 40 ms at a million rows, the
 * largest part of a routine check); a row removed or slipped in before the checkpoint (possible only with the
 * append-only triggers dropped) changes the count.
 */
function logCountCheck(ledger: Ledger, audit: LogAudit): CheckResult {
  const rows = healthQueries(ledger).transactionCount.get({})?.n ?? 0;
  const ok = rows === audit.txCount;
  const from = audit.from;
  const scope = from
    ? `${from.txCount} row(s) proven through #${from.throughId} at ${from.verifiedAt}, ${audit.rowsWalked} walked since`
    : `no checkpoint: all ${audit.rowsWalked} row(s) walked`;
  return {
    name: 'log_matches_checkpoint',
    venue: null,
    ok,
    detail: ok ? scope : `the log has ${rows} row(s) but ${scope}: rows before the checkpoint were removed or added; wallet-check --deep names them`,
  };
}

function checkpointCheck(audit: LogAudit, checkpoint: Checkpoint | null): CheckResult {
  const ok = audit.checkpointErrors.length === 0;
  return {
    name: 'checkpoint_proven',
    venue: null,
    ok,
    detail: !checkpoint
      ? 'no checkpoint recorded yet'
      : ok
        ? `the checkpoint at #${checkpoint.throughId} agrees with the log walked from the first row`
        : `the checkpoint at #${checkpoint.throughId} disagrees with the log: ${audit.checkpointErrors.slice(0, VIOLATIONS_LISTED_MAX).join('; ')}`,
  };
}

function sqliteChecks(ledger: Ledger): CheckResult[] {
  const q = healthQueries(ledger);
  const integrity = q.integrityCheck.all({});
  const integrityOk = integrity.length === 1 && integrity[0]?.integrity_check === 'ok';
  const foreignKeys = q.foreignKeyCheck.all({});
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
