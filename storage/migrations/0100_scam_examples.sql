-- «Cháu xem giúp tin này»: a checked message is never stored, unless the person agrees, each
-- time, to share it with their association's staff as an example. What is kept is anonymised
-- before it gets here (numbers and names masked) and carries no user id, only the unit it was
-- shared with, so nothing in it refers back to the person (and erasure has nothing to strip).
CREATE TABLE scam_examples (
    id INTEGER PRIMARY KEY,
    shared_at TEXT NOT NULL,
    unit TEXT,
    verdict TEXT NOT NULL CHECK (verdict IN ('scam', 'unsure', 'ok')),
    score REAL NOT NULL,
    signs TEXT NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX scam_examples_unit ON scam_examples (unit, shared_at);
