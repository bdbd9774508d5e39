-- When a letter's email died (every attempt failed): the letter then waits to be printed and
-- posted instead, and this records that the email never arrived.
ALTER TABLE letters ADD COLUMN undelivered_at TIMESTAMP;

-- Staff alerts gain a kind: a letter whose email died.
ALTER TABLE staff_alerts DROP CONSTRAINT staff_alerts_kind_check;
ALTER TABLE staff_alerts ADD CONSTRAINT staff_alerts_kind_check
    CHECK (kind IN ('assigned', 'due_soon', 'overdue', 'digest', 'complainant_message', 'undelivered'));
