//! Field-level differences between two versions of a form, for the reviewer comparing what
//! the processor changed on resubmission.

use serde::Serialize;
use serde_json::Value;

/// One changed field: its path (`storage.people_stored`, `purposes.scenarios[1]`) and the
/// values before and after (`null` when absent).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldChange {
    pub path: String,
    #[schema(value_type = Object)]
    pub before: Value,
    #[schema(value_type = Object)]
    pub after: Value,
}

/// Every leaf that differs between `before` and `after`, in path order. Objects are compared
/// key by key and arrays element by element; a null and a missing key are the same.
pub fn field_changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn walk(path: &str, before: &Value, after: &Value, out: &mut Vec<FieldChange>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk(
                    &join(path, k),
                    a.get(k).unwrap_or(&Value::Null),
                    b.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                walk(
                    &format!("{path}[{i}]"),
                    a.get(i).unwrap_or(&Value::Null),
                    b.get(i).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        // A section or list that appears or disappears: report its leaves one by one.
        (Value::Null, Value::Object(_) | Value::Array(_)) => {
            walk(path, &empty_like(after), after, out)
        }
        (Value::Object(_) | Value::Array(_), Value::Null) => {
            walk(path, before, &empty_like(before), out)
        }
        (a, b) if a != b => out.push(FieldChange {
            path: path.to_owned(),
            before: a.clone(),
            after: b.clone(),
        }),
        _ => {}
    }
}

fn empty_like(v: &Value) -> Value {
    match v {
        Value::Array(_) => Value::Array(Vec::new()),
        _ => Value::Object(serde_json::Map::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn leaves_that_changed_are_listed_with_paths() {
        let a = json!({ "storage": { "people_stored": 120000, "security": { "encryption": true } },
                        "purposes": { "scenarios": ["payment", "attendance"] } });
        let b = json!({ "storage": { "people_stored": 131000, "security": { "encryption": true } },
                        "purposes": { "scenarios": ["payment"] } });
        let changes = field_changes(&a, &b);
        assert_eq!(
            changes,
            vec![
                FieldChange {
                    path: "purposes.scenarios[1]".into(),
                    before: json!("attendance"),
                    after: Value::Null
                },
                FieldChange {
                    path: "storage.people_stored".into(),
                    before: json!(120000),
                    after: json!(131000)
                },
            ]
        );
    }

    #[test]
    fn identical_forms_have_no_changes_and_null_equals_missing() {
        let a = json!({ "basic": { "processor_name": "甲", "address": null } });
        let b = json!({ "basic": { "processor_name": "甲" } });
        assert!(field_changes(&a, &b).is_empty());
    }

    #[test]
    fn a_new_section_is_reported_field_by_field() {
        let a = json!({});
        let b = json!({ "change": { "changed_on": "2026-11-01", "what_changed": ["purposes"] } });
        let paths: Vec<String> = field_changes(&a, &b).into_iter().map(|c| c.path).collect();
        assert_eq!(paths, vec!["change.changed_on", "change.what_changed[0]"]);
    }
}
