DROP TABLE staff_alerts;
DROP TABLE letters;
