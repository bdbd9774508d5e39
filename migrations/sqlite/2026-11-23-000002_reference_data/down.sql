DROP TABLE bank_holidays;
DROP TABLE calendar_versions;
DROP TABLE taxonomy_items;
DROP TABLE services;
