//! The complainant's private links (the tracking page and the feedback survey) in messages and
//! letters. A stored message or letter carries a marker where such a link goes; the live link
//! is made only as the message leaves or as a manager prints the letter for posting, with a
//! new token issued then (only its hash is stored). So no stored copy, and no API answer that
//! shows one, holds a working link.
//!
//! A marker names no token: the tracking marker stands for the case the message is about, and
//! a survey marker names an invitation, which must be that case's. A marker typed into a
//! complaint's text can therefore never produce a link to someone else's case.

use chrono::NaiveDateTime;

use crate::auth::tokens;
use crate::db::feedback as invitations;
use crate::db::tracking;
use crate::db::{DbConnection, DbResult};

const OPEN: &str = "[[candour-link:";
const CLOSE: &str = "]]";

/// What a staff copy shows where a private link will go.
pub const PLACEHOLDER: &str =
    "[the complainant's private link, added when the message is sent or the letter printed]";

/// A private link a message carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Secret {
    /// The tracking page of the message's case.
    Track,
    /// The survey of one feedback invitation.
    Survey(String),
}

impl Secret {
    /// The marker stored in place of the link.
    pub fn marker(&self) -> String {
        match self {
            Self::Track => format!("{OPEN}track{CLOSE}"),
            Self::Survey(id) => format!("{OPEN}survey:{id}{CLOSE}"),
        }
    }

    fn parse(inner: &str) -> Option<Self> {
        match inner.split_once(':') {
            None if inner == "track" => Some(Self::Track),
            Some(("survey", id)) if !id.is_empty() => Some(Self::Survey(id.to_string())),
            _ => None,
        }
    }
}

/// Every marker in `text`, with where it is, in order.
fn markers(text: &str) -> Vec<(std::ops::Range<usize>, Option<Secret>)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find(OPEN).map(|i| i + from) {
        let Some(end) = text[at..].find(CLOSE).map(|i| i + at + CLOSE.len()) else {
            break;
        };
        let inner = &text[at + OPEN.len()..end - CLOSE.len()];
        out.push((at..end, Secret::parse(inner)));
        from = end;
    }
    out
}

/// Whether `text` carries any marker.
pub fn any(text: &str) -> bool {
    text.contains(OPEN)
}

/// `text` with each marker replaced by `with(secret)` (`None` for a marker that names nothing).
fn replace(text: &str, mut with: impl FnMut(Option<&Secret>) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (range, secret) in markers(text) {
        out.push_str(&text[last..range.start]);
        out.push_str(&with(secret.as_ref()));
        last = range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// The staff copy of `text`: every marker shown as [`PLACEHOLDER`].
pub fn redact(text: &str) -> String {
    replace(text, |_| PLACEHOLDER.to_string())
}

/// Who issues the links, and which older tracking links they replace.
#[derive(Debug, Clone, Copy)]
pub struct Issue<'a> {
    /// `None`: Candour itself, as the email leaves.
    pub by: Option<&'a str>,
    /// Live tracking links of the case issued before this stop working (`None`: every live
    /// link). For an email, the time it was queued: a link a manager issued since (by phone,
    /// say) keeps working.
    pub replaces_before: Option<NaiveDateTime>,
    pub now: NaiveDateTime,
}

/// Issue the live links `bodies` carry for a message about `case_id`, and put them in: one new
/// tracking token for the case (replacing the older ones) and one for each named invitation of
/// the case, the same in every body. A marker that names nothing of this case becomes the
/// placeholder. Returns how many links were issued. Call it inside a write transaction.
pub fn fill(
    conn: &mut DbConnection,
    case_id: Option<&str>,
    bodies: &mut [&mut String],
    base_url: &str,
    how: Issue<'_>,
) -> DbResult<usize> {
    let mut wanted: Vec<Secret> = Vec::new();
    for body in bodies.iter() {
        for (_, secret) in markers(body) {
            if let Some(s) = secret
                && !wanted.contains(&s)
            {
                wanted.push(s);
            }
        }
    }
    let mut issued: Vec<(Secret, String)> = Vec::new();
    for secret in wanted {
        if let Some(address) = issue(conn, case_id, &secret, base_url, how)? {
            issued.push((secret, address));
        }
    }
    for body in bodies.iter_mut() {
        **body = replace(body, |s| {
            s.and_then(|s| issued.iter().find(|(x, _)| x == s))
                .map_or_else(|| PLACEHOLDER.to_string(), |(_, a)| a.clone())
        });
    }
    Ok(issued.len())
}

/// A new token for `secret`, stored as its hash; its address, or `None` when the marker does
/// not belong to the case (or the survey was answered).
fn issue(
    conn: &mut DbConnection,
    case_id: Option<&str>,
    secret: &Secret,
    base_url: &str,
    how: Issue<'_>,
) -> DbResult<Option<String>> {
    let (issued_by, now) = (how.by, how.now);
    let Some(case_id) = case_id else {
        return Ok(None);
    };
    let token = tokens::random_token();
    match secret {
        Secret::Track => {
            match how.replaces_before {
                Some(before) => {
                    tracking::revoke_live_before(conn, case_id, issued_by, before, now)?
                }
                None => tracking::revoke_live(conn, case_id, issued_by, now)?,
            };
            tracking::insert_new(conn, case_id, tokens::hash_token(&token), issued_by, now)?;
            Ok(Some(crate::links::track(base_url, &token)))
        }
        Secret::Survey(id) => {
            let Some(inv) = invitations::find_invitation(conn, id)? else {
                return Ok(None);
            };
            if inv.case_id != case_id || inv.responded_at.is_some() {
                return Ok(None);
            }
            invitations::set_token(conn, id, &tokens::hash_token(&token), now)?;
            Ok(Some(crate::links::feedback(base_url, &token)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_found_and_shown_as_the_placeholder() {
        let text = format!(
            "Follow it at {} or answer at {} and [[candour-link:nonsense]] [[candour-link:",
            Secret::Track.marker(),
            Secret::Survey("inv-1".into()).marker()
        );
        let found: Vec<Option<Secret>> = markers(&text).into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            found,
            vec![
                Some(Secret::Track),
                Some(Secret::Survey("inv-1".into())),
                None
            ]
        );
        let shown = redact(&text);
        assert!(!shown.contains("[[candour-link:track"), "{shown}");
        assert_eq!(shown.matches(PLACEHOLDER).count(), 3);
        assert!(
            shown.ends_with("[[candour-link:"),
            "an unclosed marker is left as text"
        );
    }
}
