-- Each coded aspect (subject, service, profession) carries its case's kind and day received,
-- so that breakdowns over a period read one index of the aspect table instead of joining a
-- million cases. The case's values are the source of truth; db::cases keeps these in step
-- whenever the coding is replaced or the day received is corrected. SQLite cannot add a NOT
-- NULL column without a default, so each table is rebuilt (nothing references these tables).
CREATE TABLE case_subjects_new (
    case_id TEXT NOT NULL REFERENCES cases (id),
    subject_code TEXT NOT NULL,
    subcategory_code TEXT,
    is_primary BOOLEAN NOT NULL,
    outcome TEXT CHECK (outcome IN ('upheld', 'not_upheld')),
    kind TEXT NOT NULL,
    received_on DATE NOT NULL,
    PRIMARY KEY (case_id, subject_code)
);
INSERT INTO case_subjects_new
    SELECT s.case_id, s.subject_code, s.subcategory_code, s.is_primary, s.outcome,
           c.kind, c.received_on
    FROM case_subjects s JOIN cases c ON c.id = s.case_id;
DROP TABLE case_subjects;
ALTER TABLE case_subjects_new RENAME TO case_subjects;
CREATE INDEX case_subjects_code_idx ON case_subjects (subject_code, case_id);
CREATE INDEX case_subjects_period_idx
    ON case_subjects (kind, received_on, subject_code, subcategory_code, case_id);

CREATE TABLE case_services_new (
    case_id TEXT NOT NULL REFERENCES cases (id),
    service_id TEXT NOT NULL REFERENCES services (id),
    kind TEXT NOT NULL,
    received_on DATE NOT NULL,
    PRIMARY KEY (case_id, service_id)
);
INSERT INTO case_services_new
    SELECT s.case_id, s.service_id, c.kind, c.received_on
    FROM case_services s JOIN cases c ON c.id = s.case_id;
DROP TABLE case_services;
ALTER TABLE case_services_new RENAME TO case_services;
CREATE INDEX case_services_scope_idx ON case_services (service_id, kind, received_on, case_id);
CREATE INDEX case_services_period_idx ON case_services (kind, received_on, service_id, case_id);

CREATE TABLE case_professions_new (
    case_id TEXT NOT NULL REFERENCES cases (id),
    profession_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    received_on DATE NOT NULL,
    PRIMARY KEY (case_id, profession_code)
);
INSERT INTO case_professions_new
    SELECT p.case_id, p.profession_code, c.kind, c.received_on
    FROM case_professions p JOIN cases c ON c.id = p.case_id;
DROP TABLE case_professions;
ALTER TABLE case_professions_new RENAME TO case_professions;
CREATE INDEX case_professions_period_idx
    ON case_professions (kind, received_on, profession_code, case_id);

-- The rebuilt tables have no statistics yet; gather them so the planner picks these indexes.
ANALYZE case_subjects;
ANALYZE case_services;
ANALYZE case_professions;
