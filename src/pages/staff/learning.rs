//! `GET /staff/learning`: the learning register — the service changes made because of
//! complaints, what each is, who owns it, when it is due and where it stands (overdue ones
//! marked), newest first, a page at a time. The board sees the register without its cases.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Staff, app_error, render, words};
use crate::services::service_changes::{self, ListQuery};
use crate::state::AppState;

const PATH: &str = "/staff/learning";

#[derive(Debug, Deserialize)]
pub struct LearningQuery {
    cursor: Option<String>,
    overdue: Option<String>,
}

pub async fn show(
    state: web::Data<AppState>,
    staff: Staff,
    q: web::Query<LearningQuery>,
) -> HttpResponse {
    let q = q.into_inner();
    let overdue = q.overdue.as_deref() == Some("1");
    let list = ListQuery {
        overdue,
        limit: Some(25),
        cursor: q.cursor.filter(|c| !c.is_empty()),
        ..ListQuery::default()
    };
    let page = match service_changes::list(&state, &staff.actor, list).await {
        Ok(p) => p,
        Err(e) => return app_error(&state, &e),
    };
    let today = state.clock.today();
    let rows: Vec<Value> = page
        .items
        .iter()
        .map(|c| {
            json!({
                "title": c.title,
                "summary": c.public_summary,
                "service": c.service.name,
                "owner": c.owner.name,
                "due": words::date(c.due_on),
                "due_words": words::due(c.due_on, today),
                "status": c.status.as_str().replace('_', " "),
                "overdue": c.overdue,
                "cases": c.linked_case_count,
            })
        })
        .collect();
    let next = page.next.map(|cursor| {
        let mut params = vec![("cursor", cursor)];
        if overdue {
            params.push(("overdue", "1".into()));
        }
        format!(
            "{PATH}?{}",
            serde_urlencoded::to_string(params).unwrap_or_default()
        )
    });
    let ctx = json!({
        "title": "Learning register",
        "changes": rows,
        "total": page.total,
        "overdue_only": overdue,
        "next": next,
    });
    render(&state, &staff, StatusCode::OK, "staff_learning", PATH, ctx)
}
