-- The timeline is the case's audit record: rows are added, never changed or removed.
CREATE TRIGGER timeline_events_no_update BEFORE UPDATE ON timeline_events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only: they cannot be updated');
END;
CREATE TRIGGER timeline_events_no_delete BEFORE DELETE ON timeline_events
BEGIN
    SELECT RAISE(ABORT, 'timeline events are append-only: they cannot be deleted');
END;
