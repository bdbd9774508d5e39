-- Events sealed under the keyed chain keep their new seals: the unkeyed checks of the earlier
-- version will not hold for them.
DROP TABLE audit_heads;
DROP TABLE audit_log;
DROP INDEX timeline_events_unsealed_idx;
DROP TRIGGER timeline_events_no_update;
CREATE TRIGGER timeline_events_no_update BEFORE UPDATE ON timeline_events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only: they cannot be updated');
END;
ALTER TABLE timeline_events DROP COLUMN erased;
ALTER TABLE timeline_events DROP COLUMN details_digest;
ALTER TABLE timeline_events DROP COLUMN summary_digest;
