//! How the staff pages put dates, kinds and statuses into words.

use chrono::NaiveDate;

use crate::domain::case::{CaseKind, CaseStatus};

/// `5 December 2026`, as the NHS writes dates.
pub fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// `5 December 2026 at 14:05 GMT`: an instant as the time in England.
pub fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    let (local, zone) = crate::clock::time_in_england(at);
    format!("{} at {} {zone}", date(local.date()), local.format("%H:%M"))
}

/// `text` cut at a word to at most `max` characters, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let at_word = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", at_word.trim_end())
}

/// `Complaint` or `PALS concern`.
pub fn kind(k: CaseKind) -> &'static str {
    match k {
        CaseKind::Complaint => "Complaint",
        CaseKind::PalsConcern => "PALS concern",
    }
}

/// The status as staff say it.
pub fn status(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Received => "Received",
        CaseStatus::Acknowledged => "Acknowledged",
        CaseStatus::Investigating => "Investigating",
        CaseStatus::Responded => "Responded",
        CaseStatus::Closed => "Closed",
        CaseStatus::Withdrawn => "Withdrawn",
        CaseStatus::Open => "Open",
        CaseStatus::Resolved => "Resolved",
        CaseStatus::Escalated => "Escalated to a complaint",
    }
}

/// How far off a due date is from `today`, in calendar days: "Overdue by 3 days", "Due today",
/// "Due tomorrow", "Due in 5 days".
pub fn due(on: NaiveDate, today: NaiveDate) -> String {
    let days = (on - today).num_days();
    match days {
        d if d < -1 => format!("Overdue by {} days", -d),
        -1 => "Overdue by 1 day".to_string(),
        0 => "Due today".to_string(),
        1 => "Due tomorrow".to_string(),
        d => format!("Due in {d} days"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn dates_and_due_dates_read_as_staff_say_them() {
        assert_eq!(date(day(2026, 12, 5)), "5 December 2026");
        assert_eq!(date(day(2028, 2, 29)), "29 February 2028");
        let today = day(2026, 3, 1);
        // 2026 is not a leap year: 26 February is 3 days before 1 March.
        assert_eq!(due(day(2026, 2, 26), today), "Overdue by 3 days");
        assert_eq!(due(day(2026, 2, 28), today), "Overdue by 1 day");
        assert_eq!(due(today, today), "Due today");
        assert_eq!(due(day(2026, 3, 2), today), "Due tomorrow");
        assert_eq!(due(day(2026, 3, 31), today), "Due in 30 days");
    }

    #[test]
    fn long_summaries_are_cut_at_a_word() {
        assert_eq!(shorten("Short", 10), "Short");
        assert_eq!(
            shorten("Discharged without medication", 20),
            "Discharged without…"
        );
        assert_eq!(shorten("ééééé ééééé", 7), "ééééé…");
    }

    #[test]
    fn times_are_shown_in_england() {
        use chrono::TimeZone;
        let winter = chrono::Utc.with_ymd_and_hms(2026, 12, 5, 14, 5, 0).unwrap();
        assert_eq!(time(winter), "5 December 2026 at 14:05 GMT");
        // 23:30 UTC on 29 March 2026 is 00:30 on the 30th in British Summer Time.
        let summer = chrono::Utc
            .with_ymd_and_hms(2026, 3, 29, 23, 30, 0)
            .unwrap();
        assert_eq!(time(summer), "30 March 2026 at 00:30 BST");
    }
}
