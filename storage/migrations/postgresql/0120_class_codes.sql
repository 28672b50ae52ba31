-- A class at the commune hall: one code many people use (a class code), up to a cap, until it
-- expires or is closed; who used it and when; and a code given before consent, kept by a salted
-- hash of the identity (no personal field) until the person agrees and signs up.
ALTER TABLE invitations ADD COLUMN max_uses BIGINT NOT NULL DEFAULT 1 CHECK (max_uses >= 1);
ALTER TABLE invitations ADD COLUMN uses BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN closed_at TEXT;
UPDATE invitations SET uses = 1 WHERE used_by IS NOT NULL;

-- One row per person per code: `started_at` when they gave it (possibly during sign-up),
-- `joined_at` once applied. The staff member's class screen reads this.
CREATE TABLE invitation_uses (
    code        TEXT NOT NULL REFERENCES invitations (code) ON DELETE CASCADE,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at  TEXT NOT NULL,
    joined_at   TEXT,
    PRIMARY KEY (code, user_id)
);
CREATE INDEX invitation_uses_user ON invitation_uses (user_id);

CREATE TABLE pending_codes (
    key      TEXT PRIMARY KEY,  -- salted hash of the identity (UserRepo.anon_key)
    code     TEXT NOT NULL,
    kept_at  TEXT NOT NULL
);
