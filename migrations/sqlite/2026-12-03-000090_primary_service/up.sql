-- A complaint about several services is counted in KO41a at the site of its primary service,
-- chosen at intake (the first listed) and changeable. Existing complaints keep the service
-- they were counted at until now (the lowest id), so no past return changes.
ALTER TABLE case_services ADD COLUMN is_primary BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE case_services SET is_primary = TRUE
WHERE service_id = (
    SELECT MIN(s2.service_id) FROM case_services s2 WHERE s2.case_id = case_services.case_id
);
