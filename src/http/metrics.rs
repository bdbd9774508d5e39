//! Request counters and latency histograms in the Prometheus text format, and the check of
//! the scrape token (`metrics.token`).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Secret;

/// Whether a scrape with this `Authorization` header may read the metrics: always when no token
/// is configured, else only with `Bearer <token>`. The comparison takes the same time however
/// much of the token is right (digests compared in constant time, so not even its length shows).
pub fn scrape_allowed(token: &Secret, authorization: Option<&str>) -> bool {
    let expected = token.expose();
    if expected.is_empty() {
        return true;
    }
    let Some(given) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    let (given, expected) = (Sha256::digest(given.trim()), Sha256::digest(expected));
    bool::from(given.ct_eq(&expected))
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Counters keyed by (method, route pattern, status).
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    /// Record one finished request. `route` is the matched pattern, never the raw path.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let Ok(mut map) = self.series.lock() else {
            return;
        };
        let s = map
            .entry((method.to_string(), route.to_string(), status))
            .or_default();
        s.count += 1;
        s.sum_seconds += seconds;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                s.buckets[i] += 1;
            }
        }
    }

    /// The Prometheus exposition, with the pool gauges given.
    pub fn render(&self, pools: &[(&str, u32, u32)]) -> String {
        let mut out = String::new();
        out.push_str("# HELP candour_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE candour_http_requests_total counter\n");
        let Ok(map) = self.series.lock() else {
            return out;
        };
        for ((method, route, status), s) in map.iter() {
            let _ = writeln!(
                out,
                "candour_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str("# HELP candour_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE candour_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in map.iter() {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                escape(route)
            );
            for (bound, n) in BUCKETS.iter().zip(s.buckets.iter()) {
                let _ = writeln!(
                    out,
                    "candour_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "candour_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "candour_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_seconds
            );
            let _ = writeln!(
                out,
                "candour_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out.push_str("# HELP candour_db_pool_connections Database pool connections.\n");
        out.push_str("# TYPE candour_db_pool_connections gauge\n");
        for (pool, open, idle) in pools {
            let _ = writeln!(
                out,
                "candour_db_pool_connections{{pool=\"{pool}\",state=\"idle\"}} {idle}"
            );
            let _ = writeln!(
                out,
                "candour_db_pool_connections{{pool=\"{pool}\",state=\"in_use\"}} {}",
                open.saturating_sub(*idle)
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scrape_token_is_needed_only_when_set() {
        assert!(scrape_allowed(&Secret::new(""), None));
        let token = Secret::new("scrape-token-0123456789");
        assert!(scrape_allowed(
            &token,
            Some("Bearer scrape-token-0123456789")
        ));
        for wrong in [
            None,
            Some(""),
            Some("scrape-token-0123456789"),
            Some("Bearer scrape-token-012345678"),
            Some("Bearer scrape-token-01234567890"),
            Some("Basic c2NyYXBl"),
        ] {
            assert!(!scrape_allowed(&token, wrong), "{wrong:?}");
        }
    }

    #[test]
    fn renders_counts_and_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/healthz", 200, Duration::from_millis(3));
        m.observe("GET", "/healthz", 200, Duration::from_millis(30));
        let text = m.render(&[("main", 3, 1)]);
        assert!(text.contains(
            "candour_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("candour_db_pool_connections{pool=\"main\",state=\"in_use\"} 2"));
    }
}
