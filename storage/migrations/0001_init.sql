-- Learners, their conversation position, answers as events and mastery kept beside them.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per person who consented (identity = "channel:id"). A refusal is kept as a row whose
-- identity is a salted hash and whose personal fields are all NULL.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    identity        TEXT NOT NULL UNIQUE,
    consent         TEXT NOT NULL CHECK (consent IN ('given', 'refused')),
    consent_at      TEXT NOT NULL,
    address_form    TEXT CHECK (address_form IN ('ông', 'bà', 'bác', 'cô', 'chú')),
    display_name    TEXT,
    birth_year      INTEGER CHECK (birth_year BETWEEN 1900 AND 2100),
    province_code   INTEGER,
    commune_code    INTEGER,
    branch_code     TEXT,
    registered_at   TEXT,
    blocked         INTEGER NOT NULL DEFAULT 0,
    paused          INTEGER NOT NULL DEFAULT 0,
    proficient      INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    last_active_at  TEXT NOT NULL
);
CREATE INDEX users_unit ON users (province_code, commune_code);

-- Where each conversation stands; key is the identity (or the hashed one after a refusal).
CREATE TABLE conversations (
    key         TEXT PRIMARY KEY,
    state       TEXT NOT NULL,
    data        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Channel update ids already handled, so a replayed update is not answered or recorded twice.
CREATE TABLE inbound_events (
    key      TEXT PRIMARY KEY,
    seen_at  TEXT NOT NULL
);

-- Every answer, as an event.
CREATE TABLE answers (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    question_id   TEXT NOT NULL,
    lesson_id     TEXT NOT NULL,
    option_index  INTEGER NOT NULL,
    correct       INTEGER NOT NULL CHECK (correct IN (0, 1)),
    context       TEXT NOT NULL CHECK (context IN ('lesson', 'review', 'scenario')),
    answered_at   TEXT NOT NULL
);
CREATE INDEX answers_user ON answers (user_id, answered_at);

-- BKT estimate per learner and competency, updated with each answer.
CREATE TABLE mastery (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    competency  TEXT NOT NULL,
    p_known     REAL NOT NULL,
    mastered    INTEGER NOT NULL CHECK (mastered IN (0, 1)),
    attempts    INTEGER NOT NULL,
    correct     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, competency)
);

-- Skill areas a learner has mastered (all of the area's competencies), for reports.
CREATE TABLE area_mastery (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    area        TEXT NOT NULL,
    mastered    INTEGER NOT NULL CHECK (mastered IN (0, 1)),
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, area)
);

CREATE TABLE lesson_progress (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    lesson_id     TEXT NOT NULL,
    started_at    TEXT NOT NULL,
    completed_at  TEXT,
    correct       INTEGER NOT NULL DEFAULT 0,
    total         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, lesson_id)
);
