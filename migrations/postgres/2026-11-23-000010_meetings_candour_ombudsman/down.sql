DROP TABLE ombudsman_recommendations;
DROP TABLE ombudsman_referrals;
DROP TABLE candour_steps;
DROP TABLE candour_records;
DROP TABLE meeting_actions;
DROP TABLE meeting_schedules;
DROP TABLE meeting_attendees;
DROP TABLE meetings;
