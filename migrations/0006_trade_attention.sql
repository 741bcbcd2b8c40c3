-- A trade a venue reported the impossible about needs a person.
--
-- arb_trades.attention: the venue's latest impossible report about one of the trade's orders (an overfill, a phantom
-- fill, a fill beyond the limit, a negative fee), scrubbed of secrets; NULL when nothing is to be looked at. The
-- trade's state keeps saying where its orders are (submitted: sent); this column says that what one venue answered
-- about them cannot be booked, so the leg it concerns waits, its money held, for the venue to answer sanely
-- (reconcile) or for a person to record what happened (resolve-trade). A later claim replaces an earlier one; an
-- unreachable venue changes nothing. A settled or failed trade needs no one: the column is cleared when it settles.

ALTER TABLE arb_trades ADD COLUMN attention TEXT CHECK (attention IS NULL OR state NOT IN ('settled', 'failed'));
