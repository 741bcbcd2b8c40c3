-- A ledger knows it is a ledger. The file header's application id marks every arbbot ledger (so a foreign SQLite file,
-- the paper venue's books or an emptied file is refused, never initialised over), and one row names this ledger: a
-- random id and the time it was created (for a ledger older than this migration, the time it was stamped).

PRAGMA application_id = 1095909964; -- "ARBL"

CREATE TABLE ledger_identity (
  singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
  ledger_id   TEXT NOT NULL CHECK (length(ledger_id) = 32),
  created_at  TEXT NOT NULL
) STRICT;

INSERT INTO ledger_identity (singleton, ledger_id, created_at)
VALUES (1, lower(hex(randomblob(16))), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
