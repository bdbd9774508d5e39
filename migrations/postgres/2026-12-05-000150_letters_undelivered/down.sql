DELETE FROM staff_alerts WHERE kind = 'undelivered';
ALTER TABLE staff_alerts DROP CONSTRAINT staff_alerts_kind_check;
ALTER TABLE staff_alerts ADD CONSTRAINT staff_alerts_kind_check
    CHECK (kind IN ('assigned', 'due_soon', 'overdue', 'digest', 'complainant_message'));
ALTER TABLE letters DROP COLUMN undelivered_at;
