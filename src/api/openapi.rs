//! The OpenAPI document: as served (the committed `docs/openapi.json`), and as the handlers
//! describe it (its frame of info, tags, shared schemas and the bearer scheme, every operation,
//! and the problem responses every operation of a kind can give: 413 and 415 for a JSON body,
//! 400 for a bad path or query string, 503 when the database cannot be reached).

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::domain::taxonomy::TaxonomyList;
use crate::error::{FieldError, Problem};

/// The document the server serves: `docs/openapi.json`, reviewed and committed. The test
/// `the_openapi_document_matches_the_handlers` proves it is what [`document`] builds, so it
/// never goes stale; serving the file spares each process composing it (about 19 MiB of
/// allocations that glibc's allocator kept resident afterwards).
pub const DOCUMENT: &[u8] = include_bytes!("../../docs/openapi.json");

/// The whole document as the handlers describe it: the frame below, every operation with its
/// schemas, and the common problem responses. Built by registering the handlers on an app that
/// is never run.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(super::health::healthz)
        .service(super::health::readyz)
        .service(super::health::metrics)
        .service(utoipa_actix_web::scope("/api/v1").configure(|c| super::configure(c)))
        .split_for_parts();
    CommonProblems.modify(&mut doc);
    doc
}

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
        (name = "documents", description = "Documents on a case: letters, emails, statements and evidence, checked by content and kept by digest"),
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

/// The problem responses that do not depend on the handler, added to every operation that can
/// give them (one the handler documents itself is kept). Applied to the finished document,
/// after the routes have added their paths.
pub struct CommonProblems;

/// Added to every operation with a request body: the JSON extractor (`api::extract::ApiJson`)
/// answers these before the handler runs.
const BODY_PROBLEMS: [(&str, &str); 2] = [
    (
        "413",
        "The body is larger than `server.max_json_bytes` (256 KiB by default)",
    ),
    (
        "415",
        "The body is not JSON: send it with `Content-Type: application/json`",
    ),
];

/// Added to every operation: a NUL character in the path or query string is refused before
/// any handler runs (`http::hygiene`), as is a path or query string that cannot be read.
const ANY_PROBLEM: (&str, &str) = (
    "400",
    "The path or query string is not valid (for example it holds a NUL character)",
);

/// Added to every operation under `/api/v1`: each needs the database.
const DATABASE_PROBLEM: (&str, &str) = (
    "503",
    "The database cannot be reached or has no free connection; retry after the \
     `Retry-After` seconds",
);

impl Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            let api = path.starts_with("/api/v1/");
            for op in operations(item) {
                let mut wanted = vec![ANY_PROBLEM];
                if op.request_body.is_some() {
                    wanted.extend(BODY_PROBLEMS);
                }
                if api {
                    wanted.push(DATABASE_PROBLEM);
                }
                for (status, description) in wanted {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| problem_response(description));
                }
            }
        }
    }
}

/// Every operation of a path.
fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

/// A response whose body is a [`Problem`](crate::error::Problem) document.
fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                Content::new(Some(Ref::from_schema_name("Problem"))),
            )
            .build(),
    )
}
