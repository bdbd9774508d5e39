-- Learning from complaints (characteristic 10E): the service changes register ("you said, we
-- did") with its history, and the board's self-assessments against the NHS Improvement patient
-- experience improvement framework (June 2018), whose characteristics ship as data.

-- One change to a service made because of complaints. Staff-written text only; public_summary
-- is the plain-words text shown on the public 'you said, we did' page. Status: planned ->
-- in_progress -> implemented -> sustained, or abandoned from any of the first three.
CREATE TABLE service_changes (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Why the change is made.
    reason TEXT NOT NULL,
    public_summary TEXT NOT NULL,
    service_id TEXT NOT NULL REFERENCES services (id),
    owner_id TEXT NOT NULL REFERENCES users (id),
    due_on DATE NOT NULL,
    -- The theme the change answers: a subject_area code, optionally narrowed to a service.
    theme_subject TEXT,
    theme_service_id TEXT REFERENCES services (id),
    status TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'implemented', 'sustained',
        'abandoned')),
    started_at TIMESTAMP,
    implemented_on DATE,
    -- Verification that the change has stuck (status sustained).
    evidence TEXT,
    verified_by TEXT REFERENCES users (id),
    verified_at TIMESTAMP,
    abandoned_reason TEXT,
    abandoned_at TIMESTAMP,
    version INTEGER NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (theme_service_id IS NULL OR theme_subject IS NOT NULL),
    CHECK (status <> 'sustained' OR (evidence IS NOT NULL AND verified_by IS NOT NULL
        AND verified_at IS NOT NULL AND implemented_on IS NOT NULL)),
    CHECK (status <> 'implemented' OR implemented_on IS NOT NULL),
    CHECK (status <> 'abandoned' OR (abandoned_reason IS NOT NULL AND abandoned_at IS NOT NULL))
);
CREATE INDEX service_changes_created_idx ON service_changes (created_at, id);
CREATE INDEX service_changes_status_idx ON service_changes (status, due_on);
CREATE INDEX service_changes_service_idx ON service_changes (service_id);
CREATE INDEX service_changes_owner_idx ON service_changes (owner_id);
CREATE INDEX service_changes_implemented_idx ON service_changes (implemented_on);

-- The cases a change answers (each link is also on the case's timeline).
CREATE TABLE service_change_cases (
    service_change_id TEXT NOT NULL REFERENCES service_changes (id),
    case_id TEXT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (service_change_id, case_id)
);
CREATE INDEX service_change_cases_case_idx ON service_change_cases (case_id);

-- Every change to a service change: seq is the change's version after it.
CREATE TABLE service_change_events (
    id TEXT PRIMARY KEY NOT NULL,
    service_change_id TEXT NOT NULL REFERENCES service_changes (id),
    seq INTEGER NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    details TEXT NOT NULL,
    UNIQUE (service_change_id, seq)
);

-- The framework's characteristics ("suggested requirements" 1A … 23A), under their numbered
-- heading (1 … 23) and section. Text from the framework, punctuation and spelling lightly
-- normalised.
CREATE TABLE framework_characteristics (
    code TEXT PRIMARY KEY NOT NULL,
    section_number INTEGER NOT NULL,
    section TEXT NOT NULL,
    number INTEGER NOT NULL,
    heading TEXT NOT NULL,
    text TEXT NOT NULL,
    sort_order INTEGER NOT NULL UNIQUE
);

-- A dated self-assessment; never changed once recorded (a new one is made instead).
CREATE TABLE framework_assessments (
    id TEXT PRIMARY KEY NOT NULL,
    assessed_on DATE NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX framework_assessments_order_idx ON framework_assessments (assessed_on, created_at);

-- One scored characteristic of an assessment: the framework's columns "Org. score (0-5)",
-- "Current position", "Planned action to improve" and "What will good look like?".
CREATE TABLE framework_assessment_items (
    assessment_id TEXT NOT NULL REFERENCES framework_assessments (id),
    code TEXT NOT NULL REFERENCES framework_characteristics (code),
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 5),
    current_position TEXT,
    planned_action TEXT,
    good_looks_like TEXT,
    PRIMARY KEY (assessment_id, code)
);
CREATE INDEX framework_assessment_items_code_idx ON framework_assessment_items (code);

INSERT INTO framework_characteristics (code, section_number, section, number, heading, text, sort_order) VALUES
    ('1A', 1, 'Leadership (for patient focus)', 1, 'The board has a strategy to deliver improved patient experience and regularly engages with groups of patients and other key stakeholders. The organisation uses the output from such engagement to inform its plans to deliver the strategy.', 'The organisation has a patient experience strategy (either a stand-alone document or integrated into a strategy for improving quality) co-produced with patients and frontline staff, consulted upon, and signed off by the board. Patient experience should be both fully aligned with and integral to quality improvement.', 1),
    ('1B', 1, 'Leadership (for patient focus)', 1, 'The board has a strategy to deliver improved patient experience and regularly engages with groups of patients and other key stakeholders. The organisation uses the output from such engagement to inform its plans to deliver the strategy.', 'The trust also has a delivery plan, impact measures and review timetable and carries out an annual review of progress towards achieving the strategy.', 2),
    ('1C', 1, 'Leadership (for patient focus)', 1, 'The board has a strategy to deliver improved patient experience and regularly engages with groups of patients and other key stakeholders. The organisation uses the output from such engagement to inform its plans to deliver the strategy.', 'The organisation has a programme of patient, patient representative and public engagement which informs key decisions. Ideally this engagement should be in partnership with local commissioners.', 3),
    ('2A', 1, 'Leadership (for patient focus)', 2, 'Patient experience is embedded in all trust leadership development work (including that undertaken by operational managers and clinical staff).', 'Patient experience is embedded in all aspects of leadership development.', 4),
    ('2B', 1, 'Leadership (for patient focus)', 2, 'Patient experience is embedded in all trust leadership development work (including that undertaken by operational managers and clinical staff).', 'Patients are involved in assessment and appraisal processes for staff (for example patient feedback data or other forms of involvement including compliments, complaints, testimonials).', 5),
    ('3A', 1, 'Leadership (for patient focus)', 3, 'There is visibility of the senior leadership team with an identified executive lead accountable for leading quality improvements in patient experience, who routinely presents reports and leads discussion with board colleagues on patient experience.', 'The executive lead for patient experience routinely provides the board with reports and proactively leads this area of work within the organisation. Patient stories are routinely used at board meetings and other trust settings.', 6),
    ('3B', 1, 'Leadership (for patient focus)', 3, 'There is visibility of the senior leadership team with an identified executive lead accountable for leading quality improvements in patient experience, who routinely presents reports and leads discussion with board colleagues on patient experience.', 'The senior leadership team is accessible and visible in the organisation and routinely engages with patients and frontline staff.', 7),
    ('4A', 1, 'Leadership (for patient focus)', 4, 'There is clear clinical leadership from the medical director and director of nursing and engagement of clinicians in the development of the quality strategy and clinical strategy which provides momentum in terms of quality, patient experience and safety.', 'All clinicians are engaged and provide input into the development of services and efficiency changes and how change impacts on patients and front line staff.', 8),
    ('4B', 1, 'Leadership (for patient focus)', 4, 'There is clear clinical leadership from the medical director and director of nursing and engagement of clinicians in the development of the quality strategy and clinical strategy which provides momentum in terms of quality, patient experience and safety.', 'Levels of clinical engagement across both acute and community settings are focused on patients.', 9),
    ('4C', 1, 'Leadership (for patient focus)', 4, 'There is clear clinical leadership from the medical director and director of nursing and engagement of clinicians in the development of the quality strategy and clinical strategy which provides momentum in terms of quality, patient experience and safety.', 'There is clear medical engagement in patient experience as an equal facet of the quality agenda alongside patient safety and clinical effectiveness.', 10),
    ('5A', 2, 'Organisational culture', 5, 'The organisational development strategy and implementation plans are underpinned by a commitment to improve patient experience.', 'Patient experience is integrated into the organisational development strategy.', 11),
    ('6A', 2, 'Organisational culture', 6, 'The board values and celebrates innovation by frontline staff to improve the experience of patients and specifically staff who demonstrate they consistently exceed patient expectation, and always deliver individualised care.', 'Staff are supported to listen and act locally as a response to patient feedback and the organisation routinely captures analyses and reports on the outcomes from this. Monitoring takes place against the results of the staff survey.', 12),
    ('6B', 2, 'Organisational culture', 6, 'The board values and celebrates innovation by frontline staff to improve the experience of patients and specifically staff who demonstrate they consistently exceed patient expectation, and always deliver individualised care.', 'There is a process in place to identify and celebrate achievements of staff who consistently exceed patient expectations and the board is engaged and fully involved in the process.', 13),
    ('6C', 2, 'Organisational culture', 6, 'The board values and celebrates innovation by frontline staff to improve the experience of patients and specifically staff who demonstrate they consistently exceed patient expectation, and always deliver individualised care.', 'Staff are engaged in the process of setting staffing levels and in developing their own workforce.', 14),
    ('6D', 2, 'Organisational culture', 6, 'The board values and celebrates innovation by frontline staff to improve the experience of patients and specifically staff who demonstrate they consistently exceed patient expectation, and always deliver individualised care.', 'Staffing level escalation processes are well defined and embedded throughout the organisation to ensure safe staffing.', 15),
    ('6E', 2, 'Organisational culture', 6, 'The board values and celebrates innovation by frontline staff to improve the experience of patients and specifically staff who demonstrate they consistently exceed patient expectation, and always deliver individualised care.', 'Staff give care that is compassionate, involves patients in decision-making and provides good emotional, spiritual and religious support to patients.', 16),
    ('7A', 2, 'Organisational culture', 7, 'Staff are proud to work for the organisation and speak highly of the culture. Staff throughout the organisation feel able to raise concerns and believe they will be listened to and supported.', 'The organisation has developed, with patients and staff, a set of values, articulated through all corporate documents, which reflect the values in the NHS Constitution. The organisation has a process for ensuring values are owned by staff.', 17),
    ('7B', 2, 'Organisational culture', 7, 'Staff are proud to work for the organisation and speak highly of the culture. Staff throughout the organisation feel able to raise concerns and believe they will be listened to and supported.', 'The organisation has in place a values-based recruitment and appraisal system.', 18),
    ('8A', 2, 'Organisational culture', 8, 'The organisation expresses its commitment to patients through all its communications, and routinely offers to provide copies of clinical correspondence.', 'The organisation''s website and other externally facing communications are accessible and clear and patients would judge them ''patient friendly''. They also articulate commitment to patients.', 19),
    ('8B', 2, 'Organisational culture', 8, 'The organisation expresses its commitment to patients through all its communications, and routinely offers to provide copies of clinical correspondence.', 'The trust has a process of testing its communications to patients with patients, prior to publication.', 20),
    ('8C', 2, 'Organisational culture', 8, 'The organisation expresses its commitment to patients through all its communications, and routinely offers to provide copies of clinical correspondence.', 'Patients are routinely offered copies of correspondence about them in an accessible format (Accessible Information Standard).', 21),
    ('9A', 3, 'Capacity and capability to effectively collect feedback', 9, 'The organisation participates in all mandated surveys (including where applicable the National Patient Survey Programme, the Friends and Family Test and systematic local surveys, eg post-discharge survey), and works with commissioners to develop and implement rapid/real, or near real-time patient feedback.', 'Full compliance with all mandated surveys, and a comprehensive programme of seeking rapid, real or near real-time from patients using the most up to date technology available to them.', 22),
    ('9B', 3, 'Capacity and capability to effectively collect feedback', 9, 'The organisation participates in all mandated surveys (including where applicable the National Patient Survey Programme, the Friends and Family Test and systematic local surveys, eg post-discharge survey), and works with commissioners to develop and implement rapid/real, or near real-time patient feedback.', 'Strong evidence of adherence to best practice guidelines for patient experience.', 23),
    ('10A', 3, 'Capacity and capability to effectively collect feedback', 10, 'The trust has a patient-friendly complaints process, which complies with national guidance.', 'The organisation has an accessible user-friendly complaints process. Information is visible in all locations patients receive care, and where applicable is available from community staff.', 24),
    ('10B', 3, 'Capacity and capability to effectively collect feedback', 10, 'The trust has a patient-friendly complaints process, which complies with national guidance.', 'Complaints information is clearly displayed on the trust''s website and available within two clicks.', 25),
    ('10C', 3, 'Capacity and capability to effectively collect feedback', 10, 'The trust has a patient-friendly complaints process, which complies with national guidance.', 'Complainants are offered a face-to-face meeting, supported throughout the process and their feedback sought on completion of dealing with the complaint.', 26),
    ('10D', 3, 'Capacity and capability to effectively collect feedback', 10, 'The trust has a patient-friendly complaints process, which complies with national guidance.', 'Feedback about how the complaint was handled is routinely gathered.', 27),
    ('10E', 3, 'Capacity and capability to effectively collect feedback', 10, 'The trust has a patient-friendly complaints process, which complies with national guidance.', 'There is evidence that practice has changed following complaints and improvements have been sustained.', 28),
    ('11A', 3, 'Capacity and capability to effectively collect feedback', 11, 'Frontline staff take ownership of, and deal with, issues raised by patients, and only where necessary refer on to others. When patients express a wish to complain clear information is provided and support given. The Duty of Candour is followed.', 'Frontline staff are supported by managers and their teams to address concerns raised by patients, and there is a process for teams to share and learn from this.', 29),
    ('11B', 3, 'Capacity and capability to effectively collect feedback', 11, 'Frontline staff take ownership of, and deal with, issues raised by patients, and only where necessary refer on to others. When patients express a wish to complain clear information is provided and support given. The Duty of Candour is followed.', 'Duty of Candour regulations are well understood and embedded. The organisation''s processes are clear and transparent.', 30),
    ('11C', 3, 'Capacity and capability to effectively collect feedback', 11, 'Frontline staff take ownership of, and deal with, issues raised by patients, and only where necessary refer on to others. When patients express a wish to complain clear information is provided and support given. The Duty of Candour is followed.', 'The importance of patient feedback is embedded in the organisation''s approach to staff training.', 31),
    ('12A', 3, 'Capacity and capability to effectively collect feedback', 12, 'Patients are given information about the range of ways they can provide feedback (which might include paper-based surveys, comment cards, web, text, devices, kiosks, and apps) and are supported by staff to use these. Approaches offered take account of the needs of patients who are less able or less willing to feedback.', 'The organisation provides information to patients about how to give feedback in a range of different ways. Patients are made aware of HealthWatch as a route for giving feedback.', 32),
    ('12B', 3, 'Capacity and capability to effectively collect feedback', 12, 'Patients are given information about the range of ways they can provide feedback (which might include paper-based surveys, comment cards, web, text, devices, kiosks, and apps) and are supported by staff to use these. Approaches offered take account of the needs of patients who are less able or less willing to feedback.', 'The organisation employs a range of methods to collect patient feedback, based on patient need and preference. Staff are familiar with these and encourage and support patients.', 33),
    ('12C', 3, 'Capacity and capability to effectively collect feedback', 12, 'Patients are given information about the range of ways they can provide feedback (which might include paper-based surveys, comment cards, web, text, devices, kiosks, and apps) and are supported by staff to use these. Approaches offered take account of the needs of patients who are less able or less willing to feedback.', 'Trust meets or exceeds national average response rate for all elements of the Friends and Family survey.', 34),
    ('13A', 4, 'Analysis and triangulation', 13, 'The organisation has a systematic way of analysing patient feedback in all its forms, including complaints. The organisation also has dedicated analytics and intelligence support for its patient experience data, which produces clear helpful reports.', 'The organisation routinely and systematically analyses feedback, brings together all strands and identifies themes which it acts on.', 35),
    ('13B', 4, 'Analysis and triangulation', 13, 'The organisation has a systematic way of analysing patient feedback in all its forms, including complaints. The organisation also has dedicated analytics and intelligence support for its patient experience data, which produces clear helpful reports.', 'The organisation has dedicated analytics and intelligence support to ensure it can make best use of its patient experience feedback data.', 36),
    ('14A', 4, 'Analysis and triangulation', 14, 'The organisation produces reports that demonstrate the correlation between improving patient outcomes, patient safety and patient experience. This is also routinely triangulated with staff and the staff survey.', 'Reports highlight themes where patient experience correlates with other quality measures (for example patient safety and clinical outcomes) and board reports clearly articulate the relationships and the quality improvement actions arising.', 37),
    ('15A', 4, 'Analysis and triangulation', 15, 'The organisation is able to use patient experience data effectively to identify and locate deteriorating performance, and to enable quick action to address the causes.', 'The organisation effectively uses patient experience data to provide an early warning system for deteriorating standards of care that enables leaders at a range of levels to spot when there are concerns, using quality improvement approaches.', 38),
    ('15B', 4, 'Analysis and triangulation', 15, 'The organisation is able to use patient experience data effectively to identify and locate deteriorating performance, and to enable quick action to address the causes.', 'The organisation is using data related to patient experience to understand variation. Patient experience is both fully aligned with and integral to quality improvement.', 39),
    ('16A', 4, 'Analysis and triangulation', 16, 'Patient feedback is routinely considered and acted upon by frontline teams, and escalated when larger scale service redesign work is required.', 'Departments and teams receive feedback fast and in a form they can use.', 40),
    ('16B', 4, 'Analysis and triangulation', 16, 'Patient feedback is routinely considered and acted upon by frontline teams, and escalated when larger scale service redesign work is required.', 'Frontline teams routinely discuss patient feedback and use it to improve care.', 41),
    ('16C', 4, 'Analysis and triangulation', 16, 'Patient feedback is routinely considered and acted upon by frontline teams, and escalated when larger scale service redesign work is required.', 'The trust has an effective approach to celebrating and sharing learning locally.', 42),
    ('17A', 5, 'Using patient feedback to drive quality improvement and learning', 17, 'The organisation supports staff to share decision making about care and treatment with patients, and actively supports staff to involve patients in their care.', 'Staff demonstrate a good understanding of the theory and practice of shared decision making, its principles are underpinned through training programmes.', 43),
    ('17B', 5, 'Using patient feedback to drive quality improvement and learning', 17, 'The organisation supports staff to share decision making about care and treatment with patients, and actively supports staff to involve patients in their care.', 'Patients and their families are involved in their care and understood what is expected in relation to their care.', 44),
    ('17C', 5, 'Using patient feedback to drive quality improvement and learning', 17, 'The organisation supports staff to share decision making about care and treatment with patients, and actively supports staff to involve patients in their care.', 'The organisation performs above peer in the NHS mandated national survey questions asking if patients felt involved in decisions about care and treatment.', 45),
    ('18A', 5, 'Using patient feedback to drive quality improvement and learning', 18, 'The organisation uses staff appraisal to identify training needs and based on need, implements training for staff so they are able and confident to use feedback to improve services using quality improvement methods and tools.', 'The organisation has a systematic approach to identifying staff training needs related to using patient feedback to improve services.', 46),
    ('18B', 5, 'Using patient feedback to drive quality improvement and learning', 18, 'The organisation uses staff appraisal to identify training needs and based on need, implements training for staff so they are able and confident to use feedback to improve services using quality improvement methods and tools.', 'The board and executive team have a good understanding of how change happens in complex systems, and how change impacts on patients and frontline staff.', 47),
    ('18C', 5, 'Using patient feedback to drive quality improvement and learning', 18, 'The organisation uses staff appraisal to identify training needs and based on need, implements training for staff so they are able and confident to use feedback to improve services using quality improvement methods and tools.', 'There is a consistent approach to sharing learning across the organisation.', 48),
    ('19A', 5, 'Using patient feedback to drive quality improvement and learning', 19, 'All proposals for service change, project initiation document and business cases are accompanied by evidence of their potential impact on the experience of patients.', 'The results of an impact assessment are always included within proposals.', 49),
    ('19B', 5, 'Using patient feedback to drive quality improvement and learning', 19, 'All proposals for service change, project initiation document and business cases are accompanied by evidence of their potential impact on the experience of patients.', 'Patients and service users have been involved in the design stage of any service change. There is evidence of co-production.', 50),
    ('20A', 5, 'Using patient feedback to drive quality improvement and learning', 20, 'The organisation uses quality improvement methods and tools to try to continuously improve quality of experience of care and outcomes for patients.', 'Frontline staff engage in quality improvement and are given the skills required to identify quality problems, carry out tests of change, measure their impact and act on the results.', 51),
    ('20B', 5, 'Using patient feedback to drive quality improvement and learning', 20, 'The organisation uses quality improvement methods and tools to try to continuously improve quality of experience of care and outcomes for patients.', 'The organisation gives all staff the opportunity to contribute and act on ideas for quality improvement.', 52),
    ('20C', 5, 'Using patient feedback to drive quality improvement and learning', 20, 'The organisation uses quality improvement methods and tools to try to continuously improve quality of experience of care and outcomes for patients.', 'The organisation performs above peer in the NHS Mandate goal to ''improve the percentage of NHS staff who report that patient and service user feedback is used to make informed improvement decisions''.', 53),
    ('21A', 6, 'Reporting and publication', 21, 'Patient experience is a key component of the trust''s annual quality accounts.', 'The quality accounts include information about patient experience and how the trust is listening and responding to patients, along with examples of improvements to services or care it has made as a result.', 54),
    ('22A', 6, 'Reporting and publication', 22, 'The organisation routinely publishes transparent and publicly accessible information about the feedback patients have provided, and its response to feedback (and ensures this information is available through multiple routes).', 'Information is available and accessible to patients and the public.', 55),
    ('22B', 6, 'Reporting and publication', 22, 'The organisation routinely publishes transparent and publicly accessible information about the feedback patients have provided, and its response to feedback (and ensures this information is available through multiple routes).', 'The organisation has a Communications strategy in place which is clear about who the organisation shares information about patient experience.', 56),
    ('23A', 6, 'Reporting and publication', 23, 'The organisation supports a model of co-production and supports patients and staff to deliver this approach.', 'Co-production is widely used, and the organisation can cite examples of co-production, including the use of specific improvement methodologies, where staff have worked in partnership with patients to improve services.', 57);
