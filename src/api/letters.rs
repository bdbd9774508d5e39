//! Letters: a case's letters, the printable copy, the print queue and progress updates.

use crate::api::routes::Routes;
use actix_web::{HttpResponse, get, post, web};

use super::extract::{ApiJson, AuthUser};
use crate::error::{AppResult, Problem};
use crate::services::letters::{self, LetterSummary, ProgressUpdateRequest};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(list_letters)
        .service(get_letter)
        .service(print_letter)
        .service(post_letter)
        .service(print_queue)
        .service(send_update);
}

/// The letters written to the complainant, emailed or to post.
#[utoipa::path(
    tag = "letters",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 200, description = "Letters, oldest first", body = Vec<LetterSummary>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/letters")]
pub async fn list_letters(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<Vec<LetterSummary>>> {
    letters::for_case(&state, &user.0, id.into_inner())
        .await
        .map(|all| web::Json(all.into_iter().map(linked).collect()))
}

/// A letter ready to print (A4 HTML with the trust's letterhead).
#[utoipa::path(
    tag = "letters",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Case id"),
        ("letter_id" = String, Path, description = "Letter id"),
    ),
    responses(
        (status = 200, description = "Printable letter", body = String, content_type = "text/html"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not your case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or letter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/cases/{id}/letters/{letter_id}")]
pub async fn get_letter(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (case_id, letter_id) = path.into_inner();
    let html = letters::printable(&state, &user.0, case_id, letter_id).await?;
    Ok(crate::http::page::letter(html))
}

/// Print a letter to post with the complainant's private links made live (complaints managers
/// and admins). Each print issues new links, so older ones stop working, and goes on the
/// timeline; the copy `GET` shows has a placeholder instead.
#[utoipa::path(
    tag = "letters",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Case id"),
        ("letter_id" = String, Path, description = "Letter id"),
    ),
    responses(
        (status = 200, description = "The letter to print, with its live links", body = String, content_type = "text/html"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or letter", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The letter was emailed", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/letters/{letter_id}/print")]
pub async fn print_letter(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (case_id, letter_id) = path.into_inner();
    let html = letters::print_for_posting(&state, &user.0, case_id, letter_id).await?;
    Ok(crate::http::page::letter(html))
}

/// Record that a printed letter was posted.
#[utoipa::path(
    tag = "letters",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Case id"),
        ("letter_id" = String, Path, description = "Letter id"),
    ),
    responses(
        (status = 200, description = "The letter, now posted", body = LetterSummary),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not run this case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case or letter", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The letter was emailed or already posted", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/letters/{letter_id}/posted")]
pub async fn post_letter(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<web::Json<LetterSummary>> {
    let (case_id, letter_id) = path.into_inner();
    letters::mark_posted(&state, &user.0, case_id, letter_id)
        .await
        .map(|letter| web::Json(linked(letter)))
}

/// Letters waiting to be printed and posted, oldest first.
#[utoipa::path(
    tag = "letters",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The print queue", body = Vec<LetterSummary>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not see every case", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/letters/to-post")]
pub async fn print_queue(
    state: web::Data<AppState>,
    user: AuthUser,
) -> AppResult<web::Json<Vec<LetterSummary>>> {
    letters::print_queue(&state, &user.0)
        .await
        .map(|all| web::Json(all.into_iter().map(linked).collect()))
}

/// Send the complainant a progress update (email, or a letter to post without an address).
#[utoipa::path(
    tag = "letters",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    request_body = ProgressUpdateRequest,
    responses(
        (status = 201, description = "The update as a letter", body = LetterSummary),
        (status = 400, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not run this case", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is finished", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/updates")]
pub async fn send_update(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    // Those who run cases write updates; the case's kind is checked once it is loaded.
    user.0
        .require(crate::domain::role::Permission::RunPalsConcern)?;
    let req: ProgressUpdateRequest = crate::json::from_value(body.0)?;
    let letter = letters::progress_update(&state, &user.0, id.into_inner(), req).await?;
    Ok(HttpResponse::Created().json(linked(letter)))
}

/// The letter with the address of its printable copy.
fn linked(mut letter: LetterSummary) -> LetterSummary {
    letter.print_url = crate::links::letter(&letter.case_id, &letter.id);
    letter
}
