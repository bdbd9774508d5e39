-- Letters to complainants (emailed, or printed and posted when regulation 15 consent is absent)
-- and the staff alerts already sent (a unique key makes each alert go once, whatever the
-- number of Candour instances).

CREATE TABLE letters (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    template TEXT NOT NULL,
    statutory BOOLEAN NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'post')),
    status TEXT NOT NULL CHECK (status IN ('emailed', 'to_post', 'posted')),
    subject TEXT NOT NULL,
    html TEXT NOT NULL,
    outbox_message_id TEXT REFERENCES outbox_messages (id),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    posted_at TIMESTAMP,
    posted_by TEXT REFERENCES users (id)
);
CREATE INDEX letters_case_idx ON letters (case_id, created_at);
CREATE INDEX letters_status_idx ON letters (status);

CREATE TABLE staff_alerts (
    id TEXT PRIMARY KEY NOT NULL,
    dedupe_key TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users (id),
    case_id TEXT REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('assigned', 'due_soon', 'overdue', 'digest', 'complainant_message')),
    outbox_message_id TEXT REFERENCES outbox_messages (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_alerts_user_idx ON staff_alerts (user_id, created_at);
