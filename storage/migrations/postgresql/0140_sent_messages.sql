-- The platform's id of each message a bulk row was sent as (Telegram's message_id), so a
-- reaction on that message (👍 on an announcement) finds its announcement. Rows go with their
-- outbox row; erasure deletes a person's rows (storage/privacy.py).

CREATE TABLE outbox_messages (
    identity    TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    outbox_id   BIGINT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    PRIMARY KEY (identity, message_id)
);
CREATE INDEX outbox_messages_row ON outbox_messages (outbox_id);
