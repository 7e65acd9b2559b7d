//! Every OpenAPI component name belongs to one Rust type. utoipa collects a document's schemas
//! by name, and of two types with the same name the last one registered silently wins, so an
//! operation can end up described by another type's schema (the review queue was once
//! documented with the complaint queue's rows). This test reads every type of the workspace
//! that derives or implements `ToSchema`, takes the name it appears under (`#[schema(as = …)]`
//! or its own), and fails on any name two types share.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The identifier after `keyword ` in `line`, if the line declares one.
fn declared(line: &str, keyword: &str) -> Option<String> {
    let at = line.find(&format!("{keyword} "))?;
    let rest = &line[at + keyword.len() + 1..];
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `X` of `as = X` (the last path segment) in a `#[schema(…)]` attribute.
fn alias(attribute: &str) -> Option<String> {
    let at = attribute.find("as =").or_else(|| attribute.find("as="))?;
    let rest = attribute[at..].split_once('=')?.1.trim_start();
    let path: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    path.rsplit("::").next().map(str::to_owned)
}

/// The component names the types of one source file appear under, with their lines.
fn components(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if let Some(rest) = line
            .strip_prefix("impl utoipa::ToSchema for ")
            .or_else(|| line.strip_prefix("impl ToSchema for "))
        {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            found.push((name, i + 1));
        }
        if line.starts_with("#[derive(") {
            // The derive may span lines.
            let mut derive = line.to_owned();
            while !derive.contains(")]") && i + 1 < lines.len() {
                i += 1;
                derive.push_str(lines[i].trim());
            }
            if derive.contains("ToSchema") {
                let mut as_name = None;
                let mut j = i + 1;
                while j < lines.len() {
                    let l = lines[j].trim();
                    if l.starts_with("#[schema(") {
                        as_name = alias(l).or(as_name);
                    }
                    let decl = declared(l, "struct").or_else(|| declared(l, "enum"));
                    if let Some(name) = decl {
                        found.push((as_name.unwrap_or(name), j + 1));
                        break;
                    }
                    if !(l.starts_with('#') || l.starts_with("//") || l.is_empty()) {
                        break;
                    }
                    j += 1;
                }
            }
        }
        i += 1;
    }
    found
}

#[test]
fn no_two_types_share_an_openapi_component_name() {
    let root = root();
    let mut files = Vec::new();
    for dir in ["shared", "services"] {
        rust_files(&root.join(dir), &mut files);
    }
    files.sort();
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file");
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (name, line) in components(&text) {
            by_name
                .entry(name)
                .or_default()
                .push(format!("{shown}:{line}"));
        }
    }
    assert!(
        by_name.len() > 50,
        "the scan found only {} schema types: is it reading the sources?",
        by_name.len()
    );
    let shared: Vec<String> = by_name
        .iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(name, places)| format!("{name}: {}", places.join(", ")))
        .collect();
    assert!(
        shared.is_empty(),
        "OpenAPI component names used by more than one type (rename one, or give it \
         #[schema(as = …)]):\n{}",
        shared.join("\n")
    );
}

#[test]
fn the_scan_sees_derives_aliases_and_manual_implementations() {
    let text = "#[derive(Debug, Serialize,\n    utoipa::ToSchema)]\n/// doc\n#[serde(x)]\npub struct Row {\n}\n\
                #[derive(utoipa::ToSchema)]\n#[schema(as = frt::OtherRow)]\npub(crate) enum Row2 {}\n\
                #[derive(Debug)]\npub struct Plain;\n\
                impl utoipa::ToSchema for Manual {}\n";
    let names: Vec<String> = components(text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["Row", "OtherRow", "Manual"]);
}
