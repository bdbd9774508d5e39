//! A KO41a return against the one last submitted: every figure that now differs, so that a
//! trust can explain a restatement.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One figure of the return that differs from the submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Difference {
    /// Where in the return, e.g. `total.summary.new` or `sites[<service id>].age[75_84].count`.
    pub figure: String,
    /// `null` where the figure was not in the submission (a new site or code).
    pub submitted: Option<i64>,
    /// `null` where it is no longer in the return.
    pub now: Option<i64>,
}

/// The return against its last submission.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SinceSubmission {
    pub submission_id: String,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: String,
    /// Empty when the return still matches what was submitted.
    pub differences: Vec<Difference>,
}

/// The figures of `now` that differ from `submitted`, both serialised returns.
pub fn differences(submitted: &Value, now: &Value) -> Vec<Difference> {
    let (mut was, mut is) = (BTreeMap::new(), BTreeMap::new());
    flatten(submitted, String::new(), &mut was);
    flatten(now, String::new(), &mut is);
    let mut keys: Vec<&String> = was.keys().chain(is.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| was.get(*k) != is.get(*k))
        .map(|k| Difference {
            figure: k.clone(),
            submitted: was.get(k).copied(),
            now: is.get(k).copied(),
        })
        .collect()
}

/// Every whole number in `v` by its path; array items are named by their `service_id` or
/// `code` where they have one, so a new site or code does not shift the others.
fn flatten(v: &Value, path: String, out: &mut BTreeMap<String, i64>) {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.insert(path, i);
            }
        }
        Value::Object(map) => {
            for (k, child) in map {
                if k == "since_submission" {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(child, p, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let name = ["service_id", "code"]
                    .iter()
                    .find_map(|key| item.get(key).and_then(Value::as_str).map(str::to_string))
                    .unwrap_or_else(|| i.to_string());
                flatten(item, format!("{path}[{name}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_changed_figures_are_listed_by_name() {
        let was = json!({"total": {"summary": {"new": 4, "resolved": 3}},
                         "sites": [{"service_id": "a", "summary": {"new": 4}}],
                         "valid": true});
        let now = json!({"total": {"summary": {"new": 5, "resolved": 3}},
                         "sites": [{"service_id": "b", "summary": {"new": 1}},
                                   {"service_id": "a", "summary": {"new": 4}}],
                         "valid": false});
        assert_eq!(
            differences(&was, &now),
            vec![
                Difference {
                    figure: "sites[b].summary.new".into(),
                    submitted: None,
                    now: Some(1)
                },
                Difference {
                    figure: "total.summary.new".into(),
                    submitted: Some(4),
                    now: Some(5)
                },
            ]
        );
        assert!(differences(&was, &was).is_empty());
    }
}
