-- Events sealed under the keyed chain keep their new seals: the unkeyed checks of the earlier
-- version will not hold for them.
DROP TABLE audit_heads;
DROP FUNCTION audit_heads_kept();
DROP TABLE audit_log;
DROP INDEX timeline_events_unsealed_idx;
DROP FUNCTION audit_log_append_only();
CREATE OR REPLACE FUNCTION timeline_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'timeline events are append-only: they cannot be changed (%)', TG_OP;
END;
$$;
ALTER TABLE timeline_events DROP COLUMN erased;
ALTER TABLE timeline_events DROP COLUMN details_digest;
ALTER TABLE timeline_events DROP COLUMN summary_digest;
