-- What was reported stays reported: a complaint's first response (its day, its outcome, the
-- date it was due and whether that date was agreed) is kept on the case and never cleared by
-- reopening, and the reports count it in the period it was made. The per-subject findings
-- are kept with each response.
ALTER TABLE cases ADD COLUMN first_responded_on DATE;
ALTER TABLE cases ADD COLUMN first_outcome TEXT;
ALTER TABLE cases ADD COLUMN first_response_due_on DATE;
ALTER TABLE cases ADD COLUMN first_response_due_agreed BOOLEAN;

UPDATE cases SET first_responded_on = COALESCE(
    (SELECT MIN(r.sent_on) FROM case_responses r WHERE r.case_id = cases.id),
    responded_on
);
UPDATE cases SET first_outcome = COALESCE(
    (SELECT r.outcome FROM case_responses r WHERE r.case_id = cases.id
     ORDER BY r.sent_on, r.created_at LIMIT 1),
    outcome
) WHERE first_responded_on IS NOT NULL;
-- A case reopened before this version has lost its first cycle's due date: left unknown.
UPDATE cases SET first_response_due_on = response_due_on,
                 first_response_due_agreed = response_due_agreed
WHERE first_responded_on IS NOT NULL AND reopened_count = 0;

CREATE TABLE case_response_subjects (
    response_id TEXT NOT NULL REFERENCES case_responses (id),
    subject_code TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('upheld', 'not_upheld')),
    PRIMARY KEY (response_id, subject_code)
);
-- Findings of cases answered once are the findings of that response.
INSERT INTO case_response_subjects (response_id, subject_code, outcome)
SELECT r.id, s.subject_code, s.outcome
FROM case_responses r
JOIN case_subjects s ON s.case_id = r.case_id
WHERE s.outcome IS NOT NULL
  AND (SELECT COUNT(*) FROM case_responses r2 WHERE r2.case_id = r.case_id) = 1;

DROP INDEX cases_report_received_idx;
DROP INDEX cases_report_responded_idx;
DROP INDEX cases_report_six_month_idx;
CREATE INDEX cases_report_received_idx ON cases (
    kind, received_on, id, acknowledgement_due_on, acknowledged_on, first_responded_on,
    first_response_due_on, first_outcome, withdrawn_on, closed_on, age_band, complainant_status
);
CREATE INDEX cases_report_responded_idx ON cases (
    kind, first_responded_on, received_on, first_response_due_on, first_response_due_agreed,
    first_outcome, id
);
CREATE INDEX cases_report_six_month_idx ON cases (
    kind, six_month_letter_due_on, six_month_letter_sent_on, first_responded_on, id
);
