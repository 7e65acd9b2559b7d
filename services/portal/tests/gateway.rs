//! Behind a gateway, as every provincial deployment is: each client is counted by its own
//! address (which only a trusted proxy is believed about), and limits hold across instances.

use frt_testkit::gateway::{client_from, Gateway};
use frt_testkit::TestApp;
use serde_json::{json, Value};
use std::net::IpAddr;

fn ip(t: &str) -> IpAddr {
    t.parse().expect("an address")
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    body: Value,
    forged: Option<&str>,
) -> (u16, Value) {
    let mut req = client.post(url).json(&body);
    if let Some(f) = forged {
        req = req.header("X-Forwarded-For", f);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn complaint() -> Value {
    json!({ "processor": { "name": "某小区物业" }, "province": "310000", "anonymous": true,
            "description": "小区门禁强制刷脸，无其他方式。" })
}

#[tokio::test]
async fn behind_a_gateway_each_client_counts_by_its_own_address() {
    let app = TestApp::spawn_with(&[
        ("FRT__SERVER__TRUSTED_PROXIES", "127.0.0.2"),
        ("FRT__COMPLAINTS__INTAKE_PER_HOUR", "2"),
        ("FRT__COMPLAINTS__MAX_FAILED_LOOKUPS_PER_ADDRESS", "3"),
    ])
    .await;
    let gateway = Gateway::start(&app.portal, ip("127.0.0.2")).await;
    let (a, b) = (client_from(ip("127.0.0.11")), client_from(ip("127.0.0.12")));
    let intake = format!("{}/api/v1/complaints", gateway.url);
    // Client A uses up its own intake; client B, behind the same gateway, is untouched.
    for _ in 0..2 {
        let (s, r) = post(&a, &intake, complaint(), None).await;
        assert_eq!(s, 201, "{r}");
    }
    let (s, r) = post(&a, &intake, complaint(), None).await;
    assert_eq!(
        (s, r["code"].as_str()),
        (429, Some("complaint.too_many_complaints")),
        "{r}"
    );
    let (s, receipt) = post(&b, &intake, complaint(), None).await;
    assert_eq!(s, 201, "B is not A: {receipt}");

    // A guesses B's access code until A is held back; B still looks up its own complaint.
    let status = format!("{}/api/v1/complaints/status", gateway.url);
    let number = receipt["receipt_number"]
        .as_str()
        .expect("receipt")
        .to_owned();
    let guess = json!({ "receipt_number": number, "access_code": "WRONG-CODE-0000" });
    for _ in 0..3 {
        let (s, r) = post(&a, &status, guess.clone(), None).await;
        assert_eq!(s, 404, "{r}");
    }
    let (s, r) = post(&a, &status, guess, None).await;
    assert_eq!(
        (s, r["code"].as_str()),
        (429, Some("complaint.too_many_attempts")),
        "{r}"
    );
    let right = json!({ "receipt_number": number, "access_code": receipt["access_code"] });
    let (s, r) = post(&b, &status, right, None).await;
    assert_eq!(s, 200, "the complainant is not the guesser: {r}");

    // A client talking to the service directly is no proxy: what it claims to forward for is
    // not believed (A's exhausted address, here), and it counts as itself.
    let direct = format!("{}/api/v1/complaints", app.portal);
    let own = reqwest::Client::new();
    for _ in 0..2 {
        let (s, r) = post(&own, &direct, complaint(), Some("127.0.0.12, 127.0.0.11")).await;
        assert_eq!(s, 201, "{r}");
    }
    let (s, _) = post(&own, &direct, complaint(), Some("198.51.100.99")).await;
    assert_eq!(s, 429, "a forged header is no new address");

    // The audit trail names the client, not the gateway.
    let (sql, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("sql");
    tokio::spawn(conn);
    let row = sql
        .query_one(
            "SELECT client_ip FROM audit_log WHERE action = 'complaint.received' \
             ORDER BY id LIMIT 1",
            &[],
        )
        .await
        .expect("an audit row");
    assert_eq!(
        row.get::<_, Option<String>>(0).as_deref(),
        Some("127.0.0.11")
    );
    gateway.stop().await;
}

/// Two portal instances on one database share the intake limit: it is counted in the
/// database, not in either process.
#[tokio::test]
async fn two_instances_share_one_intake_limit() {
    let app = TestApp::spawn_with(&[("FRT__COMPLAINTS__INTAKE_PER_HOUR", "2")]).await;
    let second = frt_web::Core::build(app.core.settings.as_ref().clone())
        .await
        .expect("a second instance's context");
    let other = portal::build(second).expect("a second portal");
    let other_url = format!("http://127.0.0.1:{}", other.port());
    let handle = other.handle();
    tokio::spawn(other.run_until_stopped());
    let http = reqwest::Client::new();
    let (s, _) = post(
        &http,
        &format!("{}/api/v1/complaints", app.portal),
        complaint(),
        None,
    )
    .await;
    assert_eq!(s, 201);
    let (s, _) = post(
        &http,
        &format!("{other_url}/api/v1/complaints"),
        complaint(),
        None,
    )
    .await;
    assert_eq!(s, 201);
    let (s, r) = post(
        &http,
        &format!("{}/api/v1/complaints", app.portal),
        complaint(),
        None,
    )
    .await;
    assert_eq!(
        (s, r["code"].as_str()),
        (429, Some("complaint.too_many_complaints")),
        "{r}"
    );
    handle.stop(true).await;
}
