DROP INDEX cases_kind_status_idx;
