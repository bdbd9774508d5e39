-- Work-queue lists filter on kind and status and page newest first; this index answers them
-- in order (one status at a time) and counts them without reading the cases themselves.
CREATE INDEX cases_kind_status_idx ON cases (kind, status, received_on, id);
