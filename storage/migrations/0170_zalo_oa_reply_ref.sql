-- Zalo OA counts a consultation message as a free reply (8 within 48 hours of the person's
-- message) only when the request names the message it answers (`message_id`); one that names
-- only the user is a paid, proactive message (Zalo OA help centre, article 64000263278). The
-- follower's last message id is kept with their window so that any worker can name it.
ALTER TABLE zalo_oa_window ADD COLUMN last_msg_id TEXT;
