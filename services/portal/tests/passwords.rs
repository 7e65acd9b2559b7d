//! Passwords over the API: change (other sessions end), log out everywhere, and reset by a
//! mailed link that works once, with the same answer whether or not the address has an account.

use frt_testkit::app::{valid_uscc, PASSWORD};
use frt_testkit::{code, TestApp};
use reqwest::Method;
use serde_json::json;

async fn registered(app: &TestApp) -> String {
    let email = format!("pw-{}@example.com", uuid::Uuid::now_v7().simple());
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/registrations", app.portal),
            None,
            Some(json!({
                "organisation": {
                    "name": "密码测试有限公司", "uscc": valid_uscc("310000"), "contact_person": "张三",
                    "contact_email": email, "contact_phone": "+86 21 5555 0100"
                },
                "admin": { "email": email, "display_name": "张三", "password": PASSWORD }
            })),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    app.confirm_address(&email).await;
    email
}

async fn me(app: &TestApp, token: &str) -> u16 {
    app.call(
        Method::GET,
        &format!("{}/api/v1/me", app.portal),
        Some(token),
        None,
    )
    .await
    .0
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_and_logging_out_everywhere_ends_all() {
    let app = TestApp::spawn().await;
    let email = registered(&app).await;
    let here = app.login(&app.portal, &email, PASSWORD).await;
    let elsewhere = app.login(&app.portal, &email, PASSWORD).await;
    let url = format!("{}/api/v1/auth/password", app.portal);
    let (s, b) = app
        .call(
            Method::POST,
            &url,
            Some(&here),
            Some(json!({ "current_password": "not-it-at-all", "new_password": "another-password-1" })),
        )
        .await;
    assert_eq!((s, code(&b)), (403, "auth.wrong_password"));
    let (s, b) = app
        .call(
            Method::POST,
            &url,
            Some(&here),
            Some(json!({ "current_password": PASSWORD, "new_password": "short" })),
        )
        .await;
    assert_eq!((s, code(&b)), (422, "auth.invalid"));
    let (s, b) = app
        .call(
            Method::POST,
            &url,
            Some(&here),
            Some(json!({ "current_password": PASSWORD, "new_password": "another-password-1" })),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    assert_eq!(
        me(&app, &here).await,
        200,
        "the session it was changed from goes on"
    );
    assert_eq!(me(&app, &elsewhere).await, 401, "every other session ends");
    let again = app.login(&app.portal, &email, "another-password-1").await;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/logout-everywhere", app.portal),
            Some(&again),
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!((me(&app, &here).await, me(&app, &again).await), (401, 401));
}

#[tokio::test]
async fn a_reset_link_works_once_and_the_answer_does_not_tell_whether_an_account_exists() {
    let app = TestApp::spawn().await;
    let email = registered(&app).await;
    let before = app.login(&app.portal, &email, PASSWORD).await;
    let ask = format!("{}/api/v1/auth/password-reset", app.portal);
    let unknown = app
        .call(
            Method::POST,
            &ask,
            None,
            Some(json!({ "email": "nobody@example.com" })),
        )
        .await;
    let known = app
        .call(Method::POST, &ask, None, Some(json!({ "email": email })))
        .await;
    assert_eq!((unknown.0, known.0), (202, 202));
    assert_eq!(unknown.1, known.1);
    let rows = app
        .db
        .sql()
        .await
        .query(
            "SELECT recipient, body FROM outbox WHERE template = 'account.password_reset'",
            &[],
        )
        .await
        .expect("outbox");
    assert_eq!(rows.len(), 1, "only the account's address is mailed");
    let to: String = rows[0].get(0);
    let body: String = rows[0].get(1);
    assert_eq!(to, email);
    let token = body
        .split_whitespace()
        .find_map(|w| w.split("/password-reset/").nth(1))
        .expect("a link in the mail")
        .to_owned();
    let confirm = format!("{}/api/v1/auth/password-reset/confirm", app.portal);
    let (s, b) = app
        .call(
            Method::POST,
            &confirm,
            None,
            Some(json!({ "token": token, "new_password": "short" })),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (422, "auth.invalid"),
        "a weak password keeps the link"
    );
    let (s, b) = app
        .call(
            Method::POST,
            &confirm,
            None,
            Some(json!({ "token": token, "new_password": "reset-password-2026" })),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    let (s, b) = app
        .call(
            Method::POST,
            &confirm,
            None,
            Some(json!({ "token": token, "new_password": "reset-password-2027" })),
        )
        .await;
    assert_eq!((s, code(&b)), (404, "auth.reset_link_expired"));
    assert_eq!(me(&app, &before).await, 401, "the reset ends every session");
    app.login(&app.portal, &email, "reset-password-2026").await;
    // An expired link is refused like a used one.
    let (s, _) = app
        .call(Method::POST, &ask, None, Some(json!({ "email": email })))
        .await;
    assert_eq!(s, 202);
    app.db.sql()
        .await
        .batch_execute("UPDATE password_resets SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL")
        .await
        .expect("expire");
    let body: String = app.db.sql()
        .await
        .query_one(
            "SELECT body FROM outbox WHERE template = 'account.password_reset' ORDER BY created_at DESC LIMIT 1",
            &[],
        )
        .await
        .expect("second mail")
        .get(0);
    let second = body
        .split_whitespace()
        .find_map(|w| w.split("/password-reset/").nth(1))
        .expect("a link")
        .to_owned();
    let (s, _) = app
        .call(
            Method::POST,
            &confirm,
            None,
            Some(json!({ "token": second, "new_password": "reset-password-2028" })),
        )
        .await;
    assert_eq!(s, 404);
}

/// A password an admin set for someone else opens a session that can only change it; the API
/// and the pages alike.
#[tokio::test]
async fn a_password_set_by_an_admin_is_changed_at_first_login() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.register_processor("首次登录有限公司", "310000").await;
    let email = format!("filer-{}@example.com", uuid::Uuid::now_v7().simple());
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/organisation/users", app.portal),
            Some(&admin),
            Some(json!({ "email": email, "display_name": "李四", "password": PASSWORD, "role": "filer" })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, login) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/login", app.portal),
            None,
            Some(json!({ "email": email, "password": PASSWORD })),
        )
        .await;
    assert_eq!(s, 200, "{login}");
    assert_eq!(login["must_change_password"], true, "{login}");
    let token = login["token"].as_str().expect("token").to_owned();
    let filings = format!("{}/api/v1/filings", app.portal);
    let (s, b) = app.call(Method::GET, &filings, Some(&token), None).await;
    assert_eq!((s, code(&b)), (403, "auth.password_change_required"), "{b}");
    assert_eq!(
        me(&app, &token).await,
        200,
        "the session may look at itself"
    );
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/password", app.portal),
            Some(&token),
            Some(json!({ "current_password": PASSWORD, "new_password": "my-own-password-2026" })),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    let (s, b) = app.call(Method::GET, &filings, Some(&token), None).await;
    assert_eq!(s, 200, "{b}");

    // In the browser: every page leads to the account page until the password is changed.
    let email2 = format!("filer-{}@example.com", uuid::Uuid::now_v7().simple());
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/organisation/users", app.portal),
            Some(&admin),
            Some(json!({ "email": email2, "display_name": "王五", "password": PASSWORD, "role": "filer" })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let v = frt_testkit::pages::Visitor::new(&app.portal);
    v.log_in(&email2, PASSWORD).await;
    v.change_a_password_set_by_someone_else("/filings", PASSWORD, "my-own-password-2026")
        .await;
}
