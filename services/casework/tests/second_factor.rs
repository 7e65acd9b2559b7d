//! The second factor of the roles `auth.second_factor` names, over HTTP: no token after the
//! password alone; enrolment with a secret shown once and ten recovery codes; codes accepted
//! once, around their step; recovery codes once each; wrong codes throttled with passwords;
//! an admin's reset; and roles not named log in as before.

use frt_access::second_factor::{code_at, secret_from_text, STEP_SECONDS};
use frt_access::{AgencyKind, Role};
use frt_testkit::{app::PASSWORD, code, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const TWO_FACTOR: &[(&str, &str)] = &[("FRT__AUTH__SECOND_FACTOR", "admin,supervisor")];

async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("{}{path}", app.casework),
        None,
        Some(body),
    )
    .await
}

async fn password(app: &TestApp, email: &str) -> (u16, Value) {
    post(
        app,
        "/api/v1/auth/login",
        json!({ "email": email, "password": PASSWORD }),
    )
    .await
}

fn now_step() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0) / STEP_SECONDS
}

/// Logs in with the password and enrols: (the secret and the step of the code that confirmed
/// it, the session token, the recovery codes).
async fn enrol(app: &TestApp, email: &str) -> ((Vec<u8>, u64), String, Vec<String>) {
    let (s, b) = password(app, email).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["second_factor"]["enrolled"], false, "{b}");
    let challenge = b["second_factor"]["challenge"].as_str().expect("challenge");
    let (s, e) = post(
        app,
        "/api/v1/auth/second-factor/enrolment",
        json!({ "challenge": challenge }),
    )
    .await;
    assert_eq!(s, 200, "{e}");
    let secret = secret_from_text(e["secret"].as_str().expect("secret")).expect("base32");
    let step = now_step();
    let code_now = code_at(&secret, step).expect("code");
    let (s, done) = post(
        app,
        "/api/v1/auth/second-factor",
        json!({ "challenge": challenge, "code": code_now }),
    )
    .await;
    assert_eq!(s, 200, "{done}");
    let codes: Vec<String> = done["recovery_codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .filter_map(|c| c.as_str().map(str::to_owned))
        .collect();
    (
        (secret, step),
        done["token"].as_str().expect("token").to_owned(),
        codes,
    )
}

/// Logs in with the password and answers with `code`.
async fn with_code(app: &TestApp, email: &str, code: &str) -> (u16, Value) {
    let (_, b) = password(app, email).await;
    let challenge = b["second_factor"]["challenge"]
        .as_str()
        .expect("challenge")
        .to_owned();
    post(
        app,
        "/api/v1/auth/second-factor",
        json!({ "challenge": challenge, "code": code }),
    )
    .await
}

#[tokio::test]
async fn a_supervisor_enrols_then_logs_in_with_a_code_once_and_with_recovery_codes_once() {
    let app = TestApp::spawn_with(TWO_FACTOR).await;
    let email = app
        .staff_account(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    // The password alone gives no token: a challenge, and the account is not enrolled.
    let (s, b) = password(&app, &email).await;
    assert_eq!(s, 200, "{b}");
    assert!(b.get("token").is_none(), "{b}");
    let challenge = b["second_factor"]["challenge"].as_str().expect("challenge");
    let (s, e) = post(
        &app,
        "/api/v1/auth/second-factor",
        json!({ "challenge": challenge, "code": "123456" }),
    )
    .await;
    assert_eq!((s, code(&e)), (409, "auth.second_factor_step"), "{e}");

    let ((secret, step), token, recovery) = enrol(&app, &email).await;
    assert_eq!(recovery.len(), 10);
    let (s, me) = app.casework_get(&token, "/api/v1/me").await;
    assert_eq!((s, me["role"].as_str()), (200, Some("supervisor")), "{me}");

    // Enrolled now: a second enrolment is refused; the code just used is not taken again,
    // the next step's is (a clock a little ahead).
    let (_, b) = password(&app, &email).await;
    assert_eq!(b["second_factor"]["enrolled"], true, "{b}");
    let (s, e) = post(
        &app,
        "/api/v1/auth/second-factor/enrolment",
        json!({ "challenge": b["second_factor"]["challenge"] }),
    )
    .await;
    assert_eq!((s, code(&e)), (409, "auth.second_factor_step"), "{e}");
    let used = code_at(&secret, step).expect("code");
    let (s, e) = with_code(&app, &email, &used).await;
    assert_eq!((s, code(&e)), (401, "auth.wrong_code"), "a code once: {e}");
    let ahead = code_at(&secret, now_step() + 1).expect("code");
    let (s, b) = with_code(&app, &email, &ahead).await;
    assert_eq!(s, 200, "{b}");
    assert!(b["token"].is_string(), "{b}");
    assert!(b.get("recovery_codes").is_none(), "shown once only: {b}");

    // A recovery code, typed loosely, works once.
    let loose = recovery[3].to_uppercase().replace('-', " ");
    let (s, b) = with_code(&app, &email, &loose).await;
    assert_eq!(s, 200, "{b}");
    let (s, e) = with_code(&app, &email, &recovery[3]).await;
    assert_eq!((s, code(&e)), (401, "auth.wrong_code"), "{e}");

    // An unknown challenge is not a login.
    let (s, e) = post(
        &app,
        "/api/v1/auth/second-factor",
        json!({ "challenge": "frt_0000", "code": ahead }),
    )
    .await;
    assert_eq!((s, code(&e)), (401, "auth.challenge_expired"), "{e}");

    // The trail names each step.
    let c = app.db.sql().await;
    let actions: Vec<String> = c
        .query(
            "SELECT action FROM audit_log WHERE entity_type = 'user' AND action LIKE 'auth.%' \
             ORDER BY seq",
            &[],
        )
        .await
        .expect("trail")
        .iter()
        .map(|r| r.get(0))
        .collect();
    for a in [
        "auth.password_accepted",
        "auth.second_factor_enrolment_begun",
        "auth.second_factor_enrolled",
        "auth.login",
        "auth.login_failed",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
    }
    let how: Vec<String> = c
        .query(
            "SELECT after->>'second_factor' FROM audit_log WHERE action = 'auth.login' \
             ORDER BY seq",
            &[],
        )
        .await
        .expect("logins")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(how, ["totp", "totp", "recovery_code"]);
}

#[tokio::test]
async fn wrong_codes_count_with_wrong_passwords_and_roles_not_named_log_in_as_before() {
    let app = TestApp::spawn_with(TWO_FACTOR).await;
    let email = app
        .staff_account(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let _ = enrol(&app, &email).await;
    // Each try is a password (counted until the code passes) and a wrong code: the address
    // is held back before many codes were guessed.
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let (s, b) = password(&app, &email).await;
        if s != 200 {
            statuses.push((s, code(&b).to_owned()));
            continue;
        }
        let (s, e) = post(
            &app,
            "/api/v1/auth/second-factor",
            json!({ "challenge": b["second_factor"]["challenge"], "code": "000000" }),
        )
        .await;
        statuses.push((s, code(&e).to_owned()));
    }
    assert!(
        statuses
            .iter()
            .any(|(s, c)| *s == 429 && c == "auth.too_many_attempts"),
        "{statuses:?}"
    );
    // A reviewer is not named: the password gives a token.
    let reviewer = app
        .staff_account(AgencyKind::ProvincialCac, Some("310000"), Role::Reviewer)
        .await;
    let (s, b) = password(&app, &reviewer).await;
    assert_eq!(s, 200, "{b}");
    assert!(
        b["token"].is_string() && b.get("second_factor").is_none(),
        "{b}"
    );
}

#[tokio::test]
async fn an_admin_resets_a_members_lost_factor_and_the_member_enrols_again() {
    let app = TestApp::spawn_with(TWO_FACTOR).await;
    let member = app
        .staff_account(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let admin = app
        .staff_account(AgencyKind::ProvincialCac, Some("310000"), Role::Admin)
        .await;
    let other_admin = app
        .staff_account(AgencyKind::ProvincialCac, Some("320000"), Role::Admin)
        .await;
    let (_, member_token, _) = enrol(&app, &member).await;
    let (_, admin_token, _) = enrol(&app, &admin).await;
    let (_, other_token, _) = enrol(&app, &other_admin).await;
    let (_, me) = app.casework_get(&member_token, "/api/v1/me").await;
    let id = me["user_id"].as_str().expect("id").to_owned();
    let reset = format!("{}/api/v1/staff/{id}/second-factor/reset", app.casework);

    // Not an admin, and an admin of another agency: refused.
    let (s, e) = app
        .call(Method::POST, &reset, Some(&member_token), None)
        .await;
    assert_eq!(s, 403, "{e}");
    let (s, e) = app
        .call(Method::POST, &reset, Some(&other_token), None)
        .await;
    assert_eq!(s, 404, "{e}");
    let (s, e) = app
        .call(Method::POST, &reset, Some(&admin_token), None)
        .await;
    assert_eq!(s, 204, "{e}");
    // The member's sessions ended; the next login enrols again.
    let (s, _) = app.casework_get(&member_token, "/api/v1/me").await;
    assert_eq!(s, 401);
    let (_, b) = password(&app, &member).await;
    assert_eq!(b["second_factor"]["enrolled"], false, "{b}");
    let c = app.db.sql().await;
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM audit_log WHERE action = 'user.second_factor_reset' \
             AND entity_id = $1",
            &[&id],
        )
        .await
        .expect("audited")
        .get(0);
    assert_eq!(n, 1);
}

#[tokio::test]
async fn hostile_answers_to_a_challenge_are_refused_as_problems() {
    let app = TestApp::spawn_with(TWO_FACTOR).await;
    let email = app
        .staff_account(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let ((_, _), _, _) = enrol(&app, &email).await;
    let (_, b) = password(&app, &email).await;
    let challenge = b["second_factor"]["challenge"]
        .as_str()
        .expect("challenge")
        .to_owned();
    for (body, why) in [
        (
            json!({ "challenge": challenge, "code": "12\u{0}456" }),
            "NUL",
        ),
        (
            json!({ "challenge": challenge, "code": "9".repeat(5000) }),
            "long",
        ),
        (
            json!({ "challenge": challenge, "code": 123456 }),
            "a number",
        ),
        (
            json!({ "challenge": "\u{0}", "code": "123456" }),
            "NUL challenge",
        ),
        (json!({ "challenge": challenge }), "no code"),
        (
            json!({ "challenge": challenge, "code": "123456", "admin": true }),
            "extra field",
        ),
    ] {
        let (s, e) = post(&app, "/api/v1/auth/second-factor", body).await;
        assert!(
            (400..500).contains(&s) && e["code"].is_string(),
            "{why}: {s} {e}"
        );
    }
    let (s, e) = post(
        &app,
        "/api/v1/auth/second-factor/enrolment",
        json!({ "challenge": "x".repeat(100_000) }),
    )
    .await;
    assert!((400..500).contains(&s) && e["code"].is_string(), "{s} {e}");
    // A malformed member id is no member.
    let admin = app
        .staff_account(AgencyKind::ProvincialCac, Some("310000"), Role::Admin)
        .await;
    let (_, admin_token, _) = enrol(&app, &admin).await;
    let (s, e) = app
        .call(
            Method::POST,
            &format!(
                "{}/api/v1/staff/not-a-uuid/second-factor/reset",
                app.casework
            ),
            Some(&admin_token),
            None,
        )
        .await;
    assert_eq!(s, 404, "{e}");
}
