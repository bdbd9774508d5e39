-- Face-to-face meetings (with their attendees, reschedules and follow-up actions), Duty of
-- Candour records (with their steps and contact attempts) and ombudsman referrals (with the
-- PHSO's recommendations).

CREATE TABLE meetings (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    status TEXT NOT NULL CHECK (status IN ('offered', 'accepted', 'declined', 'scheduled', 'held',
        'cancelled')),
    offered_on DATE NOT NULL,
    offer_method TEXT CHECK (offer_method IN ('letter', 'email', 'phone', 'in_person')),
    offer_note TEXT,
    accepted_on DATE,
    declined_on DATE,
    decline_reason TEXT,
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    location TEXT,
    video_link TEXT,
    organiser_id TEXT REFERENCES users (id),
    interpreter_language TEXT,
    advocate TEXT,
    accessibility_needs TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,
    held_on DATE,
    notes TEXT,
    summary_sent_on DATE,
    cancelled_on DATE,
    cancel_reason TEXT,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_case_idx ON meetings (case_id, created_at);
CREATE INDEX meetings_offered_on_idx ON meetings (offered_on);
CREATE INDEX meetings_held_on_idx ON meetings (held_on);

CREATE TABLE meeting_attendees (
    id TEXT PRIMARY KEY NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('staff', 'other')),
    user_id TEXT REFERENCES users (id),
    name TEXT,
    role_label TEXT,
    email TEXT,
    CHECK ((kind = 'staff' AND user_id IS NOT NULL) OR (kind = 'other' AND name IS NOT NULL))
);
CREATE INDEX meeting_attendees_meeting_idx ON meeting_attendees (meeting_id, position);

CREATE TABLE meeting_schedules (
    id TEXT PRIMARY KEY NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    sequence INTEGER NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    location TEXT,
    video_link TEXT,
    reason TEXT,
    changed_by TEXT NOT NULL REFERENCES users (id),
    changed_at TIMESTAMP NOT NULL,
    UNIQUE (meeting_id, sequence)
);

CREATE TABLE meeting_actions (
    id TEXT PRIMARY KEY NOT NULL,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    owner_id TEXT REFERENCES users (id),
    due_on DATE
);
CREATE INDEX meeting_actions_meeting_idx ON meeting_actions (meeting_id, position);

CREATE TABLE candour_records (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases (id),
    incident_reference TEXT,
    incident_on DATE,
    became_aware_on DATE NOT NULL,
    flagged_on DATE NOT NULL,
    flagged_by TEXT NOT NULL REFERENCES users (id),
    harm_level TEXT CHECK (harm_level IN ('none', 'low', 'moderate', 'severe', 'death',
        'prolonged_psychological_harm')),
    harm_decided_by TEXT REFERENCES users (id),
    harm_decided_on DATE,
    harm_rationale TEXT,
    exception_kind TEXT CHECK (exception_kind IN ('could_not_contact', 'declined_to_engage')),
    exception_recorded_on DATE,
    exception_recorded_by TEXT REFERENCES users (id),
    exception_note TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE candour_steps (
    id TEXT PRIMARY KEY NOT NULL,
    record_id TEXT NOT NULL REFERENCES candour_records (id),
    kind TEXT NOT NULL CHECK (kind IN ('in_person_notification', 'written_notification',
        'enquiry_results_shared', 'correspondence_copy_kept', 'contact_attempt')),
    done_on DATE NOT NULL,
    performed_by TEXT NOT NULL,
    method TEXT CHECK (method IN ('in_person', 'phone', 'video', 'letter', 'email', 'other')),
    outcome TEXT CHECK (outcome IN ('reached', 'no_answer', 'message_left', 'returned_undelivered',
        'declined', 'other')),
    account_given BOOLEAN,
    apology_given BOOLEAN,
    support_offered BOOLEAN,
    enquiries_explained BOOLEAN,
    document_reference TEXT,
    notes TEXT,
    recorded_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX candour_steps_record_idx ON candour_steps (record_id, done_on);

CREATE TABLE ombudsman_referrals (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL UNIQUE REFERENCES cases (id),
    referred_on DATE NOT NULL,
    phso_reference TEXT,
    decision TEXT CHECK (decision IN ('not_investigated', 'upheld', 'partly_upheld',
        'not_upheld')),
    decision_on DATE,
    decision_summary TEXT,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((decision IS NULL) = (decision_on IS NULL))
);
CREATE INDEX ombudsman_referrals_referred_idx ON ombudsman_referrals (referred_on);

CREATE TABLE ombudsman_recommendations (
    id TEXT PRIMARY KEY NOT NULL,
    referral_id TEXT NOT NULL REFERENCES ombudsman_referrals (id),
    position INTEGER NOT NULL,
    recommendation TEXT NOT NULL,
    due_on DATE,
    met_on DATE
);
CREATE INDEX ombudsman_recommendations_referral_idx ON ombudsman_recommendations (referral_id, position);
