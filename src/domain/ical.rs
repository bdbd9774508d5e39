//! A small iCalendar (RFC 5545) writer for meeting invitations, with iTIP (RFC 5546) methods:
//! CRLF line ends, lines folded at 75 octets without splitting a character, TEXT values
//! escaped (`\` `;` `,` and newlines), times in UTC (`…Z`), a stable UID and a SEQUENCE that
//! the caller raises on every reschedule. Pure: the stamp is a parameter.

use chrono::NaiveDateTime;

/// The longest line, in octets, before folding (RFC 5545 §3.1), CRLF excluded.
const MAX_LINE_OCTETS: usize = 75;

/// What the invitation asks of the recipient's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Add or update the event.
    Request,
    /// Remove the event.
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// A person with a calendar address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    pub email: String,
}

/// How an attendee takes part (RFC 5545 §3.2.16).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendeeRole {
    Chair,
    Required,
    Optional,
}

impl AttendeeRole {
    fn as_str(self) -> &'static str {
        match self {
            Self::Chair => "CHAIR",
            Self::Required => "REQ-PARTICIPANT",
            Self::Optional => "OPT-PARTICIPANT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub party: Party,
    pub role: AttendeeRole,
    /// Whether a reply is asked for.
    pub rsvp: bool,
}

/// One meeting invitation (a VCALENDAR holding one VEVENT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Stable for the life of the meeting, e.g. `<meeting-id>@candour`.
    pub uid: String,
    /// 0 when first sent; raised on every reschedule and on cancellation.
    pub sequence: i32,
    pub method: Method,
    /// When this version of the invitation was made (UTC).
    pub stamp: NaiveDateTime,
    /// UTC.
    pub starts_at: NaiveDateTime,
    /// UTC.
    pub ends_at: NaiveDateTime,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    /// A link to join by video (an absolute http(s) URL).
    pub url: Option<String>,
    pub organiser: Party,
    pub attendees: Vec<Attendee>,
}

/// The invitation as an iCalendar file.
pub fn render(inv: &Invitation) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//Candour//Complaints case management//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        format!("METHOD:{}", inv.method.as_str()),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", text(&inv.uid)),
        format!("SEQUENCE:{}", inv.sequence.max(0)),
        format!("DTSTAMP:{}", utc(inv.stamp)),
        format!("DTSTART:{}", utc(inv.starts_at)),
        format!("DTEND:{}", utc(inv.ends_at)),
        format!("SUMMARY:{}", text(&inv.summary)),
    ];
    if let Some(d) = &inv.description {
        lines.push(format!("DESCRIPTION:{}", text(d)));
    }
    if let Some(l) = &inv.location {
        lines.push(format!("LOCATION:{}", text(l)));
    }
    if let Some(u) = &inv.url {
        lines.push(format!("URL:{}", uri(u)));
    }
    lines.push(format!(
        "ORGANIZER;CN={}:{}",
        param(&inv.organiser.name),
        mailto(&inv.organiser.email)
    ));
    for a in &inv.attendees {
        lines.push(format!(
            "ATTENDEE;CN={};ROLE={};PARTSTAT=NEEDS-ACTION;RSVP={}:{}",
            param(&a.party.name),
            a.role.as_str(),
            if a.rsvp { "TRUE" } else { "FALSE" },
            mailto(&a.party.email)
        ));
    }
    lines.push(
        match inv.method {
            Method::Request => "STATUS:CONFIRMED",
            Method::Cancel => "STATUS:CANCELLED",
        }
        .into(),
    );
    lines.push("TRANSP:OPAQUE".into());
    lines.push("END:VEVENT".into());
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in &lines {
        fold_into(&mut out, line);
    }
    out
}

/// `20261123T143000Z`.
fn utc(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escape a TEXT value (RFC 5545 §3.3.11).
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\\n");
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A quoted parameter value: no double quotes or control characters may appear inside.
fn param(value: &str) -> String {
    let clean: String = value
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if c == '"' { '\'' } else { c })
        .collect();
    format!("\"{clean}\"")
}

/// A URI value: no whitespace or control characters.
fn uri(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect()
}

fn mailto(email: &str) -> String {
    format!("mailto:{}", uri(email))
}

/// Append `line` with CRLF, folded so that no physical line exceeds 75 octets; a fold never
/// splits a UTF-8 character, and continuation lines begin with one space.
fn fold_into(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > MAX_LINE_OCTETS {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn invitation() -> Invitation {
        Invitation {
            uid: "0b7e@candour".into(),
            sequence: 0,
            method: Method::Request,
            stamp: at("2026-11-23 09:00:00"),
            starts_at: at("2026-12-01 10:00:00"),
            ends_at: at("2026-12-01 11:00:00"),
            summary: "Meeting about complaint C-2026-00042".into(),
            description: Some("Line one\nLine two, with a comma; and a \\ backslash".into()),
            location: Some("Room 4, Main Building".into()),
            url: None,
            organiser: Party {
                name: "Pat Manager".into(),
                email: "pat@trust.nhs.uk".into(),
            },
            attendees: vec![Attendee {
                party: Party {
                    name: "Alex \"Al\" Example".into(),
                    email: "alex@example.org".into(),
                },
                role: AttendeeRole::Required,
                rsvp: true,
            }],
        }
    }

    #[test]
    fn lines_end_in_crlf_and_times_are_utc() {
        let ics = render(&invitation());
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert!(!ics.replace("\r\n", "").contains('\n'));
        assert!(ics.contains("\r\nDTSTART:20261201T100000Z\r\n"));
        assert!(ics.contains("\r\nDTEND:20261201T110000Z\r\n"));
        assert!(ics.contains("\r\nDTSTAMP:20261123T090000Z\r\n"));
        assert!(ics.contains("\r\nMETHOD:REQUEST\r\n"));
        assert!(ics.contains("\r\nSTATUS:CONFIRMED\r\n"));
        assert!(ics.contains("\r\nUID:0b7e@candour\r\n"));
        assert!(ics.contains("\r\nORGANIZER;CN=\"Pat Manager\":mailto:pat@trust.nhs.uk\r\n"));
        assert!(ics.replace("\r\n ", "").contains(
            "\r\nATTENDEE;CN=\"Alex 'Al' Example\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alex@example.org\r\n"
        ));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\ne\r\nf"), "a\\,b\\;c\\\\d\\ne\\nf");
        let ics = render(&invitation());
        assert!(ics.contains("LOCATION:Room 4\\, Main Building\r\n"));
        assert!(ics.replace("\r\n ", "").contains(
            "DESCRIPTION:Line one\\nLine two\\, with a comma\\; and a \\\\ backslash\r\n"
        ));
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut inv = invitation();
        inv.description = Some("é".repeat(100) + &"x".repeat(200));
        let ics = render(&inv);
        for line in ics.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!(
            "DESCRIPTION:{}{}\r\n",
            "é".repeat(100),
            "x".repeat(200)
        )));
    }

    #[test]
    fn cancellation_says_so() {
        let mut inv = invitation();
        inv.method = Method::Cancel;
        inv.sequence = 3;
        let ics = render(&inv);
        assert!(ics.contains("\r\nMETHOD:CANCEL\r\n"));
        assert!(ics.contains("\r\nSTATUS:CANCELLED\r\n"));
        assert!(ics.contains("\r\nSEQUENCE:3\r\n"));
    }
}
