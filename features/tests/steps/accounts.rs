//! Processors registering (注册) and logging in, and regulator staff accounts.

use crate::support::{at, table_rows, FrtWorld, Processor, Service};
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use frt_access::{AgencyKind, Role};
use frt_testkit::app::{valid_uscc, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// A valid registration request for `name` with `uscc`, and a unique admin email.
fn registration(name: &str, uscc: &str) -> Value {
    let email = format!("admin-{}@processor.example", uuid::Uuid::now_v7().simple());
    json!({
        "organisation": {
            "name": name, "uscc": uscc, "contact_person": "张三",
            "contact_email": email, "contact_phone": "+86 21 5555 0100"
        },
        "admin": { "email": email, "display_name": "张三", "password": PASSWORD }
    })
}

/// `uscc` with its check character replaced by another valid character.
fn with_wrong_check(uscc: &str) -> String {
    let last = uscc.chars().last().expect("a USCC");
    let other = USCC_ALPHABET
        .chars()
        .find(|c| *c != last)
        .expect("another character");
    format!("{}{other}", &uscc[..uscc.len() - 1])
}

/// Sends a registration; when it is answered 202 and `confirm`, confirms the admin's address
/// as the mailed link would, logs the admin in and remembers the processor (and, for the
/// checks below, its organisation as the admin sees it).
async fn register_and(w: &mut FrtWorld, name: &str, request: Value, confirm: bool) {
    w.registration = Some(request.clone());
    let reply = w
        .send(
            Method::POST,
            Service::Portal,
            "/api/v1/registrations",
            None,
            Some(request.clone()),
        )
        .await;
    let email = request["admin"]["email"]
        .as_str()
        .expect("email")
        .to_owned();
    w.noted.insert(format!("email of {name}"), email.clone());
    if reply.status != 202 || !confirm {
        return;
    }
    w.client().confirm_address(&email).await;
    let (token, org_id) = w.client().signed_in_admin(&email).await;
    let (_, org) = w
        .client()
        .call(
            Method::GET,
            &format!("{}/api/v1/organisation", w.client().portal),
            Some(&token),
            None,
        )
        .await;
    let uscc = org["uscc"].as_str().expect("uscc").to_owned();
    w.noted
        .insert("registered organisation".into(), org.to_string());
    w.processors.insert(
        name.to_owned(),
        Processor {
            org_id,
            uscc,
            email,
            token,
        },
    );
}

async fn register(w: &mut FrtWorld, name: &str, request: Value) {
    register_and(w, name, request, true).await;
}

/// The organisation the last confirmed registration made, as its admin sees it.
fn registered_organisation(w: &FrtWorld) -> Value {
    let text = w
        .noted
        .get("registered organisation")
        .expect("a registration was confirmed");
    serde_json::from_str(text).expect("organisation JSON")
}

#[given(expr = "processor {string} is registered in province {word}")]
async fn processor_registered(w: &mut FrtWorld, name: String, province: String) {
    register(w, &name, registration(&name, &valid_uscc(&province))).await;
    let last = w.last();
    assert_eq!(last.status, 202, "registration failed: {}", last.body);
}

#[when(expr = "{string} registers in province {word} with a valid USCC")]
async fn registers_valid(w: &mut FrtWorld, name: String, province: String) {
    register(w, &name, registration(&name, &valid_uscc(&province))).await;
}

#[when(expr = "{string} registers in province {word} with a USCC whose check character is wrong")]
async fn registers_bad_check(w: &mut FrtWorld, name: String, province: String) {
    let uscc = with_wrong_check(&valid_uscc(&province));
    register(w, &name, registration(&name, &uscc)).await;
}

#[when(expr = "{string} registers in province {word} and does not confirm the address yet")]
async fn registers_unconfirmed(w: &mut FrtWorld, name: String, province: String) {
    register_and(w, &name, registration(&name, &valid_uscc(&province)), false).await;
}

#[when(expr = "its admin logs in to the portal as {string}")]
async fn unconfirmed_admin_logs_in(w: &mut FrtWorld, name: String) {
    let email = w.noted[&format!("email of {name}")].clone();
    w.send(
        Method::POST,
        Service::Portal,
        "/api/v1/auth/login",
        None,
        Some(json!({ "email": email, "password": PASSWORD })),
    )
    .await;
}

#[when(expr = "someone registers {string} with the admin email of {string}")]
async fn registers_with_taken_address(w: &mut FrtWorld, name: String, other: String) {
    let email = w.processor(&other).email.clone();
    let mut request = registration(&name, &valid_uscc("310000"));
    request["admin"]["email"] = json!(email);
    register_and(w, &name, request, false).await;
}

#[then("the answer is the one every valid registration gets")]
async fn answer_like_any(w: &mut FrtWorld) {
    let body = &w.last().body;
    let mut keys: Vec<&str> = body
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["mailed_to", "message", "status", "warnings"],
        "{body}"
    );
    assert_eq!(body["status"], "mailed", "{body}");
}

#[when(expr = "{string} lists the open registration disputes")]
async fn lists_disputes(w: &mut FrtWorld, who: String) {
    let token = w.staff[&who].clone();
    w.send(
        Method::GET,
        Service::Casework,
        "/api/v1/registration-disputes?status=open",
        Some(&token),
        None,
    )
    .await;
}

#[then(expr = "the list holds a claim by {string} on the USCC of {string}")]
async fn list_holds_claim(w: &mut FrtWorld, claimant: String, holder: String) {
    let body = w.last().body.clone();
    let uscc = match w.processors.get(&holder) {
        Some(p) => p.uscc.clone(),
        None => w.noted[&format!("uscc of {holder}")].clone(),
    };
    let found = body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|d| d["claimant"]["name"] == json!(claimant) && d["uscc"] == json!(uscc))
        .unwrap_or_else(|| panic!("no claim by {claimant} in {body}"));
    if let Some(p) = w.processors.get(&holder) {
        assert_eq!(found["holder"]["id"], json!(p.org_id), "{found}");
    }
    w.noted.insert(
        "dispute".into(),
        found["id"].as_str().expect("id").to_owned(),
    );
}

#[when(regex = r#"^"([^"]+)" (upholds|dismisses) the dispute with the note "([^"]+)"$"#)]
async fn decides_dispute(w: &mut FrtWorld, who: String, how: String, note: String) {
    let token = w.staff[&who].clone();
    let id = w.noted["dispute"].clone();
    let outcome = if how == "upholds" {
        "upheld"
    } else {
        "dismissed"
    };
    w.send(
        Method::POST,
        Service::Casework,
        &format!("/api/v1/registration-disputes/{id}/decision"),
        Some(&token),
        Some(json!({ "outcome": outcome, "note": note })),
    )
    .await;
}

#[when(expr = "{string} registers with the same USCC as {string}")]
async fn registers_same_uscc(w: &mut FrtWorld, name: String, other: String) {
    let uscc = w.processor(&other).uscc.clone();
    // A claim on a held code makes no account to confirm.
    register_and(w, &name, registration(&name, &uscc), false).await;
}

/// Starts from a valid registration and sets each `field` (a dotted path) to `value`.
#[when("someone registers with these details:")]
async fn registers_with_details(w: &mut FrtWorld, step: &Step) {
    let mut request = registration("Details Ltd", &valid_uscc("310000"));
    for row in table_rows(step) {
        let (section, key) = row["field"]
            .split_once('.')
            .unwrap_or_else(|| panic!("field {:?} is not section.key", row["field"]));
        request[section][key] = Value::String(row["value"].clone());
    }
    register(w, "someone", request).await;
}

#[then("the registration has no warnings")]
async fn no_warnings(w: &mut FrtWorld) {
    let body = &w.last().body;
    assert_eq!(body["warnings"], json!([]), "{body}");
}

#[then(expr = "the registration warns {string}")]
async fn warns(w: &mut FrtWorld, code: String) {
    let body = &w.last().body;
    let warned = body["warnings"]
        .as_array()
        .is_some_and(|ws| ws.iter().any(|x| x["code"].as_str() == Some(code.as_str())));
    assert!(warned, "no warning {code} in {body}");
}

#[then(expr = "the organisation is registered in province {word}")]
async fn org_province(w: &mut FrtWorld, province: String) {
    let org = registered_organisation(w);
    assert_eq!(
        org["province_code"].as_str(),
        Some(province.as_str()),
        "{org}"
    );
}

#[then(regex = r#"^the registered organisation has (\S+) = (.+)$"#)]
async fn registered_has(w: &mut FrtWorld, path: String, expected: String) {
    let expected: Value =
        serde_json::from_str(&expected).unwrap_or_else(|_| Value::String(expected.clone()));
    let org = registered_organisation(w);
    assert_eq!(at(&org, &path), &expected, "at {path} in {org}");
}

#[then(regex = r"^the organisation's USCC is (kept as sent|flagged as failing its checksum)$")]
async fn org_uscc_flag(w: &mut FrtWorld, what: String) {
    let body = json!({ "organisation": registered_organisation(w) });
    let body = &body;
    let sent = w
        .registration
        .as_ref()
        .and_then(|r| r["organisation"]["uscc"].as_str())
        .expect("a registration was sent")
        .to_owned();
    assert_eq!(
        at(body, "organisation.uscc").as_str(),
        Some(sent.as_str()),
        "{body}"
    );
    let ok = at(body, "organisation.uscc_checksum_ok").as_bool();
    assert_eq!(ok, Some(what == "kept as sent"), "{body}");
}

// ---------------------------------------------------------------------------------------------
// Logging in and out
// ---------------------------------------------------------------------------------------------

async fn login_as_admin(w: &mut FrtWorld, org: &str, service: &str, right: bool) {
    let email = w.processor(org).email.clone();
    let password = if right {
        PASSWORD
    } else {
        "not-the-password-1"
    };
    let service = match service {
        "portal" => Service::Portal,
        _ => Service::Casework,
    };
    let reply = w
        .send(
            Method::POST,
            service,
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": email, "password": password })),
        )
        .await;
    if reply.status == 200 {
        w.session = reply.body["token"].as_str().map(str::to_owned);
    }
}

#[when(
    regex = r#"^the admin of "([^"]+)" logs in to (?:the )?(portal|casework) with (the right|a wrong) password$"#
)]
async fn admin_logs_in(w: &mut FrtWorld, org: String, service: String, which: String) {
    login_as_admin(w, &org, &service, which == "the right").await;
}

#[when(
    regex = r#"^the admin of "([^"]+)" logs in to the portal with a wrong password (\d+) times$"#
)]
async fn admin_fails_n_times(w: &mut FrtWorld, org: String, n: usize) {
    w.replies.clear();
    for _ in 0..n {
        login_as_admin(w, &org, "portal", false).await;
        let last = w.last().clone();
        w.replies.push(last);
    }
}

async fn login_as(w: &mut FrtWorld, email: &str, password: &str) -> crate::support::Reply {
    w.send(
        Method::POST,
        Service::Portal,
        "/api/v1/auth/login",
        None,
        Some(json!({ "email": email, "password": password })),
    )
    .await
}

#[when(regex = r#"^someone logs in to the portal as "([^"]+)"(?: (\d+) times)?$"#)]
async fn someone_logs_in(w: &mut FrtWorld, email: String, times: String) {
    // `{unique}` keeps the name the scenario's own on a shared deployment.
    let email = email.replace("{unique}", &w.unique);
    w.replies.clear();
    for _ in 0..times.parse::<usize>().unwrap_or(1) {
        let reply = login_as(w, &email, "not-the-password-1").await;
        w.replies.push(reply);
    }
}

#[then("the answer says to retry after some seconds")]
async fn retry_after(w: &mut FrtWorld) {
    let r = w.last();
    let secs = r
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    assert!(secs.is_some_and(|s| s > 0), "Retry-After: {:?}", r.headers);
}

/// The email of a staff member the scenario made, as casework tells it.
pub(crate) async fn staff_email(w: &mut FrtWorld, name: &str) -> String {
    if let Some(email) = w.staff_emails.get(name) {
        return email.clone();
    }
    let token = w.staff[name].clone();
    let me = w
        .send(
            Method::GET,
            Service::Casework,
            "/api/v1/me",
            Some(&token),
            None,
        )
        .await;
    me.body["email"].as_str().expect("staff email").to_owned()
}

#[when(regex = r#"^a processor registers in the portal with the email of "([^"]+)"$"#)]
async fn register_with_staff_email(w: &mut FrtWorld, name: String) {
    let email = staff_email(w, &name).await;
    let mut request = registration("Lookalike Ltd", &valid_uscc("310000"));
    request["admin"]["email"] = json!(email);
    request["organisation"]["contact_email"] = json!(email);
    w.send(
        Method::POST,
        Service::Portal,
        "/api/v1/registrations",
        None,
        Some(request),
    )
    .await;
}

#[when(regex = r#"^someone logs in to casework with the email and password of "([^"]+)"$"#)]
async fn casework_login_as_staff(w: &mut FrtWorld, name: String) {
    let email = staff_email(w, &name).await;
    w.send(
        Method::POST,
        Service::Casework,
        "/api/v1/auth/login",
        None,
        Some(json!({ "email": email, "password": PASSWORD })),
    )
    .await;
}

#[then("the answer is a token for staff")]
async fn token_for_staff(w: &mut FrtWorld) {
    let token = w.last().body["token"].as_str().expect("a token").to_owned();
    let me = w
        .send(
            Method::GET,
            Service::Casework,
            "/api/v1/me",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(me.body["type"].as_str(), Some("staff"), "{}", me.body);
}

#[then(expr = "every one of those attempts answered {int}")]
async fn every_attempt(w: &mut FrtWorld, status: u16) {
    assert!(!w.replies.is_empty(), "no attempts were made");
    for (i, r) in w.replies.iter().enumerate() {
        assert_eq!(r.status, status, "attempt {}: {}", i + 1, r.body);
    }
}

#[then("a bearer token is returned")]
async fn token_returned(w: &mut FrtWorld) {
    let body = &w.last().body;
    assert_eq!(body["token_type"].as_str(), Some("Bearer"), "{body}");
    assert!(
        body["token"].as_str().is_some_and(|t| t.len() >= 20),
        "{body}"
    );
    assert!(body["expires_at"].is_string(), "{body}");
}

#[when("they ask the portal who they are")]
async fn who_am_i(w: &mut FrtWorld) {
    let token = w.session.clone().expect("nobody logged in");
    w.send(
        Method::GET,
        Service::Portal,
        "/api/v1/me",
        Some(&token),
        None,
    )
    .await;
}

#[when("they log out")]
async fn log_out(w: &mut FrtWorld) {
    let token = w.session.clone().expect("nobody logged in");
    w.send(
        Method::POST,
        Service::Portal,
        "/api/v1/auth/logout",
        Some(&token),
        None,
    )
    .await;
}

#[then(expr = "the answer names the {word} of {string}")]
async fn answer_names(w: &mut FrtWorld, role: String, org: String) {
    let p = w.processor(&org).clone();
    let body = &w.last().body;
    assert_eq!(body["role"].as_str(), Some(role.as_str()), "{body}");
    assert_eq!(body["type"].as_str(), Some("processor"), "{body}");
    assert_eq!(body["email"].as_str(), Some(p.email.as_str()), "{body}");
    assert_eq!(
        body["organisation_id"].as_str(),
        Some(p.org_id.as_str()),
        "{body}"
    );
}

// ---------------------------------------------------------------------------------------------
// Staff
// ---------------------------------------------------------------------------------------------

fn agency(name: &str) -> AgencyKind {
    match name {
        "provincial CAC office" => AgencyKind::ProvincialCac,
        "national CAC" => AgencyKind::NationalCac,
        "public security organ" => AgencyKind::PublicSecurity,
        "other department" => AgencyKind::OtherDepartment,
        other => panic!("unknown agency {other:?}"),
    }
}

fn role(name: &str) -> Role {
    name.replace(' ', "_")
        .parse()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[given(
    regex = r#"^"([^"]+)" is an? (reviewer|inspector|supervisor|complaint handler|admin) at the (provincial CAC office|public security organ|other department) of (\d{6})$"#
)]
async fn provincial_staff(w: &mut FrtWorld, name: String, r: String, a: String, province: String) {
    let token = w.make_staff(agency(&a), Some(&province), role(&r)).await;
    w.staff.insert(name, token);
}

#[given(regex = r#"^"([^"]+)" is an? (reviewer|supervisor|admin) at the national CAC$"#)]
async fn national_staff(w: &mut FrtWorld, name: String, r: String) {
    let token = w.make_staff(AgencyKind::NationalCac, None, role(&r)).await;
    w.staff.insert(name, token);
}
