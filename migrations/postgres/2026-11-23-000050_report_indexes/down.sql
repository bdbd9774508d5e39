DROP INDEX case_subjects_report_idx;
DROP INDEX cases_report_resolved_idx;
DROP INDEX cases_report_withdrawn_idx;
DROP INDEX cases_report_six_month_idx;
DROP INDEX cases_report_responded_idx;
DROP INDEX cases_report_received_idx;
CREATE INDEX cases_kind_received_idx ON cases (kind, received_on);
