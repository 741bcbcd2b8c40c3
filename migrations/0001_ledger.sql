-- The money ledger. All amounts are integers in micro-units (1 USD = 1,000,000).
-- The transaction log is the source of truth; a wallet row is its running projection.

CREATE TABLE wallets (
  venue      TEXT PRIMARY KEY NOT NULL CHECK (length(venue) > 0),
  total      INTEGER NOT NULL CHECK (typeof(total) = 'integer'),
  available  INTEGER NOT NULL CHECK (typeof(available) = 'integer' AND available >= 0),
  locked     INTEGER NOT NULL CHECK (typeof(locked) = 'integer' AND locked >= 0),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (total = available + locked)
) STRICT;

CREATE TABLE reservations (
  id               INTEGER PRIMARY KEY,
  venue            TEXT NOT NULL REFERENCES wallets(venue),
  amount           INTEGER NOT NULL CHECK (amount > 0),
  state            TEXT NOT NULL CHECK (state IN ('pending', 'committed', 'released')),
  committed_amount INTEGER NOT NULL DEFAULT 0 CHECK (committed_amount >= 0 AND committed_amount <= amount),
  idempotency_key  TEXT NOT NULL UNIQUE,
  purpose          TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  resolved_at      TEXT,
  CHECK ((state = 'pending') = (resolved_at IS NULL)),
  CHECK (state = 'committed' OR committed_amount = 0)
) STRICT;

CREATE INDEX reservations_pending ON reservations (venue) WHERE state = 'pending';

-- A resolved reservation never changes again.
CREATE TRIGGER reservations_resolved_immutable BEFORE UPDATE ON reservations
WHEN OLD.state <> 'pending'
BEGIN
  SELECT RAISE(ABORT, 'reservation is already resolved');
END;

CREATE TRIGGER reservations_no_delete BEFORE DELETE ON reservations
BEGIN
  SELECT RAISE(ABORT, 'reservations cannot be deleted');
END;

CREATE TABLE positions (
  id               INTEGER PRIMARY KEY,
  venue            TEXT NOT NULL REFERENCES wallets(venue),
  market           TEXT NOT NULL CHECK (length(market) > 0),
  side             TEXT NOT NULL CHECK (side IN ('long', 'short')),
  -- single: a position under the TP/SL ladder; arb_hedged: one leg of a hedged arbitrage pair, held to resolution;
  -- arb_unhedged: an arbitrage leg whose hedge did not fill, protected by the ladder until hedged or unwound.
  kind             TEXT NOT NULL DEFAULT 'single' CHECK (kind IN ('single', 'arb_hedged', 'arb_unhedged')),
  quantity         INTEGER NOT NULL CHECK (quantity > 0),
  entry_price      INTEGER NOT NULL CHECK (entry_price > 0),
  cost_basis       INTEGER NOT NULL CHECK (cost_basis > 0),
  entry_fee        INTEGER NOT NULL DEFAULT 0 CHECK (entry_fee >= 0),
  -- 1 when the entry fee left the wallet when the position opened (venue fills); 0 when it is charged at close.
  entry_fee_charged INTEGER NOT NULL DEFAULT 0 CHECK (entry_fee_charged IN (0, 1)),
  tp1_price        INTEGER NOT NULL,
  tp2_price        INTEGER NOT NULL,
  tp3_price        INTEGER NOT NULL,
  sl_price         INTEGER NOT NULL,
  stop_price       INTEGER NOT NULL,
  tp1_hit          INTEGER NOT NULL DEFAULT 0 CHECK (tp1_hit IN (0, 1)),
  tp2_hit          INTEGER NOT NULL DEFAULT 0 CHECK (tp2_hit IN (0, 1)),
  status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  reservation_id   INTEGER REFERENCES reservations(id),
  idempotency_key  TEXT UNIQUE,
  opened_at        TEXT NOT NULL,
  exit_price       INTEGER,
  exit_value       INTEGER,
  gross_pnl        INTEGER,
  exit_fee         INTEGER,
  spread_cost      INTEGER,
  slippage_cost    INTEGER,
  total_costs      INTEGER,
  net_pnl          INTEGER,
  close_reason     TEXT,
  closed_at        TEXT,
  CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
  CHECK (status = 'open' OR (exit_price IS NOT NULL AND net_pnl IS NOT NULL AND close_reason IS NOT NULL))
) STRICT;

CREATE INDEX positions_open ON positions (venue, market) WHERE status = 'open';

-- A closed position is final: closing it again is refused by the schema itself, not only by code.
CREATE TRIGGER positions_closed_immutable BEFORE UPDATE ON positions
WHEN OLD.status = 'closed'
BEGIN
  SELECT RAISE(ABORT, 'position is already closed');
END;

CREATE TRIGGER positions_no_delete BEFORE DELETE ON positions
BEGIN
  SELECT RAISE(ABORT, 'positions cannot be deleted');
END;

-- One row for every balance change. `amount` is the change to total, `locked_delta` the change to locked;
-- balance_* track total and locked_* track locked, so both chains can be verified row by row.
CREATE TABLE wallet_transactions (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  venue           TEXT NOT NULL REFERENCES wallets(venue),
  type            TEXT NOT NULL CHECK (type IN ('deposit', 'withdrawal', 'reserve', 'release', 'commit', 'position_open',
                                                'position_close', 'fee', 'settlement', 'adjustment')),
  amount          INTEGER NOT NULL CHECK (typeof(amount) = 'integer'),
  locked_delta    INTEGER NOT NULL CHECK (typeof(locked_delta) = 'integer'),
  balance_before  INTEGER NOT NULL,
  balance_after   INTEGER NOT NULL,
  locked_before   INTEGER NOT NULL,
  locked_after    INTEGER NOT NULL CHECK (locked_after >= 0),
  position_id     INTEGER REFERENCES positions(id),
  reservation_id  INTEGER REFERENCES reservations(id),
  order_ref       TEXT,
  idempotency_key TEXT UNIQUE,
  description     TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  CHECK (balance_after = balance_before + amount),
  CHECK (locked_after = locked_before + locked_delta),
  CHECK (balance_after - locked_after >= 0)
) STRICT;

CREATE INDEX wallet_transactions_venue ON wallet_transactions (venue, id);
CREATE INDEX wallet_transactions_position ON wallet_transactions (position_id) WHERE position_id IS NOT NULL;

CREATE TRIGGER wallet_transactions_no_update BEFORE UPDATE ON wallet_transactions
BEGIN
  SELECT RAISE(ABORT, 'wallet_transactions is append-only');
END;

CREATE TRIGGER wallet_transactions_no_delete BEFORE DELETE ON wallet_transactions
BEGIN
  SELECT RAISE(ABORT, 'wallet_transactions is append-only');
END;

-- Repairs made by reconcile: a record of what changed and why. Not a money movement.
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  kind        TEXT NOT NULL,
  venue       TEXT,
  detail      TEXT NOT NULL,
  created_at  TEXT NOT NULL
) STRICT;

-- Last accepted price per market, so the price guard keeps its reference across restarts.
CREATE TABLE market_prices (
  venue       TEXT NOT NULL,
  market      TEXT NOT NULL,
  bid         INTEGER NOT NULL,
  ask         INTEGER NOT NULL,
  updated_at  TEXT NOT NULL,
  PRIMARY KEY (venue, market)
) STRICT;
