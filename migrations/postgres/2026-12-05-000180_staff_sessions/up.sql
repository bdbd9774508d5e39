-- Sessions of the staff pages: the browser holds a random secret in a cookie; the session keeps
-- only its SHA-256. API sessions (bearer tokens) leave it empty. `last_refreshed_at` doubles as
-- "last seen" for the idle timeout of a page session.
ALTER TABLE sessions ADD COLUMN cookie_hash TEXT;
CREATE UNIQUE INDEX sessions_cookie_hash_idx ON sessions (cookie_hash);
