//! What a redaction may replace: one of a case's free-text fields, or the texts of one
//! timeline event; and the reason that must go with it.

/// A free-text field of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseText {
    Summary,
    Description,
    DesiredOutcome,
}

impl CaseText {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Summary => "summary",
            Self::Description => "description",
            Self::DesiredOutcome => "desired_outcome",
        }
    }
}

/// What to redact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A case field; the timeline events that recorded its words are erased with it.
    Field(CaseText),
    /// The summary and details of timeline event `seq`.
    Event(i32),
}

/// The longest reason kept.
pub const MAX_REASON_CHARS: usize = 500;

/// Parse `summary`, `description`, `desired_outcome` or `event:N`.
pub fn parse_target(raw: &str) -> Result<Target, String> {
    let raw = raw.trim();
    let field = match raw {
        "summary" => Some(CaseText::Summary),
        "description" => Some(CaseText::Description),
        "desired_outcome" => Some(CaseText::DesiredOutcome),
        _ => None,
    };
    if let Some(f) = field {
        return Ok(Target::Field(f));
    }
    raw.strip_prefix("event:")
        .and_then(|n| n.parse::<i32>().ok())
        .filter(|n| *n >= 1)
        .map(Target::Event)
        .ok_or_else(|| {
            "must be summary, description, desired_outcome or event:N (a timeline event's \
             number)"
                .to_string()
        })
}

/// Trim and check a redaction's reason.
pub fn parse_reason(raw: &str) -> Result<String, String> {
    let reason = raw.trim();
    if reason.is_empty() {
        return Err("is required: say why the text is redacted".into());
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(format!("must be at most {MAX_REASON_CHARS} characters"));
    }
    Ok(reason.to_string())
}

/// Whether an event's texts still hold `words` (as its JSON details would write them).
pub fn mentions(summary: &str, details: &str, words: &str) -> bool {
    if words.trim().is_empty() {
        return false;
    }
    let escaped = serde_json::to_string(words).unwrap_or_default();
    let inner = escaped.trim_matches('"');
    summary.contains(words) || details.contains(inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_a_case_field_or_an_event_number() {
        assert_eq!(
            parse_target(" description "),
            Ok(Target::Field(CaseText::Description))
        );
        assert_eq!(parse_target("event:12"), Ok(Target::Event(12)));
        for bad in ["event:0", "event:-1", "event:x", "reference", "status", ""] {
            assert!(parse_target(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_reason_is_required_and_bounded() {
        assert!(parse_reason("  ").is_err());
        assert_eq!(parse_reason(" wrong patient ").unwrap(), "wrong patient");
        assert!(parse_reason(&"x".repeat(501)).is_err());
        assert!(parse_reason(&"x".repeat(500)).is_ok());
    }

    #[test]
    fn words_are_found_as_json_writes_them() {
        let details = serde_json::json!({"changes": {"description": {
            "before": "Mrs \"A\" fell\non the ward", "after": "x"
        }}})
        .to_string();
        assert!(mentions("Edited", &details, "Mrs \"A\" fell\non the ward"));
        assert!(!mentions("Edited", &details, "Mr B"));
        assert!(!mentions("Edited", &details, "  "));
    }
}
