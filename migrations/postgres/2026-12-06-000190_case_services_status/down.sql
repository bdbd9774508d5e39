DROP INDEX case_services_status_idx;
ALTER TABLE case_services DROP COLUMN status;
