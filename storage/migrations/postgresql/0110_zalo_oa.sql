-- Zalo Official Account: the OA's tokens (encrypted by the application with a key from the
-- environment, HOCSO_ZALO_OA_TOKEN_KEY; never stored in clear) and each follower's
-- conversation window (when they last wrote, what was sent since, what Zalo said was left).

-- One row per OA app. `renewing_until` is a lease: the worker that sets it (compare-and-set in
-- a transaction) renews; others wait and read the result. `generation` grows with each renewal.
-- `seed_mac` identifies the tokens last given in the environment (an HMAC, not the token): new
-- ones given there (the OA was authorised again) replace the stored pair, the same ones do not.
CREATE TABLE zalo_oa_tokens (
    app_id          TEXT PRIMARY KEY,
    access_enc      TEXT NOT NULL,
    refresh_enc     TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    generation      BIGINT NOT NULL DEFAULT 1,
    seed_mac        TEXT,
    renewing_until  TEXT,
    renewed_at      TEXT NOT NULL
);

-- One row per follower identity ("zalo_oa:<user id>"): no name, no text. `last_user_at` is
-- their last message or button press (UTC ISO); `sent_since` counts our messages since then;
-- `quota_type`/`remain` are what Zalo answered last ('reply', 'sub_quota', ...).
CREATE TABLE zalo_oa_window (
    identity      TEXT PRIMARY KEY,
    last_user_at  TEXT,
    sent_since    BIGINT NOT NULL DEFAULT 0,
    quota_type    TEXT,
    remain        BIGINT,
    updated_at    TEXT NOT NULL
);

-- Erasure deletes the learner and their identities: their window row goes with them.
CREATE FUNCTION zalo_oa_window_erase() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM zalo_oa_window WHERE identity = OLD.identity;
    RETURN NULL;
END $$;
CREATE TRIGGER zalo_oa_window_erase_user AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION zalo_oa_window_erase();
CREATE TRIGGER zalo_oa_window_erase_identity AFTER DELETE ON identities
    FOR EACH ROW EXECUTE FUNCTION zalo_oa_window_erase();

-- Outbox rows waiting for a person's window ('pending' with a reason): found by identity when
-- that person writes again, without reading the whole outbox.
CREATE INDEX outbox_waiting ON outbox (identity) WHERE status = 'pending' AND last_error IS NOT NULL;
