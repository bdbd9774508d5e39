//! Links inside messages. A use-case says what a link leads to ([`Link`]) and puts it in the
//! template context; the address is made here, as the message is rendered, on the public base
//! URL. So the services that write to people never build an address themselves. A complainant's
//! private link is not made at all: it is rendered as a marker
//! ([`super::secret_links`]), and made live only as the message leaves.

use serde_json::{Value, json};

use super::secret_links::Secret;

/// The key that marks a link in a template context.
const MARK: &str = "$link";

/// What a link in a message leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// A case in Candour, for staff.
    Case(String),
    /// The complainant's tracking page for the case the message is about.
    Track,
    /// The handling-feedback survey of one invitation, by the invitation's id.
    Survey(String),
}

impl Link {
    /// The link as a template value, to be made an address when rendered.
    pub fn value(&self) -> Value {
        let (kind, key) = match self {
            Self::Case(id) => ("case", id.as_str()),
            Self::Track => ("track", ""),
            Self::Survey(invitation) => ("survey", invitation.as_str()),
        };
        json!({ MARK: kind, "key": key })
    }

    fn address(kind: &str, key: &str, base_url: &str) -> Option<String> {
        Some(match kind {
            "case" => crate::links::absolute(base_url, &crate::links::case(key)),
            "track" => Secret::Track.marker(),
            "survey" => Secret::Survey(key.to_string()).marker(),
            _ => return None,
        })
    }
}

/// Replace every link in `value` with its address on `base_url`.
pub fn resolve(value: &mut Value, base_url: &str) {
    match value {
        Value::Object(map) => {
            let link = map
                .get(MARK)
                .and_then(Value::as_str)
                .zip(map.get("key").and_then(Value::as_str))
                .and_then(|(kind, key)| Link::address(kind, key, base_url));
            match link {
                Some(address) => *value = Value::String(address),
                None => map.values_mut().for_each(|v| resolve(v, base_url)),
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(v, base_url)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_addresses_wherever_they_are() {
        let mut ctx = json!({
            "tracking_url": Link::Track.value(),
            "cases": [{ "reference": "C-1", "url": Link::Case("c1".into()).value() }],
            "plain": { "key": "not a link" },
        });
        resolve(&mut ctx, "https://complaints.example.nhs.uk/");
        assert_eq!(
            ctx,
            json!({
                "tracking_url": "[[candour-link:track]]",
                "cases": [{ "reference": "C-1", "url": "https://complaints.example.nhs.uk/api/v1/cases/c1" }],
                "plain": { "key": "not a link" },
            })
        );
    }
}
