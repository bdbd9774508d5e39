//! Handling feedback (characteristic 10D): invite a complainant to the survey, read results.

use crate::api::routes::Routes;
use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::extract::AuthUser;
use crate::error::{AppResult, Problem};
use crate::reports::feedback::FeedbackSummary;
use crate::services::feedback::{self, InvitationView};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(create_feedback_invitation)
        .service(get_feedback_summary);
}

/// Invite the complainant to the handling-feedback survey now. Only for a complaint that has
/// had its response (responded or closed). The invitation is emailed when the complainant has
/// an email address; otherwise it is a `letter` invitation and `letter_url` (shown only here)
/// is the address to print.
#[utoipa::path(
    tag = "feedback",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Case id")),
    responses(
        (status = 201, description = "The invitation", body = InvitationView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Complaints managers and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a complaint that has had its response", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/cases/{id}/feedback-invitations")]
pub async fn create_feedback_invitation(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (mut inv, letter_token) = feedback::invite(&state, &user.0, id.into_inner()).await?;
    let base = state.settings.server.base_url();
    inv.letter_url = letter_token.map(|token| crate::links::feedback(&base, &token));
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(inv))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedbackSummaryQuery {
    /// First day of invitations counted (default: a year before `to`).
    pub from: Option<NaiveDate>,
    /// Last day of invitations counted (default: today).
    pub to: Option<NaiveDate>,
}

/// Survey results for the invitations sent from `from` to `to`: invitations, responses and
/// response rate; per statement and per stage of *My Expectations* the number of scored
/// answers, the mean (1–5), the share agreeing (4–5) and disagreeing (1–2); overall
/// satisfaction. Complainants' comments are included for complaints managers and admins,
/// never for the board.
#[utoipa::path(
    tag = "feedback",
    security(("bearer" = [])),
    params(FeedbackSummaryQuery),
    responses(
        (status = 200, description = "The results", body = FeedbackSummary),
        (status = 400, description = "Bad dates", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Complaints managers, admins and the board only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/feedback/summary")]
pub async fn get_feedback_summary(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<FeedbackSummaryQuery>,
) -> AppResult<web::Json<FeedbackSummary>> {
    let q = query.into_inner();
    feedback::summary(&state, &user.0, q.from, q.to)
        .await
        .map(web::Json)
}
