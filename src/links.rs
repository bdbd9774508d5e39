//! The addresses Candour hands out, in one place: the API's own paths (for `Location` headers
//! and links inside answers) and the full links, on the public base URL, that complainants
//! and staff are sent. The API, the pages and the email layer build links; services do not.

/// `<base>/<path>`: a path of this Candour on its public base URL.
pub fn absolute(base_url: &str, path: &str) -> String {
    format!("{}{path}", base_url.trim_end_matches('/'))
}

pub fn case(id: &str) -> String {
    format!("/api/v1/cases/{id}")
}

pub fn case_candour(case_id: &str) -> String {
    format!("/api/v1/cases/{case_id}/candour")
}

pub fn case_ombudsman(case_id: &str) -> String {
    format!("/api/v1/cases/{case_id}/ombudsman")
}

/// The printable copy of a letter.
pub fn letter(case_id: &str, letter_id: &str) -> String {
    format!("/api/v1/cases/{case_id}/letters/{letter_id}")
}

pub fn meeting(id: &str) -> String {
    format!("/api/v1/meetings/{id}")
}

/// A meeting's iCalendar invitation.
pub fn meeting_invite(id: &str) -> String {
    format!("/api/v1/meetings/{id}/invite.ics")
}

pub fn service_change(id: &str) -> String {
    format!("/api/v1/service-changes/{id}")
}

/// The printable board pack for a period (and a service), opened with a signed `key`.
pub fn board_pack(
    base_url: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    service_id: Option<&str>,
    key: &str,
) -> String {
    let mut path = format!("/reports/board?from={from}&to={to}");
    if let Some(id) = service_id {
        path.push_str(&format!("&service_id={}", urlencode(id)));
    }
    path.push_str(&format!("&key={key}"));
    absolute(base_url, &path)
}

/// `s` as a query-string value: unreserved characters as they are, the rest %-encoded.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The complainant's private page for following their case.
pub fn track(base_url: &str, token: &str) -> String {
    absolute(base_url, &format!("/track/{token}"))
}

/// The complainant's handling-feedback survey.
pub fn feedback(base_url: &str, token: &str) -> String {
    absolute(base_url, &format!("/feedback/{token}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn links_join_the_base_url_without_doubling_the_slash() {
        assert_eq!(
            track("https://complaints.example.nhs.uk/", "abc"),
            "https://complaints.example.nhs.uk/track/abc"
        );
        assert_eq!(
            absolute("http://127.0.0.1:8080", &case("c1")),
            "http://127.0.0.1:8080/api/v1/cases/c1"
        );
        assert_eq!(meeting_invite("m1"), "/api/v1/meetings/m1/invite.ics");
        assert_eq!(
            track("https://x.nhs.uk/", "abc"),
            "https://x.nhs.uk/track/abc"
        );
        assert_eq!(
            board_pack(
                "http://h",
                d("2025-04-01"),
                d("2026-03-31"),
                Some("a b/c"),
                "s.k"
            ),
            "http://h/reports/board?from=2025-04-01&to=2026-03-31&service_id=a%20b%2Fc&key=s.k"
        );
    }
}
