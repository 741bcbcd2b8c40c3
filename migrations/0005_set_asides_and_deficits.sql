-- Every close can be booked: what a position's close can cost beyond its cost basis is locked with it, a short on
-- an unbounded market has a liquidation price, and a loss beyond what a wallet holds is recorded as the wallet's
-- deficit instead of being refused.
--
-- 1. positions.close_reserve: locked beside the cost basis when the position opened (the entry fee not yet paid, and
--    for a short the loss up to its worst or liquidation price beyond its cost basis). A position locks
--    cost_basis + close_reserve; rows from before this migration locked their cost basis alone, hence the default 0.
-- 2. positions.liquidation_price: for a short on a market with no upper price bound, the mark at which the money
--    locked for it is used up; the ladder closes it there like a stop. NULL: the position's loss is bounded.
-- 3. positions.attention: why the engine could not close or settle the position (NULL: nothing to look at).
-- 4. wallets.deficit: what the wallet owes after a loss larger than it held. It is never netted into total or
--    available, so every balance stays what the wallet really holds and the debt stays visible.
-- 5. wallet_transactions.deficit_delta and the type 'deficit': a deficit booked (amount 0, deficit_delta > 0) or repaid
--    (amount = deficit_delta < 0). Every other type leaves the deficit alone. The column's type list cannot be altered
--    in place, so the table is rebuilt with its rows and ids, as 0004 did.
-- 6. log_checkpoint_wallets.deficit: a wallet's deficit as of the checkpoint, so a routine check sums only new rows.
-- 7. unhedged_legs: a position can become unhedged again (a person closed the other leg of its hedged pair), and a
--    leg can leave more than one unhedged position (its excess, and later its hedged part), so a leg or a position may
--    have several records over time — but a position at most one open record. Rebuilt, as its uniqueness is part of
--    its columns.

ALTER TABLE positions ADD COLUMN close_reserve INTEGER NOT NULL DEFAULT 0 CHECK (typeof(close_reserve) = 'integer' AND close_reserve >= 0);
ALTER TABLE positions ADD COLUMN liquidation_price INTEGER CHECK (liquidation_price IS NULL OR liquidation_price > 0);
ALTER TABLE positions ADD COLUMN attention TEXT;

ALTER TABLE wallets ADD COLUMN deficit INTEGER NOT NULL DEFAULT 0 CHECK (typeof(deficit) = 'integer' AND deficit >= 0);

ALTER TABLE log_checkpoint_wallets ADD COLUMN deficit INTEGER NOT NULL DEFAULT 0 CHECK (typeof(deficit) = 'integer' AND deficit >= 0);

CREATE TABLE wallet_transactions_rebuilt (
  id              INTEGER PRIMARY KEY,
  venue           TEXT NOT NULL REFERENCES wallets(venue),
  type            TEXT NOT NULL CHECK (type IN ('deposit', 'withdrawal', 'reserve', 'release', 'commit', 'position_open',
                                                'position_close', 'fee', 'settlement', 'adjustment', 'deficit')),
  amount          INTEGER NOT NULL CHECK (typeof(amount) = 'integer'),
  locked_delta    INTEGER NOT NULL CHECK (typeof(locked_delta) = 'integer'),
  deficit_delta   INTEGER NOT NULL DEFAULT 0 CHECK (typeof(deficit_delta) = 'integer'),
  balance_before  INTEGER NOT NULL,
  balance_after   INTEGER NOT NULL,
  locked_before   INTEGER NOT NULL,
  locked_after    INTEGER NOT NULL CHECK (locked_after >= 0),
  position_id     INTEGER REFERENCES positions(id),
  reservation_id  INTEGER REFERENCES reservations(id),
  order_ref       TEXT,
  idempotency_key TEXT,
  description     TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  CHECK (balance_after = balance_before + amount),
  CHECK (locked_after = locked_before + locked_delta),
  CHECK (balance_after - locked_after >= 0),
  CHECK (type = 'deficit' OR deficit_delta = 0),
  CHECK (type <> 'deficit' OR (locked_delta = 0 AND ((amount = 0 AND deficit_delta > 0) OR (amount < 0 AND deficit_delta = amount))))
) STRICT;

INSERT INTO wallet_transactions_rebuilt (id, venue, type, amount, locked_delta, balance_before, balance_after, locked_before,
                                         locked_after, position_id, reservation_id, order_ref, idempotency_key, description, created_at)
SELECT id, venue, type, amount, locked_delta, balance_before, balance_after, locked_before,
       locked_after, position_id, reservation_id, order_ref, idempotency_key, description, created_at
FROM wallet_transactions ORDER BY id;

DROP TABLE wallet_transactions;
ALTER TABLE wallet_transactions_rebuilt RENAME TO wallet_transactions;

CREATE UNIQUE INDEX wallet_transactions_idempotency ON wallet_transactions (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX wallet_transactions_position ON wallet_transactions (position_id) WHERE position_id IS NOT NULL;
CREATE INDEX wallet_transactions_reservation ON wallet_transactions (reservation_id) WHERE reservation_id IS NOT NULL;

CREATE TRIGGER wallet_transactions_no_update BEFORE UPDATE ON wallet_transactions
BEGIN
  SELECT RAISE(ABORT, 'wallet_transactions is append-only');
END;

CREATE TRIGGER wallet_transactions_no_delete BEFORE DELETE ON wallet_transactions
BEGIN
  SELECT RAISE(ABORT, 'wallet_transactions is append-only');
END;

CREATE TABLE unhedged_legs_rebuilt (
  id           INTEGER PRIMARY KEY,
  trade_id     INTEGER NOT NULL REFERENCES arb_trades(id),
  leg_id       INTEGER NOT NULL REFERENCES arb_legs(id),
  position_id  INTEGER NOT NULL REFERENCES positions(id),
  quantity     INTEGER NOT NULL CHECK (quantity > 0),
  state        TEXT NOT NULL CHECK (state IN ('open', 'hedged', 'unwound', 'written_off')),
  note         TEXT,
  created_at   TEXT NOT NULL,
  resolved_at  TEXT,
  CHECK ((state = 'open') = (resolved_at IS NULL))
) STRICT;

INSERT INTO unhedged_legs_rebuilt (id, trade_id, leg_id, position_id, quantity, state, note, created_at, resolved_at)
SELECT id, trade_id, leg_id, position_id, quantity, state, note, created_at, resolved_at FROM unhedged_legs ORDER BY id;

DROP TABLE unhedged_legs;
ALTER TABLE unhedged_legs_rebuilt RENAME TO unhedged_legs;

CREATE UNIQUE INDEX unhedged_legs_open_position ON unhedged_legs (position_id) WHERE state = 'open';
CREATE INDEX unhedged_legs_position ON unhedged_legs (position_id, id);

CREATE TRIGGER unhedged_legs_resolved_immutable BEFORE UPDATE ON unhedged_legs
WHEN OLD.state <> 'open'
BEGIN
  SELECT RAISE(ABORT, 'unhedged leg is already resolved');
END;
