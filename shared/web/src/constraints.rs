//! What the services check of every value, said in the OpenAPI documents, so that a request
//! valid by the document is not refused for a rule the document keeps to itself. utoipa writes
//! what a type says of itself; this pass over the generated document adds what holds for
//! every value or follows from data:
//!
//! - no string may hold the NUL character (PostgreSQL text cannot): every string schema, in
//!   bodies and parameters alike, carries the pattern `^[^\u0000]*$` (beside its own pattern,
//!   if it has one, in an `allOf`);
//! - a province is one of the GB/T 2260 table's codes (`enum`), not any six digits;
//! - a step sent with the `version` seen may answer 409 (the case moved on, or its state does
//!   not allow the step);
//! - rules between fields, per schema (`RULES`): what a complaint must name, what a reply
//!   needs for its channel, which filings name a previous record.

use frt_domain::contact::{Email, Phone};
use frt_domain::ids::Uscc;
use serde_json::{json, Map, Value};

/// No NUL anywhere in the text.
const NO_NUL: &str = "^[^\\u0000]*$";
/// Not all blank: a character other than whitespace as trimming sees it (or a byte-order mark,
/// which trimming keeps).
const NOT_BLANK: &str = "[^\\s\\u0085]|\\uFEFF";
/// How a province code was written before the table was known.
const PROVINCE_SHAPE: &str = "^[0-9]{2}0000$";

/// The province codes of the GB/T 2260 table shipped with the platform.
fn province_codes() -> Vec<Value> {
    frt_domain::region::RegionTable::builtin()
        .map(|t| {
            t.provinces()
                .map(|p| Value::from(p.code().as_str()))
                .collect()
        })
        .unwrap_or_default()
}

fn is_string(schema: &Map<String, Value>) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    }
}

/// Said of one string schema: no NUL, and a province from the table.
fn string_rules(schema: &mut Map<String, Value>, provinces: &[Value]) {
    if schema.contains_key("enum") || schema.contains_key("const") {
        return;
    }
    match schema.get("format").and_then(Value::as_str) {
        Some("binary" | "uuid" | "date-time") => return,
        // Civil dates are taken within the years 1900 to 2999.
        Some("date") => {
            push_all_of(schema, json!({ "pattern": YEARS }));
            return;
        }
        _ => {}
    }
    match schema.get("pattern").and_then(Value::as_str) {
        Some(PROVINCE_SHAPE) => {
            schema.remove("pattern");
            schema.insert("enum".into(), Value::Array(provinces.to_vec()));
            // An optional province may be null.
            if matches!(schema.get("type"), Some(Value::Array(t)) if t.iter().any(|t| t == "null"))
            {
                if let Some(Value::Array(e)) = schema.get_mut("enum") {
                    e.push(Value::Null);
                }
            }
        }
        Some(_) => push_all_of(schema, json!({ "pattern": NO_NUL })),
        None => {
            schema.insert("pattern".into(), Value::from(NO_NUL));
        }
    }
}

/// Walks every schema below `v`, applying the string rules.
fn walk(v: &mut Value, provinces: &[Value]) {
    match v {
        Value::Object(map) => {
            if is_string(map) {
                string_rules(map, provinces);
            }
            for (_, child) in map.iter_mut() {
                walk(child, provinces);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, provinces);
            }
        }
        _ => {}
    }
}

/// A civil date of the years 1900 to 2999 (`frt_domain::civil`).
const YEARS: &str = "^(19[0-9]{2}|2[0-9]{3})-";

/// Nothing but whitespace (what an optional field trimmed to nothing is: absent).
const BLANK: &str =
    "^[\\t\\n\\x0B\\x0C\\r \\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$";

/// A USCC whose area code lies in a province of the table (what registration takes).
fn uscc_in_table(provinces: &[Value]) -> String {
    let prefixes: Vec<&str> = provinces
        .iter()
        .filter_map(Value::as_str)
        .map(|p| &p[..2])
        .collect();
    Uscc::PATTERN.replacen(
        "[0-9]{6}",
        &format!("({})[0-9]{{4}}", prefixes.join("|")),
        1,
    )
}

/// Fields parsed by a domain type (the only validator of its kind of value), by component and
/// property: its pattern, and whether the field may be left blank (then it counts as absent).
fn parsed_fields(provinces: &[Value]) -> Vec<(&'static str, &'static str, String, bool)> {
    let email = Email::PATTERN.to_owned();
    let phone = Phone::PATTERN.to_owned();
    vec![
        ("AdminInput", "email", email.clone(), false),
        ("NewOrgUser", "email", email.clone(), false),
        ("NewStaff", "email", email.clone(), false),
        ("OrganisationInput", "contact_email", email.clone(), false),
        ("OrganisationInput", "contact_phone", phone.clone(), false),
        ("OrganisationInput", "uscc", uscc_in_table(provinces), false),
        ("ReplyGiven", "email", email, true),
        ("ReplyGiven", "phone", phone, true),
        ("ProcessorGiven", "uscc", Uscc::PATTERN.to_owned(), true),
    ]
}

/// Adds a rule the schema's value must also satisfy.
fn push_all_of(schema: &mut Map<String, Value>, rule: Value) {
    let all = schema
        .entry("allOf")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(all) = all {
        all.push(rule);
    }
}

/// Says of a field what its domain type takes.
fn parsed_by(schema: &mut Value, pattern: &str, blank_allowed: bool) {
    let Value::Object(field) = schema else { return };
    let rule = if blank_allowed {
        json!({ "anyOf": [{ "pattern": pattern }, { "pattern": BLANK }] })
    } else {
        json!({ "pattern": pattern })
    };
    push_all_of(field, rule);
}

/// Rules between a schema's fields, by component name: JSON Schema to add to it.
fn rules(provinces: &[Value]) -> Vec<(&'static str, Value)> {
    let codes: Vec<&str> = provinces.iter().filter_map(Value::as_str).collect();
    let staff_roles: Vec<&str> = frt_access::Role::ALL
        .into_iter()
        .filter(|r| r.is_staff())
        .map(frt_access::Role::as_str)
        .collect();
    vec![
        // A transfer to another province names one of the table.
        (
            "Transfer",
            json!({ "properties": { "to": { "allOf": [{ "pattern":
                format!("^(province:({})|public_security|department:.*[^\\s].*)$", codes.join("|")) }] } } }),
        ),
        // Ordered again, the rectification needs a new time limit.
        (
            "Verify",
            json!({
                "if": { "properties": { "accepted": { "const": false } } },
                "then": { "required": ["working_days"], "properties": { "working_days": { "type": "integer" } } }
            }),
        ),
        // Acknowledgement days only when acknowledgement is asked; restricted notifications
        // name the staff roles that may read them, and only they do.
        (
            "NotificationInput",
            json!({
                "properties": { "restricted_roles": { "items": { "enum": staff_roles } } },
                "allOf": [
                    { "if": { "required": ["ack_required"], "properties": { "ack_required": { "const": true } } },
                      "else": { "properties": { "ack_working_days": { "type": "null" } } } },
                    { "if": { "required": ["classification"], "properties": { "classification": { "const": "restricted" } } },
                      "then": { "required": ["restricted_roles"], "properties": { "restricted_roles": { "minItems": 1 } } },
                      "else": { "properties": { "restricted_roles": { "maxItems": 0 } } } }
                ]
            }),
        ),
        // A complaint names its processor by USCC or by name, and is anonymous or says how to
        // reply.
        (
            "ComplaintInput",
            json!({
                "required": ["processor"],
                "if": { "required": ["anonymous"], "properties": { "anonymous": { "const": true } } },
                "then": { "properties": { "reply": { "type": "null" } } },
                "else": { "required": ["reply"], "properties": { "reply": { "type": "object" } } }
            }),
        ),
        (
            "ProcessorGiven",
            json!({
                "anyOf": [
                    { "required": ["uscc"], "properties": { "uscc": { "type": "string", "pattern": NOT_BLANK } } },
                    { "required": ["name"], "properties": { "name": { "type": "string", "pattern": NOT_BLANK } } }
                ]
            }),
        ),
        // A reply by mail needs the address, by post the postal address.
        (
            "ReplyGiven",
            json!({
                "allOf": [
                    { "if": { "properties": { "channel": { "const": "mail" } } },
                      "then": { "required": ["email"], "properties": { "email": { "type": "string", "minLength": 3 } } } },
                    { "if": { "properties": { "channel": { "const": "post" } } },
                      "then": { "required": ["postal_address"], "properties": { "postal_address": { "type": "string", "pattern": NOT_BLANK } } } }
                ]
            }),
        ),
        // A change or deregistration names the filed record it acts on; an initial filing
        // names none.
        (
            "CreateFiling",
            json!({
                "if": { "properties": { "kind": { "const": "initial" } } },
                "then": { "properties": { "previous_filing_id": { "type": "null" } } },
                "else": { "required": ["previous_filing_id"], "properties": { "previous_filing_id": { "type": "string", "format": "uuid" } } }
            }),
        ),
    ]
}

/// Adds `value` under `key`: lists are joined, objects merged key by key.
fn merge(into: &mut Map<String, Value>, key: String, value: Value) {
    match (into.get_mut(&key), value) {
        (Some(Value::Array(have)), Value::Array(more)) => have.extend(more),
        (Some(Value::Object(have)), Value::Object(more)) => {
            for (k, v) in more {
                merge(have, k, v);
            }
        }
        (_, v) => {
            into.insert(key, v);
        }
    }
}

/// Whether a request body (its schema, references followed) carries the `version` seen.
fn sends_version(op: &Value, schemas: &Map<String, Value>) -> bool {
    let schema = &op["requestBody"]["content"]["application/json"]["schema"];
    let resolved = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .rsplit('/')
            .next()
            .and_then(|name| schemas.get(name))
            .unwrap_or(&Value::Null),
        None => schema,
    };
    resolved["properties"].get("version").is_some()
}

pub fn apply(doc: &mut Value) {
    let provinces = province_codes();
    if let Some(Value::Object(schemas)) = doc.pointer_mut("/components/schemas") {
        for (name, property, pattern, blank) in parsed_fields(&provinces) {
            if let Some(field) = schemas
                .get_mut(name)
                .and_then(|s| s.get_mut("properties"))
                .and_then(|p| p.get_mut(property))
            {
                parsed_by(field, &pattern, blank);
            }
        }
        for (name, extra) in rules(&provinces) {
            if let (Some(Value::Object(schema)), Value::Object(extra)) =
                (schemas.get_mut(name), extra)
            {
                for (k, v) in extra {
                    merge(schema, k, v);
                }
            }
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (_, item) in paths.iter_mut() {
            let Value::Object(item) = item else { continue };
            for (_, op) in item.iter_mut() {
                if sends_version(op, &schemas) {
                    if let Some(Value::Object(responses)) = op.get_mut("responses") {
                        responses.entry("409").or_insert_with(|| json!({
                            "description": "the case changed since the version sent, or its state does not allow this step",
                            "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } }
                        }));
                    }
                }
            }
        }
    }
    walk(doc, &provinces);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_say_no_nul_and_provinces_come_from_the_table() {
        let mut doc = json!({
            "components": { "schemas": {
                "A": { "type": "object", "properties": {
                    "text": { "type": "string" },
                    "anchored": { "type": "string", "pattern": "^x$" },
                    "province": { "type": ["string", "null"], "pattern": "^[0-9]{2}0000$" },
                    "kind": { "type": "string", "enum": ["a", "b"] },
                    "id": { "type": "string", "format": "uuid" }
                } }
            } }
        });
        apply(&mut doc);
        let p = &doc["components"]["schemas"]["A"]["properties"];
        assert_eq!(p["text"]["pattern"], NO_NUL);
        assert_eq!(p["anchored"]["allOf"][0]["pattern"], NO_NUL);
        let provinces = p["province"]["enum"].as_array().expect("enum");
        assert!(provinces.contains(&json!("310000")) && provinces.contains(&Value::Null));
        assert!(!provinces.contains(&json!("000000")));
        assert!(p["kind"].get("pattern").is_none());
        assert!(p["id"].get("pattern").is_none());
    }
}
