-- Arbitrage: a trade of two legs on two venues. Every leg's client order id is stored before the order is sent,
-- and every state change of a leg is kept, so a crash at any point can be settled from what the venues report.

CREATE TABLE arb_trades (
  id                 INTEGER PRIMARY KEY,
  pair               TEXT NOT NULL,
  direction          TEXT NOT NULL CHECK (direction IN ('yes_a_no_b', 'no_a_yes_b')),
  contracts          INTEGER NOT NULL CHECK (contracts > 0),
  expected_net_edge  INTEGER NOT NULL,
  state              TEXT NOT NULL CHECK (state IN ('planned', 'reserved', 'submitted', 'settled', 'failed')),
  -- hedged: both legs filled equally; partial: a hedged part plus an unhedged excess; unhedged: one leg only; none.
  outcome            TEXT CHECK (outcome IN ('hedged', 'partial', 'unhedged', 'none')),
  note               TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
) STRICT;

CREATE INDEX arb_trades_open ON arb_trades (state) WHERE state NOT IN ('settled', 'failed');

CREATE TABLE arb_legs (
  id                 INTEGER PRIMARY KEY,
  trade_id           INTEGER NOT NULL REFERENCES arb_trades(id),
  leg                TEXT NOT NULL CHECK (leg IN ('a', 'b', 'hedge', 'unwind')),
  venue              TEXT NOT NULL REFERENCES wallets(venue),
  market             TEXT NOT NULL,
  outcome            TEXT NOT NULL CHECK (outcome IN ('yes', 'no')),
  side               TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
  quantity           INTEGER NOT NULL CHECK (quantity > 0),
  limit_price        INTEGER NOT NULL CHECK (limit_price > 0),
  client_order_id    TEXT NOT NULL UNIQUE,
  venue_order_id     TEXT,
  reservation_id     INTEGER REFERENCES reservations(id),
  state              TEXT NOT NULL CHECK (state IN ('planned', 'reserved', 'submitted', 'filled', 'partially_filled', 'rejected',
                                                   'unknown', 'settled')),
  filled_quantity    INTEGER NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0 AND filled_quantity <= quantity),
  filled_notional    INTEGER NOT NULL DEFAULT 0 CHECK (filled_notional >= 0),
  fee                INTEGER NOT NULL DEFAULT 0 CHECK (fee >= 0),
  hedged_position_id   INTEGER REFERENCES positions(id),
  unhedged_position_id INTEGER REFERENCES positions(id),
  error              TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL,
  UNIQUE (trade_id, leg)
) STRICT;

CREATE TABLE arb_leg_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  leg_id      INTEGER NOT NULL REFERENCES arb_legs(id),
  from_state  TEXT NOT NULL,
  to_state    TEXT NOT NULL,
  detail      TEXT,
  created_at  TEXT NOT NULL
) STRICT;

CREATE TRIGGER arb_leg_events_append_only_update BEFORE UPDATE ON arb_leg_events
BEGIN
  SELECT RAISE(ABORT, 'arb_leg_events is append-only');
END;

CREATE TRIGGER arb_leg_events_append_only_delete BEFORE DELETE ON arb_leg_events
BEGIN
  SELECT RAISE(ABORT, 'arb_leg_events is append-only');
END;

-- An unhedged leg: open → hedged (the hedge filled later) / unwound (sold or stopped out) / written_off (resolved worthless).
CREATE TABLE unhedged_legs (
  id           INTEGER PRIMARY KEY,
  trade_id     INTEGER NOT NULL REFERENCES arb_trades(id),
  leg_id       INTEGER NOT NULL UNIQUE REFERENCES arb_legs(id),
  position_id  INTEGER NOT NULL UNIQUE REFERENCES positions(id),
  quantity     INTEGER NOT NULL CHECK (quantity > 0),
  state        TEXT NOT NULL CHECK (state IN ('open', 'hedged', 'unwound', 'written_off')),
  note         TEXT,
  created_at   TEXT NOT NULL,
  resolved_at  TEXT,
  CHECK ((state = 'open') = (resolved_at IS NULL))
) STRICT;

CREATE TRIGGER unhedged_legs_resolved_immutable BEFORE UPDATE ON unhedged_legs
WHEN OLD.state <> 'open'
BEGIN
  SELECT RAISE(ABORT, 'unhedged leg is already resolved');
END;
