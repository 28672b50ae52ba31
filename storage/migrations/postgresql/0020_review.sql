-- Spaced review (FSRS) per learner and competency, and daily reminders.

-- The FSRS card of one competency for one learner (fsrs.Card.to_dict() as JSON); `due` is
-- copied out so "what is due" is one indexed query.
CREATE TABLE review_cards (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    competency  TEXT NOT NULL,
    card        TEXT NOT NULL,
    due         TEXT NOT NULL,
    PRIMARY KEY (user_id, competency)
);
CREATE INDEX review_cards_due ON review_cards (user_id, due);

-- Reminder time in Vietnam time ("HH:MM"), NULL for none. `reminders_ignored` counts reminders
-- sent since the learner last wrote; at three the reminders pause until "bắt đầu".
ALTER TABLE users ADD COLUMN reminder_time TEXT;
ALTER TABLE users ADD COLUMN last_reminder_at TEXT;
ALTER TABLE users ADD COLUMN reminders_ignored BIGINT NOT NULL DEFAULT 0;
CREATE INDEX users_reminder ON users (reminder_time) WHERE reminder_time IS NOT NULL;
