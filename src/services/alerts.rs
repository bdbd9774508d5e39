//! Staff alerts (characteristic 16A: teams hear fast): due soon, overdue, and a daily digest of
//! new cases to each service lead. Every alert has a key and goes at most once, however many
//! Candour instances run the job.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::json;

use super::case_state::staff_case;

use super::notify::{Messenger, long_date};
use crate::clock::date_in_england;
use crate::db::{self, calendar, cases, services as service_rows, users};
use crate::domain::calendar::WorkingCalendar;
use crate::domain::case::Case;
use crate::error::AppResult;
use crate::state::AppState;

/// What one run sent.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AlertReport {
    pub due_soon: usize,
    pub overdue: usize,
    pub digests: usize,
    /// Letters whose email died, moved to the letters to post.
    pub undelivered: usize,
}

/// How far back a missed date still earns an overdue alert (older ones were alerted before).
const OVERDUE_LOOKBACK_DAYS: u64 = 90;
/// What one run looks at.
struct Work {
    cal: WorkingCalendar,
    due_soon: Vec<Case>,
    overdue: Vec<Case>,
    undelivered: Vec<db::letters::Letter>,
    leads: Vec<String>,
}

/// Most cases one run looks at for each kind of alert.
const BATCH: i64 = 5_000;

/// Look for due and overdue cases and send the digests that are due, now on the application
/// clock. Due dates count from today in England; the day's digest goes from
/// `alerts.digest_hour_utc` o'clock UTC on that day (so not in the hour after midnight in
/// summer, which is still the day before in UTC).
pub async fn run_once(state: &AppState) -> AppResult<AlertReport> {
    let messenger = Messenger::from_state(state);
    let settings = state.settings.alerts.clone();
    let now = state.clock.now();
    let today = date_in_england(now.and_utc());
    // What to look at comes from one read; each alert is then its own short write, so the
    // job never holds the (SQLite) writer for long.
    let work = state
        .db
        .read(move |c| -> AppResult<Work> {
            let cal = calendar::current(c)?;
            let soon = cal.add_working_days(today, settings.due_soon_working_days);
            let from = today
                .checked_sub_days(chrono::Days::new(OVERDUE_LOOKBACK_DAYS))
                .unwrap_or(today);
            let yesterday = today.pred_opt().unwrap_or(today);
            let digest_from = today.and_hms_opt(settings.digest_hour_utc, 0, 0);
            Ok(Work {
                due_soon: cases::handled_due_between(c, today, soon, BATCH)?,
                overdue: cases::handled_due_between(c, from, yesterday, BATCH)?,
                undelivered: db::letters::with_dead_email(c, BATCH)?,
                leads: if digest_from.is_some_and(|from| now >= from) {
                    leads(c)?
                } else {
                    Vec::new()
                },
                cal,
            })
        })
        .await?;
    let mut report = AlertReport::default();
    for (cases, overdue) in [(work.due_soon, false), (work.overdue, true)] {
        for case in cases {
            let (m, cal) = (messenger.clone(), work.cal.clone());
            let sent = state
                .db
                .write(move |c| send(c, &m, &cal, &case, today, now, overdue))
                .await?;
            let n = if overdue {
                &mut report.overdue
            } else {
                &mut report.due_soon
            };
            *n += usize::from(sent);
        }
    }
    for letter in work.undelivered {
        let (m, cal) = (messenger.clone(), work.cal.clone());
        let moved = state
            .db
            .write(move |c| undelivered(c, &m, &cal, &letter, today, now))
            .await?;
        report.undelivered += usize::from(moved);
    }
    for lead in work.leads {
        let (m, cal) = (messenger.clone(), work.cal.clone());
        let sent = state
            .db
            .write(move |c| digest(c, &m, &cal, &lead, today, now))
            .await?;
        report.digests += usize::from(sent);
    }
    if report != AlertReport::default() {
        state.outbox.wake();
        tracing::info!(
            alerts.due_soon = report.due_soon,
            alerts.overdue = report.overdue,
            alerts.digests = report.digests,
            alerts.undelivered = report.undelivered,
            "staff alerts sent"
        );
    }
    Ok(report)
}

/// What is due next on a case, in words.
fn what_is_due(case: &Case, due: NaiveDate) -> &'static str {
    if case.acknowledgement_due_on == Some(due) && case.acknowledged_on.is_none() {
        "acknowledgement"
    } else if case.six_month_letter_due_on == Some(due) && case.six_month_letter_sent_on.is_none() {
        "six-month delay letter"
    } else if case.pals_due_on == Some(due) {
        "PALS resolution"
    } else {
        "response"
    }
}

fn send(
    c: &mut db::DbConnection,
    messenger: &Messenger,
    cal: &WorkingCalendar,
    case: &Case,
    today: NaiveDate,
    now: NaiveDateTime,
    overdue: bool,
) -> AppResult<bool> {
    let Some(handler_id) = &case.handler_id else {
        return Ok(false);
    };
    let Some(due) = case.clock(cal, today).next_due_on else {
        return Ok(false);
    };
    if overdue != (due < today) {
        return Ok(false);
    }
    let Some(user) = users::find(c, handler_id)? else {
        return Ok(false);
    };
    let (template, kind) = if overdue {
        ("staff_overdue", "overdue")
    } else {
        ("staff_due_soon", "due_soon")
    };
    let key = format!("{kind}:{}:{due}:{handler_id}", case.id);
    let extra = json!({
        "case": staff_case(case, cal, today),
        "due": {
            "what": what_is_due(case, due),
            "on": long_date(due),
            "working_days": cal.working_days_until(today, due),
        },
    });
    messenger.to_staff(c, &user, template, extra, &key, Some(&case.id), kind, now)
}

/// A letter whose email died: it is marked undelivered and moved to the letters to post, the
/// case's timeline says so, and its handler (or, with none, whoever logged the case) is
/// alerted once. `false` if another run got to it first.
fn undelivered(
    c: &mut db::DbConnection,
    messenger: &Messenger,
    cal: &WorkingCalendar,
    letter: &db::letters::Letter,
    today: NaiveDate,
    now: NaiveDateTime,
) -> AppResult<bool> {
    if !db::letters::mark_undelivered(c, &letter.id, now)? {
        return Ok(false);
    }
    cases::touch(c, &letter.case_id, now)?;
    let what = letter.template.replace('_', " ");
    db::timeline::append(
        c,
        &letter.case_id,
        None,
        "letter_undelivered",
        &format!("The {what} email could not be delivered: it waits to be posted"),
        &json!({
            "letter_id": letter.id,
            "template": letter.template,
            "statutory": letter.statutory,
        }),
        now,
    )?;
    let Some(case) = cases::find(c, &letter.case_id)? else {
        return Ok(true);
    };
    let who = case
        .handler_id
        .clone()
        .unwrap_or_else(|| case.created_by.clone());
    let Some(user) = users::find(c, &who)? else {
        return Ok(true);
    };
    let extra = json!({
        "case": staff_case(&case, cal, today),
        "letter": { "what": what, "statutory": letter.statutory },
    });
    let key = format!("undelivered:{}:{who}", letter.id);
    messenger.to_staff(
        c,
        &user,
        "staff_undelivered",
        extra,
        &key,
        Some(&case.id),
        "undelivered",
        now,
    )?;
    Ok(true)
}

/// The service leads of active services.
fn leads(c: &mut db::DbConnection) -> AppResult<Vec<String>> {
    let mut leads: Vec<String> = service_rows::all(c)?
        .into_iter()
        .filter(|s| s.active)
        .filter_map(|s| s.lead_user_id)
        .collect();
    leads.sort();
    leads.dedup();
    Ok(leads)
}

/// The most cases a digest lists; it counts the rest (a bulk import can log thousands at once,
/// and the lead reads them in Candour, not in one email).
pub const DIGEST_MOST: i64 = 100;

/// The day's digest to service lead `lead` of the cases logged in their services in the last
/// 24 hours, once a day. `false` when there were none or it had gone.
fn digest(
    c: &mut db::DbConnection,
    messenger: &Messenger,
    cal: &WorkingCalendar,
    lead: &str,
    today: NaiveDate,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let led = service_rows::led_by(c, lead)?;
    let since = now - Duration::hours(24);
    let (total, new) = cases::logged_since_in_services(c, since, &led, DIGEST_MOST)?;
    if new.is_empty() {
        return Ok(false);
    }
    let Some(user) = users::find(c, lead)? else {
        return Ok(false);
    };
    let mut items = Vec::new();
    for case in &new {
        let coding = cases::coding(c, &case.id)?;
        let mut item = staff_case(case, cal, today);
        item["subjects"] = json!(
            coding
                .subjects
                .iter()
                .map(|s| s.subject_code.replace('_', " "))
                .collect::<Vec<_>>()
                .join(", ")
        );
        items.push(item);
    }
    let key = format!("digest:{lead}:{today}");
    messenger.to_staff(
        c,
        &user,
        "staff_digest",
        json!({ "cases": items, "total": total, "more": total - DIGEST_MOST.min(total) }),
        &key,
        None,
        "digest",
        now,
    )
}

/// Run the alert job every `alerts.interval_minutes` until the process stops.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let minutes = state.settings.alerts.interval_minutes.max(1);
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(minutes * 60));
        loop {
            tick.tick().await;
            if let Err(e) = run_once(&state).await {
                tracing::error!(error.cause = %e, "staff alert job failed");
            }
        }
    })
}
