DROP TABLE anonymised_cases;
