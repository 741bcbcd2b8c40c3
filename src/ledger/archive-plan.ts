// What `arbbot archive --before DATE` may move out of the ledger: a cut in the wallet transaction log, and the
// settled positions, reservations and trades whose every log row is at or below it.
//
// Positions, reservations and trades that refer to each other (a position opened from a reservation, the legs of a
// trade, a log row naming both) form one group, and a group moves whole or not at all, so nothing left in the ledger
// ever refers to a row that left it. The cut is a global id prefix of the log, hence a prefix of every wallet's chain,
// and it is chosen as the highest id before DATE that:
// - no group straddles (its first log row at or below the cut, its last above it);
// - no unsettled group lies under (an open position, a pending reservation, a trade in flight or needing a person);
// - leaves no wallet owing at the cut, so a debt's whole story stays in the ledger until it is repaid;
// - keeps the newest row of the log and of every archived table, so SQLite (max id + 1) never hands out an archived id again.
import type Database from 'better-sqlite3';
import type { ArchiveBase, ArchiveWallet } from './archive-base.js';

export interface ArchivePlan {
  /** The log's rows after `afterId` through `throughId` move (afterId: the previous archive's cut, or 0). */
  readonly afterId: number;
  readonly throughId: number;
  readonly positionIds: readonly number[];
  readonly reservationIds: readonly number[];
  readonly tradeIds: readonly number[];
  /** Every wallet at the cut, from its first row ever (the previous archive's figures plus the rows moved now). */
  readonly wallets: ReadonlyMap<string, ArchiveWallet>;
}

interface Group {
  minTx: number;
  maxTx: number;
  settled: boolean;
  positions: number[];
  reservations: number[];
  trades: number[];
}

/** Union-find over the ids of positions (p), reservations (r) and trades (t). */
class Groups {
  private readonly parent = new Map<string, string>();

  find(key: string): string {
    let root = key;
    for (let next = this.parent.get(root); next !== undefined && next !== root; next = this.parent.get(root)) root = next;
    if (!this.parent.has(key)) this.parent.set(key, key);
    this.parent.set(key, root);
    return root;
  }

  join(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

const SETTLED_TRADE = new Set(['settled', 'failed']);

/** The plan for `beforeIso` (the first instant not archived), read in one snapshot; call inside a transaction. */
export function planArchive(db: Database.Database, beforeIso: string, base: ArchiveBase | null): ArchivePlan {
  const afterId = base?.throughId ?? 0;
  const groups = readGroups(db, beforeIso);
  const cutMax = lastCutBefore(db, afterId, beforeIso);
  const forbidden: [number, number][] = [...deficitIntervals(db, afterId, base)];
  for (const group of groups.values()) {
    if (group.minTx === Infinity || group.minTx > cutMax) continue;
    forbidden.push(group.settled ? [group.minTx, group.maxTx] : [group.minTx, Infinity]);
  }
  const throughId = Math.max(afterId, highestAllowed(cutMax, forbidden));
  const chosen = [...groups.values()].filter((g) => g.settled && (g.minTx === Infinity ? g.positions.length + g.reservations.length === 0 : g.maxTx <= throughId));
  const ids = (pick: (g: Group) => number[]) => chosen.flatMap(pick).sort((a, b) => a - b);
  return {
    afterId,
    throughId,
    positionIds: ids((g) => g.positions),
    reservationIds: ids((g) => g.reservations),
    tradeIds: ids((g) => g.trades),
    wallets: walletsAtCut(db, afterId, throughId, base),
  };
}

/** The last log row such that it and every row before it were written before DATE, below the log's newest row. */
function lastCutBefore(db: Database.Database, afterId: number, beforeIso: string): number {
  const newest = (db.prepare('SELECT coalesce(max(id), 0) FROM wallet_transactions').pluck().get() as number) - 1;
  const firstLate = db.prepare('SELECT min(id) FROM wallet_transactions WHERE id > ? AND created_at >= ?').pluck().get(afterId, beforeIso) as number | null;
  return Math.min(newest, firstLate === null ? newest : firstLate - 1);
}

/** The highest cut at most `cutMax` that lies in no forbidden interval [first, last) (each a group's or a debt's rows). */
function highestAllowed(cutMax: number, forbidden: [number, number][]): number {
  const sorted = forbidden.filter(([first, last]) => last > first).sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [first, last] of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && first <= previous[1]) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  const inside = merged.find(([first, last]) => cutMax >= first && cutMax < last);
  return inside ? inside[0] - 1 : cutMax;
}

/** Per wallet, the stretches of the log after which it owes something: no cut may fall inside one. */
function deficitIntervals(db: Database.Database, afterId: number, base: ArchiveBase | null): [number, number][] {
  const owed = new Map<string, { deficit: number; since: number }>();
  for (const wallet of base?.wallets.values() ?? []) owed.set(wallet.venue, { deficit: wallet.deficit, since: afterId + 1 });
  const intervals: [number, number][] = [];
  const rows = db.prepare('SELECT id, venue, deficit_delta FROM wallet_transactions WHERE id > ? AND deficit_delta <> 0 ORDER BY id').iterate(afterId);
  for (const row of rows as IterableIterator<{ id: number; venue: string; deficit_delta: number }>) {
    const wallet = owed.get(row.venue) ?? { deficit: 0, since: row.id };
    if (wallet.deficit === 0) wallet.since = row.id;
    wallet.deficit += row.deficit_delta;
    if (wallet.deficit === 0) intervals.push([wallet.since, row.id]);
    owed.set(row.venue, wallet);
  }
  for (const wallet of owed.values()) if (wallet.deficit !== 0) intervals.push([wallet.since, Infinity]);
  return intervals;
}

interface Member {
  readonly key: string;
  readonly settled: boolean;
}

/**
 * Every position, reservation and trade as a member of its group, with whether it is settled before DATE; a member
 * holding its table's newest row (or whose trade holds the newest leg, event or unhedged record) counts as unsettled.
 */
function readMembers(db: Database.Database, beforeIso: string, groups: Groups): Member[] {
  const members: Member[] = [];
  const add = (key: string, settled: boolean) => members.push({ key, settled });
  const all = <T>(sql: string) => db.prepare(sql).all() as T[];
  const newest = (table: string) => db.prepare(`SELECT max(id) FROM ${table}`).pluck().get() as number | null;
  const before = (at: string | null) => at !== null && at < beforeIso;
  const newestPosition = newest('positions');
  for (const p of all<{ id: number; status: string; reservation_id: number | null; closed_at: string | null; attention: string | null }>(
    'SELECT id, status, reservation_id, closed_at, attention FROM positions',
  )) {
    add(`p${p.id}`, p.status === 'closed' && before(p.closed_at) && p.attention === null && p.id !== newestPosition);
    if (p.reservation_id !== null) groups.join(`p${p.id}`, `r${p.reservation_id}`);
  }
  const newestReservation = newest('reservations');
  for (const r of all<{ id: number; state: string; resolved_at: string | null }>('SELECT id, state, resolved_at FROM reservations')) {
    add(`r${r.id}`, r.state !== 'pending' && before(r.resolved_at) && r.id !== newestReservation);
  }
  const newestTrade = newest('arb_trades');
  for (const t of all<{ id: number; state: string; updated_at: string; attention: string | null }>('SELECT id, state, updated_at, attention FROM arb_trades')) {
    add(`t${t.id}`, SETTLED_TRADE.has(t.state) && before(t.updated_at) && t.attention === null && t.id !== newestTrade);
  }
  members.push(...readTradeLinks(db, before, groups));
  return members;
}

/** The legs and unhedged records of each trade: they join its group, and one not settled before DATE holds it back. */
function readTradeLinks(db: Database.Database, before: (at: string | null) => boolean, groups: Groups): Member[] {
  const members: Member[] = [];
  const newestLeg = db.prepare('SELECT max(id) FROM arb_legs').pluck().get() as number | null;
  const legs = db.prepare('SELECT id, trade_id, reservation_id, hedged_position_id, unhedged_position_id, updated_at FROM arb_legs').all() as {
    id: number;
    trade_id: number;
    reservation_id: number | null;
    hedged_position_id: number | null;
    unhedged_position_id: number | null;
    updated_at: string;
  }[];
  for (const leg of legs) {
    const trade = `t${leg.trade_id}`;
    for (const position of [leg.hedged_position_id, leg.unhedged_position_id]) if (position !== null) groups.join(trade, `p${position}`);
    if (leg.reservation_id !== null) groups.join(trade, `r${leg.reservation_id}`);
    members.push({ key: trade, settled: before(leg.updated_at) && leg.id !== newestLeg });
  }
  const newestUnhedged = db.prepare('SELECT max(id) FROM unhedged_legs').pluck().get() as number | null;
  for (const u of db.prepare('SELECT id, trade_id, position_id, state, resolved_at FROM unhedged_legs').all() as {
    id: number;
    trade_id: number;
    position_id: number;
    state: string;
    resolved_at: string | null;
  }[]) {
    groups.join(`t${u.trade_id}`, `p${u.position_id}`);
    members.push({ key: `t${u.trade_id}`, settled: u.state !== 'open' && before(u.resolved_at) && u.id !== newestUnhedged });
  }
  const newestEventTrade = db.prepare('SELECT l.trade_id FROM arb_leg_events e JOIN arb_legs l ON l.id = e.leg_id ORDER BY e.id DESC LIMIT 1').pluck().get() as
    | number
    | undefined;
  if (newestEventTrade !== undefined) members.push({ key: `t${newestEventTrade}`, settled: false });
  return members;
}

/** The groups, each with the range of log rows its members appear in (Infinity: none) and whether all are settled. */
function readGroups(db: Database.Database, beforeIso: string): Map<string, Group> {
  const uf = new Groups();
  const members = readMembers(db, beforeIso, uf);
  const refs = db
    .prepare(
      `SELECT position_id, reservation_id, min(id) AS first, max(id) AS last FROM wallet_transactions
       WHERE position_id IS NOT NULL OR reservation_id IS NOT NULL GROUP BY position_id, reservation_id`,
    )
    .all() as { position_id: number | null; reservation_id: number | null; first: number; last: number }[];
  for (const ref of refs) if (ref.position_id !== null && ref.reservation_id !== null) uf.join(`p${ref.position_id}`, `r${ref.reservation_id}`);
  const groups = new Map<string, Group>();
  const groupOf = (key: string): Group => {
    const root = uf.find(key);
    let group = groups.get(root);
    if (!group) {
      group = { minTx: Infinity, maxTx: -Infinity, settled: true, positions: [], reservations: [], trades: [] };
      groups.set(root, group);
    }
    return group;
  };
  const seen = new Set<string>();
  for (const { key, settled } of members) {
    const group = groupOf(key);
    group.settled &&= settled;
    if (seen.has(key)) continue;
    seen.add(key);
    const id = Number(key.slice(1));
    (key.startsWith('p') ? group.positions : key.startsWith('r') ? group.reservations : group.trades).push(id);
  }
  for (const ref of refs) {
    const group = groupOf(ref.position_id !== null ? `p${ref.position_id}` : `r${ref.reservation_id ?? 0}`);
    group.minTx = Math.min(group.minTx, ref.first);
    group.maxTx = Math.max(group.maxTx, ref.last);
  }
  return groups;
}

/** Each wallet at the cut: the previous archive's figures plus the rows after it through the cut. */
function walletsAtCut(db: Database.Database, afterId: number, throughId: number, base: ArchiveBase | null): Map<string, ArchiveWallet> {
  const wallets = new Map<string, ArchiveWallet>(base?.wallets ?? []);
  const sums = db
    .prepare(
      `SELECT s.venue, s.n, s.amount, s.locked, s.deficit, s.deposits, s.withdrawals, t.balance_after, t.locked_after
       FROM (SELECT venue, count(*) AS n, sum(amount) AS amount, sum(locked_delta) AS locked, sum(deficit_delta) AS deficit, max(id) AS last,
                    coalesce(sum(amount) FILTER (WHERE type = 'deposit'), 0) AS deposits,
                    coalesce(-sum(amount) FILTER (WHERE type = 'withdrawal'), 0) AS withdrawals
             FROM wallet_transactions WHERE id > ? AND id <= ? GROUP BY venue) s
       JOIN wallet_transactions t ON t.id = s.last`,
    )
    .all(afterId, throughId) as {
    venue: string;
    n: number;
    amount: number;
    locked: number;
    deficit: number;
    deposits: number;
    withdrawals: number;
    balance_after: number;
    locked_after: number;
  }[];
  for (const row of sums) {
    const before = wallets.get(row.venue);
    const wallet: ArchiveWallet = {
      venue: row.venue,
      total: (before?.total ?? 0) + row.amount,
      locked: (before?.locked ?? 0) + row.locked,
      deficit: (before?.deficit ?? 0) + row.deficit,
      balanceAfter: row.balance_after,
      lockedAfter: row.locked_after,
      count: (before?.count ?? 0) + row.n,
      deposits: (before?.deposits ?? 0) + row.deposits,
      withdrawals: (before?.withdrawals ?? 0) + row.withdrawals,
      // The positions' figures are added when the plan's positions are known (archive.ts).
      realised: before?.realised ?? 0,
      fees: before?.fees ?? 0,
      closed: before?.closed ?? 0,
    };
    // The books were proven before the plan was made; figures that disagree here are a bug, never written as a proof.
    if (wallet.total !== wallet.balanceAfter || wallet.locked !== wallet.lockedAfter || wallet.deficit !== 0) {
      throw new Error(`ledger bug: ${row.venue} at the archive cut sums to total ${wallet.total} locked ${wallet.locked} deficit ${wallet.deficit}, its last row says ${wallet.balanceAfter} / ${wallet.lockedAfter}`);
    }
    wallets.set(row.venue, wallet);
  }
  return wallets;
}
