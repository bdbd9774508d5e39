//! The coding lists and fixed vocabularies a case is described with: every signed-in role
//! reads them; admins add local items, relabel, reorder and retire them.

use crate::api::routes::Routes;
use actix_web::{HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::extract::{ApiJson, AuthUser};
use crate::domain::risk::RiskGrade;
use crate::domain::taxonomy::{self as vocab, TaxonomyList, Term};
use crate::error::{AppResult, Problem};
use crate::services::taxonomy::{self, NewItemInput};
use crate::services::taxonomy::{ItemChanges, TaxonomyItem};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Routes) {
    cfg.service(get_taxonomy)
        .service(create_taxonomy_item)
        .service(update_taxonomy_item);
}

/// One item of an editable coding list.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaxonomyItemResponse {
    /// Never changes once made.
    #[schema(example = "communications")]
    pub code: String,
    pub label: String,
    /// For ranges such as age bands: the lowest value in the item.
    pub min_value: Option<i32>,
    /// For ranges such as age bands: the highest value in the item (`null`: no upper bound).
    pub max_value: Option<i32>,
    /// `false`: retired, kept for old cases but not offered for new ones.
    pub active: bool,
    /// Part of the national KO41a return rather than a local addition.
    pub national: bool,
    /// `false` where the national list could not be confirmed (domain.md flags it ⚠️).
    pub confirmed: bool,
    pub sort_order: i32,
}

impl From<TaxonomyItem> for TaxonomyItemResponse {
    fn from(i: TaxonomyItem) -> Self {
        Self {
            code: i.code,
            label: i.label,
            min_value: i.min_value,
            max_value: i.max_value,
            active: i.active,
            national: i.national,
            confirmed: i.confirmed,
            sort_order: i.sort_order,
        }
    }
}

/// The editable lists, each in display order.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct TaxonomyLists {
    /// KO41a subject areas.
    pub subject_area: Vec<TaxonomyItemResponse>,
    /// KO41a clinical treatment sub-categories.
    pub clinical_subcategory: Vec<TaxonomyItemResponse>,
    /// KO41a service areas.
    pub service_area: Vec<TaxonomyItemResponse>,
    /// KO41a staff professions.
    pub profession: Vec<TaxonomyItemResponse>,
    /// KO41a status of complainant.
    pub complainant_status: Vec<TaxonomyItemResponse>,
    /// KO41a patient age bands.
    pub age_band: Vec<TaxonomyItemResponse>,
    /// How a case reached the trust (local list).
    pub channel: Vec<TaxonomyItemResponse>,
}

impl TaxonomyLists {
    fn slot(&mut self, list: TaxonomyList) -> &mut Vec<TaxonomyItemResponse> {
        match list {
            TaxonomyList::SubjectArea => &mut self.subject_area,
            TaxonomyList::ClinicalSubcategory => &mut self.clinical_subcategory,
            TaxonomyList::ServiceArea => &mut self.service_area,
            TaxonomyList::Profession => &mut self.profession,
            TaxonomyList::ComplainantStatus => &mut self.complainant_status,
            TaxonomyList::AgeBand => &mut self.age_band,
            TaxonomyList::Channel => &mut self.channel,
        }
    }
}

/// A value of a fixed vocabulary.
#[derive(Debug, Serialize, ToSchema)]
pub struct TermResponse {
    pub code: String,
    pub label: String,
}

impl From<Term> for TermResponse {
    fn from(t: Term) -> Self {
        Self {
            code: t.code.to_string(),
            label: t.label.to_string(),
        }
    }
}

/// A risk grade and the consequence × likelihood scores it covers (NPSA 5×5 matrix).
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskGradeTerm {
    pub code: RiskGrade,
    pub label: String,
    pub min_score: i32,
    pub max_score: i32,
}

/// Every coding list and fixed vocabulary.
#[derive(Debug, Serialize, ToSchema)]
pub struct TaxonomyResponse {
    /// The editable lists, stored as data.
    pub lists: TaxonomyLists,
    pub risk_grades: Vec<RiskGradeTerm>,
    pub outcomes: Vec<TermResponse>,
    pub aspect_outcomes: Vec<TermResponse>,
    pub representative_bases: Vec<TermResponse>,
    pub consent_statuses: Vec<TermResponse>,
    pub case_kinds: Vec<TermResponse>,
    pub case_statuses: Vec<TermResponse>,
}

fn terms(list: Vec<Term>) -> Vec<TermResponse> {
    list.into_iter().map(TermResponse::from).collect()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaxonomyQuery {
    /// Include retired items (default `false`).
    pub include_inactive: Option<bool>,
}

/// The coding lists and fixed vocabularies.
#[utoipa::path(
    tag = "taxonomy",
    security(("bearer" = [])),
    params(TaxonomyQuery),
    responses(
        (status = 200, description = "Every list", body = TaxonomyResponse),
        (status = 400, description = "Bad query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/taxonomy")]
pub async fn get_taxonomy(
    state: web::Data<AppState>,
    _user: AuthUser,
    query: web::Query<TaxonomyQuery>,
) -> AppResult<web::Json<TaxonomyResponse>> {
    let items = taxonomy::catalogue(&state, query.include_inactive.unwrap_or(false)).await?;
    let mut lists = TaxonomyLists::default();
    for item in items {
        // The table's CHECK constraint admits only the known lists.
        if let Ok(list) = item.list.parse::<TaxonomyList>() {
            lists.slot(list).push(item.into());
        }
    }
    let risk_grades = RiskGrade::ALL
        .into_iter()
        .map(|g| {
            let (min_score, max_score) = g.score_range();
            RiskGradeTerm {
                code: g,
                label: vocab::risk_grade_label(g).to_string(),
                min_score,
                max_score,
            }
        })
        .collect();
    Ok(web::Json(TaxonomyResponse {
        lists,
        risk_grades,
        outcomes: terms(vocab::outcomes()),
        aspect_outcomes: terms(vocab::aspect_outcomes()),
        representative_bases: terms(vocab::representative_bases()),
        consent_statuses: terms(vocab::consent_statuses()),
        case_kinds: terms(vocab::case_kinds()),
        case_statuses: terms(vocab::case_statuses()),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTaxonomyItemRequest {
    /// Lower snake_case, at most 48 characters, new in the list (retired codes count).
    #[schema(example = "via_social_media")]
    pub code: String,
    #[schema(example = "Via social media")]
    pub label: String,
    /// Default: after the list's last item.
    pub sort_order: Option<i32>,
    pub min_value: Option<i32>,
    pub max_value: Option<i32>,
}

/// Add a local item to a coding list.
#[utoipa::path(
    tag = "taxonomy",
    security(("bearer" = [])),
    params(("list" = TaxonomyList, Path, description = "The coding list")),
    request_body = CreateTaxonomyItemRequest,
    responses(
        (status = 201, description = "Added (local, confirmed, active)", body = TaxonomyItemResponse),
        (status = 400, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such list", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The list already has this code", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/taxonomy/{list}")]
pub async fn create_taxonomy_item(
    state: web::Data<AppState>,
    user: AuthUser,
    list: web::Path<String>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    // The role is checked before the body is read: 403 comes before any 400.
    user.0
        .require(crate::domain::role::Permission::ManageTaxonomy)?;
    let body: CreateTaxonomyItemRequest = crate::json::from_value(body.0)?;
    let b = body;
    let input = NewItemInput {
        code: b.code,
        label: b.label,
        sort_order: b.sort_order,
        min_value: b.min_value,
        max_value: b.max_value,
    };
    let item = taxonomy::add_item(&state, &user.0, list.into_inner(), input).await?;
    Ok(HttpResponse::Created().json(TaxonomyItemResponse::from(item)))
}

/// Send only what changes. Codes never change and items are never deleted: retire with
/// `active: false`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTaxonomyItemRequest {
    pub label: Option<String>,
    pub active: Option<bool>,
    pub sort_order: Option<i32>,
}

/// Relabel, reorder, retire or reactivate a coding list item.
#[utoipa::path(
    tag = "taxonomy",
    security(("bearer" = [])),
    params(
        ("list" = TaxonomyList, Path, description = "The coding list"),
        ("code" = String, Path, description = "The item's code"),
    ),
    request_body = UpdateTaxonomyItemRequest,
    responses(
        (status = 200, description = "The changed item", body = TaxonomyItemResponse),
        (status = 400, description = "Invalid fields, or nothing to change", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such list or item", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/taxonomy/{list}/{code}")]
pub async fn update_taxonomy_item(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: ApiJson<serde_json::Value>,
) -> AppResult<web::Json<TaxonomyItemResponse>> {
    // The role is checked before the body is read: 403 comes before any 400.
    user.0
        .require(crate::domain::role::Permission::ManageTaxonomy)?;
    let body: UpdateTaxonomyItemRequest = crate::json::from_value(body.0)?;
    let (list, code) = path.into_inner();
    let b = body;
    let changes = ItemChanges {
        label: b.label,
        active: b.active,
        sort_order: b.sort_order,
    };
    let item = taxonomy::update_item(&state, &user.0, list, code, changes).await?;
    Ok(web::Json(item.into()))
}
