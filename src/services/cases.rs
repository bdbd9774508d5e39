//! Reading cases: one case in full (the read logged) and the work-queue list.

use super::Actor;
use super::access::{Visibility, load_visible_for_view, logged_read, visibility};
use super::case_view::{self, CaseSummary, CaseView};
use super::cursor;
use crate::db::access_log::Read;
use crate::db::calendar;
use crate::db::case_list::{self, CaseCursor};
use crate::db::cases;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub use crate::db::case_list::{CaseFilter, CaseSort};

/// Read a case in full; the read is recorded in the access log.
pub async fn get(state: &AppState, actor: &Actor, id: String, route: &str) -> AppResult<CaseView> {
    let candour = state.settings.candour.clone();
    logged_read(state, actor, route, move |c, actor, today| {
        let found = load_visible_for_view(c, actor, &id)?;
        let cal = calendar::at(c, found.calendar_version)?;
        let view = case_view::load_with(c, &cal, &candour, found.case, found.present, today)?;
        Ok((id, view))
    })
    .await
}

/// The parsed `GET /cases` query.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub filter: CaseFilter,
    pub handler_is_me: bool,
    pub overdue: bool,
    pub sort: Option<CaseSort>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
    /// What a person typed to find a case: a reference, an NHS number, an email address, or
    /// words from the summary or a name.
    pub find: Option<String>,
}

impl ListQuery {
    /// Whether the page may scan, and so must not run as a short read: what was typed is
    /// looked for among every summary and name, and no index walks the cases in page order by
    /// subject, risk grade or due date. At a million cases on SQLite such pages took 28 ms
    /// (overdue) to 2.5 s (a search, or due before a day none is), against 1-6 ms for a page
    /// by kind, status, service or date received, in any of the three sort orders.
    fn may_scan(&self) -> bool {
        self.find.is_some()
            || self.filter.subject.is_some()
            || self.filter.risk_grade.is_some()
            || self.filter.due_before.is_some()
            || self.overdue
    }
}

/// Most people a name, email or NHS number search looks among.
const PEOPLE_CAP: i64 = 500;

/// Turn what was typed into the filter's words and the people it names.
fn apply_find(
    c: &mut crate::db::DbConnection,
    filter: &mut CaseFilter,
    find: &str,
) -> AppResult<()> {
    use crate::db::persons::{self, Lookup};
    let find = find.trim();
    if find.is_empty() {
        return Ok(());
    }
    let lookup = if let Ok(digits) = crate::domain::nhs_number::parse(find) {
        Some(Lookup::NhsNumber(digits))
    } else if find.contains('@') {
        Some(Lookup::Email(find.to_string()))
    } else {
        filter.text = Some(find.to_lowercase());
        (find.chars().count() >= 3).then(|| Lookup::Name(find.to_string()))
    };
    if let Some(lookup) = lookup {
        let ids = persons::search(c, &lookup, PEOPLE_CAP)?
            .into_iter()
            .map(|p| p.id)
            .collect();
        filter.people = Some(ids);
    }
    Ok(())
}

/// A page of cases.
pub struct CasePage {
    pub items: Vec<CaseSummary>,
    pub next: Option<String>,
    pub total: i64,
    /// `false` when more than [`TOTAL_CAP`] cases match and `total` stops there.
    pub total_exact: bool,
}

/// Lists count matching cases up to this many; beyond it the count says "1,000 or more".
pub const TOTAL_CAP: i64 = 1_000;

/// A page of the cases the actor may see; each case listed is recorded as read by `route`.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    q: ListQuery,
    route: &str,
) -> AppResult<CasePage> {
    let limit = cursor::page_limit(q.limit)?;
    let today = state.clock.today();
    let sort = q.sort.unwrap_or(CaseSort::Received);
    let after = q
        .cursor
        .as_deref()
        .map(cursor::decode::<2>)
        .transpose()?
        .map(|[key, id]| CaseCursor { key, id });
    let user_id = actor.user_id.clone();
    let actor = actor.clone();
    let may_scan = q.may_scan();
    let read = move |c: &mut crate::db::DbConnection| -> AppResult<CasePage> {
        let mut filter = q.filter;
        if let Some(find) = &q.find {
            apply_find(c, &mut filter, find)?;
        }
        if let Visibility::Assigned(services) = visibility(c, &actor)? {
            filter.visible_to = Some((actor.user_id.clone(), services));
        }
        if q.handler_is_me {
            filter.handler_id = Some(actor.user_id.clone());
        }
        if q.overdue {
            filter.overdue_at = Some(today);
        }
        let rows = case_list::list(c, &filter, sort, after.as_ref(), limit + 1)
            .map_err(|_| AppError::invalid("cursor", "does not belong to this sort order"))?;
        // A first page that holds every match is its own count.
        let total = match i64::try_from(rows.len()) {
            Ok(n) if after.is_none() && n <= limit => n,
            _ => case_list::count(c, &filter, TOTAL_CAP + 1)?,
        };
        let total_exact = total <= TOTAL_CAP;
        let total = total.min(TOTAL_CAP);
        let (rows, next) = cursor::page(rows, limit, |last| {
            cursor::encode(&[&case_list::sort_key(last, sort), &last.id])
        });
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let codings = cases::coding_for(c, &ids)?;
        let cal = calendar::current(c)?;
        let items = rows
            .into_iter()
            .zip(codings)
            .map(|(row, (_, coding))| case_view::summary(&cal, row, &coding, today))
            .collect();
        Ok(CasePage {
            items,
            next,
            total,
            total_exact,
        })
    };
    let page = if may_scan {
        state.db.read(read).await?
    } else {
        state.db.read_short(read).await?
    };
    // A list shows who complained about what: each case on the page is recorded as read.
    let now = state.clock.now();
    let reads = page
        .items
        .iter()
        .map(|s| Read {
            case_id: s.id.clone(),
            user_id: user_id.clone(),
            route: route.to_string(),
            at: now,
        })
        .collect();
    state.access_log.record_all(reads).await;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::{CaseKind, CaseStatus};
    use chrono::NaiveDate;

    #[test]
    fn only_pages_an_index_walks_in_order_are_short_reads() {
        let queue = ListQuery {
            filter: CaseFilter {
                kind: Some(CaseKind::Complaint),
                statuses: vec![CaseStatus::Received],
                service_ids: Some(vec!["ward".into()]),
                received_from: NaiveDate::from_ymd_opt(2026, 1, 1),
                ..Default::default()
            },
            handler_is_me: true,
            sort: Some(CaseSort::NextDue),
            ..Default::default()
        };
        assert!(
            !queue.may_scan(),
            "a work queue by kind, status, service, date and handler"
        );
        let scans: [fn(&mut ListQuery); 5] = [
            |q| q.find = Some("medication".into()),
            |q| q.filter.subject = Some("communications".into()),
            |q| q.filter.risk_grade = Some("extreme".into()),
            |q| q.filter.due_before = NaiveDate::from_ymd_opt(2026, 12, 1),
            |q| q.overdue = true,
        ];
        for (i, set) in scans.iter().enumerate() {
            let mut q = queue.clone();
            set(&mut q);
            assert!(q.may_scan(), "filter {i} may scan");
        }
    }
}
