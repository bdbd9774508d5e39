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
    }
}
