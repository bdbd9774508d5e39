DROP TABLE ko41a_submissions;
