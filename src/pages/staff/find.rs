//! `GET /staff/cases`: find a case by its reference, a name, an NHS number, an email address or
//! words from its summary, narrowed by kind, status and service, newest first, a page at a
//! time. Only cases the person may see are found; each listed is recorded as read.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::my_work::row;
use super::{Staff, app_error, render, words};
use crate::domain::case::{CaseKind, CaseStatus};
use crate::services::cases::{self, CaseFilter, CaseSort, ListQuery};
use crate::services::{service_tree, workload};
use crate::state::AppState;

const PATH: &str = "/staff/cases";
const PAGE: i64 = 25;

#[derive(Debug, Default, Deserialize)]
pub struct FindQuery {
    find: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    service_id: Option<String>,
    cursor: Option<String>,
}

const STATUSES: [CaseStatus; 9] = [
    CaseStatus::Received,
    CaseStatus::Acknowledged,
    CaseStatus::Investigating,
    CaseStatus::Responded,
    CaseStatus::Closed,
    CaseStatus::Withdrawn,
    CaseStatus::Open,
    CaseStatus::Resolved,
    CaseStatus::Escalated,
];

fn options(pairs: &[(String, String)], chosen: Option<&str>) -> Vec<Value> {
    pairs
        .iter()
        .map(|(v, l)| json!({ "value": v, "label": l, "selected": Some(v.as_str()) == chosen }))
        .collect()
}

/// The filters' choices, the chosen ones marked.
fn choices(
    services: &[crate::domain::service::Service],
    kind: Option<&str>,
    status: Option<&str>,
    service: Option<&str>,
) -> Value {
    let kinds = [
        ("complaint".to_string(), "Complaints".to_string()),
        ("pals_concern".to_string(), "PALS concerns".to_string()),
    ];
    let statuses: Vec<(String, String)> =
        std::iter::once(("open".to_string(), "Open (any stage)".to_string()))
            .chain(
                STATUSES
                    .iter()
                    .map(|s| (s.as_str().to_string(), words::status(*s).to_string())),
            )
            .collect();
    let services: Vec<(String, String)> = services
        .iter()
        .map(|s| (s.id.clone(), format!("{} ({})", s.name, s.code)))
        .collect();
    json!({
        "kinds": options(&kinds, kind),
        "statuses": options(&statuses, status),
        "services": options(&services, service),
    })
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<FindQuery>,
) -> HttpResponse {
    let q = query.into_inner();
    let blank = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let (find, kind, status, service) = (
        blank(&q.find),
        blank(&q.kind),
        blank(&q.status),
        blank(&q.service_id),
    );
    let statuses = match status.as_deref() {
        Some("open") => workload::OPEN.to_vec(),
        Some(s) => s.parse::<CaseStatus>().map(|s| vec![s]).unwrap_or_default(),
        None => Vec::new(),
    };
    let filter = CaseFilter {
        kind: kind.as_deref().and_then(|k| k.parse::<CaseKind>().ok()),
        statuses,
        service_ids: service.clone().map(|s| vec![s]),
        ..CaseFilter::default()
    };
    let searched = find.is_some() || kind.is_some() || status.is_some() || service.is_some();
    let services = match service_tree::list(&state, service_tree::ServiceFilter::default()).await {
        Ok(s) => s,
        Err(e) => return app_error(&state, &e),
    };
    let mut ctx = choices(
        &services,
        kind.as_deref(),
        status.as_deref(),
        service.as_deref(),
    );
    ctx["title"] = json!("Find a case");
    ctx["find"] = json!(find.clone().unwrap_or_default());
    ctx["searched"] = json!(searched);
    if searched {
        let list = ListQuery {
            filter,
            sort: Some(CaseSort::Received),
            limit: Some(PAGE),
            cursor: blank(&q.cursor),
            find: find.clone(),
            ..ListQuery::default()
        };
        let page = match cases::list(&state, &staff.actor, list, "GET /staff/cases").await {
            Ok(p) => p,
            Err(e) => return app_error(&state, &e),
        };
        let today = state.clock.today();
        let next = page.next.map(|cursor| {
            let params = [
                ("find", find.unwrap_or_default()),
                ("kind", kind.unwrap_or_default()),
                ("status", status.unwrap_or_default()),
                ("service_id", service.unwrap_or_default()),
                ("cursor", cursor),
            ];
            format!(
                "{PATH}?{}",
                serde_urlencoded::to_string(params).unwrap_or_default()
            )
        });
        ctx["results"] = page.items.iter().map(|c| row(c, today)).collect();
        ctx["total"] = json!(page.total);
        ctx["total_exact"] = json!(page.total_exact);
        ctx["next"] = json!(next);
    }
    render(&state, &staff, StatusCode::OK, "staff_find", PATH, ctx)
}
