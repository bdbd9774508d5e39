-- The six-month letters owed in a period (reg 14(4)) are counted from this index alone: it
-- now carries every date the rule compares with the due date (acknowledged, first responded,
-- withdrawn, closed and the letter sent). Before, each complaint due in the period was read
-- from the table for its acknowledgement, withdrawal and closure: at a million cases about a
-- hundred thousand random reads per board report.
DROP INDEX cases_report_six_month_idx;
CREATE INDEX cases_report_six_month_idx ON cases (
    kind, six_month_letter_due_on, acknowledged_on, first_responded_on, withdrawn_on,
    closed_on, six_month_letter_sent_on, id
);
