ALTER TABLE case_services DROP COLUMN is_primary;
