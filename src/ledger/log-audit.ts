// Walking the wallet transaction log: each row is checked against the one before it on its wallet (the before/after
// chain), against its own arithmetic and against the signs its type allows, and each wallet's deltas are summed.
// The walk starts at the log checkpoint — the state of every wallet's log at the last row a healthy wallet-check
// proved — so proving the books again costs only the rows added since. Rows before the checkpoint cannot change
// (the table is append-only by trigger); what a person could still do with the triggers dropped is caught by
// `wallet-check --deep`, which walks from the first row and proves the checkpoint too.
import type { Ledger } from './ledger.js';
import type Database from 'better-sqlite3';
import { readArchiveBase, type ArchiveBase } from './archive-base.js';
import { connectionOf } from './connections.js';
import type { LogCheckpointTable } from './schema.js';
import { param, prepareArrayQuery, prepareQuery, sql, type ColumnValues } from './statements.js';

/** How many broken rows to name in a report; the counts are always exact. */
export const VIOLATIONS_LISTED_MAX = 5;

export interface Checkpoint {
  readonly throughId: number;
  readonly txCount: number;
  readonly closeCount: number;
  readonly reserveCount: number;
  readonly verifiedAt: string;
  readonly wallets: ReadonlyMap<string, WalletLog>;
}

/** One wallet's log: the sums of its total, locked and deficit deltas and its number of rows. */
export interface WalletLog {
  readonly venue: string;
  total: number;
  locked: number;
  deficit: number;
  count: number;
}

export interface ChainBreak {
  readonly id: number;
  readonly venue: string;
  readonly balance_before: number;
  readonly balance_after: number;
  readonly amount: number;
  readonly locked_before: number;
  readonly locked_after: number;
  readonly locked_delta: number;
  readonly prev_after: number;
  readonly prev_locked_after: number;
}

export interface SignError {
  readonly id: number;
  readonly venue: string;
  readonly type: string;
  readonly amount: number;
  readonly locked_delta: number;
  readonly deficit_delta: number;
}

export interface LogAudit {
  /** The checkpoint the walk started from; null when it started at the first row. */
  readonly from: Checkpoint | null;
  /**
   * The latest archive checkpoint (null: nothing archived). Walking "from the first row" starts after its cut, from
   * each wallet's figures there; counts (txCount, closeCount, reserveCount) are of the rows still in the ledger.
   */
  readonly base: ArchiveBase | null;
  /** The last row walked (the checkpoint's when nothing was added since). */
  readonly throughId: number;
  readonly rowsWalked: number;
  /** Every wallet's log through `throughId`: the checkpoint's figures plus the rows walked. */
  readonly wallets: ReadonlyMap<string, WalletLog>;
  readonly txCount: number;
  /** Close records (position_close / settlement of a position) and reserve records through `throughId`. */
  readonly closeCount: number;
  readonly reserveCount: number;
  readonly breaks: { readonly count: number; readonly listed: readonly ChainBreak[]; readonly venues: ReadonlySet<string> };
  readonly signErrors: { readonly count: number; readonly listed: readonly SignError[] };
  /** With `prove`: the checkpoint's figures that differ from the log's own at its row (empty: it is right). */
  readonly checkpointErrors: readonly string[];
}

interface WalletWalk extends WalletLog {
  after: number;
  lockedAfter: number;
}

/** What the walk reads of each row of the log, in this order. */
const WALK_COLUMNS = [
  'id',
  'venue',
  'type',
  'amount',
  'locked_delta',
  'balance_before',
  'balance_after',
  'locked_before',
  'locked_after',
  'position_id',
  'reservation_id',
  'deficit_delta',
] as const;

type Row = ColumnValues<'wallet_transactions', typeof WALK_COLUMNS>;

/** The last checkpoint a healthy wallet-check recorded, or null when none has been. */
export function readCheckpoint(ledger: Ledger): Checkpoint | null {
  const q = checkpointQueries(ledger);
  const head = q.head.get({});
  if (!head) return null;
  const rows = q.wallets.all({});
  return {
    throughId: head.through_id,
    txCount: head.tx_count,
    closeCount: head.close_count,
    reserveCount: head.reserve_count,
    verifiedAt: head.verified_at,
    wallets: new Map(rows.map((row) => [row.venue, row])),
  };
}

/**
 * Walks the log after `from` (null: from the first row). With `prove`, the walk must start at the first row and the
 * given checkpoint is compared with the log's own figures at the checkpoint's row.
 */
export function auditLog(ledger: Ledger, start: Checkpoint | null, prove: Checkpoint | null = null): LogAudit {
  if (start && prove) throw new Error('a checkpoint is proven by walking from the first row');
  const base = readArchiveBase(ledger);
  // A checkpoint from before the latest archive describes rows that are gone (the archive drops it; this is a guard).
  const from = start && start.throughId >= (base?.throughId ?? 0) ? start : null;
  // Per wallet: its sums so far and the previous row's after-figures. A break is judged against the row before, not
  // against the sums, so one bad row is reported once rather than every row after it.
  const wallets = walletsAt(from, base);
  let txCount = from?.txCount ?? 0;
  let closeCount = from?.closeCount ?? 0;
  let reserveCount = from?.reserveCount ?? 0;
  let throughId = from?.throughId ?? base?.throughId ?? 0;
  let rowsWalked = 0;
  const breaks = { count: 0, listed: [] as ChainBreak[], venues: new Set<string>() };
  const signErrors = { count: 0, listed: [] as SignError[] };
  let checkpointErrors: string[] = [];
  let proved = prove === null;
  const proveNow = () => {
    if (proved || !prove) return;
    proved = true;
    checkpointErrors = compareCheckpoint(prove, { wallets, txCount, closeCount, reserveCount, throughId });
  };

  // The hot loop of a full walk (a million rows for --deep on a large ledger): no allocation per row beyond the row.
  let wallet: WalletWalk | undefined;
  for (const row of checkpointQueries(ledger).walk.iterate({ after: throughId })) {
    const [id, venue, type, amount, lockedDelta, before, after, lockedBefore, lockedAfter, positionId, reservationId, deficitDelta] = row;
    if (prove && id > prove.throughId) proveNow();
    if (wallet?.venue !== venue) {
      wallet = wallets.get(venue);
      if (!wallet) {
        wallet = { venue, total: 0, locked: 0, deficit: 0, count: 0, after: 0, lockedAfter: 0 };
        wallets.set(venue, wallet);
      }
    }
    if (before !== wallet.after || lockedBefore !== wallet.lockedAfter || after !== before + amount || lockedAfter !== lockedBefore + lockedDelta) {
      noteBreak(breaks, row, wallet);
    }
    // The deficit has no before/after columns: its chain is its running sum, which a repayment must never take below 0.
    if (!signsAllowed(type, amount, lockedDelta, deficitDelta) || wallet.deficit + deficitDelta < 0) noteSignError(signErrors, row);
    wallet.after = after;
    wallet.lockedAfter = lockedAfter;
    wallet.total += amount;
    wallet.locked += lockedDelta;
    wallet.deficit += deficitDelta;
    wallet.count += 1;
    txCount += 1;
    if (positionId !== null && (type === 'position_close' || type === 'settlement')) closeCount += 1;
    if (reservationId !== null && type === 'reserve') reserveCount += 1;
    throughId = id;
    rowsWalked += 1;
  }
  proveNow();
  return { from, base, throughId, rowsWalked, wallets, txCount, closeCount, reserveCount, breaks, signErrors, checkpointErrors };
}

/**
 * Each wallet's walk as the checkpoint left it, or else as the latest archive left it (empty when nothing was
 * archived): its sums, and its last after-figures. From an archive the chain continues from the archived row's own
 * after-figures, so a checkpoint whose sums were altered apart from them breaks the chain or the sums.
 */
function walletsAt(from: Checkpoint | null, base: ArchiveBase | null): Map<string, WalletWalk> {
  const wallets = new Map<string, WalletWalk>();
  if (from) {
    for (const { venue, total, locked, deficit, count } of from.wallets.values()) {
      wallets.set(venue, { venue, total, locked, deficit, count, after: total, lockedAfter: locked });
    }
    return wallets;
  }
  for (const { venue, total, locked, deficit, count, balanceAfter, lockedAfter } of base?.wallets.values() ?? []) {
    wallets.set(venue, { venue, total, locked, deficit, count, after: balanceAfter, lockedAfter });
  }
  return wallets;
}

/** Counts a row that does not continue its wallet's chain, naming the first few with their figures. */
function noteBreak(breaks: { count: number; listed: ChainBreak[]; venues: Set<string> }, row: Row, wallet: WalletWalk): void {
  const [id, venue, , amount, lockedDelta, before, after, lockedBefore, lockedAfter] = row;
  breaks.count += 1;
  breaks.venues.add(venue);
  if (breaks.listed.length >= VIOLATIONS_LISTED_MAX) return;
  breaks.listed.push({
    id,
    venue,
    balance_before: before,
    balance_after: after,
    amount,
    locked_before: lockedBefore,
    locked_after: lockedAfter,
    locked_delta: lockedDelta,
    prev_after: wallet.after,
    prev_locked_after: wallet.lockedAfter,
  });
}

function noteSignError(signErrors: { count: number; listed: SignError[] }, row: Row): void {
  const [id, venue, type, amount, lockedDelta, , , , , , , deficitDelta] = row;
  signErrors.count += 1;
  if (signErrors.listed.length < VIOLATIONS_LISTED_MAX) signErrors.listed.push({ id, venue, type, amount, locked_delta: lockedDelta, deficit_delta: deficitDelta });
}

/**
 * Invariant 7: each kind of movement has the signs its operation allows — a deposit adds, a withdrawal removes, a
 * reserve only locks, a close frees locked money. A row can satisfy every sum and still be impossible (a negative
 * "deposit" offset by an edited wallet row). Fees and adjustments may go either way and are not judged here.
 */
export function signsAllowed(type: string, amount: number, lockedDelta: number, deficitDelta = 0): boolean {
  // Only a deficit row moves what the wallet owes: booked (nothing else moves) or repaid from the wallet's own money.
  if (type === 'deficit') return lockedDelta === 0 && ((amount === 0 && deficitDelta > 0) || (amount < 0 && deficitDelta === amount));
  if (deficitDelta !== 0) return false;
  switch (type) {
    case 'deposit':
      return amount > 0 && lockedDelta === 0;
    case 'withdrawal':
      return amount < 0 && lockedDelta === 0;
    case 'reserve':
      return amount === 0 && lockedDelta > 0;
    case 'release':
      return amount === 0 && lockedDelta < 0;
    case 'commit':
      return amount < 0 && lockedDelta === amount;
    case 'position_open':
      return amount === 0 && lockedDelta >= 0;
    case 'position_close':
    case 'settlement':
      return lockedDelta < 0;
    default:
      return true;
  }
}

function compareCheckpoint(
  checkpoint: Checkpoint,
  log: { wallets: ReadonlyMap<string, WalletLog>; txCount: number; closeCount: number; reserveCount: number; throughId: number },
): string[] {
  const errors: string[] = [];
  if (log.throughId !== checkpoint.throughId) errors.push(`checkpoint names row #${checkpoint.throughId}, the log's last row before it is #${log.throughId}`);
  const counts = [
    ['rows', checkpoint.txCount, log.txCount],
    ['close records', checkpoint.closeCount, log.closeCount],
    ['reserve records', checkpoint.reserveCount, log.reserveCount],
  ] as const;
  for (const [what, recorded, actual] of counts) if (recorded !== actual) errors.push(`${what}: checkpoint ${recorded}, log ${actual}`);
  for (const venue of new Set([...checkpoint.wallets.keys(), ...log.wallets.keys()])) {
    const recorded = checkpoint.wallets.get(venue);
    const actual = log.wallets.get(venue);
    if (recorded?.total !== actual?.total || recorded?.locked !== actual?.locked || recorded?.deficit !== actual?.deficit || recorded?.count !== actual?.count) {
      const text = (w: WalletLog | undefined) => (w ? `total ${w.total} locked ${w.locked} deficit ${w.deficit} in ${w.count} rows` : 'nothing');
      errors.push(`${venue}: checkpoint ${text(recorded)}, log ${text(actual)}`);
    }
  }
  return errors;
}

/**
 * Records `audit` as the new checkpoint, in one IMMEDIATE transaction, unless another check moved the checkpoint
 * since this one read it (`readThroughId`: the checkpoint's row then, null when there was none). Call only for a
 * log wallet-check found healthy. Returns whether the checkpoint moved.
 */
export function writeCheckpoint(ledger: Ledger, audit: LogAudit, readThroughId: number | null): boolean {
  if (audit.breaks.count > 0 || audit.signErrors.count > 0 || audit.checkpointErrors.length > 0) {
    throw new Error('a broken log is never recorded as proven');
  }
  if (audit.rowsWalked === 0 || audit.throughId <= (readThroughId ?? 0)) return false;
  return ledger.transaction(() => {
    const q = checkpointQueries(ledger);
    if ((q.head.get({})?.through_id ?? null) !== readThroughId) return false;
    // An archive made since the walk moved where the log starts: what was walked is no longer the ledger's log.
    if ((readArchiveBase(ledger)?.record.id ?? null) !== (audit.base?.record.id ?? null)) return false;
    q.upsertHead.run({ through: audit.throughId, txCount: audit.txCount, closeCount: audit.closeCount, reserveCount: audit.reserveCount, at: ledger.timestamp() });
    for (const wallet of audit.wallets.values()) {
      q.upsertWallet.run({ venue: wallet.venue, total: wallet.total, locked: wallet.locked, deficit: wallet.deficit, count: wallet.count });
    }
    return true;
  });
}

/** Forgets the checkpoint (reconcile drops one the log disproves); the next wallet-check walks from the first row. */
export function dropCheckpoint(ledger: Ledger): void {
  const q = checkpointQueries(ledger);
  q.deleteHead.run({});
  q.deleteWallets.run({});
}

/** The log's walk and the checkpoint tables' queries, prepared once per connection (a routine check reads them on every run). */
const preparedCheckpointQueries = new WeakMap<Ledger, ReturnType<typeof prepareCheckpointQueries>>();

function checkpointQueries(ledger: Ledger): ReturnType<typeof prepareCheckpointQueries> {
  let q = preparedCheckpointQueries.get(ledger);
  if (!q) {
    q = prepareCheckpointQueries(connectionOf(ledger));
    preparedCheckpointQueries.set(ledger, q);
  }
  return q;
}

function prepareCheckpointQueries(db: Database.Database) {
  return {
    walk: prepareArrayQuery<{ after: number }, 'wallet_transactions', typeof WALK_COLUMNS>(db, 'wallet_transactions', WALK_COLUMNS, (qb, columns) =>
      qb.selectFrom('wallet_transactions').select(columns).where('id', '>', param('after')).orderBy('id'),
    ),
    head: prepareQuery<Record<string, never>, Pick<LogCheckpointTable, 'through_id' | 'tx_count' | 'close_count' | 'reserve_count' | 'verified_at'>>(db, (qb) =>
      qb.selectFrom('log_checkpoint').select(['through_id', 'tx_count', 'close_count', 'reserve_count', 'verified_at']).where('id', '=', 1),
    ),
    wallets: prepareQuery<Record<string, never>, WalletLog>(db, (qb) =>
      qb.selectFrom('log_checkpoint_wallets').select(['venue', 'total', 'locked', 'deficit', 'tx_count as count']).orderBy('venue'),
    ),
    upsertHead: prepareQuery<{ through: number; txCount: number; closeCount: number; reserveCount: number; at: string }, never>(db, (qb) =>
      qb
        .insertInto('log_checkpoint')
        .values({ id: 1, through_id: param('through'), tx_count: param('txCount'), close_count: param('closeCount'), reserve_count: param('reserveCount'), verified_at: param('at') })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            through_id: sql`excluded.through_id`,
            tx_count: sql`excluded.tx_count`,
            close_count: sql`excluded.close_count`,
            reserve_count: sql`excluded.reserve_count`,
            verified_at: sql`excluded.verified_at`,
          }),
        ),
    ),
    deleteHead: prepareQuery<Record<string, never>, never>(db, (qb) => qb.deleteFrom('log_checkpoint')),
    deleteWallets: prepareQuery<Record<string, never>, never>(db, (qb) => qb.deleteFrom('log_checkpoint_wallets')),
    upsertWallet: prepareQuery<{ venue: string; total: number; locked: number; deficit: number; count: number }, never>(db, (qb) =>
      qb
        .insertInto('log_checkpoint_wallets')
        .values({ venue: param('venue'), total: param('total'), locked: param('locked'), deficit: param('deficit'), tx_count: param('count') })
        .onConflict((oc) =>
          oc.column('venue').doUpdateSet({ total: sql`excluded.total`, locked: sql`excluded.locked`, deficit: sql`excluded.deficit`, tx_count: sql`excluded.tx_count` }),
        ),
    ),
  };
}
