//! The working calendar a database handle has built, lent to the thread running its work (as
//! the audit key is, in [`super::seal`]), so that [`super::calendar::current`] reads a
//! published version's days once per handle rather than at every request.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use crate::domain::calendar::WorkingCalendar;

/// The newest calendar one database handle has built, shared by its connections.
#[derive(Clone, Default)]
pub struct Calendars(Arc<Mutex<Option<WorkingCalendar>>>);

/// How work may use the lent cache.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    /// Reads see only committed calendars, so what they build is kept.
    ReadAndKeep,
    /// A write transaction may see a version it has not committed (and may yet roll back), so
    /// it only reads what the cache holds.
    ReadOnly,
}

thread_local! {
    static LENT: RefCell<Option<(Calendars, Use)>> = const { RefCell::new(None) };
}

/// Run `f` with `calendars` as this thread's, then put back what was there.
pub(super) fn lend<R>(calendars: &Calendars, how: Use, f: impl FnOnce() -> R) -> R {
    let before = LENT.with(|l| l.replace(Some((calendars.clone(), how))));
    let out = f();
    LENT.with(|l| l.replace(before));
    out
}

/// The calendar at `version`, if the lent cache holds it.
pub(super) fn get(version: i32) -> Option<WorkingCalendar> {
    LENT.with(|l| {
        let lent = l.borrow();
        let kept = lent.as_ref()?.0.0.lock().unwrap_or_else(|p| p.into_inner());
        kept.as_ref().filter(|c| c.version == version).cloned()
    })
}

/// Keep `cal` in the lent cache, when lent for keeping, unless it holds a newer version.
pub(super) fn keep(cal: &WorkingCalendar) {
    LENT.with(|l| {
        if let Some((c, Use::ReadAndKeep)) = l.borrow().as_ref() {
            let mut kept = c.0.lock().unwrap_or_else(|p| p.into_inner());
            if kept.as_ref().is_none_or(|k| k.version < cal.version) {
                *kept = Some(cal.clone());
            }
        }
    });
}
