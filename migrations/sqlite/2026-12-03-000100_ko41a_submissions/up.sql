-- Each KO41a return as submitted to NHS England: the figures, who, when and why, so that a
-- trust can explain any later restatement.
CREATE TABLE ko41a_submissions (
    id TEXT PRIMARY KEY NOT NULL,
    financial_year INTEGER NOT NULL,
    figures TEXT NOT NULL,
    note TEXT,
    submitted_by TEXT NOT NULL REFERENCES users (id),
    submitted_at TIMESTAMP NOT NULL
);
CREATE INDEX ko41a_submissions_year_idx ON ko41a_submissions (financial_year, submitted_at);
