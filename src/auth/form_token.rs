//! Tokens for forms that have no sign-in (the tracking page, the survey): an HMAC-SHA256 over
//! what the form is for, the link it belongs to and when it was rendered, so a form posted from
//! anywhere else, for another link, or long after it was shown is refused. The key is the form
//! key ([`crate::auth::keys::form_key`]), never the one access tokens are signed with.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], purpose: &str, subject: &str, issued: i64) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret).ok()?;
    mac.update(purpose.as_bytes());
    mac.update(b"\n");
    mac.update(subject.as_bytes());
    mac.update(b"\n");
    mac.update(issued.to_string().as_bytes());
    Some(mac)
}

/// A token for a form about `subject` (a link's id) rendered at `now`.
pub fn issue(secret: &[u8], purpose: &str, subject: &str, now: NaiveDateTime) -> String {
    let issued = now.and_utc().timestamp();
    let tag = mac(secret, purpose, subject, issued)
        .map(|m| URL_SAFE_NO_PAD.encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("{issued}.{tag}")
}

/// Whether `token` was issued for `purpose` and `subject` no more than `max_age_seconds` ago.
pub fn verify(
    secret: &[u8],
    purpose: &str,
    subject: &str,
    token: &str,
    now: NaiveDateTime,
    max_age_seconds: i64,
) -> bool {
    let Some((issued, tag)) = token.split_once('.') else {
        return false;
    };
    let Ok(issued) = issued.parse::<i64>() else {
        return false;
    };
    let age = now.and_utc().timestamp() - issued;
    if !(-60..=max_age_seconds).contains(&age) {
        return false;
    }
    let Ok(tag) = URL_SAFE_NO_PAD.decode(tag.as_bytes()) else {
        return false;
    };
    // verify_slice compares in constant time.
    mac(secret, purpose, subject, issued).is_some_and(|m| m.verify_slice(&tag).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_purpose_subject_and_age() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap();
        let t = issue(b"secret", "track", "link-1", now);
        assert!(verify(b"secret", "track", "link-1", &t, now, 60));
        let later = now + chrono::Duration::seconds(61);
        assert!(!verify(b"secret", "track", "link-1", &t, later, 60));
        assert!(!verify(b"secret", "track", "link-2", &t, now, 60));
        assert!(!verify(b"secret", "feedback", "link-1", &t, now, 60));
        assert!(!verify(b"other", "track", "link-1", &t, now, 60));
        assert!(!verify(b"secret", "track", "link-1", "", now, 60));
        assert!(!verify(b"secret", "track", "link-1", "1.abc", now, 60));
        let forged = format!(
            "{}.{}",
            now.and_utc().timestamp() + 1,
            t.split_once('.').unwrap().1
        );
        assert!(!verify(b"secret", "track", "link-1", &forged, now, 60));
    }
}
