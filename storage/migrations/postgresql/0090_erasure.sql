-- Erasure is total: user ids are never reused. On SQLite a high-water mark in meta keeps that
-- promise; here users.id is an identity column, whose sequence never hands out a number twice
-- (`bot db copy` sets it past the copied mark). Nothing to add.
SELECT 1;
