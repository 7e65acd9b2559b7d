//! Accounts seen from the internet: registrations that race, a portal that tells nothing of
//! staff accounts, and login throttling that answers alike for known and unknown accounts.

use frt_testkit::app::{valid_uscc, PASSWORD};
use frt_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

fn registration(uscc: &str, email: &str) -> Value {
    json!({
        "organisation": {
            "name": "并发注册有限公司", "uscc": uscc, "contact_person": "张三",
            "contact_email": email, "contact_phone": "+86 21 5555 0100"
        },
        "admin": { "email": email, "display_name": "张三", "password": PASSWORD }
    })
}

/// How many organisations hold `uscc`, and how many disputes claim it.
async fn holders_and_disputes(app: &TestApp, uscc: &str) -> (i64, i64) {
    let sql = app.db.sql().await;
    let row = sql
        .query_one(
            "SELECT (SELECT count(*) FROM organisations WHERE uscc = $1), \
                    (SELECT count(*) FROM registration_disputes WHERE uscc = $1)",
            &[&uscc],
        )
        .await
        .expect("count");
    (row.get(0), row.get(1))
}

/// The keys of an answer: a registration's answer must not tell one outcome from another.
fn keys(b: &Value) -> Vec<String> {
    let mut k: Vec<String> = b.as_object().expect("an object").keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn two_registrations_of_one_new_uscc_at_once_give_one_organisation_and_one_dispute() {
    let app = TestApp::spawn().await;
    let url = format!("{}/api/v1/registrations", app.portal);
    for round in 0..4 {
        let uscc = valid_uscc("310000");
        let a = registration(&uscc, &format!("a{round}@race.example"));
        let b = registration(&uscc, &format!("b{round}@race.example"));
        let ((sa, ba), (sb, bb)) = tokio::join!(
            app.call(Method::POST, &url, None, Some(a)),
            app.call(Method::POST, &url, None, Some(b))
        );
        assert_eq!((sa, sb), (202, 202), "round {round}: {ba} {bb}");
        assert_eq!(keys(&ba), keys(&bb), "alike: {ba} {bb}");
        assert_eq!(
            holders_and_disputes(&app, &uscc).await,
            (1, 1),
            "round {round}: one holds the code, the other claims it"
        );
    }
    // The same email twice, at once, for two new organisations: one account, one organisation.
    let email = "same@race.example";
    let (u1, u2) = (valid_uscc("310000"), valid_uscc("310000"));
    let ((sa, ba), (sb, bb)) = tokio::join!(
        app.call(Method::POST, &url, None, Some(registration(&u1, email))),
        app.call(Method::POST, &url, None, Some(registration(&u2, email)))
    );
    assert_eq!((sa, sb), (202, 202), "{ba} {bb}");
    let (h1, _) = holders_and_disputes(&app, &u1).await;
    let (h2, _) = holders_and_disputes(&app, &u2).await;
    assert_eq!(
        h1 + h2,
        1,
        "the registration that lost the address left nothing"
    );
    let sql = app.db.sql().await;
    let accounts: i64 = sql
        .query_one("SELECT count(*) FROM users WHERE email = $1", &[&email])
        .await
        .expect("count")
        .get(0);
    assert_eq!(accounts, 1);
}

#[tokio::test]
async fn a_registration_that_loses_the_race_at_the_database_is_a_dispute() {
    let app = TestApp::spawn().await;
    let uscc = valid_uscc("310000");
    // Another registration of the same USCC is in flight: inserted, not yet committed, so a
    // check made now would find nothing.
    let (sql, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let first = uuid::Uuid::now_v7();
    sql.batch_execute(&format!(
        "BEGIN; INSERT INTO organisations (id, name, uscc, uscc_checksum_ok, province_code, \
         contact_person, contact_email, contact_phone) VALUES ('{first}', '先到公司', '{uscc}', TRUE, \
         '310000', '王五', 'first@race.example', '13800138000')"
    ))
    .await
    .expect("first registration in flight");
    let url = format!("{}/api/v1/registrations", app.portal);
    let second = {
        let app = &app;
        let body = registration(&uscc, "second@race.example");
        async move { app.call(Method::POST, &url, None, Some(body)).await }
    };
    let commit = async {
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        sql.batch_execute("COMMIT").await.expect("commit");
    };
    let ((s, b), ()) = tokio::join!(second, commit);
    assert_eq!(s, 202, "{b}");
    let check = app.db.sql().await;
    let held_by: String = check
        .query_one(
            "SELECT organisation_id::text FROM registration_disputes WHERE uscc = $1",
            &[&uscc],
        )
        .await
        .expect("a dispute")
        .get(0);
    assert_eq!(
        held_by,
        first.to_string(),
        "the claim names the organisation that got there first"
    );
}

/// The token of the first link to `path` in a mail's text.
fn link_token(text: &str, path: &str) -> String {
    let at = text
        .find(path)
        .unwrap_or_else(|| panic!("no {path} in {text}"));
    text[at + path.len()..]
        .split_whitespace()
        .next()
        .expect("a token")
        .to_owned()
}

#[tokio::test]
async fn a_registration_answers_alike_and_the_mail_says_what_happened() {
    let (app, sink) = frt_testkit::TestApp::spawn_with_mail(&[]).await;
    let url = format!("{}/api/v1/registrations", app.portal);
    let uscc = valid_uscc("310000");
    let (s, new) = app
        .call(
            Method::POST,
            &url,
            None,
            Some(registration(&uscc, "new@trust.example")),
        )
        .await;
    assert_eq!(s, 202, "{new}");
    // Pending: the right password does not open a session yet.
    let login = json!({ "email": "new@trust.example", "password": PASSWORD });
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/login", app.portal),
            None,
            Some(login.clone()),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (403, Some("auth.address_unconfirmed")),
        "{b}"
    );
    let status: String = app
        .db
        .sql()
        .await
        .query_one("SELECT status FROM organisations WHERE uscc = $1", &[&uscc])
        .await
        .expect("organisation")
        .get(0);
    assert_eq!(status, "pending");

    // The address again, for another organisation; and the USCC again, by someone else.
    let (s, taken) = app
        .call(
            Method::POST,
            &url,
            None,
            Some(registration(&valid_uscc("310000"), "new@trust.example")),
        )
        .await;
    assert_eq!(s, 202, "{taken}");
    let (s, claim) = app
        .call(
            Method::POST,
            &url,
            None,
            Some(registration(&uscc, "claim@trust.example")),
        )
        .await;
    assert_eq!(s, 202, "{claim}");
    assert_eq!(keys(&new), keys(&taken));
    assert_eq!(keys(&new), keys(&claim));
    assert_eq!(new["status"], taken["status"]);

    app.worker().send_due().await.expect("send");
    let mails = sink.wait_for(3, std::time::Duration::from_secs(5)).await;
    let to = |who: &str| {
        mails
            .iter()
            .filter(|m| m.to == vec![who.to_owned()])
            .map(|m| m.text())
            .collect::<Vec<_>>()
    };
    let mine = to("new@trust.example");
    assert_eq!(mine.len(), 2, "{mine:?}");
    let link_mail = mine
        .iter()
        .find(|t| t.contains("/register/confirm/"))
        .expect("the confirmation mail");
    assert!(
        mine.iter().any(|t| t.contains("已有账户")),
        "the owner is told: {mine:?}"
    );
    let claimant = to("claim@trust.example");
    assert!(
        claimant[0].contains(&uscc) && claimant[0].contains("审核"),
        "{claimant:?}"
    );

    // The link confirms once; then the account works and the organisation is active.
    let token = link_token(link_mail, "/register/confirm/");
    let confirm = format!("{}/api/v1/registrations/confirm", app.portal);
    let (s, org) = app
        .call(
            Method::POST,
            &confirm,
            None,
            Some(json!({ "token": token })),
        )
        .await;
    assert_eq!((s, org["status"].as_str()), (200, Some("active")), "{org}");
    let (s, b) = app
        .call(
            Method::POST,
            &confirm,
            None,
            Some(json!({ "token": token })),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (404, Some("registration.link_expired")),
        "{b}"
    );
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/login", app.portal),
            None,
            Some(login),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn registrations_from_one_address_are_limited() {
    let app = TestApp::spawn_with(&[("FRT__AUTH__REGISTRATIONS_PER_HOUR", "2")]).await;
    let url = format!("{}/api/v1/registrations", app.portal);
    for i in 0..2 {
        let body = registration(&valid_uscc("310000"), &format!("r{i}@limit.example"));
        let (s, b) = app.call(Method::POST, &url, None, Some(body)).await;
        assert_eq!(s, 202, "{b}");
    }
    let body = registration(&valid_uscc("310000"), "r3@limit.example");
    let (s, h, b) = app
        .call_with_headers(Method::POST, &url, None, Some(body))
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (429, Some("registration.too_many_registrations")),
        "{b}"
    );
    assert!(h.get("retry-after").is_some());
}

#[tokio::test]
async fn the_portal_tells_nothing_about_staff_accounts() {
    let app = TestApp::spawn().await;
    let staff_token = app.reviewer("310000").await;
    let (_, me) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/me", app.casework),
            Some(&staff_token),
            None,
        )
        .await;
    let staff_email = me["email"].as_str().expect("email").to_owned();

    // Registering with a staff member's email is an ordinary registration.
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/registrations", app.portal),
            None,
            Some(registration(&valid_uscc("310000"), &staff_email)),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    // So is adding a user with it to another organisation... once per portal.
    let (admin, _) = app.register_processor("加人有限公司", "310000").await;
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/organisation/users", app.portal),
            Some(&admin),
            Some(json!({ "email": staff_email, "display_name": "李四", "password": PASSWORD })),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("user.email_taken")),
        "taken in the portal by the registration above, not by the staff account: {b}"
    );
    // The staff account is untouched.
    let token = app.login(&app.casework, &staff_email, PASSWORD).await;
    assert!(!token.is_empty());
}

#[tokio::test]
async fn throttling_answers_alike_for_real_and_unknown_accounts_and_tells_the_owner() {
    let app = TestApp::spawn_with(&[
        ("FRT__AUTH__MAX_FAILED_LOGINS", "3"),
        ("FRT__AUTH__ACCOUNT_ALERT_FAILURES", "3"),
    ])
    .await;
    let (token, org) = app.register_processor("限流有限公司", "310000").await;
    let (_, me) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/me", app.portal),
            Some(&token),
            None,
        )
        .await;
    let real = me["email"].as_str().expect("email").to_owned();
    let user_id: uuid::Uuid = me["user_id"].as_str().expect("id").parse().expect("uuid");
    let url = format!("{}/api/v1/auth/login", app.portal);
    let mut answers = Vec::new();
    for email in [real.as_str(), "nobody@unknown.example"] {
        let mut seen = Vec::new();
        for pw in ["wrong-1", "wrong-2", "wrong-3", PASSWORD] {
            let (s, h, b) = app
                .call_with_headers(
                    Method::POST,
                    &url,
                    None,
                    Some(json!({ "email": email, "password": pw })),
                )
                .await;
            let retry = h.get("retry-after").is_some();
            seen.push((s, b["code"].as_str().map(str::to_owned), retry));
        }
        answers.push(seen);
    }
    let expected = vec![
        (401, Some("auth.unauthenticated".to_owned()), false),
        (401, Some("auth.unauthenticated".to_owned()), false),
        (429, Some("auth.too_many_attempts".to_owned()), true),
        (429, Some("auth.too_many_attempts".to_owned()), true),
    ];
    assert_eq!(answers[0], expected, "a real account");
    assert_eq!(answers[1], expected, "an unknown account looks the same");

    let mut conn = app.core.db.conn().await.expect("conn");
    let mail: Vec<_> = frt_store::outbox::for_entity(&mut conn, "user", user_id)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.template != "account.confirm_address")
        .collect();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].template, "account.login_failures");
    assert_eq!(mail[0].recipient, real);
    let trail = frt_store::audit::trail(&mut conn, "user", &user_id.to_string())
        .await
        .expect("trail");
    let actions: Vec<&str> = trail.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"auth.login_throttled"), "{actions:?}");
    assert!(actions.contains(&"auth.account_alerted"), "{actions:?}");
    let unknown = frt_store::audit::trail(&mut conn, "login", "portal:nobody@unknown.example")
        .await
        .expect("trail");
    assert_eq!(
        unknown
            .iter()
            .map(|r| r.action.as_str())
            .collect::<Vec<_>>(),
        ["auth.login_throttled"],
        "the block of an unknown name is audited too"
    );
    let _ = org;
}

/// Guesses sent all at once are each counted before the password is checked, so no more of
/// them are judged than the limit allows: the rest wait like any guess past the limit.
#[tokio::test]
async fn guesses_sent_at_once_cannot_outrun_the_login_throttle() {
    let app = TestApp::spawn().await;
    let email = "race@login.example";
    let url = format!("{}/api/v1/auth/login", app.portal);
    let guesses = (0..12).map(|i| {
        let http = app.http.clone();
        let url = url.clone();
        async move {
            http.post(url)
                .json(&json!({ "email": email, "password": format!("guess-{i}") }))
                .send()
                .await
                .expect("login")
                .status()
                .as_u16()
        }
    });
    let answers = futures_util::future::join_all(guesses).await;
    let judged = answers.iter().filter(|s| **s == 401).count();
    let held = answers.iter().filter(|s| **s == 429).count();
    assert_eq!(judged + held, 12, "{answers:?}");
    assert!(judged <= 5, "{judged} guesses were judged: {answers:?}");
}
