-- A web form sent twice (a double click on a slow line, a refresh that sends it again, two
-- web processes each taking one of the two requests) makes one announcement, or one indicator
-- entry, not two: each such form carries a random key of its own, unique here (NULL for what
-- the chat creates, where the conversation's state already stops a repeat).
ALTER TABLE announcements ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX announcements_form_key ON announcements (form_key);
ALTER TABLE indicator_entries ADD COLUMN form_key TEXT;
CREATE UNIQUE INDEX indicator_entries_form_key ON indicator_entries (form_key);
