DROP INDEX sessions_cookie_hash_idx;
ALTER TABLE sessions DROP COLUMN cookie_hash;
