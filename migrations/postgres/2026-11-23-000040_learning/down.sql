DROP TABLE framework_assessment_items;
DROP TABLE framework_assessments;
DROP TABLE framework_characteristics;
DROP TABLE service_change_events;
DROP TABLE service_change_cases;
DROP TABLE service_changes;
