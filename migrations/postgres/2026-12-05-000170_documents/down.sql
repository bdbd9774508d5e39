DROP TABLE documents;
ALTER TABLE tracking_links DROP COLUMN upload_day;
ALTER TABLE tracking_links DROP COLUMN uploads_on_day;
