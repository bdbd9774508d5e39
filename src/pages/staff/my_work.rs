//! `GET /staff/my-work`: the signed-in person's open cases by next due date, overdue first and
//! marked, with what is overdue, due today and due this week; for those who read every case,
//! each handler's queue too.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde_json::{Value, json};

use super::{Staff, app_error, render, words};
use crate::domain::role::Permission;
use crate::services::case_view::CaseSummary;
use crate::services::workload::{self, MY_WORK_PAGE};
use crate::state::AppState;

const PATH: &str = "/staff/my-work";

/// One row of a case list.
pub fn row(case: &CaseSummary, today: chrono::NaiveDate) -> Value {
    let due = case.next_due_on.map(|d| {
        json!({
            "date": words::date(d),
            "words": words::due(d, today),
            "overdue": d < today,
            "today": d == today,
        })
    });
    json!({
        "href": format!("/staff/cases/{}", case.id),
        "reference": case.reference,
        "kind": words::kind(case.kind),
        "status": words::status(case.status),
        "paused": case.paused,
        "received": words::date(case.received_on),
        "summary": words::shorten(&case.summary, 120),
        "due": due,
    })
}

pub async fn show(state: web::Data<AppState>, staff: Staff) -> HttpResponse {
    let mine = match workload::my_work(&state, &staff.actor, "GET /staff/my-work").await {
        Ok(m) => m,
        Err(e) => return app_error(&state, &e),
    };
    let queues = if staff.actor.role.can(Permission::ReadAllCases) {
        match workload::queues(&state, &staff.actor).await {
            Ok(q) => Some(q),
            Err(e) => return app_error(&state, &e),
        }
    } else {
        None
    };
    let rows: Vec<Value> = mine.items.iter().map(|c| row(c, mine.today)).collect();
    let queues: Option<Vec<Value>> = queues.map(|qs| {
        qs.iter()
            .map(|q| {
                json!({
                    "handler": q.handler,
                    "mine": q.handler_id.as_deref() == Some(staff.actor.user_id.as_str()),
                    "open": q.queue.open,
                    "overdue": q.queue.overdue,
                    "due_today": q.queue.due_today,
                    "due_this_week": q.queue.due_this_week,
                })
            })
            .collect()
    });
    let ctx = json!({
        "title": "My work",
        "today": words::date(mine.today),
        "counts": {
            "open": mine.counts.open,
            "overdue": mine.counts.overdue,
            "due_today": mine.counts.due_today,
            "due_this_week": mine.counts.due_this_week,
        },
        "cases": rows,
        "more": mine.more,
        "page_size": MY_WORK_PAGE,
        "queues": queues,
    });
    render(&state, &staff, StatusCode::OK, "staff_my_work", PATH, ctx)
}
