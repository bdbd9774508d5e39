-- When a letter's email died (every attempt failed): the letter then waits to be printed and
-- posted instead, and this records that the email never arrived.
ALTER TABLE letters ADD COLUMN undelivered_at TIMESTAMP;

-- Staff alerts gain a kind: a letter whose email died. SQLite cannot change a CHECK in place,
-- so the table is rebuilt with its rows.
CREATE TABLE staff_alerts_new (
    id TEXT PRIMARY KEY NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    case_id TEXT REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('assigned', 'due_soon', 'overdue', 'digest', 'complainant_message', 'undelivered')),
    outbox_message_id TEXT REFERENCES outbox_messages (id),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO staff_alerts_new (id, dedupe_key, user_id, case_id, kind, outbox_message_id, created_at)
    SELECT id, dedupe_key, user_id, case_id, kind, outbox_message_id, created_at FROM staff_alerts;
DROP TABLE staff_alerts;
ALTER TABLE staff_alerts_new RENAME TO staff_alerts;
CREATE INDEX staff_alerts_user_idx ON staff_alerts (user_id, created_at);
