//! The OpenAPI document's frame: info, tags, shared schemas and the bearer scheme.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::domain::taxonomy::TaxonomyList;
use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Candour",
        description = "Complaints case management for NHS providers in England. \
                       Errors are application/problem+json (RFC 9457).",
        license(name = "MIT OR Apache-2.0")
    ),
    components(schemas(Problem, FieldError, TaxonomyList)),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-in, tokens and your own account"),
        (name = "users", description = "Staff accounts (admins)"),
        (name = "cases", description = "Concerns and complaints: intake, lists, the case, its history"),
        (name = "case actions", description = "Lifecycle steps; each needs the case's version"),
        (name = "meetings", description = "Face-to-face meetings: offer, accept or decline, schedule and reschedule, hold or cancel; the iCalendar invitation"),
        (name = "duty of candour", description = "Regulation 20: possible notifiable safety incidents, harm decisions, steps, contact attempts and exceptions, with due dates and status"),
        (name = "ombudsman", description = "Referrals to the Parliamentary and Health Service Ombudsman, its decisions and recommendations"),
        (name = "services", description = "The trust's service tree: sites, directorates, specialties, wards and teams"),
        (name = "taxonomy", description = "Coding lists (KO41a and local) and the fixed vocabularies of a case"),
        (name = "calendar", description = "England and Wales bank holidays, versioned"),
        (name = "tracking", description = "The complainant's private tracking link: issue a new one, revoke it"),
        (name = "feedback", description = "Handling feedback (My Expectations): survey invitations and results"),
        (name = "reports", description = "Board reporting: the board report, SPC charts and early warning, KO41a, the annual report (aggregates only; small counts suppressed for the board role)"),
        (name = "service changes", description = "The learning register (characteristic 10E): what changed because of complaints, its steps from planned to sustained, and the public 'you said, we did' list"),
        (name = "framework", description = "Self-assessments against the NHS Improvement patient experience improvement framework (2018): scores per characteristic, kept as history and compared"),
        (name = "outbox", description = "Outgoing email: sent, waiting and dead messages (admins)"),
        (name = "letters", description = "Letters to complainants: emailed when allowed (regulation 15), else printed and posted"),
        (name = "audit", description = "The system audit log (admins): accounts, roles, sign-ins, settings, exports and retention runs, sealed in one chain"),
        (name = "subject access", description = "Find a person across cases and export everything held about them (UK GDPR article 15)"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}
