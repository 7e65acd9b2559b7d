//! The filing form on a page, drawn from the form's own schema (the one the API documents):
//! each section's fields as inputs, nested measures as groups, device locations as rows that
//! can be added and removed without JavaScript. Fields are named by their JSON path within the
//! section (`device_locations[1].location_kind`), which is how the use cases name problems, so
//! a problem lands beside its field.

use super::{FieldErrors, Lang};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::LazyLock;

/// What a field holds, as the schema says.
#[derive(Debug, Clone)]
pub enum Kind {
    Text { long: bool },
    Date,
    Integer,
    Bool,
    Choice(Vec<String>),
    Choices(Vec<String>),
    Group(Vec<Field>),
    Rows(Vec<Field>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub kind: Kind,
}

/// Free-text fields long enough for a text area.
const LONG: [&str; 14] = [
    "purpose",
    "necessity",
    "business_scope",
    "processing_rules",
    "operating_procedures",
    "notice_to_individuals",
    "summary",
    "conclusion",
    "description",
    "notes",
    "alternative_description",
    "other_scenario_description",
    "disposal_description",
    "address",
];

/// The form's schema: the root and every component it refers to.
static SCHEMA: LazyLock<(Value, Value)> = LazyLock::new(|| {
    use frt_domain::form::FilingForm;
    let root =
        serde_json::to_value(<FilingForm as utoipa::PartialSchema>::schema()).unwrap_or_default();
    let mut parts = Vec::new();
    <FilingForm as utoipa::ToSchema>::schemas(&mut parts);
    let components: Map<String, Value> = parts
        .into_iter()
        .map(|(name, s)| (name, serde_json::to_value(s).unwrap_or_default()))
        .collect();
    (root, Value::Object(components))
});

/// The order the form declares its fields in, by object path (`""`, `security`,
/// `device_locations[]`), read from a complete example as serde writes it (the schema's own
/// property maps are sorted by name).
static ORDER: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    use frt_domain::filing::FilingKind;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
    let mut out = HashMap::new();
    for kind in [FilingKind::Change, FilingKind::Deregistration] {
        let text = serde_json::to_string(&frt_domain::form::example_complete(kind, day))
            .unwrap_or_default();
        let mut de = serde_json::Deserializer::from_str(&text);
        let _ = serde::de::DeserializeSeed::deserialize(
            Keys {
                path: String::new(),
                out: &mut out,
            },
            &mut de,
        );
    }
    out
});

/// Records the keys of every object in the order they come.
struct Keys<'a> {
    path: String,
    out: &'a mut HashMap<String, Vec<String>>,
}

impl<'de> serde::de::DeserializeSeed<'de> for Keys<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Keys<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<String>()? {
            let seen = self.out.entry(self.path.clone()).or_default();
            if !seen.contains(&k) {
                seen.push(k.clone());
            }
            let path = if self.path.is_empty() {
                k
            } else {
                format!("{}.{k}", self.path)
            };
            map.next_value_seed(Keys {
                path,
                out: &mut *self.out,
            })?;
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let path = format!("{}[]", self.path);
        while seq
            .next_element_seed(Keys {
                path: path.clone(),
                out: &mut *self.out,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A schema with its `$ref` followed and a nullable wrapper (`oneOf` with `null`) removed.
fn resolved(s: &Value) -> Value {
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or_default();
        return resolved(&SCHEMA.1[name]);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            if let Some(real) = alts.iter().find(|a| a.get("type") != Some(&json!("null"))) {
                return resolved(real);
            }
        }
    }
    s.clone()
}

fn has_type(s: &Value, t: &str) -> bool {
    match s.get("type") {
        Some(Value::String(x)) => x == t,
        Some(Value::Array(xs)) => xs.iter().any(|x| x == t),
        _ => false,
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn kind_of(path: &str, name: &str, s: &Value) -> Kind {
    let s = resolved(s);
    if has_type(&s, "array") {
        let items = resolved(&s["items"]);
        if has_type(&items, "object") {
            return Kind::Rows(fields_of(&items, &format!("{path}[]")));
        }
        let choices = strings(&items["enum"]);
        return Kind::Choices(if choices.is_empty() {
            // `what_changed` names sections.
            frt_domain::form::section_names()
                .iter()
                .map(|s| (*s).to_owned())
                .collect()
        } else {
            choices
        });
    }
    if has_type(&s, "object") {
        return Kind::Group(fields_of(&s, path));
    }
    if has_type(&s, "boolean") {
        return Kind::Bool;
    }
    if has_type(&s, "integer") {
        return Kind::Integer;
    }
    if s.get("format") == Some(&json!("date")) {
        return Kind::Date;
    }
    let choices = strings(&s["enum"]);
    if !choices.is_empty() {
        return Kind::Choice(choices);
    }
    Kind::Text {
        long: LONG.contains(&name),
    }
}

/// The fields of the object at `path`, in the order the form declares them.
fn fields_of(object: &Value, path: &str) -> Vec<Field> {
    let order = ORDER.get(path);
    let mut fields: Vec<Field> = object["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, s)| Field {
                    name: name.clone(),
                    kind: kind_of(&join(path, name), name, s),
                })
                .collect()
        })
        .unwrap_or_default();
    fields.sort_by_key(|f| {
        order
            .and_then(|o| o.iter().position(|n| *n == f.name))
            .unwrap_or(usize::MAX)
    });
    fields
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// The fields of one section of the form (`basic`, `purposes`, …, `change`,
/// `deregistration`), or none for a name that is not a section.
pub fn section(name: &str) -> Option<Vec<Field>> {
    let s = SCHEMA.0["properties"].get(name)?;
    match kind_of(name, name, s) {
        Kind::Group(fields) => Some(fields),
        _ => None,
    }
}

/// The sections a filing of `kind` fills in, in order.
pub fn sections_for(kind: &str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = frt_domain::form::section_names().to_vec();
    match kind {
        "change" => v.push("change"),
        "deregistration" => v.insert(1, "deregistration"),
        _ => {}
    }
    v
}

/// The id of the input for a field's path.
pub fn id_of(path: &str) -> String {
    let mut id = String::from("f-");
    for c in path.chars() {
        id.push(if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        });
    }
    id.trim_end_matches('-').to_owned()
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn label(lang: Lang, name: &str) -> String {
    esc(&lang_label(lang, "filing_form", name))
}

fn lang_label(lang: Lang, prefix: &str, name: &str) -> String {
    let key = format!("{prefix}.{name}");
    if lang.has(&key) {
        lang.t(&key).to_owned()
    } else {
        name.to_owned()
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The section as stored, read only: each field's label and answer (a dash when unanswered),
/// groups and rows nested as the form nests them.
pub fn display(fields: &[Field], value: &Value, lang: Lang) -> String {
    let mut out = String::from(r#"<dl class="answers">"#);
    display_into(&mut out, fields, value, lang);
    out.push_str("</dl>");
    out
}

fn display_into(out: &mut String, fields: &[Field], value: &Value, lang: Lang) {
    for f in fields {
        let v = &value[f.name.as_str()];
        let lab = label(lang, &f.name);
        let answer = match &f.kind {
            Kind::Text { .. } | Kind::Date | Kind::Integer => esc(&text_of(v)),
            Kind::Bool => match v.as_bool() {
                Some(true) => esc(lang.t("form.yes")),
                Some(false) => esc(lang.t("form.no")),
                None => String::new(),
            },
            Kind::Choice(_) => v
                .as_str()
                .map(|c| esc(&lang_label(lang, "choice", c)))
                .unwrap_or_default(),
            Kind::Choices(_) => strings(v)
                .iter()
                .map(|c| esc(&lang_label(lang, "choice", c)))
                .collect::<Vec<_>>()
                .join("、"),
            Kind::Group(inner) => {
                let mut nested = String::from(r#"<dl class="answers">"#);
                display_into(&mut nested, inner, v, lang);
                nested.push_str("</dl>");
                nested
            }
            Kind::Rows(inner) => {
                let rows = v.as_array().cloned().unwrap_or_default();
                let mut nested = String::new();
                for row in &rows {
                    nested.push_str(r#"<dl class="answers row">"#);
                    display_into(&mut nested, inner, row, lang);
                    nested.push_str("</dl>");
                }
                nested
            }
        };
        let answer = if answer.is_empty() {
            "—".to_owned()
        } else {
            answer
        };
        let _ = write!(out, "<dt>{lab}</dt><dd>{answer}</dd>");
    }
}

/// The section's inputs, holding `value` (the section as stored, or as typed), with each
/// problem of `errors` beside its field.
pub fn render(fields: &[Field], value: &Value, errors: &FieldErrors, lang: Lang) -> String {
    let mut out = String::new();
    render_into(&mut out, fields, value, "", errors, lang);
    out
}

fn render_into(
    out: &mut String,
    fields: &[Field],
    value: &Value,
    prefix: &str,
    errors: &FieldErrors,
    lang: Lang,
) {
    for f in fields {
        let path = format!("{prefix}{}", f.name);
        let id = id_of(&path);
        let v = &value[f.name.as_str()];
        let error = errors.of_field(&id);
        let error_html = error
            .map(|e| format!(r#"<span class="error" id="{id}-error">{}</span>"#, esc(e)))
            .unwrap_or_default();
        let aria = if error.is_some() {
            format!(r#" aria-invalid="true" aria-describedby="{id}-error""#)
        } else {
            String::new()
        };
        let invalid = if error.is_some() { " invalid" } else { "" };
        let name = esc(&path);
        let lab = label(lang, &f.name);
        match &f.kind {
            Kind::Text { long: true } => {
                let _ = write!(
                    out,
                    r#"<div class="field{invalid}"><label for="{id}">{lab}</label>{error_html}<textarea id="{id}" name="{name}"{aria}>{}</textarea></div>"#,
                    esc(&text_of(v))
                );
            }
            Kind::Text { long: false } | Kind::Date | Kind::Integer => {
                let (kind, extra) = match f.kind {
                    Kind::Date => ("date", ""),
                    Kind::Integer => ("text", r#" inputmode="numeric""#),
                    _ => ("text", ""),
                };
                let _ = write!(
                    out,
                    r#"<div class="field{invalid}"><label for="{id}">{lab}</label>{error_html}<input type="{kind}" id="{id}" name="{name}" value="{}"{extra}{aria}></div>"#,
                    esc(&text_of(v))
                );
            }
            Kind::Bool => {
                let now = v.as_bool();
                let opt = |val: &str, text: &str, on: bool| {
                    format!(
                        r#"<option value="{val}"{}>{}</option>"#,
                        if on { " selected" } else { "" },
                        esc(text)
                    )
                };
                let _ = write!(
                    out,
                    r#"<div class="field{invalid}"><label for="{id}">{lab}</label>{error_html}<select id="{id}" name="{name}"{aria}>{}{}{}</select></div>"#,
                    opt("", lang.t("form.unanswered"), now.is_none()),
                    opt("true", lang.t("form.yes"), now == Some(true)),
                    opt("false", lang.t("form.no"), now == Some(false)),
                );
            }
            Kind::Choice(choices) => {
                let now = v.as_str().unwrap_or_default();
                let mut opts = format!(
                    r#"<option value=""{}>{}</option>"#,
                    if now.is_empty() { " selected" } else { "" },
                    esc(lang.t("form.unanswered"))
                );
                for c in choices {
                    let _ = write!(
                        opts,
                        r#"<option value="{}"{}>{}</option>"#,
                        esc(c),
                        if c == now { " selected" } else { "" },
                        esc(&lang_label(lang, "choice", c))
                    );
                }
                let _ = write!(
                    out,
                    r#"<div class="field{invalid}"><label for="{id}">{lab}</label>{error_html}<select id="{id}" name="{name}"{aria}>{opts}</select></div>"#
                );
            }
            Kind::Choices(choices) => {
                let chosen = strings(v);
                let _ = write!(
                    out,
                    r#"<fieldset class="field{invalid}" id="{id}"><legend>{lab}</legend>{error_html}"#
                );
                for c in choices {
                    let cid = format!("{id}-{}", id_of(c).trim_start_matches("f-"));
                    let text = if f.name == "what_changed" {
                        lang_label(lang, "filing_form", c)
                    } else {
                        lang_label(lang, "choice", c)
                    };
                    let _ = write!(
                        out,
                        r#"<div><input type="checkbox" id="{cid}" name="{name}" value="{}"{}> <label class="inline" for="{cid}">{}</label></div>"#,
                        esc(c),
                        if chosen.contains(c) { " checked" } else { "" },
                        esc(&text)
                    );
                }
                out.push_str("</fieldset>");
            }
            Kind::Group(inner) => {
                let _ = write!(
                    out,
                    r#"<fieldset class="group" id="{id}"><legend>{lab}</legend>"#
                );
                render_into(out, inner, v, &format!("{path}."), errors, lang);
                out.push_str("</fieldset>");
            }
            Kind::Rows(inner) => {
                let _ = write!(
                    out,
                    r#"<fieldset class="group" id="{id}"><legend>{lab}</legend>{error_html}"#
                );
                let rows = v.as_array().cloned().unwrap_or_default();
                for (i, row) in rows.iter().enumerate() {
                    let n = (i + 1).to_string();
                    let _ = write!(
                        out,
                        r#"<fieldset class="row"><legend>{}</legend>"#,
                        esc(&lang.tf("form.row", &[("n", &n)]))
                    );
                    render_into(out, inner, row, &format!("{path}[{i}]."), errors, lang);
                    let _ = write!(
                        out,
                        r#"<button class="secondary" type="submit" name="action" value="remove:{name}:{i}">{}</button></fieldset>"#,
                        esc(&lang.tf("form.remove_row", &[("n", &n)]))
                    );
                }
                let _ = write!(
                    out,
                    r#"<button class="secondary" type="submit" name="action" value="add:{name}">{}</button></fieldset>"#,
                    esc(lang.t("form.add_row"))
                );
            }
        }
    }
}

/// A section as posted: the value to save (or, when `errors` gained problems, the value to
/// show again with what was typed), and the row added or removed by `action`.
pub fn parse(
    fields: &[Field],
    pairs: &[(String, String)],
    action: &str,
    errors: &mut FieldErrors,
    lang: Lang,
) -> Value {
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (k, v) in pairs {
        by_name.entry(k.as_str()).or_default().push(v.as_str());
    }
    let mut value = parse_into(fields, &by_name, "", errors, lang);
    if let Some(path) = action.strip_prefix("add:") {
        if let Some(rows) = rows_at(&mut value, path) {
            rows.push(Value::Object(Map::new()));
        }
    } else if let Some((path, i)) = action
        .strip_prefix("remove:")
        .and_then(|r| r.rsplit_once(':'))
    {
        if let (Some(rows), Ok(i)) = (rows_at(&mut value, path), i.parse::<usize>()) {
            if i < rows.len() {
                rows.remove(i);
            }
        }
    }
    value
}

/// The rows at a section-relative path such as `device_locations`.
fn rows_at<'a>(value: &'a mut Value, path: &str) -> Option<&'a mut Vec<Value>> {
    let mut v = value;
    for part in path.split('.') {
        v = v.get_mut(part)?;
    }
    if v.is_null() {
        *v = Value::Array(Vec::new());
    }
    v.as_array_mut()
}

fn parse_into(
    fields: &[Field],
    by_name: &BTreeMap<&str, Vec<&str>>,
    prefix: &str,
    errors: &mut FieldErrors,
    lang: Lang,
) -> Value {
    let mut out = Map::new();
    for f in fields {
        let path = format!("{prefix}{}", f.name);
        let first = by_name
            .get(path.as_str())
            .and_then(|v| v.first())
            .copied()
            .unwrap_or_default();
        let text = first.trim();
        let v = match &f.kind {
            Kind::Text { .. } => {
                if first.trim().is_empty() {
                    Value::Null
                } else {
                    Value::String(first.to_owned())
                }
            }
            Kind::Date => {
                if text.is_empty() {
                    Value::Null
                } else {
                    if frt_domain::civil::parse(text).is_err() {
                        errors.add(&id_of(&path), lang.t("field.invalid"));
                    }
                    Value::String(text.to_owned())
                }
            }
            Kind::Integer => {
                if text.is_empty() {
                    Value::Null
                } else {
                    match text.replace([',', '，', ' '], "").parse::<u64>() {
                        Ok(n) => json!(n),
                        Err(_) => {
                            errors.add(&id_of(&path), lang.t("field.invalid"));
                            Value::String(text.to_owned())
                        }
                    }
                }
            }
            Kind::Bool => match text {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::Null,
            },
            Kind::Choice(choices) => {
                if choices.iter().any(|c| c == text) {
                    Value::String(text.to_owned())
                } else {
                    Value::Null
                }
            }
            Kind::Choices(choices) => Value::Array(
                by_name
                    .get(path.as_str())
                    .into_iter()
                    .flatten()
                    .filter(|v| choices.iter().any(|c| c == *v))
                    .map(|v| Value::String((*v).to_owned()))
                    .collect(),
            ),
            Kind::Group(inner) => parse_into(inner, by_name, &format!("{path}."), errors, lang),
            Kind::Rows(inner) => {
                let start = format!("{path}[");
                let count = by_name
                    .keys()
                    .filter_map(|k| k.strip_prefix(start.as_str()))
                    .filter_map(|rest| rest.split(']').next())
                    .filter_map(|i| i.parse::<usize>().ok())
                    .max()
                    .map_or(0, |m| (m + 1).min(200));
                Value::Array(
                    (0..count)
                        .map(|i| parse_into(inner, by_name, &format!("{path}[{i}]."), errors, lang))
                        .collect(),
                )
            }
        };
        out.insert(f.name.clone(), v);
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_of_the_form_has_fields_and_labels_in_both_languages() {
        for name in [
            "basic",
            "purposes",
            "storage",
            "rules",
            "pipia",
            "change",
            "deregistration",
        ] {
            let fields = section(name).unwrap_or_else(|| panic!("section {name}"));
            assert!(!fields.is_empty(), "{name}");
            fn names(fields: &[Field], out: &mut Vec<String>) {
                for f in fields {
                    out.push(f.name.clone());
                    if let Kind::Group(inner) | Kind::Rows(inner) = &f.kind {
                        names(inner, out);
                    }
                }
            }
            let mut all = Vec::new();
            names(&fields, &mut all);
            for n in all {
                for lang in [Lang::Zh, Lang::En] {
                    assert!(lang.has(&format!("filing_form.{n}")), "{lang:?} lacks {n}");
                }
            }
        }
        assert!(section("nothing").is_none());
        // In the order the form declares them, not by name.
        let purposes = section("purposes").expect("purposes");
        assert_eq!(purposes[0].name, "purpose");
        assert_eq!(purposes[1].name, "necessity");
    }

    #[test]
    fn a_posted_section_reads_back_as_the_forms_json_with_rows_added_and_removed() {
        let fields = section("purposes").expect("purposes");
        let pairs: Vec<(String, String)> = [
            ("purpose", "门禁通行"),
            ("scenarios", "access_control"),
            ("scenarios", "attendance"),
            ("in_public_places", "false"),
            ("device_locations[0].description", "东门"),
            ("device_locations[0].location_kind", "workplace"),
            ("device_locations[0].device_count", "3"),
            ("device_locations[1].description", "西门"),
            ("device_locations[1].device_count", "两台"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let mut errors = FieldErrors::default();
        let v = parse(&fields, &pairs, "", &mut errors, Lang::Zh);
        assert_eq!(v["purpose"], "门禁通行");
        assert_eq!(v["scenarios"], json!(["access_control", "attendance"]));
        assert_eq!(v["in_public_places"], false);
        assert_eq!(v["device_locations"][0]["device_count"], 3);
        // What cannot be read is kept as typed, with its problem beside it.
        assert_eq!(v["device_locations"][1]["device_count"], "两台");
        assert_eq!(
            errors.of_field("f-device_locations-1--device_count"),
            Some("格式不正确。")
        );
        let mut none = FieldErrors::default();
        let added = parse(
            &fields,
            &pairs[..3],
            "add:device_locations",
            &mut none,
            Lang::Zh,
        );
        assert_eq!(added["device_locations"].as_array().map(Vec::len), Some(1));
        let removed = parse(
            &fields,
            &pairs,
            "remove:device_locations:0",
            &mut none,
            Lang::Zh,
        );
        assert_eq!(removed["device_locations"][0]["description"], "西门");
        // Drawn again, the typed values and the problem are there.
        let html = render(&fields, &v, &errors, Lang::Zh);
        assert!(
            html.contains(r#"value="两台""#) && html.contains("格式不正确。"),
            "{html}"
        );
        assert!(html.contains(r#"name="device_locations[1].device_count""#));
    }
}
