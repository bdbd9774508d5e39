-- The keyed audit chain: each event is sealed with an HMAC (its key from the environment)
-- over its facts and the digests of its texts, so a text can be erased for retention or
-- redaction and the chain still holds. Events written before have no digests yet; the
-- application checks their old hashes and seals them anew the first time it opens the
-- database.
ALTER TABLE timeline_events ADD COLUMN summary_digest TEXT;
ALTER TABLE timeline_events ADD COLUMN details_digest TEXT;
-- `redaction` or `retention` once the texts were replaced by the erasure mark.
ALTER TABLE timeline_events ADD COLUMN erased TEXT;
-- Finds the events still to seal anew without reading the whole timeline at every start.
CREATE INDEX timeline_events_unsealed_idx ON timeline_events (case_id)
    WHERE summary_digest IS NULL;

-- Still append-only, with two exceptions the chain allows: an old event sealed anew (its
-- facts and texts unchanged), and a sealed event's texts erased (its seal unchanged).
DROP TRIGGER timeline_events_no_update;
CREATE TRIGGER timeline_events_no_update BEFORE UPDATE ON timeline_events
WHEN NOT (
    NEW.id IS OLD.id AND NEW.case_id IS OLD.case_id AND NEW.seq IS OLD.seq
    AND NEW.occurred_at IS OLD.occurred_at AND NEW.actor_id IS OLD.actor_id
    AND NEW.kind IS OLD.kind
    AND (
        (OLD.summary_digest IS NULL AND NEW.summary_digest IS NOT NULL
         AND NEW.details_digest IS NOT NULL AND NEW.summary IS OLD.summary
         AND NEW.details IS OLD.details AND NEW.erased IS NULL)
        OR
        (OLD.summary_digest IS NOT NULL AND OLD.erased IS NULL AND NEW.erased IS NOT NULL
         AND NEW.summary_digest IS OLD.summary_digest
         AND NEW.details_digest IS OLD.details_digest
         AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash)
    )
)
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only: only an old event''s new seal or an erasure of its text may change it');
END;

-- The system audit log: admin and security events, one chain sealed the same way.
CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    seq INTEGER NOT NULL UNIQUE,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    target_kind TEXT,
    target_id TEXT,
    client TEXT,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    summary_digest TEXT NOT NULL,
    details_digest TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_action_idx ON audit_log (action, occurred_at);
CREATE INDEX audit_log_target_idx ON audit_log (target_kind, target_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its events cannot be updated');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only: its events cannot be deleted');
END;

-- Each chain's head (a case id, or `system`): how many events and the last seal, sealed, so
-- that events removed from the end of a chain, or a whole chain, are found.
CREATE TABLE audit_heads (
    chain TEXT PRIMARY KEY NOT NULL,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    seal TEXT NOT NULL
);
CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
BEGIN
    SELECT RAISE(ABORT, 'chain heads cannot be deleted');
END;
