//! Staff accounts: the user record and the rules for emails, names, passwords and lockout.

use chrono::NaiveDateTime;

use super::role::Role;

/// Fewest characters in a password (NCSC guidance favours length over composition rules).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most characters in a password; keeps hashing cost bounded.
pub const MAX_PASSWORD_CHARS: usize = 256;
const MAX_EMAIL_CHARS: usize = 254;
const MAX_NAME_CHARS: usize = 200;

/// A member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub failed_logins: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub last_login_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl User {
    /// Whether sign-in is refused at `now` because of repeated failures.
    pub fn is_locked(&self, now: NaiveDateTime) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

/// Trim and check an email address; the result keeps the user's spelling.
pub fn parse_email(raw: &str) -> Result<String, String> {
    let email = raw.trim();
    if email.is_empty() {
        return Err("is required".into());
    }
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(format!("must be at most {MAX_EMAIL_CHARS} characters"));
    }
    email
        .parse::<lettre::Address>()
        .map(|_| email.to_string())
        .map_err(|_| "is not a valid email address".into())
}

/// Trim and check a display name.
pub fn parse_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("is required".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(name.to_string())
}

/// Check a new password against the policy.
pub fn check_new_password(password: &str, email: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!("must be at most {MAX_PASSWORD_CHARS} characters"));
    }
    if password.trim().is_empty() {
        return Err("must not be only spaces".into());
    }
    if password.eq_ignore_ascii_case(email.trim()) {
        return Err("must not be the email address".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_checked() {
        assert_eq!(
            parse_email("  Jo@Trust.nhs.uk ").unwrap(),
            "Jo@Trust.nhs.uk"
        );
        assert_eq!(parse_email("admin@localhost").unwrap(), "admin@localhost");
        assert!(parse_email("not-an-email").is_err());
        assert!(parse_email("").is_err());
    }

    #[test]
    fn passwords_need_twelve_characters() {
        assert!(check_new_password("elevenchars", "a@b").is_err());
        assert!(check_new_password("twelve chars", "a@b").is_ok());
        assert!(check_new_password("            ", "a@b").is_err());
        assert!(check_new_password("jo@trust.nhs.uk", "Jo@Trust.nhs.uk").is_err());
        // Characters, not bytes: twelve accented letters pass, eleven do not.
        assert!(check_new_password(&"é".repeat(12), "a@b").is_ok());
        assert!(check_new_password(&"é".repeat(11), "a@b").is_err());
    }

    #[test]
    fn lock_expires() {
        let t = |h| {
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
                .unwrap()
                .and_hms_opt(h, 0, 0)
                .unwrap()
        };
        let mut u = User {
            id: "1".into(),
            email: "a@b".into(),
            name: "A".into(),
            role: Role::Admin,
            active: true,
            failed_logins: 0,
            locked_until: Some(t(10)),
            last_login_at: None,
            created_at: t(1),
            updated_at: t(1),
        };
        assert!(u.is_locked(t(9)));
        assert!(!u.is_locked(t(10)));
        u.locked_until = None;
        assert!(!u.is_locked(t(9)));
    }
}
