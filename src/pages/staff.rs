//! The staff workspace under `/staff`: server-rendered pages in the NHS design system for PALS
//! officers, complaints managers, investigators and board members, on the same services and
//! permissions as the API. Every page works without JavaScript; the CSP allows only Candour's
//! own stylesheets, scripts and images. Sessions live in an `HttpOnly`, `SameSite=Strict`
//! cookie (`Secure` outside development) and every form carries a CSRF token.

pub mod actions;
pub mod candour_steps;
pub mod case_page;
pub mod case_records;
pub mod find;
pub mod forms;
pub mod learning;
pub mod meeting_steps;
pub mod my_work;
pub mod new_case;
pub mod ombudsman_form;
pub mod records;
pub mod reports;
pub mod session;
pub mod sign_in;
pub mod steps;
pub mod words;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use crate::domain::role::{Permission, Role};
use crate::error::AppError;
use crate::state::AppState;
pub use session::Staff;

/// The Content-Security-Policy of the staff pages: Candour's own files, forms that post back.
pub const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
                       connect-src 'self'; form-action 'self'; base-uri 'none'; \
                       frame-ancestors 'none'";

/// Register the staff pages.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/staff", web::get().to(home))
        .service(
            web::resource("/staff/sign-in")
                .route(web::get().to(sign_in::form))
                .route(web::post().to(sign_in::submit)),
        )
        .route("/staff/sign-out", web::post().to(sign_in::sign_out))
        .service(
            web::resource("/staff/password")
                .route(web::get().to(sign_in::password_form))
                .route(web::post().to(sign_in::change_password)),
        )
        .route("/staff/my-work", web::get().to(my_work::show))
        .route("/staff/reports", web::get().to(reports::show))
        .route("/staff/learning", web::get().to(learning::show))
        .route(
            "/staff/reports/board-pack",
            web::post().to(reports::board_pack),
        )
        .route(
            "/staff/reports/ko41a.csv",
            web::get().to(reports::ko41a_csv),
        )
        .route(
            "/staff/reports/annual",
            web::get().to(reports::annual_report),
        )
        .route("/staff/cases", web::get().to(find::show))
        .service(
            web::resource("/staff/cases/new")
                .route(web::get().to(new_case::form))
                .route(web::post().to(new_case::submit)),
        )
        .route("/staff/cases/{id}", web::get().to(case_page::show))
        .route(
            "/staff/cases/{id}/actions/{action}",
            web::post().to(actions::submit),
        )
        .route("/staff/cases/{id}/notes", web::post().to(records::add_note))
        .route(
            "/staff/cases/{id}/documents",
            web::post().to(records::upload),
        )
        .route(
            "/staff/cases/{id}/letters/{letter_id}",
            web::get().to(records::letter),
        )
        .route("/staff/documents/{id}", web::get().to(records::download))
        .route(
            "/staff/meetings/{id}/invite.ics",
            web::get().to(case_records::invite),
        )
        .route(
            "/staff/cases/{id}/meetings",
            web::post().to(meeting_steps::offer),
        )
        .route(
            "/staff/meetings/{id}/actions/{action}",
            web::post().to(meeting_steps::submit),
        )
        .route(
            "/staff/cases/{id}/candour",
            web::post().to(candour_steps::flag),
        )
        .route(
            "/staff/cases/{id}/candour/harm",
            web::post().to(candour_steps::decide),
        )
        .route(
            "/staff/cases/{id}/candour/steps/{kind}",
            web::post().to(candour_steps::step),
        )
        .route(
            "/staff/cases/{id}/ombudsman",
            web::post().to(ombudsman_form::submit),
        );
}

async fn home(staff: Staff) -> HttpResponse {
    see_other(if reads_cases(staff.actor.role) {
        "/staff/my-work"
    } else if staff.actor.role.can(Permission::ReadReports) {
        "/staff/reports"
    } else {
        "/staff/password"
    })
}

/// Whether `role` works on cases (the board reads reports only).
fn reads_cases(role: Role) -> bool {
    role.can(Permission::ReadAllCases) || role.can(Permission::ReadAssignedCases)
}

/// A `303 See Other` to `location` (after a form post, or to sign in).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The menu a role sees; `current` marks the page shown.
fn nav(role: Role, current: &str) -> Vec<Value> {
    let mut items = Vec::new();
    if reads_cases(role) {
        items.push(("My work", "/staff/my-work"));
    }
    if reads_cases(role) {
        items.push(("Find a case", "/staff/cases"));
    }
    if role.can(Permission::CreateCase) {
        items.push(("Log a concern or complaint", "/staff/cases/new"));
    }
    if role.can(Permission::ReadServiceChanges) {
        items.push(("Learning register", "/staff/learning"));
    }
    if role.can(Permission::ReadReports) {
        items.push(("Reports", "/staff/reports"));
    }
    items.push(("Your password", "/staff/password"));
    items
        .into_iter()
        .map(|(text, href)| json!({ "text": text, "href": href, "current": href == current }))
        .collect()
}

/// Render staff page template `name` for `staff` on the page at `path`: the context gains who
/// is signed in, the menu and the CSRF token its forms carry.
pub fn render(
    state: &AppState,
    staff: &Staff,
    status: StatusCode,
    name: &str,
    path: &str,
    mut context: Value,
) -> HttpResponse {
    if let Value::Object(map) = &mut context {
        map.insert("me".into(), json!({ "name": staff.name }));
        map.insert("csrf".into(), Value::String(staff.csrf.clone()));
        map.insert("nav".into(), Value::Array(nav(staff.actor.role, path)));
    }
    render_bare(state, status, name, &context)
}

/// Render staff page template `name` with no one signed in (the sign-in page, errors).
pub fn render_bare(
    state: &AppState,
    status: StatusCode,
    name: &str,
    context: &Value,
) -> HttpResponse {
    match state.outbox.templates().render_page(name, context) {
        Ok(body) => crate::http::page::private_html(status, CSP, body),
        Err(e) => super::server_error(Some(state), &e.to_string()),
    }
}

/// The staff page for a server error: the cause is logged under an id staff can quote to IT.
fn server_error(state: &AppState, cause: &str) -> HttpResponse {
    let problem = crate::error::internal_problem(cause);
    let quote = format!(
        "If it keeps happening, tell your IT service desk and quote error {}.",
        problem.error_id.unwrap_or_default()
    );
    let mut res = message(
        state,
        StatusCode::OK,
        "Sorry, there is a problem with Candour",
        &[
            "Check on the case whether your change was saved before you try again.",
            quote.as_str(),
        ],
    );
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res
}

/// A staff page of a heading and paragraphs.
pub fn message(
    state: &AppState,
    status: StatusCode,
    title: &str,
    paragraphs: &[&str],
) -> HttpResponse {
    render_bare(
        state,
        status,
        "staff_message",
        &json!({ "title": title, "paragraphs": paragraphs }),
    )
}

/// The staff page for an error from a use-case.
pub fn app_error(state: &AppState, e: &AppError) -> HttpResponse {
    use actix_web::ResponseError;
    match e {
        AppError::TooManyRequests { .. } => super::app_error(state, e),
        AppError::Forbidden(detail) => message(
            state,
            StatusCode::FORBIDDEN,
            "You cannot do that",
            &[detail.as_str(), "Ask a complaints manager if you need to."],
        ),
        AppError::NotFound(_) => message(
            state,
            StatusCode::NOT_FOUND,
            "Page not found",
            &[
                "There is no such case, or it is not one you can see.",
                "Go to My work, or find the case by its reference.",
            ],
        ),
        AppError::Validation(fields) => {
            let lines: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", f.field.replace('_', " "), f.message))
                .collect();
            let mut paragraphs: Vec<&str> = lines.iter().map(String::as_str).collect();
            paragraphs.push("Go back to the page and try again.");
            message(
                state,
                StatusCode::BAD_REQUEST,
                "Sorry, that could not be done",
                &paragraphs,
            )
        }
        e if e.status_code().is_server_error() => server_error(state, &e.to_string()),
        e => message(
            state,
            e.status_code(),
            "Sorry, that could not be done",
            &[e.to_string().as_str(), "Go back to the page and try again."],
        ),
    }
}
