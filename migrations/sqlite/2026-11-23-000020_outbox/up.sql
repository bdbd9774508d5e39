-- The email outbox: every outgoing message, written in the same transaction as the change that
-- caused it, then sent by the background worker with retries. Times are UTC.

CREATE TABLE outbox_messages (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT REFERENCES cases (id),
    template TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT,
    -- JSON array of {filename, content_type, base64}.
    attachments TEXT NOT NULL DEFAULT '[]',
    -- RFC 5322 Message-ID with its angle brackets; fixed at enqueue, the same on every retry.
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    -- The instance holding the lease while status = 'sending', and when the lease runs out.
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);

-- The worker's query: due pending messages, and sending ones whose lease ran out.
CREATE INDEX outbox_messages_due_idx ON outbox_messages (status, next_attempt_at);
CREATE INDEX outbox_messages_lease_idx ON outbox_messages (status, claimed_until);
-- The admin list: by status, newest first.
CREATE INDEX outbox_messages_list_idx ON outbox_messages (status, created_at, id);
CREATE INDEX outbox_messages_case_idx ON outbox_messages (case_id);
