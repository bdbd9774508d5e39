//! Pages of lists: the `?limit=` check and the one codec for `next` cursors — opaque base64url
//! text holding the last row's sort key(s) and id.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, SecondsFormat};

use crate::error::{AppError, AppResult};

/// The most rows a page may hold.
pub const MAX_PAGE: i64 = 200;
/// Rows on a page when `?limit=` is left out.
pub const DEFAULT_PAGE: i64 = 50;

/// Check `?limit=`: 1 to [`MAX_PAGE`], default [`DEFAULT_PAGE`].
pub fn page_limit(limit: Option<i64>) -> AppResult<i64> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        )),
    }
}

/// A cursor holding `parts` (none may contain a newline).
pub fn encode(parts: &[&str]) -> String {
    URL_SAFE_NO_PAD.encode(parts.join("\n"))
}

/// The `N` parts of a cursor made by [`encode`]; 400 naming `cursor` for anything else.
pub fn decode<const N: usize>(raw: &str) -> AppResult<[String; N]> {
    URL_SAFE_NO_PAD
        .decode(raw.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            let parts: Vec<String> = s.splitn(N, '\n').map(str::to_string).collect();
            parts.try_into().ok()
        })
        .ok_or_else(not_a_cursor)
}

/// An instant as a cursor part, to the microsecond.
pub fn stamp(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The instant in a cursor part made by [`stamp`].
pub fn unstamp(part: &str) -> AppResult<NaiveDateTime> {
    DateTime::parse_from_rfc3339(part)
        .map(|t| t.naive_utc())
        .map_err(|_| not_a_cursor())
}

fn not_a_cursor() -> AppError {
    AppError::invalid("cursor", "is not a cursor from this list")
}

/// Cut `rows` (fetched with one row more than `limit`) to a page, with the cursor of its last
/// row when more follow.
pub fn page<T>(
    mut rows: Vec<T>,
    limit: i64,
    next: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let cursor = more.then(|| rows.last().map(&next)).flatten();
    (rows, cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_strangers_are_refused() {
        let raw = encode(&["2026-03-01", "abc"]);
        let [key, id] = decode::<2>(&raw).unwrap_or_default();
        assert_eq!((key.as_str(), id.as_str()), ("2026-03-01", "abc"));
        let [one] = decode::<1>(&encode(&["only"])).unwrap_or_default();
        assert_eq!(one, "only");
        assert!(decode::<2>(&encode(&["no separator"])).is_err());
        assert!(decode::<1>("%%%").is_err());
    }

    #[test]
    fn stamps_keep_microseconds() {
        let at = DateTime::parse_from_rfc3339("2026-06-30T23:59:59.123456Z")
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        assert_eq!(unstamp(&stamp(at)).ok(), Some(at));
        assert!(unstamp("yesterday").is_err());
    }

    #[test]
    fn a_page_has_a_cursor_only_when_more_rows_follow() {
        let (rows, next) = page(vec![1, 2, 3], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], Some("2".to_string())));
        let (rows, next) = page(vec![1, 2], 2, |n| n.to_string());
        assert_eq!((rows, next), (vec![1, 2], None));
    }

    #[test]
    fn limits_run_from_one_to_the_maximum() {
        assert_eq!(page_limit(None).ok(), Some(DEFAULT_PAGE));
        assert_eq!(page_limit(Some(MAX_PAGE)).ok(), Some(MAX_PAGE));
        assert!(page_limit(Some(0)).is_err());
        assert!(page_limit(Some(MAX_PAGE + 1)).is_err());
    }
}
