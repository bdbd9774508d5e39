//! The `[throttle]` section: how many sign-ins, refreshes, password changes and public form
//! posts one client address, and one account (or link), may make a minute.

use serde::{Deserialize, Serialize};

/// A rate: `per_minute` requests a minute on average, at most `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Quota {
    pub per_minute: u32,
    pub burst: u32,
}

impl Default for Quota {
    fn default() -> Self {
        Self::new(10, 10)
    }
}

impl Quota {
    pub const fn new(per_minute: u32, burst: u32) -> Self {
        Self { per_minute, burst }
    }
}

/// Throttling of the requests a guesser or a flood would repeat. Each scope is counted per
/// client address and, where there is one, per account (the email signed in with, the user
/// changing their password) or per link (a public form's token).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct ThrottleSettings {
    /// `false` lifts every limit: only for a load benchmark on a test server.
    pub enabled: bool,
    pub login_per_address: Quota,
    pub login_per_account: Quota,
    pub refresh_per_address: Quota,
    pub password_per_address: Quota,
    pub password_per_account: Quota,
    pub public_form_per_address: Quota,
    pub public_form_per_link: Quota,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            login_per_address: Quota::new(20, 20),
            login_per_account: Quota::new(10, 10),
            refresh_per_address: Quota::new(60, 60),
            password_per_address: Quota::new(10, 10),
            password_per_account: Quota::new(5, 5),
            public_form_per_address: Quota::new(10, 10),
            public_form_per_link: Quota::new(5, 5),
        }
    }
}

impl ThrottleSettings {
    /// Every quota with its key.
    pub fn quotas(&self) -> [(&'static str, Quota); 7] {
        [
            ("login_per_address", self.login_per_address),
            ("login_per_account", self.login_per_account),
            ("refresh_per_address", self.refresh_per_address),
            ("password_per_address", self.password_per_address),
            ("password_per_account", self.password_per_account),
            ("public_form_per_address", self.public_form_per_address),
            ("public_form_per_link", self.public_form_per_link),
        ]
    }

    /// Quotas outside their bounds (a zero rate would refuse everyone for ever).
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (key, q) in self.quotas() {
            if !(1..=100_000).contains(&q.per_minute) {
                problems.push(format!("throttle.{key}.per_minute must be 1 to 100000"));
            }
            if !(1..=100_000).contains(&q.burst) {
                problems.push(format!("throttle.{key}.burst must be 1 to 100000"));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Environment, Settings};
    use std::path::Path;

    #[test]
    fn the_shipped_defaults_file_matches_the_built_in_defaults_and_a_file_overrides_them() {
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
        let s = Settings::load(&shipped, Environment::Test).unwrap();
        assert_eq!(
            s.throttle.quotas(),
            ThrottleSettings::default().quotas(),
            "config/default.toml"
        );
        assert!(s.throttle.enabled);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("default.toml"),
            "[throttle]\nenabled = false\nlogin_per_account = { per_minute = 3 }\n",
        )
        .unwrap();
        let s = Settings::load(dir.path(), Environment::Test).unwrap();
        assert!(!s.throttle.enabled);
        assert_eq!(s.throttle.login_per_account, Quota::new(3, 10));
    }

    #[test]
    fn zero_quotas_are_refused_by_name() {
        let mut s = ThrottleSettings::default();
        assert!(s.problems().is_empty());
        s.login_per_account.per_minute = 0;
        s.public_form_per_link.burst = 0;
        let problems = s.problems().join("; ");
        assert!(
            problems.contains("throttle.login_per_account.per_minute"),
            "{problems}"
        );
        assert!(
            problems.contains("throttle.public_form_per_link.burst"),
            "{problems}"
        );
    }
}
