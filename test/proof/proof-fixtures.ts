// Shared by the reliability suites in test/proof: the real CLI as a child process with bounded waits, read access to
// the files a killed or running process left behind, and auditors that go beyond test/invariants.ts (docs/ledger.md's
// invariants 1–8): invariant 9 (no pending reservation without an in-flight order), the paper venue's own books
// against the ledger, and the engine's acknowledgements on stderr against what is durable.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { formatMicrosTrim, formatUsd } from '../../src/domain/money.js';
import { positionMarket } from '../../src/domain/market.js';
import { paperStatePath } from '../../src/venues/paper/paper-state.js';
import { invariantViolations } from '../invariants.js';

/** ARBBOT_SOAK=1 runs the long versions (more kill rounds, model runs, writer loops). */
export const SOAK = process.env.ARBBOT_SOAK === '1';

// ---- child processes ---------------------------------------------------------------------------

export { spawnArbbot, type Child } from '../helpers.js';

/** What a CLI invocation must never print when processes share the database: a busy or locked database surfaced. */
export const BUSY_PATTERN = /SQLITE_BUSY|database is locked|database error/i;

// ---- files -------------------------------------------------------------------------------------

/** Opens a SQLite file another process wrote (and maybe died writing), with a busy timeout; closes it after `read`. */
export function withFile<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 10000');
    return read(db);
  } finally {
    db.close();
  }
}

/** Ledger.md invariants 1–8 on the file, by the independent auditor in test/invariants.ts. */
export function ledgerViolations(path: string): string[] {
  return withFile(path, (db) => invariantViolations(db));
}

// ---- arbitrage and paper venue audit -------------------------------------------------------------

interface LegRow {
  id: number;
  trade_id: number;
  leg: string;
  venue: string;
  market: string;
  outcome: string;
  side: string;
  quantity: number;
  limit_price: number;
  client_order_id: string;
  reservation_id: number | null;
  state: string;
  filled_quantity: number;
  filled_notional: number;
  fee: number;
}

interface PaperOrder {
  venue: string;
  client_order_id: string;
  market: string;
  outcome: string;
  side: string;
  quantity: number;
  limit_price: number;
  filled_quantity: number;
  filled_notional: number;
  fee: number;
}

/** Legs in flight, whose order may be at the venue: an armed (reserved) leg's order leaves before its record is written. */
const IN_FLIGHT_LEG_STATES = new Set(['reserved', 'submitted', 'unknown']);
const ANSWERED_LEG_STATES = new Set(['filled', 'partially_filled', 'rejected']);
const IN_FLIGHT_TRADE_STATES = new Set(['planned', 'reserved', 'submitted']);

/**
 * 'crashed': what must hold at any instant, even right after a SIGKILL (every step is its own transaction).
 * 'recovered': what must hold once reconcile has run with every venue reachable — nothing is left in flight.
 */
export type Phase = 'crashed' | 'recovered';

/** Invariant 9 and the paper venue's books against the ledger. Empty when all holds. */
export function arbViolations(ledgerPath: string, phase: Phase): string[] {
  const paperPath = paperStatePath(ledgerPath);
  return withFile(ledgerPath, (db) => {
    const snapshot = db.transaction(() => ({
      legs: db.prepare('SELECT * FROM arb_legs ORDER BY id').all() as LegRow[],
      trades: db.prepare('SELECT id, state FROM arb_trades ORDER BY id').all() as { id: number; state: string }[],
      pending: db.prepare("SELECT id, venue, amount FROM reservations WHERE state = 'pending' ORDER BY id").all() as {
        id: number;
        venue: string;
        amount: number;
      }[],
    })).deferred();
    const tradeStates = new Map(snapshot.trades.map((trade) => [trade.id, trade.state]));
    const out = reservationViolations(snapshot.legs, tradeStates, snapshot.pending, phase);
    if (phase === 'recovered') {
      for (const trade of snapshot.trades) if (!['settled', 'failed'].includes(trade.state)) out.push(`arb #${trade.id} still ${trade.state} after recovery`);
      for (const leg of snapshot.legs) if (leg.state !== 'settled') out.push(`arb leg ${leg.id} (${leg.leg}) still ${leg.state} after recovery`);
    }
    if (existsSync(paperPath)) out.push(...withFile(paperPath, (paper) => paperViolations(db, paper, snapshot.legs, phase)));
    return out;
  });
}

/**
 * Invariant 9. After recovery nothing is pending. Before it, a pending reservation must belong to an order still in
 * flight: its leg not yet answered, or answered while the other leg of its trade is not (the trade settles both).
 */
function reservationViolations(
  legs: readonly LegRow[],
  tradeStates: ReadonlyMap<number, string>,
  pending: readonly { id: number; venue: string; amount: number }[],
  phase: Phase,
): string[] {
  const out: string[] = [];
  for (const reservation of pending) {
    if (phase === 'recovered') {
      out.push(`reservation #${reservation.id} (${reservation.venue}) still pending after recovery`);
      continue;
    }
    const leg = legs.find((l) => l.reservation_id === reservation.id);
    if (!leg) out.push(`reservation #${reservation.id} (${reservation.venue}) is pending with no arb leg`);
    else if (!IN_FLIGHT_LEG_STATES.has(leg.state) && !(ANSWERED_LEG_STATES.has(leg.state) && IN_FLIGHT_TRADE_STATES.has(tradeStates.get(leg.trade_id) ?? ''))) {
      out.push(`reservation #${reservation.id} is pending but its leg ${leg.id} is ${leg.state} (trade ${tradeStates.get(leg.trade_id)})`);
    }
  }
  return out;
}

/**
 * Every paper order is one of our legs (same venue, client order id and terms) and was placed once; a leg whose
 * verdict is recorded agrees with the venue's fill; after recovery, each venue's contracts are the ledger's open
 * positions and its cash is the ledger's total less the cost basis it holds as contracts.
 */
function paperViolations(db: Database.Database, paper: Database.Database, legs: readonly LegRow[], phase: Phase): string[] {
  const out: string[] = [];
  const orders = paper.prepare('SELECT * FROM paper_orders').all() as PaperOrder[];
  const byClientId = new Map<string, PaperOrder[]>();
  for (const order of orders) byClientId.set(order.client_order_id, [...(byClientId.get(order.client_order_id) ?? []), order]);
  for (const [clientOrderId, placed] of byClientId) if (placed.length > 1) out.push(`client order id ${clientOrderId} placed ${placed.length} times`);
  const legsByClientId = new Map(legs.map((leg) => [leg.client_order_id, leg]));
  for (const order of orders) {
    const leg = legsByClientId.get(order.client_order_id);
    if (!leg) {
      out.push(`paper order ${order.venue} ${order.client_order_id} has no arb leg`);
      continue;
    }
    const terms = (o: { venue: string; market: string; outcome: string; side: string; quantity: number; limit_price: number }) =>
      `${o.venue} ${o.market} ${o.outcome} ${o.side} ${o.quantity} @ ${o.limit_price}`;
    // A leg still armed (reserved) may have sent its order unrecorded: its quantity and limit bound the order's.
    const armed = leg.state === 'reserved';
    const where = (o: { venue: string; market: string; outcome: string; side: string }) => `${o.venue} ${o.market} ${o.outcome} ${o.side}`;
    const agrees = armed ? where(order) === where(leg) && order.quantity <= leg.quantity && order.limit_price <= leg.limit_price : terms(order) === terms(leg);
    if (!agrees) out.push(`paper order ${order.client_order_id} is ${terms(order)}, its leg ${armed ? 'armed for at most ' : ''}${terms(leg)}`);
    if (leg.state === 'planned') {
      out.push(`paper order ${order.client_order_id} exists but its leg ${leg.id} is planned (never armed or submitted)`);
    }
  }
  for (const leg of legs) {
    if (IN_FLIGHT_LEG_STATES.has(leg.state) || leg.state === 'planned') continue;
    const order = byClientId.get(leg.client_order_id)?.[0];
    const venueFill = order ? [order.filled_quantity, order.filled_notional, order.fee] : [0, 0, 0];
    const ledgerFill = [leg.filled_quantity, leg.filled_notional, leg.fee];
    if (venueFill.join() !== ledgerFill.join()) out.push(`leg ${leg.id} (${leg.client_order_id}) records fill ${ledgerFill.join('/')}, venue ${venueFill.join('/')}`);
  }
  if (phase === 'recovered') out.push(...holdingViolations(db, paper), ...cashViolations(db, paper));
  return out;
}

function holdingViolations(db: Database.Database, paper: Database.Database): string[] {
  const out: string[] = [];
  const held = new Map<string, number>();
  for (const row of paper.prepare('SELECT venue, market, outcome, quantity FROM paper_holdings').all() as {
    venue: string;
    market: string;
    outcome: 'yes' | 'no';
    quantity: number;
  }[]) {
    if (row.quantity !== 0) held.set(`${row.venue} ${positionMarket(row.market, row.outcome)}`, row.quantity);
  }
  const open = new Map<string, number>();
  for (const row of db
    .prepare("SELECT venue, market, sum(quantity) AS quantity FROM positions WHERE status = 'open' AND kind <> 'single' GROUP BY venue, market")
    .all() as { venue: string; market: string; quantity: number }[]) {
    open.set(`${row.venue} ${row.market}`, row.quantity);
  }
  for (const key of new Set([...held.keys(), ...open.keys()])) {
    if ((held.get(key) ?? 0) !== (open.get(key) ?? 0)) out.push(`${key}: venue holds ${held.get(key) ?? 0} contracts, ledger has ${open.get(key) ?? 0} open`);
  }
  return out;
}

function cashViolations(db: Database.Database, paper: Database.Database): string[] {
  const out: string[] = [];
  const accounts = paper.prepare('SELECT venue, cash FROM paper_accounts').all() as { venue: string; cash: number }[];
  for (const account of accounts) {
    const row = db
      .prepare(
        `SELECT w.total AS total,
           (SELECT count(*) FROM positions p WHERE p.venue = w.venue AND p.kind = 'single') AS singles,
           (SELECT coalesce(sum(cost_basis), 0) FROM positions p WHERE p.venue = w.venue AND p.status = 'open') AS held
         FROM wallets w WHERE w.venue = ?`,
      )
      .get(account.venue) as { total: number; singles: number; held: number } | undefined;
    // Manual positions never reach a venue's books, so only venues traded purely through orders compare exactly.
    if (!row || row.singles > 0) continue;
    if (account.cash !== row.total - row.held) out.push(`${account.venue}: venue cash ${account.cash}, ledger total ${row.total} less held ${row.held}`);
  }
  return out;
}

// ---- acknowledgements on stderr ------------------------------------------------------------------

export type Ack =
  | { readonly kind: 'opened'; readonly id: number; readonly side: string; readonly market: string; readonly price: string; readonly line: string }
  | { readonly kind: 'closed'; readonly id: number; readonly reason: string; readonly netPnl: string; readonly line: string }
  | { readonly kind: 'tier'; readonly id: number; readonly tier: 'TP1' | 'TP2'; readonly line: string }
  | { readonly kind: 'arb_settled'; readonly id: number; readonly outcome: string; readonly legs: readonly LegAck[]; readonly line: string }
  | { readonly kind: 'arb_failed'; readonly id: number; readonly line: string }
  | { readonly kind: 'arb_pending'; readonly id: number; readonly line: string }
  | { readonly kind: 'unhedged'; readonly positionId: number; readonly tradeId: number; readonly outcome: string; readonly line: string }
  | { readonly kind: 'resolved'; readonly venue: string; readonly market: string; readonly outcome: string; readonly settled: number; readonly line: string };

export interface LegAck {
  readonly leg: string;
  readonly venue: string;
  /** null: "not filled". */
  readonly fill: { readonly contracts: string; readonly notional: string; readonly fee: string } | null;
}

const PATTERNS = {
  opened: /^✓ Position opened successfully: ID (\d+) \((long|short) (\S+) @ (\$[\d.]+)\)$/,
  closed: /^✓ Position (\d+) closed: (.*), Net PnL: (-?\$[\d.]+) \([^)]*\)$/,
  tier: /^(TP1|TP2) hit for position (\d+) at /,
  leg: /^ {2}leg ([AB]) (\S+): (?:filled (\S+) for (\$[\d.]+) \(fee (\$[\d.]+)\)|not filled)/,
  settled: /arb #(\d+) settled: (\w+)$/,
  failed: /^ {2}✗ not executed \(arb #(\d+)\)/,
  pending: /^ {2}… arb #(\d+) pending:/,
  unhedged: /^[✓⚠] Unhedged leg \(position (\d+), arb #(\d+)\)(?: (hedged|unwound)$|: (hedge and unwind not possible|follow-up order outcome unknown))/,
  resolved: /^Market (\S+) (\S+) resolved (YES|NO): (\d+) position\(s\) settled$/,
} as const;

/**
 * The engine's acknowledgements in `stderr`, complete lines only: the engine prints each after its transaction
 * committed, so each names a write that must be durable even if the process was killed right after printing it.
 */
export function parseAcks(stderr: string): Ack[] {
  const end = stderr.lastIndexOf('\n');
  const lines = end < 0 ? [] : stderr.slice(0, end).split('\n');
  const acks: Ack[] = [];
  let legs: LegAck[] = [];
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = PATTERNS.leg.exec(line))) {
      legs.push({ leg: m[1] ?? '', venue: m[2] ?? '', fill: m[3] ? { contracts: m[3], notional: m[4] ?? '', fee: m[5] ?? '' } : null });
    } else if ((m = PATTERNS.settled.exec(line))) {
      acks.push({ kind: 'arb_settled', id: Number(m[1]), outcome: m[2] ?? '', legs, line });
      legs = [];
    } else if ((m = PATTERNS.opened.exec(line))) {
      acks.push({ kind: 'opened', id: Number(m[1]), side: m[2] ?? '', market: m[3] ?? '', price: m[4] ?? '', line });
    } else if ((m = PATTERNS.closed.exec(line))) {
      acks.push({ kind: 'closed', id: Number(m[1]), reason: m[2] ?? '', netPnl: m[3] ?? '', line });
    } else if ((m = PATTERNS.tier.exec(line))) {
      acks.push({ kind: 'tier', id: Number(m[2]), tier: m[1] === 'TP1' ? 'TP1' : 'TP2', line });
    } else if ((m = PATTERNS.failed.exec(line))) {
      acks.push({ kind: 'arb_failed', id: Number(m[1]), line });
    } else if ((m = PATTERNS.pending.exec(line))) {
      acks.push({ kind: 'arb_pending', id: Number(m[1]), line });
    } else if ((m = PATTERNS.unhedged.exec(line))) {
      acks.push({ kind: 'unhedged', positionId: Number(m[1]), tradeId: Number(m[2]), outcome: m[3] ?? 'open', line });
    } else if ((m = PATTERNS.resolved.exec(line))) {
      acks.push({ kind: 'resolved', venue: m[1] ?? '', market: m[2] ?? '', outcome: m[3] ?? '', settled: Number(m[4]), line });
    }
    if (line.startsWith('⇄ Arb ')) legs = [];
  }
  return acks;
}

interface PositionAckRow {
  id: number;
  side: string;
  market: string;
  entry_price: number;
  status: string;
  close_reason: string | null;
  net_pnl: number | null;
  tp1_hit: number;
  tp2_hit: number;
}

/**
 * Each acknowledged write, looked up in the ledger file: present, in the acknowledged state. States only move
 * forward (a closed position stays closed, a settled trade stays settled), so later writes never excuse a miss.
 * `resolvedSoFar` carries the resolution counts acknowledged in earlier runs on the same file.
 */
export function ackViolations(ledgerPath: string, acks: readonly Ack[], resolvedSoFar: Map<string, number> = new Map()): string[] {
  return withFile(ledgerPath, (db) => {
    const out: string[] = [];
    const position = db.prepare('SELECT * FROM positions WHERE id = ?');
    const trade = db.prepare('SELECT id, state, outcome FROM arb_trades WHERE id = ?');
    const leg = db.prepare('SELECT * FROM arb_legs WHERE trade_id = ? AND leg = ?');
    const unhedged = db.prepare('SELECT trade_id, state FROM unhedged_legs WHERE position_id = ?');
    const resolvedCount = db.prepare("SELECT count(*) AS n FROM positions WHERE status = 'closed' AND venue = ? AND market IN (?, ?) AND close_reason = ?");
    const resolved = new Map(resolvedSoFar);
    for (const ack of acks) {
      const fail = (what: string) => out.push(`acknowledged "${ack.line.trim()}" but ${what}`);
      switch (ack.kind) {
        case 'opened':
        case 'closed':
        case 'tier': {
          const row = position.get(ack.id) as PositionAckRow | undefined;
          if (!row) {
            fail('the position does not exist');
            break;
          }
          if (ack.kind === 'opened' && `${row.side} ${row.market} @ ${formatUsd(row.entry_price, 4)}` !== `${ack.side} ${ack.market} @ ${ack.price}`) {
            fail(`it is ${row.side} ${row.market} @ ${formatUsd(row.entry_price, 4)}`);
          }
          if (ack.kind === 'closed' && (row.status !== 'closed' || row.close_reason !== ack.reason || formatUsd(row.net_pnl ?? 0, 4) !== ack.netPnl)) {
            fail(`it is ${row.status} (${row.close_reason}, net ${row.net_pnl})`);
          }
          if (ack.kind === 'tier' && (ack.tier === 'TP1' ? row.tp1_hit : row.tp2_hit) !== 1) fail(`${ack.tier} is not recorded`);
          break;
        }
        case 'arb_settled':
        case 'arb_failed':
        case 'arb_pending': {
          const row = trade.get(ack.id) as { state: string; outcome: string | null } | undefined;
          const wanted = ack.kind === 'arb_settled' ? ['settled'] : ack.kind === 'arb_failed' ? ['failed'] : ['submitted', 'settled'];
          if (!row || !wanted.includes(row.state)) fail(row ? `the trade is ${row.state}` : 'the trade does not exist');
          else if (ack.kind === 'arb_settled' && row.outcome !== ack.outcome) fail(`its outcome is ${row.outcome}`);
          if (ack.kind === 'arb_settled') for (const legAck of ack.legs) out.push(...legAckViolations(leg, ack, legAck));
          break;
        }
        case 'unhedged': {
          const row = unhedged.get(ack.positionId) as { trade_id: number; state: string } | undefined;
          if (!row || row.trade_id !== ack.tradeId) fail('there is no such unhedged record');
          else if (ack.outcome !== 'open' && row.state !== ack.outcome) fail(`the record is ${row.state}`);
          break;
        }
        case 'resolved': {
          const key = `${ack.venue} ${ack.market} ${ack.outcome}`;
          resolved.set(key, (resolved.get(key) ?? 0) + ack.settled);
          break;
        }
      }
    }
    for (const [key, count] of resolved) {
      const [venue = '', market = '', outcome = ''] = key.split(' ');
      const n = (resolvedCount.get(venue, market, positionMarket(market, 'no'), `Resolved ${outcome}`) as { n: number }).n;
      if (n < count) out.push(`acknowledged ${count} settlement(s) of ${key}, the ledger has ${n}`);
    }
    return out;
  });
}

function legAckViolations(statement: Database.Statement, ack: Extract<Ack, { kind: 'arb_settled' }>, legAck: LegAck): string[] {
  const row = statement.get(ack.id, legAck.leg.toLowerCase()) as LegRow | undefined;
  if (!row) return [`arb #${ack.id} leg ${legAck.leg} acknowledged but missing`];
  const recorded =
    row.filled_quantity > 0 ? `filled ${formatMicrosTrim(row.filled_quantity, 0)} for ${formatUsd(row.filled_notional)} (fee ${formatUsd(row.fee, 4)})` : 'not filled';
  const acknowledged = legAck.fill ? `filled ${legAck.fill.contracts} for ${legAck.fill.notional} (fee ${legAck.fill.fee})` : 'not filled';
  if (row.venue !== legAck.venue || recorded !== acknowledged || row.state !== 'settled') {
    return [`arb #${ack.id} leg ${legAck.leg} acknowledged "${legAck.venue}: ${acknowledged}", ledger has "${row.venue}: ${recorded}" (${row.state})`];
  }
  return [];
}

/** Acknowledged resolution counts per "venue market OUTCOME", to carry from one run to the next on the same file. */
export function resolvedCounts(acks: readonly Ack[], into: Map<string, number>): void {
  for (const ack of acks) {
    if (ack.kind === 'resolved') into.set(`${ack.venue} ${ack.market} ${ack.outcome}`, (into.get(`${ack.venue} ${ack.market} ${ack.outcome}`) ?? 0) + ack.settled);
  }
}
