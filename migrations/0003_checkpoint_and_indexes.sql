-- How far the wallet transaction log has been proven, and the indexes fitted to what is read and written most.
--
-- wallet-check walks the log from the checkpoint instead of from the first row: rows up to `through_id` were verified
-- (chain, signs, sums) when the checkpoint was written, and the log is append-only, so proving the books again costs
-- only what was added since. `wallet-check --deep` ignores the checkpoint, walks the whole log and also proves the
-- checkpoint itself.

CREATE TABLE log_checkpoint (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  -- The last wallet transaction proven; every row with a smaller id was proven with it.
  through_id    INTEGER NOT NULL CHECK (through_id >= 0),
  -- Rows of the log up to through_id, and among them the close records and reserve records.
  tx_count      INTEGER NOT NULL CHECK (tx_count >= 0),
  close_count   INTEGER NOT NULL CHECK (close_count >= 0),
  reserve_count INTEGER NOT NULL CHECK (reserve_count >= 0),
  verified_at   TEXT NOT NULL
) STRICT;

-- Each wallet's log as of the checkpoint: the sum of its total and locked deltas (which, the chain being proven,
-- is also its last balance_after and locked_after) and its number of rows.
CREATE TABLE log_checkpoint_wallets (
  venue     TEXT PRIMARY KEY NOT NULL,
  total     INTEGER NOT NULL CHECK (typeof(total) = 'integer'),
  locked    INTEGER NOT NULL CHECK (typeof(locked) = 'integer' AND locked >= 0),
  tx_count  INTEGER NOT NULL CHECK (tx_count > 0)
) STRICT;

-- A reservation's reserve record, found without scanning the log (wallet-check proves each new one is the only one).
CREATE INDEX wallet_transactions_reservation ON wallet_transactions (reservation_id) WHERE reservation_id IS NOT NULL;

-- The positions the TP/SL ladder manages in a market: open and not a leg of a hedged pair (those are held to
-- resolution). Without it, every read of a market's ladder steps over all its hedged pairs, which only accumulate.
CREATE INDEX positions_ladder ON positions (venue, market) WHERE status = 'open' AND kind <> 'arb_hedged';

-- Nothing reads the log by wallet in bulk any more (wallet-check walks it by id), and `history --venue` finds recent
-- rows by walking back from the newest. Every balance change paid for this index with a page write.
DROP INDEX wallet_transactions_venue;
