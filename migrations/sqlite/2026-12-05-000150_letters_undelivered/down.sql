DELETE FROM staff_alerts WHERE kind = 'undelivered';
CREATE TABLE staff_alerts_old (
    id TEXT PRIMARY KEY NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    case_id TEXT REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('assigned', 'due_soon', 'overdue', 'digest', 'complainant_message')),
    outbox_message_id TEXT REFERENCES outbox_messages (id),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO staff_alerts_old SELECT id, dedupe_key, user_id, case_id, kind, outbox_message_id, created_at FROM staff_alerts;
DROP TABLE staff_alerts;
ALTER TABLE staff_alerts_old RENAME TO staff_alerts;
CREATE INDEX staff_alerts_user_idx ON staff_alerts (user_id, created_at);
ALTER TABLE letters DROP COLUMN undelivered_at;
