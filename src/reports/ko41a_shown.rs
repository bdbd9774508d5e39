//! The KO41a return as the board role sees it: every count of the serialised return (the
//! trust's and each site's) placed in one [`Grid`] with the sums that bind them (resolved =
//! the three outcomes; brought forward + new = resolved + withdrawn + carried forward; a site
//! figure across the sites = the trust's; a breakdown = the new complaints when each has one
//! code), protected, and the hidden ones set to `null`. Working on the JSON lets the same
//! protection apply to the live return and to each submission as it was stored.

use std::collections::BTreeMap;

use serde_json::Value;

use super::complement::{CellId, Grid};
use super::suppress::Suppression;

/// Section 2's figures.
const SUMMARY: [&str; 9] = [
    "brought_forward",
    "new",
    "upheld",
    "partially_upheld",
    "not_upheld",
    "resolved",
    "carried_forward",
    "withdrawn",
    "open_at_end",
];

/// Sections 3–8; the first four count each new complaint once.
const LISTS: [&str; 6] = [
    "age",
    "complainant_status",
    "service_area",
    "profession",
    "clinical_treatment",
    "subject_area",
];

/// What the board reads in place of the validation sentences, which quote counts.
pub const FAILS: &str =
    "Fails validation: the details quote counts, so only complaints managers and admins see them.";

/// The cells of one section (the trust's or a site's), by JSON pointer.
struct Section {
    summary: BTreeMap<&'static str, CellId>,
    /// (list, code) → cell.
    items: BTreeMap<(&'static str, String), CellId>,
}

fn count(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(Value::as_i64)
}

/// Place one section's counts in the grid, remembering where each came from.
fn section(g: &mut Grid, v: &Value, at: &str, places: &mut Vec<(String, CellId)>) -> Section {
    let mut summary = BTreeMap::new();
    for f in SUMMARY {
        let pointer = format!("{at}/summary/{f}");
        if let Some(n) = count(v, &pointer) {
            let cell = g.shown(n);
            places.push((pointer, cell));
            summary.insert(f, cell);
        }
    }
    let mut items = BTreeMap::new();
    for list in LISTS {
        let Some(rows) = v.pointer(&format!("{at}/{list}")).and_then(Value::as_array) else {
            continue;
        };
        for (j, row) in rows.iter().enumerate() {
            let (Some(code), Some(n)) = (row["code"].as_str(), row["count"].as_i64()) else {
                continue;
            };
            let cell = g.shown(n);
            places.push((format!("{at}/{list}/{j}/count"), cell));
            items.insert((list, code.to_string()), cell);
        }
    }
    bind(g, &summary, &items);
    Section { summary, items }
}

/// The sums within a section, each only where the figures add up (a return that fails
/// validation does not, and a reader cannot rely on it then).
fn bind(
    g: &mut Grid,
    m: &BTreeMap<&'static str, CellId>,
    items: &BTreeMap<(&'static str, String), CellId>,
) {
    let at = |k: &str| m.get(k).copied();
    if let (Some(resolved), Some(u), Some(p), Some(n)) = (
        at("resolved"),
        at("upheld"),
        at("partially_upheld"),
        at("not_upheld"),
    ) {
        g.sum_if_exact(resolved, &[u, p, n]);
    }
    if let (Some(bf), Some(new), Some(resolved), Some(withdrawn), Some(cf)) = (
        at("brought_forward"),
        at("new"),
        at("resolved"),
        at("withdrawn"),
        at("carried_forward"),
    ) {
        let caseload = g.unseen_total(&[bf, new]);
        g.sum_if_exact(caseload, &[resolved, withdrawn, cf]);
    }
    if let (Some(cf), Some(open)) = (at("carried_forward"), at("open_at_end")) {
        g.sum_if_exact(cf, &[open]);
    }
    if let Some(new) = at("new") {
        for list in &LISTS[..4] {
            let parts: Vec<CellId> = items
                .iter()
                .filter(|((l, _), _)| l == list)
                .map(|(_, c)| *c)
                .collect();
            g.sum_if_exact(new, &parts);
        }
    }
}

/// Hide, in the serialised return `v`, every count the reader with `s` may not see: those
/// from 1 to the threshold − 1 and enough others that none of them can be worked out.
pub fn protect(v: &mut Value, s: Suppression) {
    if !s.applies() {
        return;
    }
    let mut g = Grid::new();
    let mut places = Vec::new();
    let total = section(&mut g, v, "/total", &mut places);
    let sites: Vec<Section> = (0..v["sites"].as_array().map_or(0, Vec::len))
        .map(|i| section(&mut g, v, &format!("/sites/{i}"), &mut places))
        .collect();
    // Each of the trust's figures is its sites' added up.
    for (f, cell) in &total.summary {
        let parts: Vec<CellId> = sites
            .iter()
            .filter_map(|s| s.summary.get(f))
            .copied()
            .collect();
        g.sum_if_exact(*cell, &parts);
    }
    for (key, cell) in &total.items {
        let parts: Vec<CellId> = sites
            .iter()
            .filter_map(|s| s.items.get(key))
            .copied()
            .collect();
        g.sum_if_exact(*cell, &parts);
    }
    g.protect(s);
    for at in
        std::iter::once("/total".to_string()).chain((0..sites.len()).map(|i| format!("/sites/{i}")))
    {
        // The validation sentences quote counts; the reader is told only that it fails.
        if let Some(Value::Array(v)) = v.pointer_mut(&format!("{at}/validation"))
            && !v.is_empty()
        {
            *v = vec![Value::String(FAILS.to_string())];
        }
    }
    for (pointer, cell) in places {
        if g.get(cell).is_none()
            && let Some(slot) = v.pointer_mut(&pointer)
        {
            *slot = Value::Null;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(bf: i64, new: i64, u: i64, p: i64, n: i64, w: i64) -> Value {
        let resolved = u + p + n;
        let cf = bf + new - resolved - w;
        json!({"brought_forward": bf, "new": new, "upheld": u, "partially_upheld": p,
               "not_upheld": n, "resolved": resolved, "carried_forward": cf, "withdrawn": w,
               "open_at_end": cf})
    }

    fn section(s: Value, ages: &[(&str, i64)]) -> Value {
        let age: Vec<Value> = ages
            .iter()
            .map(|(c, n)| json!({"code": c, "label": c, "count": n}))
            .collect();
        json!({"summary": s, "age": age, "complainant_status": [], "service_area": [],
               "clinical_treatment": [], "subject_area": [], "profession": []})
    }

    #[test]
    fn a_small_site_figure_cannot_be_worked_out_from_the_total_and_the_other_site() {
        let mut site_a = section(
            summary(10, 40, 10, 12, 18, 0),
            &[("adult", 37), ("child", 3)],
        );
        site_a["code"] = json!("A");
        let mut site_b = section(summary(0, 3, 0, 0, 3, 0), &[("adult", 3)]);
        site_b["code"] = json!("B");
        let mut r = json!({
            "total": section(summary(10, 43, 10, 12, 21, 0), &[("adult", 40), ("child", 3)]),
            "sites": [site_a, site_b],
        });
        protect(&mut r, Suppression { threshold: 5 });
        let b = &r["sites"][1]["summary"];
        assert!(b["new"].is_null() && b["not_upheld"].is_null(), "{b}");
        // Total new − site A's new would give site B's.
        let new = |p: &str| r.pointer(p).and_then(Value::as_i64);
        assert!(
            new("/total/summary/new").is_none() || new("/sites/0/summary/new").is_none(),
            "{r}"
        );
        // Site A's children (3) hidden, and with them another age band or the total.
        assert!(r["sites"][0]["age"][1]["count"].is_null());
        let a = |j: usize| r["sites"][0]["age"][j]["count"].as_i64();
        assert!(
            a(0).is_none() || new("/sites/0/summary/new").is_none(),
            "{r}"
        );
        // Nothing from 1 to 4 is left anywhere.
        fn small(v: &Value) -> bool {
            match v {
                Value::Number(n) => n.as_i64().is_some_and(|n| (1..5).contains(&n)),
                Value::Array(a) => a.iter().any(small),
                Value::Object(m) => m.iter().any(|(k, v)| k != "code" && small(v)),
                _ => false,
            }
        }
        assert!(!small(&r), "{r}");
    }

    #[test]
    fn managers_see_the_return_as_counted() {
        let mut r = json!({"total": section(summary(0, 3, 0, 0, 3, 0), &[]), "sites": []});
        let before = r.clone();
        protect(&mut r, Suppression::NONE);
        assert_eq!(r, before);
    }
}
