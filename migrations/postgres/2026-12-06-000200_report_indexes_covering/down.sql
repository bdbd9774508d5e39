DROP INDEX cases_report_six_month_idx;
CREATE INDEX cases_report_six_month_idx ON cases (
    kind, six_month_letter_due_on, six_month_letter_sent_on, first_responded_on, id
);
DROP INDEX cases_report_resolved_idx;
CREATE INDEX cases_report_resolved_idx ON cases (kind, resolved_on, status, id);
