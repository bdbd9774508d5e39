-- Cases (complaints and PALS concerns), the people they concern, their coding, clock records,
-- the tamper-evident timeline and the access log.

CREATE TABLE persons (
    id TEXT PRIMARY KEY NOT NULL,
    full_name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    postal_address TEXT,
    preferred_contact TEXT CHECK (preferred_contact IN ('email', 'phone', 'letter')),
    nhs_number TEXT,
    date_of_birth DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    redacted_at TIMESTAMP
);
CREATE INDEX persons_nhs_number_idx ON persons (nhs_number);

CREATE TABLE reference_counters (
    prefix TEXT NOT NULL,
    year INTEGER NOT NULL,
    last_value INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'pals_concern')),
    status TEXT NOT NULL CHECK (status IN ('received', 'acknowledged', 'investigating', 'responded',
        'closed', 'withdrawn', 'open', 'resolved', 'escalated')),
    channel TEXT NOT NULL,
    received_on DATE NOT NULL,
    incident_on DATE,
    became_aware_on DATE,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    desired_outcome TEXT NOT NULL,
    complainant_id TEXT NOT NULL REFERENCES persons (id),
    patient_id TEXT REFERENCES persons (id),
    patient_is_complainant BOOLEAN NOT NULL,
    representative_basis TEXT CHECK (representative_basis IN ('deceased', 'child',
        'physical_incapacity', 'lacks_capacity', 'patient_request')),
    consent_status TEXT NOT NULL CHECK (consent_status IN ('not_required', 'requested', 'received',
        'refused', 'cannot_be_obtained')),
    consent_requested_on DATE,
    consent_received_on DATE,
    email_consent BOOLEAN NOT NULL,
    email_consent_on DATE,
    email_consent_withdrawn_on DATE,
    complainant_status TEXT NOT NULL,
    age_band TEXT NOT NULL,
    risk_consequence INTEGER CHECK (risk_consequence BETWEEN 1 AND 5),
    risk_likelihood INTEGER CHECK (risk_likelihood BETWEEN 1 AND 5),
    risk_grade TEXT CHECK (risk_grade IN ('low', 'moderate', 'high', 'extreme')),
    handler_id TEXT REFERENCES users (id),
    investigator_id TEXT REFERENCES users (id),
    out_of_time BOOLEAN NOT NULL,
    time_limit_decision TEXT CHECK (time_limit_decision IN ('accepted', 'declined')),
    acknowledgement_due_on DATE,
    acknowledged_on DATE,
    acknowledgement_method TEXT,
    handling_discussion_offered BOOLEAN,
    meeting_offered BOOLEAN,
    response_due_on DATE,
    response_due_agreed BOOLEAN NOT NULL DEFAULT FALSE,
    six_month_letter_due_on DATE,
    six_month_letter_sent_on DATE,
    pals_due_on DATE,
    -- The next date due, or 9999-12-31 when nothing is due: the work-queue sort key and the
    -- overdue test (next_due_key < today) in one indexed column.
    next_due_key DATE NOT NULL DEFAULT '9999-12-31',
    investigation_started_on DATE,
    paused_on DATE,
    paused_working_days INTEGER NOT NULL DEFAULT 0,
    responded_on DATE,
    outcome TEXT CHECK (outcome IN ('upheld', 'partially_upheld', 'not_upheld')),
    closed_on DATE,
    withdrawn_on DATE,
    resolved_on DATE,
    linked_case_id TEXT REFERENCES cases (id),
    reopened_count INTEGER NOT NULL DEFAULT 0,
    calendar_version INTEGER NOT NULL REFERENCES calendar_versions (version),
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cases_status_idx ON cases (status, received_on, id);
CREATE INDEX cases_kind_received_idx ON cases (kind, received_on);
CREATE INDEX cases_received_on_idx ON cases (received_on, id);
CREATE INDEX cases_handler_idx ON cases (handler_id, next_due_key, id);
CREATE INDEX cases_investigator_idx ON cases (investigator_id);
CREATE INDEX cases_response_due_idx ON cases (response_due_on);
CREATE INDEX cases_ack_due_idx ON cases (acknowledgement_due_on);
CREATE INDEX cases_complainant_idx ON cases (complainant_id);
CREATE INDEX cases_patient_idx ON cases (patient_id);
CREATE INDEX cases_risk_grade_idx ON cases (risk_grade);
CREATE INDEX cases_next_due_idx ON cases (next_due_key, id);

CREATE TABLE case_subjects (
    case_id TEXT NOT NULL REFERENCES cases (id),
    subject_code TEXT NOT NULL,
    subcategory_code TEXT,
    is_primary BOOLEAN NOT NULL,
    outcome TEXT CHECK (outcome IN ('upheld', 'not_upheld')),
    PRIMARY KEY (case_id, subject_code)
);
CREATE INDEX case_subjects_code_idx ON case_subjects (subject_code, case_id);

CREATE TABLE case_services (
    case_id TEXT NOT NULL REFERENCES cases (id),
    service_id TEXT NOT NULL REFERENCES services (id),
    PRIMARY KEY (case_id, service_id)
);
CREATE INDEX case_services_service_idx ON case_services (service_id);

CREATE TABLE case_professions (
    case_id TEXT NOT NULL REFERENCES cases (id),
    profession_code TEXT NOT NULL,
    PRIMARY KEY (case_id, profession_code)
);

CREATE TABLE time_limit_decisions (
    case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases (id),
    decision TEXT NOT NULL CHECK (decision IN ('accepted', 'declined')),
    good_reason TEXT,
    still_investigable TEXT,
    decline_reason TEXT,
    decided_by TEXT NOT NULL REFERENCES users (id),
    decided_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE case_extensions (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    previous_due_on DATE,
    new_due_on DATE NOT NULL,
    reason TEXT NOT NULL,
    complainant_agreed BOOLEAN NOT NULL,
    agreed_on DATE,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_extensions_case_idx ON case_extensions (case_id);

CREATE TABLE case_pauses (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    paused_on DATE NOT NULL,
    resumed_on DATE,
    reason TEXT NOT NULL,
    working_days INTEGER,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_pauses_case_idx ON case_pauses (case_id);

CREATE TABLE case_responses (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    sent_on DATE NOT NULL,
    signed_by TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('upheld', 'partially_upheld', 'not_upheld')),
    ombudsman_rights_given BOOLEAN NOT NULL,
    summary TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_responses_case_idx ON case_responses (case_id);

CREATE TABLE timeline_events (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    seq INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (case_id, seq)
);
CREATE INDEX timeline_kind_idx ON timeline_events (kind, occurred_at);

CREATE TABLE case_access_log (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    route TEXT NOT NULL,
    accessed_at TIMESTAMP NOT NULL
);
CREATE INDEX case_access_log_case_idx ON case_access_log (case_id, accessed_at);
