//! Self-assessments against the patient experience improvement framework: the characteristics,
//! recording an assessment, the history of assessments, and comparing two.

use crate::api::routes::Routes;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, AuthUser};
use crate::domain::role::Permission;
use crate::error::{AppResult, Problem};
use crate::services::framework::{
    self, AssessmentView, CharacteristicView, Comparison, CreateAssessmentRequest,
};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    // `compare` before `{id}`, so that it is not taken for an id.
    cfg.service(list_framework_characteristics)
        .service(create_framework_assessment)
        .service(list_framework_assessments)
        .service(compare_framework_assessments)
        .service(get_framework_assessment)
        .service(get_framework_evidence);
}

/// The framework's characteristics (1A … 23A) with their section and numbered heading, in the
/// framework's order.
#[utoipa::path(
    tag = "framework",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every characteristic", body = Vec<CharacteristicView>),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/framework-characteristics")]
pub async fn list_framework_characteristics(
    state: web::Data<AppState>,
    _user: AuthUser,
) -> AppResult<web::Json<Vec<CharacteristicView>>> {
    framework::characteristics(&state).await.map(web::Json)
}

/// Record a dated self-assessment: per characteristic a score 0–5 and, optionally, the current
/// position, the planned action and what good will look like. Never changed afterwards: a new
/// assessment is recorded instead.
#[utoipa::path(
    tag = "framework",
    security(("bearer" = [])),
    request_body = CreateAssessmentRequest,
    responses(
        (status = 201, description = "Recorded; `Location` names it", body = AssessmentView),
        (status = 400, description = "Invalid fields, each named (unknown or repeated codes, scores outside 0–5, a future date)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the board, complaints managers and admins assess", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/framework-assessments")]
pub async fn create_framework_assessment(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    user.0.require(Permission::AssessFramework)?;
    let view = framework::create(&state, &user.0, body.0).await?;
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header((
            header::LOCATION,
            format!("/api/v1/framework-assessments/{}", view.id),
        ))
        .json(view))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AssessmentListQuery {
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
}

/// Self-assessments, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentList {
    pub items: Vec<AssessmentView>,
    /// How many assessments there are in all.
    pub total: i64,
}

/// The history of self-assessments, newest first.
#[utoipa::path(
    tag = "framework",
    security(("bearer" = [])),
    params(AssessmentListQuery),
    responses(
        (status = 200, description = "Assessments, newest first", body = AssessmentList),
        (status = 400, description = "Bad limit", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the board, complaints managers and admins read assessments", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/framework-assessments")]
pub async fn list_framework_assessments(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<AssessmentListQuery>,
) -> AppResult<web::Json<AssessmentList>> {
    let (items, total) = framework::list(&state, &user.0, query.limit).await?;
    Ok(web::Json(AssessmentList { items, total }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    /// The earlier assessment's id; with `to`, or leave both out for the latest two.
    pub from: Option<String>,
    /// The later assessment's id.
    pub to: Option<String>,
}

/// Compare two assessments per characteristic: both scores and the change.
#[utoipa::path(
    tag = "framework",
    security(("bearer" = [])),
    params(CompareQuery),
    responses(
        (status = 200, description = "The two assessments side by side", body = Comparison),
        (status = 400, description = "Unknown assessment, or only one of from and to", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the board, complaints managers and admins read assessments", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Fewer than two assessments recorded", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/framework-assessments/compare")]
pub async fn compare_framework_assessments(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<CompareQuery>,
) -> AppResult<web::Json<Comparison>> {
    let q = query.into_inner();
    framework::compare(&state, &user.0, q.from, q.to)
        .await
        .map(web::Json)
}

/// One self-assessment.
#[utoipa::path(
    tag = "framework",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Assessment id")),
    responses(
        (status = 200, description = "The assessment", body = AssessmentView),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the board, complaints managers and admins read assessments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assessment", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/framework-assessments/{id}")]
pub async fn get_framework_assessment(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> AppResult<web::Json<AssessmentView>> {
    framework::get(&state, &user.0, id.into_inner())
        .await
        .map(web::Json)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EvidenceQuery {
    /// The last day of the twelve months (default: today).
    pub on: Option<chrono::NaiveDate>,
}

/// What Candour's own data shows for characteristics 10C, 10D, 10E, 11B, 13A, 15A and 16A over
/// the twelve months ending `on`: meetings, handling feedback, service changes, Duty of
/// Candour, themes, SPC early warnings and staff alerts. The same evidence appears beside the
/// scores of a single assessment. The board role sees small counts suppressed.
#[utoipa::path(
    tag = "framework",
    security(("bearer" = [])),
    params(EvidenceQuery),
    responses(
        (status = 200, description = "Evidence by characteristic code", body = std::collections::BTreeMap<String, crate::reports::evidence::Evidence>),
        (status = 400, description = "A date in the future", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only the board, complaints managers and admins", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/framework-evidence")]
pub async fn get_framework_evidence(
    state: web::Data<AppState>,
    user: AuthUser,
    query: web::Query<EvidenceQuery>,
) -> AppResult<web::Json<std::collections::BTreeMap<String, crate::reports::evidence::Evidence>>> {
    framework::evidence(&state, &user.0, query.into_inner().on)
        .await
        .map(web::Json)
}
