DROP INDEX cases_responded_idx;
DROP INDEX cases_created_idx;
