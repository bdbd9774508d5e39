DROP INDEX cases_report_six_month_idx;
DROP INDEX cases_report_responded_idx;
DROP INDEX cases_report_received_idx;
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
DROP TABLE case_response_subjects;
ALTER TABLE cases DROP COLUMN first_response_due_agreed;
ALTER TABLE cases DROP COLUMN first_response_due_on;
ALTER TABLE cases DROP COLUMN first_outcome;
ALTER TABLE cases DROP COLUMN first_responded_on;
