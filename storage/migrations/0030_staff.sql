-- Association staff at work: branches, roles, invitations, audit, announcements and their reach.

-- Chi hội under a commune, created by staff; members join with the branch's code.
CREATE TABLE branches (
    id            INTEGER PRIMARY KEY,
    commune_code  INTEGER NOT NULL,
    name          TEXT NOT NULL,
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (commune_code, name)
);
ALTER TABLE users ADD COLUMN branch_id INTEGER REFERENCES branches (id) ON DELETE SET NULL;
CREATE INDEX users_branch ON users (branch_id);

-- Older residents of a unit ("province:19", "commune:5800", "branch:3"): every target's denominator.
CREATE TABLE unit_population (
    unit             TEXT PRIMARY KEY,
    older_residents  INTEGER NOT NULL CHECK (older_residents >= 0),
    updated_by       INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_at       TEXT NOT NULL
);

-- A role holds for its unit and everything below it; "all" is the whole country (admins).
CREATE TABLE roles (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'leader', 'staff')),
    unit        TEXT NOT NULL,
    granted_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    granted_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, role, unit)
);

-- One-time codes: a role at a unit, or membership of a branch.
CREATE TABLE invitations (
    code        TEXT PRIMARY KEY,
    role        TEXT CHECK (role IN ('admin', 'leader', 'staff', 'member')),
    unit        TEXT NOT NULL,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    used_at     TEXT
);

-- Every staff action, for accountability. Kept when the actor is deleted (actor_id set NULL).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    actor_id  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    action    TEXT NOT NULL,
    unit      TEXT,
    detail    TEXT NOT NULL,
    at        TEXT NOT NULL
);

CREATE TABLE announcements (
    id             INTEGER PRIMARY KEY,
    sender_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    unit           TEXT NOT NULL,
    topic          TEXT NOT NULL CHECK (topic IN ('chuyen_doi_so', 'chuyen_doi_xanh', 'khoi_nghiep', 'viec_lam', 'khac')),
    text           TEXT NOT NULL,
    file_kind      TEXT CHECK (file_kind IN ('image', 'document')),
    file_path      TEXT,
    only_not_area  TEXT,
    send_at        TEXT NOT NULL,
    urgent         INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL CHECK (status IN ('scheduled', 'queued', 'cancelled')),
    recipients     INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL
);
CREATE INDEX announcements_due ON announcements (status, send_at);

-- "✅ Đã đọc": acknowledged announcements; `informed` keeps the first per learner and topic
-- (the 90%/100% indicator), maintained here rather than recomputed by reports.
CREATE TABLE announcement_acks (
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    acked_at         TEXT NOT NULL,
    PRIMARY KEY (announcement_id, user_id)
);
CREATE TABLE informed (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic     TEXT NOT NULL,
    first_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, topic)
);

-- A practical skill confirmed by staff after a class (evidence beside the quiz-based mastery).
CREATE TABLE skill_confirmations (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    area          TEXT NOT NULL,
    confirmed_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    at            TEXT NOT NULL
);
