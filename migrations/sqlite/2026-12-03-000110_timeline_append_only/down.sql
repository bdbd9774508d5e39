DROP TRIGGER IF EXISTS timeline_events_no_update;
DROP TRIGGER IF EXISTS timeline_events_no_delete;
