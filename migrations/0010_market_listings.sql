-- The open markets each live venue listed the last time `pairs suggest` asked, with the time it asked: suggestions are
-- computed from these rows, so `pairs confirm <id>` names the same pair the person read, without asking the venues again.
-- A cache, not money state: a venue's rows are replaced whole by its next listing.
CREATE TABLE market_listings (
  venue TEXT NOT NULL CHECK (venue <> ''),
  market TEXT NOT NULL CHECK (market <> ''),
  title TEXT NOT NULL,
  close_time TEXT,
  rules TEXT,
  yes_outcome TEXT NOT NULL,
  fetched_at TEXT NOT NULL,
  PRIMARY KEY (venue, market)
);
