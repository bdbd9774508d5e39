//! The trust's service tree: kinds of node, the shape rules, and code and name checks.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const MAX_CODE_CHARS: usize = 32;
const MAX_NAME_CHARS: usize = 200;

/// What a node of the service tree is. A site is a root; everything else sits under a parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceKind {
    Site,
    Directorate,
    Specialty,
    WardTeam,
}

impl ServiceKind {
    pub const ALL: [ServiceKind; 4] = [
        Self::Site,
        Self::Directorate,
        Self::Specialty,
        Self::WardTeam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Site => "site",
            Self::Directorate => "directorate",
            Self::Specialty => "specialty",
            Self::WardTeam => "ward_team",
        }
    }
}

impl std::fmt::Display for ServiceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for ServiceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown service kind {s:?}"))
    }
}

/// One node of the service tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub parent_id: Option<String>,
    pub kind: ServiceKind,
    pub code: String,
    pub name: String,
    /// A code of the `service_area` coding list.
    pub service_area: Option<String>,
    pub lead_user_id: Option<String>,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Trim and check a service code: 1 to 32 of `A-Z a-z 0-9 _ -`.
pub fn parse_code(raw: &str) -> Result<String, String> {
    let code = raw.trim();
    if code.is_empty() {
        return Err("is required".into());
    }
    if code.chars().count() > MAX_CODE_CHARS {
        return Err(format!("must be at most {MAX_CODE_CHARS} characters"));
    }
    if !code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err("may hold only letters, digits, '_' and '-'".into());
    }
    Ok(code.to_string())
}

/// Trim and check a service name: 1 to 200 characters, no control characters.
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

/// A site is a root; every other kind must have a parent.
pub fn check_parent_presence(kind: ServiceKind, has_parent: bool) -> Result<(), String> {
    match (kind, has_parent) {
        (ServiceKind::Site, true) => Err("must be empty: a site is the top of the tree".into()),
        (ServiceKind::Site, false) | (_, true) => Ok(()),
        (other, false) => Err(format!("is required: a {other} sits under another service")),
    }
}

/// Whether putting `id` under `new_parent` would make `id` its own ancestor.
/// `parents` maps every service id to its current parent.
pub fn would_create_cycle(
    id: &str,
    new_parent: &str,
    parents: &HashMap<String, Option<String>>,
) -> bool {
    let mut seen = HashSet::new();
    let mut at = Some(new_parent.to_string());
    while let Some(current) = at {
        if current == id {
            return true;
        }
        if !seen.insert(current.clone()) {
            // A loop already in the data that does not pass through `id`.
            return false;
        }
        at = parents.get(&current).cloned().flatten();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(parse_code(" W-7_a ").unwrap(), "W-7_a");
        assert!(parse_code("").is_err());
        assert!(parse_code("ward 7").is_err());
        assert!(parse_code("wärd").is_err());
        assert!(parse_code(&"a".repeat(32)).is_ok());
        assert!(parse_code(&"a".repeat(33)).is_err());
    }

    #[test]
    fn names() {
        assert_eq!(parse_name("  Ward 7 ").unwrap(), "Ward 7");
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"é".repeat(200)).is_ok());
        assert!(parse_name(&"é".repeat(201)).is_err());
        assert!(parse_name("a\nb").is_err());
    }

    #[test]
    fn only_sites_are_roots() {
        assert!(check_parent_presence(ServiceKind::Site, false).is_ok());
        assert!(check_parent_presence(ServiceKind::Site, true).is_err());
        for kind in [
            ServiceKind::Directorate,
            ServiceKind::Specialty,
            ServiceKind::WardTeam,
        ] {
            assert!(check_parent_presence(kind, true).is_ok());
            assert!(check_parent_presence(kind, false).is_err());
        }
    }

    #[test]
    fn cycles_are_found() {
        let parents: HashMap<String, Option<String>> = [
            ("site", None),
            ("dir", Some("site")),
            ("spec", Some("dir")),
            ("ward", Some("spec")),
            ("other", Some("site")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
        .collect();
        assert!(would_create_cycle("dir", "ward", &parents));
        assert!(would_create_cycle("dir", "dir", &parents));
        assert!(!would_create_cycle("ward", "other", &parents));
        assert!(!would_create_cycle("spec", "site", &parents));
    }

    #[test]
    fn kinds_round_trip() {
        for kind in ServiceKind::ALL {
            assert_eq!(kind.as_str().parse::<ServiceKind>().unwrap(), kind);
        }
        assert!("ward".parse::<ServiceKind>().is_err());
    }
}
