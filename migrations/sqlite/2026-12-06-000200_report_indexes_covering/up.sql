-- Two board-report figures read far more than they count (found with
-- database.slow_statement_ms on a million-case database):
-- * The six-month letters owed in a period (reg 14(4)) are counted from this index alone: it
--   now carries every date the rule compares with the due date (acknowledged, first responded,
--   withdrawn, closed and the letter sent). Before, each complaint due in the period was read
--   from the table: about a hundred thousand random reads per board report, 1.2 s.
-- * PALS concerns escalated in a period are one range of the resolved index once the status
--   comes before the date: before, every concern resolved in the period was read to find the
--   escalated ones among them.
DROP INDEX cases_report_six_month_idx;
CREATE INDEX cases_report_six_month_idx ON cases (
    kind, six_month_letter_due_on, acknowledged_on, first_responded_on, withdrawn_on,
    closed_on, six_month_letter_sent_on, id
);
DROP INDEX cases_report_resolved_idx;
CREATE INDEX cases_report_resolved_idx ON cases (kind, status, resolved_on, id);
