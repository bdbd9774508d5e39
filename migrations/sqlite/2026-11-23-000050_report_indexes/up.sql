-- Covering indexes for board reporting, KO41a and SPC: each report query reads one index and
-- never the wide case rows, so a year's figures over a million cases stay fast. The first
-- replaces cases_kind_received_idx (it starts with the same columns).
DROP INDEX cases_kind_received_idx;
CREATE INDEX cases_report_received_idx ON cases (
    kind, received_on, id, acknowledgement_due_on, acknowledged_on, responded_on,
    response_due_on, outcome, withdrawn_on, closed_on, age_band, complainant_status
);
CREATE INDEX cases_report_responded_idx ON cases (
    kind, responded_on, received_on, response_due_on, outcome, id
);
CREATE INDEX cases_report_six_month_idx ON cases (
    kind, six_month_letter_due_on, six_month_letter_sent_on, responded_on, id
);
CREATE INDEX cases_report_withdrawn_idx ON cases (kind, withdrawn_on, id);
CREATE INDEX cases_report_resolved_idx ON cases (kind, resolved_on, status, id);
CREATE INDEX case_subjects_report_idx ON case_subjects (case_id, subject_code, subcategory_code);
