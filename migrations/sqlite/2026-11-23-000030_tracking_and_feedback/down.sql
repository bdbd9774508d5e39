DROP TABLE feedback_answers;
DROP TABLE feedback_invitations;
DROP TABLE feedback_questions;
DROP TABLE feedback_stages;
DROP TABLE tracking_links;
