DROP INDEX case_professions_period_idx;
DROP INDEX case_services_period_idx;
DROP INDEX case_services_scope_idx;
CREATE INDEX case_services_service_idx ON case_services (service_id);
DROP INDEX case_subjects_period_idx;
CREATE INDEX case_subjects_report_idx ON case_subjects (case_id, subject_code, subcategory_code);
ALTER TABLE case_professions DROP COLUMN received_on, DROP COLUMN kind;
ALTER TABLE case_services DROP COLUMN received_on, DROP COLUMN kind;
ALTER TABLE case_subjects DROP COLUMN received_on, DROP COLUMN kind;
