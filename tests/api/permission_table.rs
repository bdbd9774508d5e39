//! The permission matrix's one table: every operation of the OpenAPI document, which roles may
//! call it (read from `src/domain/role.rs` and the checks in the code) and whether it is about
//! one case, so that an investigator may call it only on a case they can see.

use candour::domain::role::{Permission, Role};

/// Everyone signed in.
pub const EVERYONE: &[Role] = &Role::ALL;
/// `ManageUsers`, `ManageTaxonomy`, `ManageCalendar`, `ManageOutbox`, `ReadAuditLog`.
pub const ADMIN_ONLY: &[Role] = &[Role::Admin];
/// `EditCase`, `RunComplaint`, `ManageMeetings`, `ManageCandour`, `ManageOmbudsman`, …
pub const MANAGERS: &[Role] = &[Role::Admin, Role::ComplaintsManager];
/// `CreateCase`, `ReadAllCases`, `RunPalsConcern`.
pub const CASE_STAFF: &[Role] = &[Role::Admin, Role::ComplaintsManager, Role::PalsOfficer];
/// `ReadCaseRecords`, `AddCaseNote`, `ReadServiceChangeLinks` (investigators: their cases).
pub const CASE_WORKERS: &[Role] = &[
    Role::Admin,
    Role::ComplaintsManager,
    Role::PalsOfficer,
    Role::Investigator,
];
/// `ReadReports`, `ReadFeedbackSummary`, `AssessFramework`.
pub const REPORT_READERS: &[Role] = &[Role::Admin, Role::ComplaintsManager, Role::Board];
/// `RecordMeetingNotes`.
pub const NOTE_TAKERS: &[Role] = &[Role::Admin, Role::ComplaintsManager, Role::Investigator];

/// Each named set above is exactly the roles `role.rs` gives these permissions: when the
/// permission table changes, this table must be reviewed.
pub const SETS: &[(&str, &[Role], &[Permission])] = &[
    (
        "ADMIN_ONLY",
        ADMIN_ONLY,
        &[
            Permission::ManageUsers,
            Permission::ManageTaxonomy,
            Permission::ManageCalendar,
            Permission::ManageOutbox,
            Permission::ReadAuditLog,
        ],
    ),
    (
        "MANAGERS",
        MANAGERS,
        &[
            Permission::ManageServices,
            Permission::EditCase,
            Permission::RunComplaint,
            Permission::ReadAccessLog,
            Permission::ManageMeetings,
            Permission::ManageCandour,
            Permission::ManageOmbudsman,
            Permission::ManageTrackingLinks,
            Permission::InviteFeedback,
            Permission::SubmitReturns,
            Permission::ManageServiceChanges,
            Permission::RedactCase,
            Permission::SubjectAccess,
        ],
    ),
    (
        "CASE_STAFF",
        CASE_STAFF,
        &[
            Permission::CreateCase,
            Permission::ReadAllCases,
            Permission::RunPalsConcern,
        ],
    ),
    (
        "CASE_WORKERS",
        CASE_WORKERS,
        &[
            Permission::ReadCaseRecords,
            Permission::AddCaseNote,
            Permission::ReadServiceChangeLinks,
        ],
    ),
    (
        "REPORT_READERS",
        REPORT_READERS,
        &[
            Permission::ReadReports,
            Permission::ReadFeedbackSummary,
            Permission::AssessFramework,
        ],
    ),
    (
        "NOTE_TAKERS",
        NOTE_TAKERS,
        &[Permission::RecordMeetingNotes],
    ),
    ("EVERYONE", EVERYONE, &[Permission::ReadServiceChanges]),
];

/// Who may call an operation.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// No sign-in needed.
    Public,
    /// Signed-in staff with one of these roles; not about one case.
    Roles(&'static [Role]),
    /// About one case: these roles, and an investigator (when listed) only on a case assigned
    /// to them or in a service they lead.
    Case(&'static [Role]),
    /// About one case, and who may act depends on its kind: complaints, PALS concerns.
    CaseByKind(&'static [Role], &'static [Role]),
}

/// One operation as the test calls it.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// `"METHOD /path"` exactly as the OpenAPI document names it.
    pub op: &'static str,
    pub access: Access,
    /// Query string sent (placeholders `{case}`, `{year}`, `{from}`, `{to}`), or empty.
    pub query: &'static str,
    /// JSON body sent with a write; minimal, but shaped so that the role check is reached.
    pub body: &'static str,
}

const fn row(op: &'static str, access: Access) -> Row {
    Row {
        op,
        access,
        query: "",
        body: "{}",
    }
}

const fn public(op: &'static str) -> Row {
    row(op, Access::Public)
}

const fn signed(op: &'static str, roles: &'static [Role]) -> Row {
    row(op, Access::Roles(roles))
}

const fn case(op: &'static str, roles: &'static [Role]) -> Row {
    row(op, Access::Case(roles))
}

/// A step on a case: complaints are run by managers, PALS concerns by case staff.
const fn step(op: &'static str) -> Row {
    row(op, Access::CaseByKind(MANAGERS, CASE_STAFF))
}

impl Row {
    const fn query(self, query: &'static str) -> Row {
        Row { query, ..self }
    }

    const fn body(self, body: &'static str) -> Row {
        Row { body, ..self }
    }

    pub fn method(&self) -> &'static str {
        self.op.split_once(' ').expect("METHOD /path").0
    }

    pub fn path(&self) -> &'static str {
        self.op.split_once(' ').expect("METHOD /path").1
    }
}

// A note and an update are checked before the case is looked at: valid ones reach the case.
const NOTE: &str = r#"{"text": "Spoke to the ward manager"}"#;
const UPDATE: &str = r#"{"message": "We are still looking into your concerns."}"#;
// These bodies are read into their types before the role check (a 400 would come first), so
// they have the right shape; their blank values are refused only after it, and change nothing.
const SERVICE: &str = r#"{"kind": "site", "code": "", "name": ""}"#;
const ITEM: &str = r#"{"code": "", "label": ""}"#;
const CALENDAR: &str = r#"{"note": "", "holidays": []}"#;
const PERIOD: &str = "from={from}&to={to}";

/// Every operation, in the OpenAPI document's order. The comment names the permission.
pub const TABLE: &[Row] = &[
    signed("GET /api/v1/audit-log", ADMIN_ONLY), // ReadAuditLog
    public("POST /api/v1/auth/login"),
    signed("POST /api/v1/auth/logout", EVERYONE), // sent last: it ends the session
    public("POST /api/v1/auth/refresh"),
    signed("GET /api/v1/calendar/bank-holidays", EVERYONE),
    signed("PUT /api/v1/calendar/bank-holidays", ADMIN_ONLY).body(CALENDAR), // ManageCalendar
    signed("GET /api/v1/candour", CASE_WORKERS), // ReadCaseRecords, filtered to their cases
    signed("GET /api/v1/cases", CASE_WORKERS),   // ReadAllCases | ReadAssignedCases
    signed("POST /api/v1/cases", CASE_STAFF),    // CreateCase
    case("GET /api/v1/cases/{id}", CASE_WORKERS),
    step("PATCH /api/v1/cases/{id}"), // EditCase | RunPalsConcern
    case("GET /api/v1/cases/{id}/access-log", MANAGERS), // ReadAccessLog
    step("POST /api/v1/cases/{id}/acknowledge"), // RunComplaint | RunPalsConcern
    step("POST /api/v1/cases/{id}/assign"),
    case("GET /api/v1/cases/{id}/candour", CASE_WORKERS), // ReadCaseRecords
    case("PATCH /api/v1/cases/{id}/candour", MANAGERS),   // ManageCandour
    case("POST /api/v1/cases/{id}/candour", MANAGERS),
    case("GET /api/v1/cases/{id}/candour/steps", CASE_WORKERS),
    case("POST /api/v1/cases/{id}/candour/steps", MANAGERS),
    step("POST /api/v1/cases/{id}/close"),
    step("POST /api/v1/cases/{id}/escalate"),
    step("POST /api/v1/cases/{id}/extend"),
    case("POST /api/v1/cases/{id}/feedback-invitations", MANAGERS), // InviteFeedback
    case("GET /api/v1/cases/{id}/bundle", MANAGERS),                // SubjectAccess
    case("GET /api/v1/cases/{id}/documents", CASE_WORKERS),         // the case's readers
    // A JSON body is refused (415) only after the role and the case were checked.
    case("POST /api/v1/cases/{id}/documents", CASE_WORKERS), // AddCaseNote
    case("GET /api/v1/documents/{id}", CASE_WORKERS),
    case("GET /api/v1/documents/{id}/content", CASE_WORKERS),
    case("POST /api/v1/documents/{id}/redactions", MANAGERS), // RedactCase
    case("POST /api/v1/documents/{id}/versions", CASE_WORKERS), // AddCaseNote
    case("GET /api/v1/cases/{id}/letters", CASE_WORKERS),
    case("GET /api/v1/cases/{id}/letters/{letter_id}", CASE_WORKERS),
    step("POST /api/v1/cases/{id}/letters/{letter_id}/posted"),
    case(
        "POST /api/v1/cases/{id}/letters/{letter_id}/print",
        MANAGERS,
    ), // ManageTrackingLinks
    case("GET /api/v1/cases/{id}/meetings", CASE_WORKERS), // ReadCaseRecords
    case("POST /api/v1/cases/{id}/meetings", MANAGERS),    // ManageMeetings
    case("POST /api/v1/cases/{id}/notes", CASE_WORKERS).body(NOTE), // AddCaseNote
    case("GET /api/v1/cases/{id}/ombudsman", CASE_WORKERS), // ReadCaseRecords
    case("POST /api/v1/cases/{id}/ombudsman", MANAGERS),   // ManageOmbudsman
    case("PUT /api/v1/cases/{id}/ombudsman", MANAGERS),
    step("POST /api/v1/cases/{id}/pause"),
    case("POST /api/v1/cases/{id}/redactions", MANAGERS), // RedactCase
    step("POST /api/v1/cases/{id}/reopen"),
    step("POST /api/v1/cases/{id}/resolve"),
    step("POST /api/v1/cases/{id}/respond"),
    step("POST /api/v1/cases/{id}/resume"),
    step("POST /api/v1/cases/{id}/six-month-letter"),
    step("POST /api/v1/cases/{id}/start-investigation"),
    step("POST /api/v1/cases/{id}/time-limit-decision"),
    case("GET /api/v1/cases/{id}/timeline", CASE_WORKERS),
    case("POST /api/v1/cases/{id}/tracking-links", MANAGERS), // ManageTrackingLinks
    case("POST /api/v1/cases/{id}/tracking-links/revoke", MANAGERS),
    step("POST /api/v1/cases/{id}/updates").body(UPDATE),
    step("POST /api/v1/cases/{id}/withdraw"),
    signed("GET /api/v1/feedback/summary", REPORT_READERS), // ReadFeedbackSummary
    signed("GET /api/v1/framework-assessments", REPORT_READERS), // AssessFramework
    signed("POST /api/v1/framework-assessments", REPORT_READERS),
    signed("GET /api/v1/framework-assessments/compare", REPORT_READERS),
    signed("GET /api/v1/framework-assessments/{id}", REPORT_READERS),
    signed("GET /api/v1/framework-characteristics", EVERYONE),
    signed("GET /api/v1/framework-evidence", REPORT_READERS),
    signed("GET /api/v1/letters/to-post", CASE_STAFF), // ReadAllCases
    signed("GET /api/v1/me", EVERYONE),
    signed("POST /api/v1/me/password", EVERYONE),
    case("GET /api/v1/meetings/{id}", CASE_WORKERS), // ReadCaseRecords
    case("POST /api/v1/meetings/{id}/accept", MANAGERS), // ManageMeetings
    case("POST /api/v1/meetings/{id}/cancel", MANAGERS),
    case("POST /api/v1/meetings/{id}/decline", MANAGERS),
    case("POST /api/v1/meetings/{id}/hold", NOTE_TAKERS), // RecordMeetingNotes
    case("GET /api/v1/meetings/{id}/invite.ics", CASE_WORKERS),
    case("POST /api/v1/meetings/{id}/reschedule", MANAGERS),
    case("POST /api/v1/meetings/{id}/schedule", MANAGERS),
    case("POST /api/v1/meetings/{id}/summary-sent", NOTE_TAKERS),
    signed("GET /api/v1/outbox", ADMIN_ONLY), // ManageOutbox
    signed("POST /api/v1/outbox/{id}/retry", ADMIN_ONLY),
    signed("GET /api/v1/persons", MANAGERS).query("q=Alex"), // SubjectAccess
    signed("GET /api/v1/persons/{id}/export", MANAGERS),
    signed("GET /api/v1/reports/annual", REPORT_READERS).query("year={year}"), // ReadReports
    signed("GET /api/v1/reports/board", REPORT_READERS).query(PERIOD),
    signed("POST /api/v1/reports/board-pack-links", REPORT_READERS),
    signed("GET /api/v1/reports/ko41a", REPORT_READERS).query("year={year}"),
    signed(
        "GET /api/v1/reports/ko41a/{year}/submissions",
        REPORT_READERS,
    ),
    signed("POST /api/v1/reports/ko41a/{year}/submissions", MANAGERS), // SubmitReturns
    signed("GET /api/v1/reports/spc", REPORT_READERS),
    signed("GET /api/v1/reports/spc/early-warning", REPORT_READERS),
    signed("GET /api/v1/service-changes", EVERYONE), // ReadServiceChanges
    // Filtering by a case is a fact about the case: staff who may see it (not the board).
    case("GET /api/v1/service-changes", CASE_WORKERS).query("case_id={case}"),
    signed("POST /api/v1/service-changes", MANAGERS), // ManageServiceChanges
    signed("GET /api/v1/service-changes/{id}", EVERYONE),
    signed("PATCH /api/v1/service-changes/{id}", MANAGERS),
    signed("POST /api/v1/service-changes/{id}/abandon", MANAGERS),
    signed("POST /api/v1/service-changes/{id}/implement", MANAGERS),
    signed("POST /api/v1/service-changes/{id}/start", MANAGERS),
    signed("POST /api/v1/service-changes/{id}/sustain", MANAGERS),
    signed("GET /api/v1/services", EVERYONE),
    signed("POST /api/v1/services", MANAGERS).body(SERVICE), // ManageServices
    signed("GET /api/v1/services/{id}", EVERYONE),
    signed("PATCH /api/v1/services/{id}", MANAGERS),
    signed("GET /api/v1/taxonomy", EVERYONE),
    signed("POST /api/v1/taxonomy/{list}", ADMIN_ONLY).body(ITEM), // ManageTaxonomy
    signed("PATCH /api/v1/taxonomy/{list}/{code}", ADMIN_ONLY),
    signed("GET /api/v1/users", ADMIN_ONLY), // ManageUsers
    signed("POST /api/v1/users", ADMIN_ONLY),
    signed("GET /api/v1/users/{id}", ADMIN_ONLY),
    signed("PATCH /api/v1/users/{id}", ADMIN_ONLY),
    signed("POST /api/v1/users/{id}/unlock", ADMIN_ONLY),
    public("GET /api/v1/you-said-we-did"),
    public("GET /healthz"),
    public("GET /metrics"),
    public("GET /readyz"),
];
