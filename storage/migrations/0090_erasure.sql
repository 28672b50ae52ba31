-- Erasure is total: user ids are never reused (the next person to register must not inherit
-- an erased person's audit or report history). SQLite reuses the largest rowid after it is
-- deleted unless the table was made AUTOINCREMENT, which would mean rebuilding `users` under
-- every table that references it; the same guarantee is kept here with a high-water mark that
-- UserRepo.create numbers new learners from and that every insert raises.
INSERT OR REPLACE INTO meta (key, value)
SELECT 'users_max_id', CAST(COALESCE(MAX(id), 0) AS TEXT) FROM users;

CREATE TRIGGER users_max_id AFTER INSERT ON users
BEGIN
    UPDATE meta SET value = CAST(max(CAST(value AS INTEGER), NEW.id) AS TEXT)
    WHERE key = 'users_max_id';
END;

-- Audit rows keep who acted only while that person exists (actor_id SET NULL on erasure) and
-- never name a subject by id after erasure (storage/privacy.py strips it).
