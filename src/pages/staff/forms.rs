//! Staff forms as data: each field's name, label, hint and kind, rendered by one template macro,
//! and the posted form turned into the JSON body the services take (so the pages run the same
//! checks as the API). Dates are typed as staff write them (`7/12/2026`) or as ISO dates.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

/// What kind of input a field is.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    TextArea,
    Date,
    /// A checkbox: `true` when ticked, `false` otherwise.
    Check,
    /// One of these (value, label) pairs.
    Choice(&'static [(&'static str, &'static str)]),
    /// A member of staff, from the list given to the form.
    Staff,
    /// An integer 1 to 5 (risk consequence and likelihood).
    Score,
}

/// One field of a form.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
}

pub const fn field(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    kind: Kind,
) -> Field {
    Field {
        name,
        label,
        hint,
        kind,
    }
}

/// A typed date: `7/12/2026`, `07/12/2026` or `2026-12-07`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d/%m/%Y"))
        .ok()
        .filter(|d| (1900..=9998).contains(&chrono::Datelike::year(d)))
}

/// The value posted for `name`.
pub fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A field error as the error summary shows it: the input it links to and what to do.
pub fn error(prefix: &str, field: &str, text: &str) -> Value {
    json!({ "href": format!("#{prefix}-{field}"), "field": field, "text": text })
}

/// The JSON body for `fields` from the posted `pairs`; blank fields are left out (the service
/// applies its defaults). Dates that cannot be read are errors here, named for the person.
pub fn to_json(
    prefix: &str,
    fields: &[Field],
    pairs: &[(String, String)],
) -> (Map<String, Value>, Vec<Value>) {
    let mut body = Map::new();
    let mut errors = Vec::new();
    for f in fields {
        let raw = value(pairs, f.name).map(str::trim).unwrap_or("");
        let v = match f.kind {
            Kind::Check => Some(Value::Bool(!raw.is_empty())),
            _ if raw.is_empty() => None,
            Kind::Date => match parse_date(raw) {
                Some(d) => Some(Value::String(d.to_string())),
                None => {
                    errors.push(error(
                        prefix,
                        f.name,
                        &format!("{} must be a real date, for example 7/12/2026", f.label),
                    ));
                    None
                }
            },
            Kind::Score => raw.parse::<i64>().ok().map(Value::from),
            Kind::Text | Kind::TextArea | Kind::Choice(_) | Kind::Staff => {
                Some(Value::String(raw.to_string()))
            }
        };
        if let Some(v) = v {
            body.insert(f.name.to_string(), v);
        }
    }
    (body, errors)
}

/// The fields as the template's macro renders them, with what was typed and the errors.
pub fn render(
    prefix: &str,
    fields: &[Field],
    typed: &[(String, String)],
    errors: &[Value],
    staff: &[Value],
) -> Vec<Value> {
    fields
        .iter()
        .map(|f| {
            let (kind, options) = match f.kind {
                Kind::Text => ("text", Value::Null),
                Kind::TextArea => ("textarea", Value::Null),
                Kind::Date => ("date", Value::Null),
                Kind::Check => ("check", Value::Null),
                Kind::Choice(opts) => (
                    "choice",
                    opts.iter()
                        .map(|(v, l)| json!({ "value": v, "label": l }))
                        .collect(),
                ),
                Kind::Staff => ("choice", Value::Array(staff.to_vec())),
                Kind::Score => (
                    "choice",
                    (1..=5)
                        .map(|n| json!({ "value": n.to_string(), "label": n.to_string() }))
                        .collect(),
                ),
            };
            let field_errors: Vec<&Value> = errors
                .iter()
                .filter(|e| e["field"].as_str() == Some(f.name))
                .collect();
            json!({
                "id": format!("{prefix}-{}", f.name),
                "name": f.name,
                "label": f.label,
                "hint": f.hint,
                "kind": kind,
                "options": options,
                "value": value(typed, f.name).unwrap_or(""),
                "errors": field_errors.iter().map(|e| e["text"].clone()).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// A posted form read for a service: the body it becomes, and the name-value pairs as sent.
pub type Posted = (Map<String, Value>, Vec<(String, String)>);

/// A refusal page headed `title`, saying `why`.
pub fn refusal(state: &crate::state::AppState, title: &str, why: &str) -> actix_web::HttpResponse {
    super::message(
        state,
        actix_web::http::StatusCode::BAD_REQUEST,
        title,
        &[why, "Go back to the case and try again."],
    )
}

/// A posted staff form read for a service: its CSRF token checked, `fields` turned into the
/// body (with the `version` sent, if any) and the pairs as sent; or the page refusing it, headed
/// `title` (a date that cannot be read is refused before anything is sent).
pub fn read_posted(
    state: &crate::state::AppState,
    staff: &super::Staff,
    bytes: &[u8],
    fields: &[Field],
    title: &str,
) -> Result<Posted, Box<actix_web::HttpResponse>> {
    let pairs = crate::pages::form_pairs(bytes).unwrap_or_default();
    if let Some(refused) = staff.csrf_refusal(state, value(&pairs, "csrf")) {
        return Err(Box::new(refused));
    }
    let (mut body, errors) = to_json("form", fields, &pairs);
    if let Some(e) = errors.first() {
        let why = e["text"].as_str().unwrap_or("");
        return Err(Box::new(refusal(state, title, why)));
    }
    if let Some(v) = value(&pairs, "version").and_then(|v| v.parse::<i64>().ok()) {
        body.insert("version".into(), v.into());
    }
    Ok((body, pairs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_as_staff_type_them() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(parse_date("7/12/2026"), Some(d));
        assert_eq!(parse_date(" 07/12/2026 "), Some(d));
        assert_eq!(parse_date("2026-12-07"), Some(d));
        // 29 February only in a leap year.
        assert_eq!(
            parse_date("29/2/2028"),
            NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(parse_date("29/2/2026"), None);
        assert_eq!(parse_date("12/31/2026"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn blank_fields_are_left_to_the_service_and_bad_dates_named() {
        const FIELDS: &[Field] = &[
            field("reason", "Reason", "", Kind::TextArea),
            field("paused_on", "Date paused", "", Kind::Date),
            field("agreed", "Agreed", "", Kind::Check),
        ];
        let pairs = vec![
            ("reason".to_string(), " Waiting for consent ".to_string()),
            ("paused_on".to_string(), "".to_string()),
        ];
        let (body, errors) = to_json("pause", FIELDS, &pairs);
        assert!(errors.is_empty());
        assert_eq!(body["reason"], "Waiting for consent");
        assert!(!body.contains_key("paused_on"));
        assert_eq!(body["agreed"], false);
        let pairs = vec![("paused_on".to_string(), "31/11/2026".to_string())];
        let (_, errors) = to_json("pause", FIELDS, &pairs);
        assert_eq!(errors[0]["href"], "#pause-paused_on");
    }
}
