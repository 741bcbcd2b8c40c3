-- Fewer pages written by every commit that records a balance change or an arbitrage leg's transition. At
-- synchronous=FULL each commit waits for its pages to reach the disk, so a page not written is time off every trade.
--
-- 1. The two append-only logs drop AUTOINCREMENT. It only promises that an id is never reused after the row holding
--    the highest one is deleted, and deleting is refused by trigger on both, so plain rowids (max + 1) give the same
--    ids; AUTOINCREMENT cost a write to sqlite_sequence in every transaction that appended to either.
-- 2. A wallet transaction's idempotency key is unique among the rows that have one, through a partial index. Most
--    rows have none (reserve, commit, release, open, close), and a UNIQUE column still indexed each of their NULLs.
--
-- SQLite cannot alter either in place, so both tables are rebuilt with their rows, ids, indexes and triggers. Nothing
-- references either table, and the log checkpoint keeps its meaning: ids do not change.

CREATE TABLE wallet_transactions_rebuilt (
  id              INTEGER PRIMARY KEY,
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
  idempotency_key TEXT,
  description     TEXT NOT NULL,
  created_at      TEXT NOT NULL,
  CHECK (balance_after = balance_before + amount),
  CHECK (locked_after = locked_before + locked_delta),
  CHECK (balance_after - locked_after >= 0)
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

CREATE TABLE arb_leg_events_rebuilt (
  id          INTEGER PRIMARY KEY,
  leg_id      INTEGER NOT NULL REFERENCES arb_legs(id),
  from_state  TEXT NOT NULL,
  to_state    TEXT NOT NULL,
  detail      TEXT,
  created_at  TEXT NOT NULL
) STRICT;

INSERT INTO arb_leg_events_rebuilt (id, leg_id, from_state, to_state, detail, created_at)
SELECT id, leg_id, from_state, to_state, detail, created_at FROM arb_leg_events ORDER BY id;

DROP TABLE arb_leg_events;
ALTER TABLE arb_leg_events_rebuilt RENAME TO arb_leg_events;

CREATE TRIGGER arb_leg_events_append_only_update BEFORE UPDATE ON arb_leg_events
BEGIN
  SELECT RAISE(ABORT, 'arb_leg_events is append-only');
END;

CREATE TRIGGER arb_leg_events_append_only_delete BEFORE DELETE ON arb_leg_events
BEGIN
  SELECT RAISE(ABORT, 'arb_leg_events is append-only');
END;
