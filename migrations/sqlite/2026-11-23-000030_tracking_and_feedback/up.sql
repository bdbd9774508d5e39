-- The complainant's private tracking links and the handling-feedback survey (characteristic
-- 10D). Tokens are never stored: only their SHA-256 (hex). Times are UTC.

-- A link to GET /track/{token}. A new link revokes the case's older ones (one live link per
-- case). It expires tracking.link_days_after_closure days after the case finishes; that is
-- computed from the case at each visit (so reopening a case revives its link).
CREATE TABLE tracking_links (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    -- NULL: issued by Candour itself (the acknowledgement).
    created_by TEXT REFERENCES users (id),
    revoked_at TIMESTAMP,
    revoked_by TEXT REFERENCES users (id),
    -- Messages sent through the link on message_day: the per-link daily limit.
    message_day DATE,
    messages_on_day INTEGER NOT NULL DEFAULT 0 CHECK (messages_on_day >= 0)
);
CREATE INDEX tracking_links_case_idx ON tracking_links (case_id);

-- The five stages of "My Expectations" (PHSO, LGO, Healthwatch England, 2014).
CREATE TABLE feedback_stages (
    code TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    sort_order INTEGER NOT NULL
);

-- The survey's statements, each rated strongly disagree (1) to strongly agree (5) or "does not
-- apply". Data, not code: a trust may retire (active = FALSE) or add statements.
CREATE TABLE feedback_questions (
    code TEXT PRIMARY KEY NOT NULL,
    stage TEXT NOT NULL REFERENCES feedback_stages (code),
    text TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    -- The shipped wording paraphrases the representative I-statements (domain.md §4.3); it
    -- must be checked against Appendix A of My Expectations before publication.
    needs_verification BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX feedback_questions_order_idx ON feedback_questions (stage, sort_order);

-- One invitation to answer the survey once. created_by NULL = sent automatically after the
-- response; at most one automatic invitation per case (several instances may run the job).
CREATE TABLE feedback_invitations (
    id TEXT PRIMARY KEY NOT NULL,
    case_id TEXT NOT NULL REFERENCES cases (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES users (id),
    -- 'email': queued to the complainant; 'letter': no email address, to be printed.
    delivery TEXT NOT NULL CHECK (delivery IN ('email', 'letter')),
    -- When the email was queued or the letter's link was produced for printing.
    sent_at TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    responded_at TIMESTAMP,
    -- 1 very dissatisfied … 5 very satisfied.
    overall_satisfaction INTEGER CHECK (overall_satisfaction BETWEEN 1 AND 5),
    comments TEXT
);
CREATE INDEX feedback_invitations_case_idx ON feedback_invitations (case_id);
CREATE INDEX feedback_invitations_created_idx ON feedback_invitations (created_at);
CREATE UNIQUE INDEX feedback_invitations_one_automatic_key
    ON feedback_invitations (case_id) WHERE created_by IS NULL;

-- One rating per statement answered; score NULL = "does not apply".
CREATE TABLE feedback_answers (
    invitation_id TEXT NOT NULL REFERENCES feedback_invitations (id),
    question_code TEXT NOT NULL REFERENCES feedback_questions (code),
    score INTEGER CHECK (score BETWEEN 1 AND 5),
    PRIMARY KEY (invitation_id, question_code)
);
CREATE INDEX feedback_answers_question_idx ON feedback_answers (question_code);

INSERT INTO feedback_stages (code, title, sort_order) VALUES
    ('considering', 'Considering a complaint', 1),
    ('making', 'Making a complaint', 2),
    ('staying_informed', 'Staying informed', 3),
    ('receiving_outcomes', 'Receiving outcomes', 4),
    ('reflecting', 'Reflecting on the experience', 5);

INSERT INTO feedback_questions (code, stage, text, sort_order, active, needs_verification) VALUES
    ('considering_right_to_complain', 'considering', 'I knew I had the right to complain, and where and how to do it.', 1, TRUE, TRUE),
    ('considering_confident', 'considering', 'I felt confident to speak up.', 2, TRUE, TRUE),
    ('considering_care_unaffected', 'considering', 'I felt sure that complaining would not harm my care, or the care of the person I complained for.', 3, TRUE, TRUE),
    ('considering_advice', 'considering', 'I knew where to get advice or support, such as an advocate.', 4, TRUE, TRUE),
    ('making_simple', 'making', 'Making my complaint was simple, and I could make it in a way that suited me.', 1, TRUE, TRUE),
    ('making_support', 'making', 'I was told about support to help me make my complaint.', 2, TRUE, TRUE),
    ('making_listened', 'making', 'I felt listened to and taken seriously.', 3, TRUE, TRUE),
    ('making_outcome_agreed', 'making', 'I was asked what outcome I wanted, and we agreed how my complaint would be handled.', 4, TRUE, TRUE),
    ('informed_progress', 'staying_informed', 'I was kept informed of progress, including any delays.', 1, TRUE, TRUE),
    ('informed_who', 'staying_informed', 'I knew who was handling my complaint.', 2, TRUE, TRUE),
    ('informed_clear', 'staying_informed', 'Communication with me was clear and easy to understand.', 3, TRUE, TRUE),
    ('outcome_clear_answer', 'receiving_outcomes', 'I got a clear answer or explanation for each point I raised.', 1, TRUE, TRUE),
    ('outcome_apology', 'receiving_outcomes', 'I received an apology where things had gone wrong.', 2, TRUE, TRUE),
    ('outcome_changes', 'receiving_outcomes', 'I was told what would change as a result of my complaint.', 3, TRUE, TRUE),
    ('outcome_next_steps', 'receiving_outcomes', 'I was told what I could do if I was still unhappy, including going to the Ombudsman.', 4, TRUE, TRUE),
    ('reflecting_difference', 'reflecting', 'I feel my complaint made a difference, so the same thing should not happen to others.', 1, TRUE, TRUE),
    ('reflecting_confident_again', 'reflecting', 'I would feel confident to complain again.', 2, TRUE, TRUE),
    ('reflecting_fair', 'reflecting', 'I was treated fairly and with respect throughout.', 3, TRUE, TRUE);
