-- Cases whose people and free text were anonymised under the retention schedule (their coded
-- facts stay, so every statistic is unchanged), and the run that did it.
CREATE TABLE anonymised_cases (
    case_id TEXT PRIMARY KEY NOT NULL REFERENCES cases (id),
    anonymised_on DATE NOT NULL,
    run_id TEXT NOT NULL
);
