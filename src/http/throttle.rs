//! Throttling of the requests a guesser or a flood repeats (sign-in, token refresh, password
//! change, the public forms), per client address and per account or link: one keyed GCRA
//! limiter (`governor`) per scope, counted on the application clock, answering 429 with
//! `Retry-After`. Keys are SHA-256 digests (no email address is held), and the keys whose
//! bucket is full again are dropped as the limiter is used, so the maps stay bounded.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota as Rate, RateLimiter};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::config::{Quota, ThrottleSettings};
use crate::error::AppError;

/// The application clock as the limiters read it: at its pace, following it forward, but a
/// move back counts as no time passing (buckets never wait for a day that already went by).
#[derive(Clone)]
struct Ticks {
    clock: Clock,
    /// The last reading (microseconds since the epoch) and the ticks (ns) counted so far.
    last: Arc<Mutex<(i64, u64)>>,
}

impl Ticks {
    fn new(clock: Clock) -> Self {
        let reading = clock.now_utc().timestamp_micros();
        Self {
            clock,
            last: Arc::new(Mutex::new((reading, 0))),
        }
    }
}

impl GovernorClock for Ticks {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let reading = self.clock.now_utc().timestamp_micros();
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let step = u64::try_from(reading - last.0).unwrap_or(0);
        let ticks = last.1.saturating_add(step.saturating_mul(1000));
        *last = (reading, ticks);
        Nanos::from(ticks)
    }
}

/// A key: the first half of the SHA-256 of an address, an email or a user id.
type Key = [u8; 16];

fn key(value: &str) -> Key {
    let digest = Sha256::digest(value.as_bytes());
    let mut key = [0; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// Checks between two sweeps of the keys whose buckets are full again.
const SWEEP_EVERY: u64 = 512;

/// One scope's limiter, keyed.
struct Limiter {
    inner: RateLimiter<Key, DashMapStateStore<Key>, Ticks, NoOpMiddleware<Nanos>>,
    checks: AtomicU64,
}

impl Limiter {
    fn new(quota: Quota, ticks: &Ticks) -> Self {
        let burst = NonZeroU32::new(quota.burst).unwrap_or(NonZeroU32::MIN);
        let period = Duration::from_secs(60) / quota.per_minute.max(1);
        let rate = Rate::with_period(period)
            .unwrap_or_else(|| Rate::per_minute(burst))
            .allow_burst(burst);
        Self {
            inner: RateLimiter::new(rate, DashMapStateStore::default(), ticks.clone()),
            checks: AtomicU64::new(0),
        }
    }

    /// Take one request for `key`: `Err` with the seconds until one will be accepted.
    fn check(&self, key: &Key) -> Result<(), Refused> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        self.inner.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.inner.clock().now());
            Refused {
                retry_after_seconds: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
            }
        })
    }

    /// Drop the keys whose bucket is full again (indistinguishable from a new key).
    fn sweep(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }

    fn keys(&self) -> usize {
        self.inner.len()
    }
}

/// A request turned away, and when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    pub retry_after_seconds: u64,
}

impl From<Refused> for AppError {
    fn from(r: Refused) -> Self {
        AppError::TooManyRequests {
            detail: format!(
                "Too many attempts in a short time. Wait {} seconds and try again.",
                r.retry_after_seconds
            ),
            retry_after_seconds: r.retry_after_seconds,
        }
    }
}

/// Every scope's limiters (`[throttle]`).
pub struct Throttle {
    enabled: bool,
    login_address: Limiter,
    login_account: Limiter,
    refresh_address: Limiter,
    password_address: Limiter,
    password_account: Limiter,
    form_address: Limiter,
    form_link: Limiter,
}

impl Throttle {
    pub fn new(settings: &ThrottleSettings, clock: Clock) -> Self {
        let ticks = Ticks::new(clock);
        let limiter = |q: Quota| Limiter::new(q, &ticks);
        Self {
            enabled: settings.enabled,
            login_address: limiter(settings.login_per_address),
            login_account: limiter(settings.login_per_account),
            refresh_address: limiter(settings.refresh_per_address),
            password_address: limiter(settings.password_per_address),
            password_account: limiter(settings.password_per_account),
            form_address: limiter(settings.public_form_per_address),
            form_link: limiter(settings.public_form_per_link),
        }
    }

    /// The address's quota first (a refused address spends none of the account's), then the
    /// account's.
    fn both(
        &self,
        by_address: &Limiter,
        address: &str,
        by_account: &Limiter,
        account: &str,
    ) -> Result<(), Refused> {
        if !self.enabled {
            return Ok(());
        }
        by_address.check(&key(address))?;
        by_account.check(&key(account))
    }

    /// A sign-in from `address` as `email` (in any letter case).
    pub fn login(&self, address: &str, email: &str) -> Result<(), Refused> {
        let email = email.trim().to_lowercase();
        self.both(&self.login_address, address, &self.login_account, &email)
    }

    /// A token refresh from `address`.
    pub fn refresh(&self, address: &str) -> Result<(), Refused> {
        if !self.enabled {
            return Ok(());
        }
        self.refresh_address.check(&key(address))
    }

    /// A password change from `address` by user `user_id`.
    pub fn password_change(&self, address: &str, user_id: &str) -> Result<(), Refused> {
        self.both(
            &self.password_address,
            address,
            &self.password_account,
            user_id,
        )
    }

    /// A post of a public form (tracking message, survey) from `address` to link `token`.
    pub fn public_form(&self, address: &str, token: &str) -> Result<(), Refused> {
        self.both(&self.form_address, address, &self.form_link, token)
    }

    /// Keys held across every limiter (for tests of the sweep).
    pub fn keys_held(&self) -> usize {
        [
            &self.login_address,
            &self.login_account,
            &self.refresh_address,
            &self.password_address,
            &self.password_account,
            &self.form_address,
            &self.form_link,
        ]
        .iter()
        .map(|l| l.keys())
        .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn small(per_minute: u32, burst: u32) -> ThrottleSettings {
        let q = Quota::new(per_minute, burst);
        ThrottleSettings {
            enabled: true,
            login_per_address: q,
            login_per_account: Quota::new(per_minute * 2, burst * 2),
            refresh_per_address: q,
            password_per_address: q,
            password_per_account: q,
            public_form_per_address: q,
            public_form_per_link: q,
        }
    }

    #[test]
    fn the_burst_passes_then_the_next_waits_until_the_clock_has_moved() {
        let clock = Clock::adjustable();
        let t = Throttle::new(&small(3, 3), clock.clone());
        for _ in 0..3 {
            assert_eq!(t.refresh("192.0.2.1"), Ok(()));
        }
        let refused = t.refresh("192.0.2.1").unwrap_err();
        // One request every 20 s comes back.
        assert!(
            (19..=20).contains(&refused.retry_after_seconds),
            "{refused:?}"
        );
        assert_eq!(t.refresh("192.0.2.2"), Ok(()), "another address");
        assert!(clock.advance(TimeDelta::seconds(20)));
        assert_eq!(t.refresh("192.0.2.1"), Ok(()));
        assert!(t.refresh("192.0.2.1").is_err());
    }

    #[test]
    fn an_account_is_counted_across_addresses_in_any_letter_case() {
        let t = Throttle::new(&small(2, 2), Clock::adjustable());
        // The account quota here is 4; each address allows 2.
        for (i, email) in ["a@x.nhs.uk", "A@X.nhs.uk", " a@x.nhs.uk", "a@X.NHS.UK"]
            .iter()
            .enumerate()
        {
            assert_eq!(t.login(&format!("192.0.2.{i}"), email), Ok(()));
        }
        assert!(t.login("192.0.2.9", "a@x.nhs.uk").is_err());
        assert_eq!(t.login("192.0.2.9", "b@x.nhs.uk"), Ok(()));
    }

    #[test]
    fn a_clock_moved_back_does_not_shut_anyone_out() {
        let clock = Clock::adjustable();
        let t = Throttle::new(&small(1, 1), clock.clone());
        assert_eq!(t.refresh("192.0.2.1"), Ok(()));
        assert!(clock.advance(TimeDelta::days(-400)));
        assert!(t.refresh("192.0.2.1").is_err(), "still the same minute");
        assert!(clock.advance(TimeDelta::seconds(61)));
        assert_eq!(t.refresh("192.0.2.1"), Ok(()));
    }

    #[test]
    fn keys_of_full_buckets_are_swept_away() {
        let clock = Clock::adjustable();
        let mut s = small(60, 5);
        s.public_form_per_address = Quota::new(60, 100);
        let t = Throttle::new(&s, clock.clone());
        for i in 0..2000 {
            let _ = t.public_form(&format!("198.51.100.{}", i % 200), &format!("token-{i}"));
        }
        assert!(t.keys_held() >= 2000, "{}", t.keys_held());
        assert!(clock.advance(TimeDelta::minutes(2)));
        for _ in 0..SWEEP_EVERY {
            let _ = t.public_form("203.0.113.1", "one-token");
        }
        assert!(t.keys_held() <= 3, "{} keys left", t.keys_held());
    }

    #[test]
    fn disabled_lets_everything_through() {
        let mut s = small(1, 1);
        s.enabled = false;
        let t = Throttle::new(&s, Clock::adjustable());
        for _ in 0..50 {
            assert_eq!(t.login("192.0.2.1", "a@x.nhs.uk"), Ok(()));
            assert_eq!(t.refresh("192.0.2.1"), Ok(()));
            assert_eq!(t.password_change("192.0.2.1", "u1"), Ok(()));
            assert_eq!(t.public_form("192.0.2.1", "t"), Ok(()));
        }
    }
}
