-- The durable inbox: every incoming update is written here, deduplicated by channel and update
-- id, before the platform is told it arrived. A row is 'pending' until its turn commits; the turn
-- marks it 'answered' with the replies in the same transaction; once the replies are sent it is
-- 'done'. After a crash, 'pending' rows are handled again and 'answered' rows' replies sent
-- again, so an acknowledged update is processed exactly once. 'failed': an update that broke its
-- turn three times, kept for the operator.
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    channel     TEXT NOT NULL,
    update_id   TEXT NOT NULL,
    chat        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'answered', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    replies     TEXT,
    received_at TEXT NOT NULL,
    done_at     TEXT,
    UNIQUE (channel, update_id)
);
CREATE INDEX inbox_open ON inbox (channel, id) WHERE status IN ('pending', 'answered');
CREATE INDEX inbox_chat ON inbox (chat);
CREATE INDEX inbox_done ON inbox (done_at) WHERE status = 'done';
