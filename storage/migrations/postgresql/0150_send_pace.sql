-- The shared pace of bulk sending (bot/delivery.py, Pacer): one row per channel holding the
-- earliest moment (Unix seconds, wall clock) of the next free send slot. Every worker process
-- books its slots here in small batches, so the channel's rate (Telegram: 30/s per bot token)
-- holds across all workers together; a 429's retry_after moves it later for everyone.
-- Portable SQL: the same statement runs on SQLite and PostgreSQL.
CREATE TABLE send_pace (
    channel  TEXT PRIMARY KEY,
    next_at  DOUBLE PRECISION NOT NULL
);
