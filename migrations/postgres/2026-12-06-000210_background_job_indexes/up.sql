-- Two background jobs read every case at each run, because nothing indexed what they ask
-- (found with database.slow_statement_ms on a million-case database):
-- * a service lead's daily digest asks for the cases logged in the last 24 hours: a scan of the
--   whole table, 4 to 10 s a lead at a million cases;
-- * the feedback job asks for complaints answered in the last few months without an automatic
--   invitation: 1.3 to 2 s through the kind and status index, reading each row for its date.
CREATE INDEX cases_created_idx ON cases (created_at, id);
CREATE INDEX cases_responded_idx ON cases (kind, responded_on, status, id)
    WHERE responded_on IS NOT NULL;
