DROP TRIGGER IF EXISTS timeline_events_no_truncate ON timeline_events;
DROP TRIGGER IF EXISTS timeline_events_no_change ON timeline_events;
DROP FUNCTION IF EXISTS timeline_events_append_only();
