-- Documents on a case: metadata only; the bytes live in the file store, named by their SHA-256.
-- A replacement is a new row in the same series (the first version's id) with the next version;
-- the row it replaces points at it, so earlier versions are kept.
CREATE TABLE documents (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    series_id TEXT NOT NULL,
    version INTEGER NOT NULL CHECK (version >= 1),
    replaced_by TEXT REFERENCES documents (id),
    kind TEXT NOT NULL CHECK (kind IN ('complainant_letter', 'email', 'consent_form', 'statement', 'evidence', 'response_letter', 'meeting_notes', 'other')),
    description TEXT NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL CHECK (size_bytes >= 0),
    sha256 TEXT NOT NULL,
    email_from TEXT,
    email_subject TEXT,
    email_date TEXT,
    -- `staff`, or `complainant` (through their tracking link: no staff uploader).
    source TEXT NOT NULL DEFAULT 'staff' CHECK (source IN ('staff', 'complainant')),
    uploaded_by TEXT REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL,
    -- The content erased (`retention` or `redaction`) and when: the row and its digest stay, so
    -- the timeline that names it still verifies; the name and description are marked erased.
    erased TEXT CHECK (erased IN ('retention', 'redaction')),
    erased_at TIMESTAMP,
    UNIQUE (series_id, version)
);
CREATE INDEX documents_case_idx ON documents (case_id, series_id, version);
CREATE INDEX documents_sha256_idx ON documents (sha256);

-- Documents a tracking link uploaded on its day (the per-link daily limit).
ALTER TABLE tracking_links ADD COLUMN upload_day DATE;
ALTER TABLE tracking_links ADD COLUMN uploads_on_day INTEGER NOT NULL DEFAULT 0;
