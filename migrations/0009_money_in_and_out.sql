-- What the report and the run's status line read without walking a whole table. Money put in and taken out per venue:
-- the log grows by every trade while deposits stay few. A trade's legs, and the leg a hedged position came from: a
-- resolution reports each hedged pair's net result once its last leg closes.
CREATE INDEX wallet_transactions_flows ON wallet_transactions (venue, type, amount) WHERE type IN ('deposit', 'withdrawal');
CREATE INDEX arb_legs_trade ON arb_legs (trade_id);
CREATE INDEX arb_legs_hedged_position ON arb_legs (hedged_position_id) WHERE hedged_position_id IS NOT NULL;

-- What an archive took out of the report's sight, per wallet and cumulative like the rest of its figures: the money put
-- in and taken out, and the closed positions' realised net PnL, fees and count. The report adds them back, so equity
-- against deposits tells the same story before and after an archive.
ALTER TABLE archive_checkpoint_wallets ADD COLUMN deposits INTEGER NOT NULL DEFAULT 0 CHECK (typeof(deposits) = 'integer' AND deposits >= 0);
ALTER TABLE archive_checkpoint_wallets ADD COLUMN withdrawals INTEGER NOT NULL DEFAULT 0 CHECK (typeof(withdrawals) = 'integer' AND withdrawals >= 0);
ALTER TABLE archive_checkpoint_wallets ADD COLUMN realised INTEGER NOT NULL DEFAULT 0 CHECK (typeof(realised) = 'integer');
ALTER TABLE archive_checkpoint_wallets ADD COLUMN fees INTEGER NOT NULL DEFAULT 0 CHECK (typeof(fees) = 'integer' AND fees >= 0);
ALTER TABLE archive_checkpoint_wallets ADD COLUMN closed INTEGER NOT NULL DEFAULT 0 CHECK (typeof(closed) = 'integer' AND closed >= 0);
