-- Each coded aspect (subject, service, profession) carries its case's kind and day received,
-- so that breakdowns over a period read one index of the aspect table instead of joining a
-- million cases. The case's values are the source of truth; db::cases keeps these in step
-- whenever the coding is replaced or the day received is corrected.
ALTER TABLE case_subjects ADD COLUMN kind TEXT, ADD COLUMN received_on DATE;
UPDATE case_subjects SET kind = c.kind, received_on = c.received_on
    FROM cases c WHERE c.id = case_subjects.case_id;
ALTER TABLE case_subjects ALTER COLUMN kind SET NOT NULL, ALTER COLUMN received_on SET NOT NULL;

ALTER TABLE case_services ADD COLUMN kind TEXT, ADD COLUMN received_on DATE;
UPDATE case_services SET kind = c.kind, received_on = c.received_on
    FROM cases c WHERE c.id = case_services.case_id;
ALTER TABLE case_services ALTER COLUMN kind SET NOT NULL, ALTER COLUMN received_on SET NOT NULL;

ALTER TABLE case_professions ADD COLUMN kind TEXT, ADD COLUMN received_on DATE;
UPDATE case_professions SET kind = c.kind, received_on = c.received_on
    FROM cases c WHERE c.id = case_professions.case_id;
ALTER TABLE case_professions ALTER COLUMN kind SET NOT NULL, ALTER COLUMN received_on SET NOT NULL;

DROP INDEX case_subjects_report_idx;
CREATE INDEX case_subjects_period_idx
    ON case_subjects (kind, received_on, subject_code, subcategory_code, case_id);
DROP INDEX case_services_service_idx;
CREATE INDEX case_services_scope_idx ON case_services (service_id, kind, received_on, case_id);
CREATE INDEX case_services_period_idx ON case_services (kind, received_on, service_id, case_id);
CREATE INDEX case_professions_period_idx
    ON case_professions (kind, received_on, profession_code, case_id);

-- Fresh statistics, so the planner knows these columns at once (autovacuum would come later).
ANALYZE case_subjects;
ANALYZE case_services;
ANALYZE case_professions;
