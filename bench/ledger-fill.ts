// A consistent ledger of any size, written quickly with raw SQL in one transaction: every CHECK and trigger of the
// schema still applies. The mix follows what the bot does — reserve + commit (arbitrage legs), reserve + release
// (abandoned legs), position open + close (the ladder) — across four venues, each chain continuous, each wallet
// row equal to its log, and one pending reservation and one open position left so `locked` is not trivially zero.
import Database from 'better-sqlite3';
import { Ledger } from '../src/ledger/ledger.js';

const VENUES = ['kalshi', 'polymarket', 'sx', 'paper'] as const;
const STARTING_BALANCE = 1_000_000_000_000_000; // $1 billion per venue
const CREATED_MS = Date.UTC(2025, 0, 1);
/** Cache for the bulk insert (KiB, negative = size): no page is spilled and rewritten before the commit. */
const BULK_CACHE_KIB = 1_048_576;

interface Chain {
  total: number;
  locked: number;
}

interface Fill {
  readonly transactions: number;
  readonly reservations: number;
  readonly positions: number;
}

/** Creates the schema through the project's own open (migrations), then fills it with `transactions` rows. */
export function fillLedger(path: string, transactions: number): Fill {
  if (transactions < VENUES.length + 2 || (transactions - VENUES.length - 2) % 2 !== 0) {
    throw new Error(`ledger fill: ${transactions} transactions cannot be split into deposits, pairs and a tail`);
  }
  Ledger.open(path, { synchronous: 'NORMAL' }).close();
  const db = new Database(path);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('foreign_keys = ON');
    db.pragma(`cache_size = -${BULK_CACHE_KIB}`);
    return db.transaction(() => writeAll(db, transactions))();
  } finally {
    db.close();
  }
}

function writeAll(db: Database.Database, transactions: number): Fill {
  const s = statements(db);
  const chains = new Map<string, Chain>(VENUES.map((venue) => [venue, { total: 0, locked: 0 }]));
  let clockMs = CREATED_MS;
  const at = () => new Date((clockMs += 1_000)).toISOString();
  const move = (venue: string, type: string, amount: number, lockedDelta: number, ids: { position?: number; reservation?: number }, description: string): void => {
    const chain = chains.get(venue) as Chain;
    const total = chain.total + amount;
    const locked = chain.locked + lockedDelta;
    s.transaction.run(venue, type, amount, lockedDelta, chain.total, total, chain.locked, locked, ids.position ?? null, ids.reservation ?? null, description, at());
    chain.total = total;
    chain.locked = locked;
  };
  for (const venue of VENUES) {
    const created = at();
    s.wallet.run(venue, created, created);
    move(venue, 'deposit', STARTING_BALANCE, 0, {}, `Starting balance on ${venue}`);
  }
  const counts = { reservations: 0, positions: 0 };
  const pairs = (transactions - VENUES.length - 2) / 2;
  for (let i = 0; i < pairs; i += 1) {
    const venue = VENUES[i % VENUES.length] as string;
    const amount = 1_000_000 + ((i * 7_919) % 49_000_000);
    const kind = i % 10;
    if (kind < 6) {
      const state = kind < 4 ? 'committed' : 'released';
      const id = Number(s.reservation.run(venue, amount, state, state === 'committed' ? amount : 0, `fill-${i}`, at(), at()).lastInsertRowid);
      move(venue, 'reserve', 0, amount, { reservation: id }, `Reserved for arb #${i}`);
      if (state === 'committed') move(venue, 'commit', -amount, -amount, { reservation: id }, `Committed reservation #${id}`);
      else move(venue, 'release', 0, -amount, { reservation: id }, `Released reservation #${id}`);
      counts.reservations += 1;
    } else {
      const pnl = ((i * 104_729) % 2_000_001) - 1_000_000;
      const id = Number(s.closedPosition.run({ venue, market: `M${i % 1_000}`, quantity: 2 * amount, cost: amount, pnl, opened: at(), closed: at() }).lastInsertRowid);
      move(venue, 'position_open', 0, amount, { position: id }, `Opened long M${i % 1_000}`);
      move(venue, 'position_close', pnl, -amount, { position: id }, `Closed long M${i % 1_000}`);
      counts.positions += 1;
    }
  }
  const pending = Number(s.reservation.run(VENUES[0], 5_000_000, 'pending', 0, 'fill-pending', at(), null).lastInsertRowid);
  move(VENUES[0], 'reserve', 0, 5_000_000, { reservation: pending }, 'Reserved, still pending');
  const open = Number(s.openPosition.run(VENUES[1], 'M-open', 20_000_000, 10_000_000, at()).lastInsertRowid);
  move(VENUES[1], 'position_open', 0, 10_000_000, { position: open }, 'Opened long M-open');
  for (const [venue, chain] of chains) s.updateWallet.run(chain.total, chain.total - chain.locked, chain.locked, at(), venue);
  return { transactions, reservations: counts.reservations + 1, positions: counts.positions + 1 };
}

function statements(db: Database.Database) {
  return {
    wallet: db.prepare('INSERT INTO wallets (venue, total, available, locked, created_at, updated_at) VALUES (?, 0, 0, 0, ?, ?)'),
    updateWallet: db.prepare('UPDATE wallets SET total = ?, available = ?, locked = ?, updated_at = ? WHERE venue = ?'),
    transaction: db.prepare(
      `INSERT INTO wallet_transactions (venue, type, amount, locked_delta, balance_before, balance_after, locked_before, locked_after,
         position_id, reservation_id, description, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    reservation: db.prepare(
      `INSERT INTO reservations (venue, amount, state, committed_amount, idempotency_key, purpose, created_at, resolved_at)
       VALUES (?, ?, ?, ?, ?, 'bench', ?, ?)`,
    ),
    closedPosition: db.prepare(
      `INSERT INTO positions (venue, market, side, quantity, entry_price, cost_basis, tp1_price, tp2_price, tp3_price, sl_price, stop_price,
         status, opened_at, exit_price, net_pnl, close_reason, closed_at)
       VALUES (@venue, @market, 'long', @quantity, 500000, @cost, 515000, 530000, 550000, 475000, 475000, 'closed', @opened, 510000, @pnl, 'bench', @closed)`,
    ),
    openPosition: db.prepare(
      `INSERT INTO positions (venue, market, side, quantity, entry_price, cost_basis, tp1_price, tp2_price, tp3_price, sl_price, stop_price, opened_at)
       VALUES (?, ?, 'long', ?, 500000, ?, 515000, 530000, 550000, 475000, 475000, ?)`,
    ),
  };
}
