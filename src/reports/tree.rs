//! The service tree as reports need it: a service with everything beneath it, the site a
//! service belongs to, and the KO41a service area it inherits.

use std::collections::HashMap;

use crate::db::services::ServiceRow;

/// The trust's services, indexed.
pub struct Tree {
    rows: HashMap<String, ServiceRow>,
}

impl Tree {
    pub fn new(rows: Vec<ServiceRow>) -> Self {
        Self {
            rows: rows.into_iter().map(|r| (r.id.clone(), r)).collect(),
        }
    }

    pub fn get(&self, id: &str) -> Option<&ServiceRow> {
        self.rows.get(id)
    }

    /// `id` and every service beneath it.
    pub fn with_descendants(&self, id: &str) -> Vec<String> {
        let mut out = vec![id.to_string()];
        let mut i = 0;
        while i < out.len() {
            let parent = out[i].clone();
            let mut children: Vec<String> = self
                .rows
                .values()
                .filter(|r| r.parent_id.as_deref() == Some(parent.as_str()))
                .map(|r| r.id.clone())
                .collect();
            children.sort();
            for child in children {
                if !out.contains(&child) {
                    out.push(child);
                }
            }
            i += 1;
        }
        out
    }

    /// `id` and its ancestors, nearest first (cycles are cut).
    fn lineage(&self, id: &str) -> Vec<&ServiceRow> {
        let mut out: Vec<&ServiceRow> = Vec::new();
        let mut at = self.rows.get(id);
        while let Some(row) = at {
            if out.iter().any(|r| r.id == row.id) {
                break;
            }
            out.push(row);
            at = row.parent_id.as_deref().and_then(|p| self.rows.get(p));
        }
        out
    }

    /// The site a service is at: its nearest ancestor (or itself) of kind `site`, else the
    /// root of its branch.
    pub fn site_of(&self, id: &str) -> Option<&ServiceRow> {
        let line = self.lineage(id);
        line.iter()
            .find(|r| r.kind == "site")
            .or_else(|| line.last())
            .copied()
    }

    /// The KO41a service area: the service's own, or the nearest ancestor's.
    pub fn area_of(&self, id: &str) -> Option<&str> {
        self.lineage(id)
            .into_iter()
            .find_map(|r| r.service_area.as_deref())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A service row for tests: its code is its id in capitals.
    pub(crate) fn row(
        id: &str,
        parent: Option<&str>,
        kind: &str,
        area: Option<&str>,
    ) -> ServiceRow {
        let now = chrono::NaiveDateTime::default();
        ServiceRow {
            id: id.into(),
            parent_id: parent.map(Into::into),
            kind: kind.into(),
            code: id.to_uppercase(),
            name: id.into(),
            service_area: area.map(Into::into),
            lead_user_id: None,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn sites_areas_and_descendants() {
        let t = Tree::new(vec![
            row("s1", None, "site", None),
            row("d1", Some("s1"), "directorate", Some("acute")),
            row("w1", Some("d1"), "ward", None),
            row("w2", Some("d1"), "ward", Some("maternity")),
            row("x", None, "team", None),
        ]);
        assert_eq!(t.site_of("w1").map(|r| r.id.as_str()), Some("s1"));
        assert_eq!(t.site_of("x").map(|r| r.id.as_str()), Some("x"));
        assert_eq!(t.area_of("w1"), Some("acute"));
        assert_eq!(t.area_of("w2"), Some("maternity"));
        assert_eq!(t.area_of("s1"), None);
        assert_eq!(t.with_descendants("d1"), vec!["d1", "w1", "w2"]);
    }
}
