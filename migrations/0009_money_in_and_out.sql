-- What the report and the run's status line read without walking a whole table. Money put in and taken out per venue:
-- the log grows by every trade while deposits stay few. A trade's legs, and the leg a hedged position came from: a
-- resolution reports each hedged pair's net result once its last leg closes.
CREATE INDEX wallet_transactions_flows ON wallet_transactions (venue, type, amount) WHERE type IN ('deposit', 'withdrawal');
CREATE INDEX arb_legs_trade ON arb_legs (trade_id);
CREATE INDEX arb_legs_hedged_position ON arb_legs (hedged_position_id) WHERE hedged_position_id IS NOT NULL;
