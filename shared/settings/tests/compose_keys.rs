//! `docker/compose.yaml` must configure our services with the same keys local runs use: every
//! `FRT__SECTION__KEY` variable names a key of `config/default.toml`, the only other variables
//! are the few the loader knows, and the resulting configuration loads.

use frt_settings::Settings;
use serde_yaml_ng::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Third-party images, configured by their own variables.
const THIRD_PARTY: &[&str] = &["postgres", "mailpit"];
/// Variables our binaries read besides `FRT__…`.
const KNOWN_PLAIN: &[&str] = &["FRT_ENV", "FRT_CONFIG_DIR", "DATABASE_URL", "RUST_LOG"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn config_dir() -> PathBuf {
    repo_root().join("config")
}

/// Our services (by name) and their environment, in either compose form.
fn our_services() -> BTreeMap<String, Vec<(String, String)>> {
    let path = repo_root().join("docker/compose.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut doc: Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc.apply_merge()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let services = doc
        .get("services")
        .and_then(Value::as_mapping)
        .expect("compose.yaml has a `services` mapping");
    let mut out = BTreeMap::new();
    for (name, service) in services {
        let name = name.as_str().expect("service names are strings").to_owned();
        if THIRD_PARTY.contains(&name.as_str()) {
            continue;
        }
        let env = match service.get("environment") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Mapping(map)) => map
                .iter()
                .map(|(k, v)| {
                    let key = k
                        .as_str()
                        .unwrap_or_else(|| panic!("{name}: non-string key {k:?}"));
                    (key.to_owned(), scalar(&name, key, v))
                })
                .collect(),
            Some(Value::Sequence(items)) => items
                .iter()
                .map(|item| {
                    let item = item.as_str().unwrap_or_else(|| {
                        panic!("{name}: environment entry {item:?} is not a string")
                    });
                    match item.split_once('=') {
                        Some((k, v)) => (k.to_owned(), v.to_owned()),
                        None => (item.to_owned(), String::new()),
                    }
                })
                .collect(),
            Some(other) => panic!("{name}: environment must be a mapping or a list, got {other:?}"),
        };
        out.insert(name, env);
    }
    out
}

fn scalar(service: &str, key: &str, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        other => panic!("{service}: {key} has a non-scalar value {other:?}"),
    }
}

fn default_toml() -> toml::Table {
    let path = config_dir().join("default.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn is_known_frt_key(defaults: &toml::Table, key: &str) -> bool {
    let Some(rest) = key.strip_prefix("FRT__") else {
        return false;
    };
    let parts: Vec<String> = rest.split("__").map(str::to_lowercase).collect();
    let [section, name] = parts.as_slice() else {
        return false;
    };
    defaults
        .get(section)
        .and_then(toml::Value::as_table)
        .is_some_and(|t| t.contains_key(name))
}

#[test]
fn compose_uses_only_known_configuration_keys() {
    let defaults = default_toml();
    let services = our_services();
    assert!(
        !services.is_empty(),
        "compose.yaml defines none of our services"
    );

    let mut unknown = Vec::new();
    let mut frt_keys = BTreeSet::new();
    for (service, env) in &services {
        for (key, value) in env {
            if key.starts_with("FRT__") {
                if is_known_frt_key(&defaults, key) {
                    frt_keys.insert(key.clone());
                } else {
                    unknown.push(format!(
                        "{service}: {key} (no such key in config/default.toml)"
                    ));
                }
            } else if !KNOWN_PLAIN.contains(&key.as_str()) {
                unknown.push(format!(
                    "{service}: {key} (not a variable our services read)"
                ));
            }
            if key == "FRT_ENV"
                && value != "production"
                && !config_dir().join(format!("{value}.toml")).is_file()
            {
                unknown.push(format!(
                    "{service}: FRT_ENV={value} (no config/{value}.toml)"
                ));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "docker/compose.yaml uses unknown environment keys:\n  {}",
        unknown.join("\n  ")
    );
    assert!(
        frt_keys.len() >= 10,
        "expected at least 10 distinct FRT__ keys in docker/compose.yaml, found {}: {frt_keys:?}",
        frt_keys.len()
    );
}

#[test]
fn compose_environment_loads_settings() {
    let services = our_services();
    assert!(
        services.contains_key("portal"),
        "compose.yaml has no `portal` service"
    );
    for (service, env) in services {
        let env_name = env
            .iter()
            .find(|(k, _)| k == "FRT_ENV")
            .map_or_else(|| "local".to_owned(), |(_, v)| v.clone());
        let settings = Settings::load_with(&config_dir(), &env_name, env.clone());
        assert!(
            settings.is_ok(),
            "{service}: settings from compose environment fail to load: {:#}",
            settings.err().map(|e| format!("{e:#}")).unwrap_or_default()
        );
    }
}

/// The volumes (container paths) a service of ours mounts.
fn mounts(service: &str) -> Vec<String> {
    let path = repo_root().join("docker/compose.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    doc.get("services")
        .and_then(|s| s.get(service))
        .and_then(|s| s.get("volumes"))
        .and_then(Value::as_sequence)
        .map(|v| {
            v.iter()
                .filter_map(Value::as_str)
                .filter_map(|m| m.split(':').nth(1).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every service of ours that keeps, serves or tidies files (uploads, attachments, exports)
/// mounts the shared folders where its configuration points: a service writing blobs into its
/// container's own layer loses them, and the others never see them.
#[test]
fn every_service_that_keeps_files_mounts_them() {
    let services = our_services();
    for name in ["portal", "casework", "exchange", "worker"] {
        let env = services
            .get(name)
            .unwrap_or_else(|| panic!("compose.yaml has no `{name}` service"));
        let mounted = mounts(name);
        for key in ["FRT__UPLOADS__BLOB_DIR", "FRT__PATHS__WORK_DIR"] {
            let dir = env
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{name}: {key} is not set"));
            assert!(
                mounted.contains(&dir),
                "{name}: {key}={dir} is not a mounted volume ({mounted:?})"
            );
        }
    }
}

/// The QA token (which opens the test-support API) is never written into the file: it comes
/// from whoever starts the stack, and without it there is no test support.
#[test]
fn the_qa_token_is_not_written_into_the_file() {
    for (service, env) in our_services() {
        if let Some((_, token)) = env.iter().find(|(k, _)| k == "FRT__QA__TOKEN") {
            assert!(
                token.starts_with("${") && token.ends_with('}'),
                "{service}: FRT__QA__TOKEN is fixed in compose.yaml ({token})"
            );
        }
    }
}
