-- Linking one person's identities across channels (Telegram and Zalo).

-- Extra channel identities of a learner. The learner's first identity stays in users.identity;
-- each row here makes another identity resolve to the same user. `blocked` is per identity:
-- blocking the bot on Telegram must not silence Zalo.
CREATE TABLE identities (
    identity   TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked    BIGINT NOT NULL DEFAULT 0,
    linked_at  TEXT NOT NULL
);
CREATE INDEX identities_user ON identities (user_id);

-- One-time codes: shown on one channel, typed on the other.
CREATE TABLE link_codes (
    code        TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    identity    TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX link_codes_user ON link_codes (user_id);

-- Wrong codes typed, per salted hash of the identity, so codes cannot be guessed by trying.
CREATE TABLE link_attempts (
    key           TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    window_start  TEXT NOT NULL
);
