-- Settled history can move to an archive file while the ledger keeps a proof of it.
--
-- An archive checkpoint records one `arbbot archive`: the file the rows went to, this ledger's identity, the last id of
-- each table it covers (every wallet transaction up to tx_through_id is archived; in the other tables only rows the
-- archive chose, all at or below their through id), how many rows of each table it moved and a SHA-256 over them in
-- id order, and each wallet's figures at the cut (archive_checkpoint_wallets). wallet-check starts each wallet's chain
-- from the latest checkpoint's figures instead of from zero. Through ids and wallet figures are cumulative: the latest
-- checkpoint alone is where the remaining log starts.
--
-- The append-only triggers are recreated to allow a DELETE only of rows a recorded checkpoint covers, and only rows
-- nothing still depends on: a log row at or below the cut; a closed position, or a resolved reservation, no log row
-- refers to any more; the legs, events and unhedged records of a settled or failed trade. Nothing else can delete history.

CREATE TABLE archive_checkpoints (
  id                      INTEGER PRIMARY KEY,
  file_name               TEXT NOT NULL CHECK (length(file_name) > 0),
  ledger_id               TEXT NOT NULL CHECK (length(ledger_id) = 32),
  before_date             TEXT NOT NULL,
  tx_through_id           INTEGER NOT NULL CHECK (tx_through_id >= 0),
  positions_through_id    INTEGER NOT NULL CHECK (positions_through_id >= 0),
  reservations_through_id INTEGER NOT NULL CHECK (reservations_through_id >= 0),
  trades_through_id       INTEGER NOT NULL CHECK (trades_through_id >= 0),
  legs_through_id         INTEGER NOT NULL CHECK (legs_through_id >= 0),
  events_through_id       INTEGER NOT NULL CHECK (events_through_id >= 0),
  unhedged_through_id     INTEGER NOT NULL CHECK (unhedged_through_id >= 0),
  -- Rows this archive moved, per table.
  tx_count                INTEGER NOT NULL CHECK (tx_count >= 0),
  position_count          INTEGER NOT NULL CHECK (position_count >= 0),
  reservation_count       INTEGER NOT NULL CHECK (reservation_count >= 0),
  trade_count             INTEGER NOT NULL CHECK (trade_count >= 0),
  leg_count               INTEGER NOT NULL CHECK (leg_count >= 0),
  event_count             INTEGER NOT NULL CHECK (event_count >= 0),
  unhedged_count          INTEGER NOT NULL CHECK (unhedged_count >= 0),
  rows_sha256             TEXT NOT NULL CHECK (length(rows_sha256) = 64),
  archived_at             TEXT NOT NULL
) STRICT;

-- Each wallet at the cut, from its first row ever: the sums of its deltas, the last archived row's after-figures
-- (equal to the sums, the chain being proven when the archive was made) and how many of its rows are archived.
CREATE TABLE archive_checkpoint_wallets (
  archive_id    INTEGER NOT NULL REFERENCES archive_checkpoints(id),
  venue         TEXT NOT NULL CHECK (length(venue) > 0),
  total         INTEGER NOT NULL CHECK (typeof(total) = 'integer'),
  locked        INTEGER NOT NULL CHECK (typeof(locked) = 'integer' AND locked >= 0),
  deficit       INTEGER NOT NULL CHECK (typeof(deficit) = 'integer' AND deficit >= 0),
  balance_after INTEGER NOT NULL CHECK (typeof(balance_after) = 'integer'),
  locked_after  INTEGER NOT NULL CHECK (typeof(locked_after) = 'integer' AND locked_after >= 0),
  tx_count      INTEGER NOT NULL CHECK (tx_count > 0),
  PRIMARY KEY (archive_id, venue)
) STRICT;

-- A checkpoint is a record of what left the ledger: it never changes and is never removed.
CREATE TRIGGER archive_checkpoints_no_update BEFORE UPDATE ON archive_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'archive_checkpoints is append-only');
END;

CREATE TRIGGER archive_checkpoints_no_delete BEFORE DELETE ON archive_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'archive_checkpoints is append-only');
END;

CREATE TRIGGER archive_checkpoint_wallets_no_update BEFORE UPDATE ON archive_checkpoint_wallets
BEGIN
  SELECT RAISE(ABORT, 'archive_checkpoint_wallets is append-only');
END;

CREATE TRIGGER archive_checkpoint_wallets_no_delete BEFORE DELETE ON archive_checkpoint_wallets
BEGIN
  SELECT RAISE(ABORT, 'archive_checkpoint_wallets is append-only');
END;

DROP TRIGGER wallet_transactions_no_delete;
CREATE TRIGGER wallet_transactions_no_delete BEFORE DELETE ON wallet_transactions
WHEN OLD.id > (SELECT coalesce(max(tx_through_id), 0) FROM archive_checkpoints)
BEGIN
  SELECT RAISE(ABORT, 'wallet_transactions is append-only');
END;

DROP TRIGGER positions_no_delete;
CREATE TRIGGER positions_no_delete BEFORE DELETE ON positions
WHEN OLD.status <> 'closed'
  OR OLD.id > (SELECT coalesce(max(positions_through_id), 0) FROM archive_checkpoints)
  OR EXISTS (SELECT 1 FROM wallet_transactions WHERE position_id = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'positions cannot be deleted');
END;

DROP TRIGGER reservations_no_delete;
CREATE TRIGGER reservations_no_delete BEFORE DELETE ON reservations
WHEN OLD.state = 'pending'
  OR OLD.id > (SELECT coalesce(max(reservations_through_id), 0) FROM archive_checkpoints)
  OR EXISTS (SELECT 1 FROM wallet_transactions WHERE reservation_id = OLD.id)
BEGIN
  SELECT RAISE(ABORT, 'reservations cannot be deleted');
END;

DROP TRIGGER arb_leg_events_append_only_delete;
CREATE TRIGGER arb_leg_events_append_only_delete BEFORE DELETE ON arb_leg_events
WHEN OLD.id > (SELECT coalesce(max(events_through_id), 0) FROM archive_checkpoints)
  OR coalesce((SELECT t.state FROM arb_legs l JOIN arb_trades t ON t.id = l.trade_id WHERE l.id = OLD.leg_id), 'planned')
     NOT IN ('settled', 'failed')
BEGIN
  SELECT RAISE(ABORT, 'arb_leg_events is append-only');
END;

-- The trade tables had no guard against DELETE; they get the same one.
CREATE TRIGGER arb_trades_no_delete BEFORE DELETE ON arb_trades
WHEN OLD.state NOT IN ('settled', 'failed')
  OR OLD.id > (SELECT coalesce(max(trades_through_id), 0) FROM archive_checkpoints)
BEGIN
  SELECT RAISE(ABORT, 'arb_trades cannot be deleted');
END;

CREATE TRIGGER arb_legs_no_delete BEFORE DELETE ON arb_legs
WHEN OLD.id > (SELECT coalesce(max(legs_through_id), 0) FROM archive_checkpoints)
  OR coalesce((SELECT state FROM arb_trades WHERE id = OLD.trade_id), 'planned') NOT IN ('settled', 'failed')
BEGIN
  SELECT RAISE(ABORT, 'arb_legs cannot be deleted');
END;

CREATE TRIGGER unhedged_legs_no_delete BEFORE DELETE ON unhedged_legs
WHEN OLD.state = 'open'
  OR OLD.id > (SELECT coalesce(max(unhedged_through_id), 0) FROM archive_checkpoints)
BEGIN
  SELECT RAISE(ABORT, 'unhedged_legs cannot be deleted');
END;
