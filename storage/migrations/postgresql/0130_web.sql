-- The web pages for leaders and staff (bot/web/): one-time login links sent in chat, and the
-- sessions they open. Only SHA-256 hashes of the random tokens are kept, so a copy of the
-- database lets nobody in.

CREATE TABLE web_logins (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX web_logins_user ON web_logins (user_id);

CREATE TABLE web_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    secure      BIGINT NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    ended_at    TEXT
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
