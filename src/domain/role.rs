//! Staff roles and the one permission table every check reads.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a member of staff does in Candour (design.md, "Roles").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    ComplaintsManager,
    PalsOfficer,
    Investigator,
    Board,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::ComplaintsManager,
        Role::PalsOfficer,
        Role::Investigator,
        Role::Board,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ComplaintsManager => "complaints_manager",
            Role::PalsOfficer => "pals_officer",
            Role::Investigator => "investigator",
            Role::Board => "board",
        }
    }

    /// The role as a complainant reads it (the tracking page names the handler's role).
    pub fn title(self) -> &'static str {
        match self {
            Role::Admin => "Complaints administrator",
            Role::ComplaintsManager => "Complaints manager",
            Role::PalsOfficer => "Patient Advice and Liaison Service (PALS) officer",
            Role::Investigator => "Investigating officer",
            Role::Board => "Board member",
        }
    }

    /// Whether this role holds `permission`.
    pub fn can(self, permission: Permission) -> bool {
        PERMISSIONS
            .iter()
            .any(|(p, roles)| *p == permission && roles.contains(&self))
    }

    /// Every permission this role holds, for `GET /me`.
    pub fn permissions(self) -> Vec<Permission> {
        PERMISSIONS
            .iter()
            .filter(|(_, roles)| roles.contains(&self))
            .map(|(p, _)| *p)
            .collect()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown role {s:?}; expected one of {}", names.join(", "))
            })
    }
}

/// Something a role may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Create, list, change, unlock and deactivate staff accounts.
    ManageUsers,
    /// Add and change services (the trust's structure).
    ManageServices,
    /// Add, relabel and retire coding-list items.
    ManageTaxonomy,
    /// Publish a new bank holiday calendar.
    ManageCalendar,
    /// Log a new concern or complaint.
    CreateCase,
    /// Read every case.
    ReadAllCases,
    /// Read cases assigned to you or in services you lead.
    ReadAssignedCases,
    /// Edit a case's details and coding.
    EditCase,
    /// Run a formal complaint through its lifecycle.
    RunComplaint,
    /// Assign, resolve and escalate PALS concerns.
    RunPalsConcern,
    /// Add notes and findings to a case you can read.
    AddCaseNote,
    /// See who read a case.
    ReadAccessLog,
    /// See outgoing mail and re-queue dead messages.
    ManageOutbox,
    /// Read a case's meetings, Duty of Candour record and ombudsman referral (investigators:
    /// only on cases they can read).
    ReadCaseRecords,
    /// Offer, schedule, reschedule and cancel face-to-face meetings.
    ManageMeetings,
    /// Record that a meeting was held: notes, summary, follow-up actions.
    RecordMeetingNotes,
    /// Flag a possible notifiable safety incident, decide the harm, record the candour steps
    /// and exceptions.
    ManageCandour,
    /// Close a complaint whose Duty of Candour record is incomplete, giving a reason.
    OverrideCandourClosure,
    /// Record an ombudsman referral, the PHSO's decision and its recommendations.
    ManageOmbudsman,
    /// Issue a complainant's tracking link again, or revoke it.
    ManageTrackingLinks,
    /// Invite a complainant to the handling-feedback survey.
    InviteFeedback,
    /// Read the handling-feedback results: aggregates only.
    ReadFeedbackSummary,
    /// Read complainants' free-text comments from the handling-feedback survey.
    ReadFeedbackComments,
    /// Read board reports, SPC charts, KO41a and the annual report (aggregates only; the
    /// board role sees small counts suppressed).
    ReadReports,
    /// Record a KO41a return as submitted to NHS England.
    SubmitReturns,
    /// Record service changes in the learning register and take them through their steps.
    ManageServiceChanges,
    /// Read the learning register (the board: without the cases a change answers, or its
    /// history).
    ReadServiceChanges,
    /// See which cases a service change answers, and its history.
    ReadServiceChangeLinks,
    /// Record a self-assessment against the patient experience improvement framework, and read
    /// the assessments.
    AssessFramework,
    /// Read the system audit log (accounts, roles, sign-ins, settings, exports, retention).
    ReadAuditLog,
    /// Replace a text on a case (a field or a timeline event's words) with a redaction mark.
    RedactCase,
    /// Find a person across cases and export everything held about them (subject access).
    SubjectAccess,
}

const ADMIN_ONLY: &[Role] = &[Role::Admin];
const MANAGERS: &[Role] = &[Role::Admin, Role::ComplaintsManager];
const CASE_STAFF: &[Role] = &[Role::Admin, Role::ComplaintsManager, Role::PalsOfficer];
const CASE_WORKERS: &[Role] = &[
    Role::Admin,
    Role::ComplaintsManager,
    Role::PalsOfficer,
    Role::Investigator,
];

/// The permission table: which roles hold each permission (design.md, "Roles").
const PERMISSIONS: &[(Permission, &[Role])] = &[
    (Permission::ManageUsers, ADMIN_ONLY),
    (Permission::ManageServices, MANAGERS),
    (Permission::ManageTaxonomy, ADMIN_ONLY),
    (Permission::ManageCalendar, ADMIN_ONLY),
    (Permission::CreateCase, CASE_STAFF),
    (Permission::ReadAllCases, CASE_STAFF),
    (Permission::ReadAssignedCases, &[Role::Investigator]),
    (Permission::EditCase, MANAGERS),
    (Permission::RunComplaint, MANAGERS),
    (Permission::RunPalsConcern, CASE_STAFF),
    (Permission::AddCaseNote, CASE_WORKERS),
    (Permission::ReadAccessLog, MANAGERS),
    (Permission::ManageOutbox, ADMIN_ONLY),
    (Permission::ReadCaseRecords, CASE_WORKERS),
    (Permission::ManageMeetings, MANAGERS),
    (
        Permission::RecordMeetingNotes,
        &[Role::Admin, Role::ComplaintsManager, Role::Investigator],
    ),
    (Permission::ManageCandour, MANAGERS),
    (Permission::OverrideCandourClosure, MANAGERS),
    (Permission::ManageOmbudsman, MANAGERS),
    (Permission::ManageTrackingLinks, MANAGERS),
    (Permission::InviteFeedback, MANAGERS),
    (
        Permission::ReadFeedbackSummary,
        &[Role::Admin, Role::ComplaintsManager, Role::Board],
    ),
    (Permission::ReadFeedbackComments, MANAGERS),
    (
        Permission::ReadReports,
        &[Role::Admin, Role::ComplaintsManager, Role::Board],
    ),
    (Permission::SubmitReturns, MANAGERS),
    (Permission::ManageServiceChanges, MANAGERS),
    (
        Permission::ReadServiceChanges,
        &[
            Role::Admin,
            Role::ComplaintsManager,
            Role::PalsOfficer,
            Role::Investigator,
            Role::Board,
        ],
    ),
    (Permission::ReadServiceChangeLinks, CASE_WORKERS),
    (
        Permission::AssessFramework,
        &[Role::Admin, Role::ComplaintsManager, Role::Board],
    ),
    (Permission::ReadAuditLog, ADMIN_ONLY),
    (Permission::RedactCase, MANAGERS),
    (Permission::SubjectAccess, MANAGERS),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("boss".parse::<Role>().unwrap_err().contains("admin"));
    }

    #[test]
    fn the_board_holds_no_case_permission() {
        // Aggregates, the learning register and the framework self-assessment; never
        // comments or cases.
        assert_eq!(
            Role::Board.permissions(),
            vec![
                Permission::ReadFeedbackSummary,
                Permission::ReadReports,
                Permission::ReadServiceChanges,
                Permission::AssessFramework,
            ]
        );
        assert!(!Role::Investigator.can(Permission::ReadAllCases));
        assert!(Role::Investigator.can(Permission::ReadAssignedCases));
    }

    #[test]
    fn candour_decisions_are_for_managers_and_investigators_only_record_meeting_notes() {
        for role in Role::ALL {
            let managers = matches!(role, Role::Admin | Role::ComplaintsManager);
            assert_eq!(role.can(Permission::ManageCandour), managers, "{role}");
            assert_eq!(role.can(Permission::ManageMeetings), managers, "{role}");
            assert_eq!(role.can(Permission::ManageOmbudsman), managers, "{role}");
            assert_eq!(
                role.can(Permission::RecordMeetingNotes),
                managers || role == Role::Investigator,
                "{role}"
            );
            assert_eq!(role.can(Permission::ReadCaseRecords), role != Role::Board);
        }
    }

    #[test]
    fn tracking_links_and_feedback_are_for_managers_and_the_board_reads_aggregates() {
        for role in Role::ALL {
            let managers = matches!(role, Role::Admin | Role::ComplaintsManager);
            assert_eq!(
                role.can(Permission::ManageTrackingLinks),
                managers,
                "{role}"
            );
            assert_eq!(role.can(Permission::InviteFeedback), managers, "{role}");
            assert_eq!(
                role.can(Permission::ReadFeedbackComments),
                managers,
                "{role}"
            );
            assert_eq!(
                role.can(Permission::ReadFeedbackSummary),
                managers || role == Role::Board,
                "{role}"
            );
        }
    }

    #[test]
    fn managers_run_the_learning_register_and_the_board_reads_it() {
        for role in Role::ALL {
            let managers = matches!(role, Role::Admin | Role::ComplaintsManager);
            assert_eq!(
                role.can(Permission::ManageServiceChanges),
                managers,
                "{role}"
            );
            assert!(role.can(Permission::ReadServiceChanges), "{role}");
            assert_eq!(
                role.can(Permission::ReadServiceChangeLinks),
                role != Role::Board,
                "{role}"
            );
            assert_eq!(
                role.can(Permission::AssessFramework),
                managers || role == Role::Board,
                "{role}"
            );
        }
    }

    #[test]
    fn only_admins_manage_users() {
        for role in Role::ALL {
            assert_eq!(role.can(Permission::ManageUsers), role == Role::Admin);
        }
    }

    #[test]
    fn only_admins_manage_the_outbox() {
        for role in Role::ALL {
            assert_eq!(role.can(Permission::ManageOutbox), role == Role::Admin);
        }
    }
}
