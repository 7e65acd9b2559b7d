//! Starting the platform, plain HTTP requests and the checks every feature shares: the status
//! of an answer and the problem+json body of a refusal.

use crate::support::{at, table_rows, FrtWorld, Service};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use reqwest::Method;
use serde_json::Value;

#[given("the platform is running")]
pub(crate) async fn platform_running(w: &mut FrtWorld) {
    w.start(&[]).await;
}

#[given(expr = "the platform is running with an upload limit of {int} bytes")]
async fn platform_with_upload_limit(w: &mut FrtWorld, bytes: u64) {
    w.start(&[("FRT__UPLOADS__MAX_BYTES", &bytes.to_string())])
        .await;
}

fn method(m: &str) -> Method {
    m.parse()
        .unwrap_or_else(|_| panic!("{m:?} is not an HTTP method"))
}

/// Fills `{filing}` and `{inspection}` in a path with the scenario's filing and inspection.
fn fill(w: &FrtWorld, path: &str) -> String {
    let mut path = path.to_owned();
    if path.contains("{filing}") {
        path = path.replace("{filing}", &w.filing_id());
    }
    if path.contains("{inspection}") {
        let id = w
            .inspection
            .clone()
            .expect("no inspection yet in this scenario");
        path = path.replace("{inspection}", &id);
    }
    path
}

#[when(regex = r#"^"([^"]+)" sends (GET|POST|PUT|DELETE|PATCH|TRACE|OPTIONS) (\S+)$"#)]
async fn actor_sends(w: &mut FrtWorld, name: String, m: String, path: String) {
    let path = fill(w, &path);
    w.send_as(&name, method(&m), &path, None).await;
}

#[when(regex = r#"^"([^"]+)" sends (POST|PUT) (\S+) with the body (.+?)(?: as "([^"]+)")?$"#)]
async fn actor_sends_body(
    w: &mut FrtWorld,
    name: String,
    m: String,
    path: String,
    raw: String,
    content_type: String,
) {
    let path = fill(w, &path);
    let (service, token) = w.actor(&name);
    let content_type = if content_type.is_empty() {
        "application/json"
    } else {
        content_type.as_str()
    };
    w.send_typed(method(&m), service, &path, Some(&token), &raw, content_type)
        .await;
}

#[then(expr = "the answer allows {string}")]
async fn answer_allows(w: &mut FrtWorld, methods: String) {
    let allow = w.last().headers.get("allow").and_then(|v| v.to_str().ok());
    assert_eq!(allow, Some(methods.as_str()), "{:?}", w.last().headers);
}

#[then("the answer carries the security headers")]
async fn security_headers(w: &mut FrtWorld) {
    let h = &w.last().headers;
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    assert_eq!(get("x-content-type-options"), "nosniff", "{h:?}");
    assert_eq!(get("cache-control"), "no-store", "{h:?}");
    assert_eq!(get("x-frame-options"), "DENY", "{h:?}");
    assert!(
        get("content-security-policy").contains("frame-ancestors 'none'"),
        "{h:?}"
    );
}

#[then(expr = "the response status is {int}")]
pub(crate) async fn status_is(w: &mut FrtWorld, status: u16) {
    let last = w.last();
    assert_eq!(
        last.status, status,
        "expected status {status}, got {} with body {}",
        last.status, last.body
    );
}

#[then(expr = "the problem code is {string}")]
pub(crate) async fn problem_code_is(w: &mut FrtWorld, code: String) {
    let last = w.last();
    let body = &last.body;
    assert_eq!(
        body["code"].as_str(),
        Some(code.as_str()),
        "expected problem code {code}, got {} {body}",
        last.status
    );
    // A problem (RFC 9457) repeats the status and names its type and title.
    assert_eq!(
        body["status"].as_u64(),
        Some(u64::from(last.status)),
        "{body}"
    );
    assert_eq!(
        body["type"].as_str(),
        Some(format!("/problems/{code}").as_str()),
        "{body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
}

/// Each row (columns `path` and optionally `code`) must be among the problem's errors; every
/// error must carry a message.
#[then("the problem lists errors at these paths:")]
async fn problem_lists(w: &mut FrtWorld, step: &Step) {
    let body = &w.last().body;
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("the problem has no errors list: {body}"));
    for e in errors {
        assert!(
            e["message"].as_str().is_some_and(|m| !m.is_empty()),
            "an error without a message: {e}"
        );
    }
    for row in table_rows(step) {
        let path = &row["path"];
        let found = errors.iter().any(|e| {
            e["path"].as_str() == Some(path.as_str())
                && row
                    .get("code")
                    .is_none_or(|c| e["code"].as_str() == Some(c.as_str()))
        });
        assert!(
            found,
            "no error at {path} (code {:?}) among {}",
            row.get("code"),
            Value::Array(errors.clone())
        );
    }
}

#[then(expr = "the problem lists {int} errors")]
async fn problem_lists_count(w: &mut FrtWorld, n: usize) {
    let body = &w.last().body;
    let count = body["errors"].as_array().map_or(0, Vec::len);
    assert_eq!(count, n, "{body}");
}

#[then(regex = r#"^the answer has (\S+) = (.+)$"#)]
async fn answer_has(w: &mut FrtWorld, path: String, expected: String) {
    let expected: Value =
        serde_json::from_str(&expected).unwrap_or_else(|_| Value::String(expected.clone()));
    let body = &w.last().body;
    assert_eq!(at(body, &path), &expected, "at {path} in {body}");
}

#[when(regex = r#"^anyone asks the (portal|casework) for "([^"]+)" without a token$"#)]
async fn anonymous_get(w: &mut FrtWorld, service: String, path: String) {
    let service = if service == "portal" {
        Service::Portal
    } else {
        Service::Casework
    };
    w.send(Method::GET, service, &path, None, None).await;
}

/// Sends an actor's token to a service of the test's choosing, whichever it belongs to.
#[when(regex = r#"^"([^"]+)" presents their token to (?:the )?(portal|casework) at "([^"]+)"$"#)]
async fn token_elsewhere(w: &mut FrtWorld, name: String, service: String, path: String) {
    let (_, token) = w.actor(&name);
    let service = if service == "portal" {
        Service::Portal
    } else {
        Service::Casework
    };
    w.send(Method::GET, service, &path, Some(&token), None)
        .await;
}

/// Jiangsu's office signs off its reviewers' decisions: in-process by this setting, on a
/// deployment by its own (`config/staging.toml` and `frtctl up --demo` have it so).
#[given("the platform is running where the office of 320000 signs off its reviewers' decisions")]
async fn platform_with_sign_off(w: &mut FrtWorld) {
    match crate::support::target::current() {
        crate::support::target::Target::InProcess => {
            w.start(&[("FRT__FILING__SIGN_OFF_PROVINCES", "320000")])
                .await
        }
        crate::support::target::Target::Deployment(_) => w.start(&[]).await,
    }
}
