-- The persistent outbox: every bulk message (announcements, campaigns) waits here until the
-- delivery worker (bot/delivery.py) has sent it, so a restart loses nothing.

-- One row per message to one person. `payload` is JSON {"text", "buttons": [[id, label]],
-- "files": [[kind, path]]}. `not_before` (UTC ISO) holds a row back: a scheduled send or the
-- backoff after a failed attempt; NULL means as soon as possible. A row is 'sending' only while
-- a worker holds it; at start every 'sending' row goes back to 'pending'. announcement_id is
-- the lead's announcements.id (no foreign key, so the outbox does not depend on that table);
-- UNIQUE makes enqueuing an announcement twice harmless.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    announcement_id  INTEGER,
    identity         TEXT NOT NULL,
    payload          TEXT NOT NULL,
    urgent           INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    not_before       TEXT,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'blocked')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    claimed_at       TEXT,
    sent_at          TEXT,
    created_at       TEXT NOT NULL,
    UNIQUE (announcement_id, identity)
);

-- What the worker claims next: pending rows, urgent first, then in order of enqueuing.
CREATE INDEX outbox_pending ON outbox (urgent DESC, id) WHERE status = 'pending';
-- Rows held by a worker (put back to pending at start); small by construction.
CREATE INDEX outbox_sending ON outbox (id) WHERE status = 'sending';
-- Per-announcement counts by status and failure reasons, without reading payloads.
CREATE INDEX outbox_announcement ON outbox (announcement_id, status, last_error);
