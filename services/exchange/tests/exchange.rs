//! The exchange service over HTTP with signed requests: a sync that sees every notification
//! exactly once while writers commit out of order, refusals (unsigned, stale, bad signature,
//! replayed, revoked, missing scope), a push retried under its Idempotency-Key, and
//! acknowledgement by a system.

use frt_access::{signing, AgencyKind, Role};
use frt_cases::exchange::{self as ex, NewClient};
use frt_cases::notifications::{self, NotificationInput, Origin};
use frt_store::audit::Actor;
use frt_store::ScopedFutureExt;
use frt_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

struct Exchange {
    base: String,
    http: reqwest::Client,
    handle: frt_web::server::ServerHandle,
}

impl Exchange {
    fn start(app: &TestApp) -> Self {
        let server = exchange::build(app.core.clone()).expect("exchange");
        let base = format!("http://127.0.0.1:{}", server.port());
        let handle = server.handle();
        tokio::spawn(server.run_until_stopped());
        Self {
            base,
            http: reqwest::Client::new(),
            handle,
        }
    }
}

/// A distinct timestamp per request within the window, so that no two signatures of a test
/// collide (the same signature twice is a replay).
static SENT: AtomicU64 = AtomicU64::new(0);
static START: std::sync::OnceLock<i64> = std::sync::OnceLock::new();

fn now_ts() -> i64 {
    let start = *START.get_or_init(|| chrono::Utc::now().timestamp());
    start - i64::try_from(SENT.fetch_add(1, Ordering::Relaxed) % 250).unwrap_or(0)
}

/// A signed request as the contract says; returns (status, body).
async fn signed(
    ex: &Exchange,
    client: &NewClient,
    method: Method,
    path: &str,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let raw = body.map(|b| b.to_string());
    let body = raw.as_deref().map(|b| (b.as_bytes(), "application/json"));
    let r = send_signed(ex, client, method, path, body, extra).await;
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A signed request with any body (bytes and their type).
async fn send_signed(
    ex: &Exchange,
    client: &NewClient,
    method: Method,
    path: &str,
    body: Option<(&[u8], &str)>,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let ts = now_ts().to_string();
    let sig = signing::sign(
        &client.secret,
        &signing::canonical(method.as_str(), path, &ts, body.map_or(b"", |b| b.0)),
    );
    let mut req = ex
        .http
        .request(method, format!("{}{path}", ex.base))
        .header("X-FRT-Key", &client.key_id)
        .header("X-FRT-Timestamp", &ts)
        .header("X-FRT-Signature", &sig);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    if let Some((bytes, content_type)) = body {
        req = req
            .header("content-type", content_type)
            .body(bytes.to_vec());
    }
    req.send().await.expect("request")
}

fn notice(to: Uuid, title: &str) -> NotificationInput {
    serde_json::from_value(json!({
        "kind": "information_sharing",
        "recipients": [to],
        "title": title,
        "body": "共享线索。"
    }))
    .expect("input")
}

/// An agency acting as such (as its system would).
async fn sender(app: &TestApp, agency: Uuid) -> Origin {
    let mut conn = app.core.db.conn().await.expect("connection");
    let agency = frt_store::identities::agency(&mut conn, agency)
        .await
        .expect("agency")
        .expect("an agency of that id");
    Origin::agency(&agency, None, Actor::system("test"))
}

#[tokio::test]
async fn a_sync_sees_every_notification_once_while_writers_commit_out_of_order() {
    let app = TestApp::spawn().await;
    let ex = Exchange::start(&app);
    let shanghai = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Supervisor)
        .await;
    let (from, to) = (app.agency_of(&shanghai).await, app.agency_of(&police).await);
    let client = ex::create_client(
        &app.core,
        &Actor::system("test"),
        &to.to_string(),
        &["notifications:read".into()],
    )
    .await
    .expect("client");

    // The unit's own notification to the office, which the office acknowledges in a
    // transaction that begins first and commits last: its event for the unit is numbered
    // before those of the notifications sent to the unit meanwhile.
    let asked = notifications::send(
        &app.core,
        &sender(&app, to).await,
        &serde_json::from_value(json!({ "kind": "feedback", "recipients": [from],
            "title": "请签收", "body": "核查结果。", "ack_required": true }))
        .expect("input"),
    )
    .await
    .expect("send");
    let core = app.core.clone();
    let from_origin = sender(&app, from).await;
    let (held_tx, held_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = tokio::sync::oneshot::channel::<()>();
    let asked_id = asked.id;
    let slow = tokio::spawn(async move {
        let core = &core;
        core.db
            .tx(|conn| {
                async move {
                    let v = notifications::receive_in(
                        conn,
                        core,
                        &from_origin,
                        asked_id,
                        &notifications::Receipt::Acknowledge,
                    )
                    .await?;
                    let _ = held_tx.send(());
                    let _ = release_rx.await;
                    Ok::<_, notifications::NotificationError>(v)
                }
                .scope_boxed()
            })
            .await
            .expect("slow writer")
    });
    held_rx
        .await
        .expect("the slow writer holds its transaction");
    let mut sent = HashSet::new();
    for i in 0..3 {
        let v = notifications::send(
            &app.core,
            &sender(&app, from).await,
            &notice(to, &format!("快{i}")),
        )
        .await
        .expect("send");
        sent.insert(format!("received {}", v.id));
    }

    // The reader syncs while the slow one is still open: it must not move past it.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let sync = |cursor: Option<String>| {
        let path = match cursor {
            Some(c) => format!("/api/v1/sync/notifications?cursor={c}&limit=2"),
            None => "/api/v1/sync/notifications?limit=2".to_owned(),
        };
        let ex = &ex;
        let client = &client;
        async move { signed(ex, client, Method::GET, &path, None, &[]).await }
    };
    for _ in 0..5 {
        let (s, page) = sync(cursor.clone()).await;
        assert_eq!(s, 200, "{page}");
        for item in page["items"].as_array().expect("items") {
            seen.push(format!(
                "{} {}",
                item["event"].as_str().expect("event"),
                item["notification"]["id"].as_str().expect("id")
            ));
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    // Nothing passed the open transaction: the reader waits rather than skip it.
    assert!(seen.is_empty(), "{seen:?}");
    let _ = release_tx.send(());
    slow.await.expect("slow writer");
    let late = format!("acknowledged {asked_id}");
    sent.insert(late.clone());
    // Rows become visible once every older transaction of the cluster has ended (other tests
    // running beside this one included): sync until all have come, or 20 seconds have passed.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while seen.len() < sent.len() && std::time::Instant::now() < until {
        let (s, page) = sync(cursor.clone()).await;
        assert_eq!(s, 200, "{page}");
        if page["items"].as_array().is_none_or(Vec::is_empty) {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        for item in page["items"].as_array().expect("items") {
            seen.push(format!(
                "{} {}",
                item["event"].as_str().expect("event"),
                item["notification"]["id"].as_str().expect("id")
            ));
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
    }
    let unique: HashSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "an item came twice: {seen:?}");
    assert_eq!(unique, sent, "every event exactly once");
    assert_eq!(
        seen.first(),
        Some(&late),
        "in the order of the transactions: {seen:?}"
    );
    ex.handle.stop(true).await;
}

#[tokio::test]
async fn refusals_idempotent_pushes_and_acknowledgement_by_a_system() {
    let app = TestApp::spawn().await;
    let ex = Exchange::start(&app);
    let shanghai = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Supervisor)
        .await;
    let (cac, unit) = (app.agency_of(&shanghai).await, app.agency_of(&police).await);
    let actor = Actor::system("test");
    let writer = ex::create_client(
        &app.core,
        &actor,
        &unit.to_string(),
        &["notifications:read".into(), "notifications:write".into()],
    )
    .await
    .expect("client");
    let reader = ex::create_client(
        &app.core,
        &actor,
        "public_security 310000",
        &["notifications:read".into()],
    )
    .await
    .expect("client by agency name");
    let code = |b: &Value| b["code"].as_str().unwrap_or_default().to_owned();

    // Unsigned, stale, wrongly signed, replayed.
    let r = ex
        .http
        .get(format!("{}/api/v1/sync/notifications", ex.base))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 401);
    let path = "/api/v1/sync/notifications";
    let old = (chrono::Utc::now().timestamp() - 301).to_string();
    let sig = signing::sign(&reader.secret, &signing::canonical("GET", path, &old, b""));
    let r = ex
        .http
        .get(format!("{}{path}", ex.base))
        .header("X-FRT-Key", &reader.key_id)
        .header("X-FRT-Timestamp", &old)
        .header("X-FRT-Signature", &sig)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 401);
    let b: Value = r.json().await.unwrap_or_default();
    assert_eq!(code(&b), "exchange.stale_timestamp");
    let ts = chrono::Utc::now().timestamp().to_string();
    let good = signing::sign(&reader.secret, &signing::canonical("GET", path, &ts, b""));
    let bad = signing::sign("not-the-secret", &signing::canonical("GET", path, &ts, b""));
    let send = |sig: String| {
        ex.http
            .get(format!("{}{path}", ex.base))
            .header("X-FRT-Key", &reader.key_id)
            .header("X-FRT-Timestamp", &ts)
            .header("X-FRT-Signature", sig)
            .send()
    };
    let r = send(bad).await.expect("send");
    let b: Value = r.json().await.unwrap_or_default();
    assert_eq!(code(&b), "exchange.bad_signature");
    let r = send(good.clone()).await.expect("send");
    assert_eq!(r.status().as_u16(), 200);
    let r = send(good).await.expect("send");
    let (s, b) = (
        r.status().as_u16(),
        r.json::<Value>().await.unwrap_or_default(),
    );
    assert_eq!((s, code(&b).as_str()), (401, "exchange.replayed"));

    // A push needs the scope, and is answered once per Idempotency-Key.
    let body = json!({ "kind": "feedback", "recipients": [cac], "title": "核查结果",
                       "body": "已核查，情况属实。" });
    let (s, b) = signed(
        &ex,
        &reader,
        Method::POST,
        "/api/v1/notifications",
        Some(&body),
        &[("Idempotency-Key", "k-1")],
    )
    .await;
    assert_eq!(
        (s, code(&b).as_str()),
        (403, "exchange.scope_missing"),
        "{b}"
    );
    let (s1, first) = signed(
        &ex,
        &writer,
        Method::POST,
        "/api/v1/notifications",
        Some(&body),
        &[("Idempotency-Key", "k-1")],
    )
    .await;
    assert_eq!(s1, 201, "{first}");
    assert_eq!(first["sender_client"], writer.key_id.as_str());
    let (s2, again) = signed(
        &ex,
        &writer,
        Method::POST,
        "/api/v1/notifications",
        Some(&body),
        &[("Idempotency-Key", "k-1")],
    )
    .await;
    assert_eq!(
        (s2, &again),
        (201, &first),
        "the retry gets the first answer"
    );
    let other = json!({ "kind": "feedback", "recipients": [cac], "title": "另一件",
                        "body": "不同的内容。" });
    let (s, b) = signed(
        &ex,
        &writer,
        Method::POST,
        "/api/v1/notifications",
        Some(&other),
        &[("Idempotency-Key", "k-1")],
    )
    .await;
    assert_eq!(
        (s, code(&b).as_str()),
        (422, "exchange.idempotency_key_reused"),
        "{b}"
    );
    let (_, list) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/notifications?direction=received", app.casework),
            Some(&shanghai),
            None,
        )
        .await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(1),
        "sent once: {list}"
    );

    // The office asks for acknowledgement; the unit's system acknowledges it.
    let n = notifications::send(
        &app.core,
        &sender(&app, cac).await,
        &serde_json::from_value(json!({ "kind": "violation_notice", "recipients": [unit],
            "title": "线索", "body": "请核查。", "ack_required": true }))
        .expect("input"),
    )
    .await
    .expect("send");
    let (s, v) = signed(
        &ex,
        &writer,
        Method::POST,
        &format!("/api/v1/notifications/{}/acknowledge", n.id),
        None,
        &[],
    )
    .await;
    assert_eq!(
        (s, v["recipients"][0]["status"].as_str()),
        (200, Some("acknowledged")),
        "{v}"
    );

    // Revoked: refused at once.
    assert!(ex::revoke_client(&app.core, &actor, &writer.key_id)
        .await
        .expect("revoke"));
    let (s, b) = signed(
        &ex,
        &writer,
        Method::GET,
        "/api/v1/sync/notifications",
        None,
        &[],
    )
    .await;
    assert_eq!((s, code(&b).as_str()), (401, "exchange.unknown_key"), "{b}");

    // Every call is audited under the client.
    let mut conn = app.core.db.conn().await.expect("conn");
    let trail = frt_store::audit::trail_page(
        &mut conn,
        frt_store::exchange::ENTITY,
        &writer.key_id,
        None,
        100,
    )
    .await
    .expect("trail");
    let calls = trail.iter().filter(|r| r.action == "exchange.call").count();
    assert!(calls >= 4, "{calls} calls audited");
    ex.handle.stop(true).await;
}

#[tokio::test]
async fn the_registry_syncs_recorded_filings_within_the_agencys_province() {
    let app = TestApp::spawn().await;
    let ex = Exchange::start(&app);
    let shanghai = app.recorded_filing("310000", "上海某公司").await;
    let beijing = app.recorded_filing("110000", "北京某公司").await;
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Supervisor)
        .await;
    let national = app
        .staff(AgencyKind::NationalCac, None, Role::Supervisor)
        .await;
    let actor = Actor::system("test");
    let local = ex::create_client(
        &app.core,
        &actor,
        &app.agency_of(&police).await.to_string(),
        &["registry:read".into()],
    )
    .await
    .expect("client");
    let whole = ex::create_client(
        &app.core,
        &actor,
        &app.agency_of(&national).await.to_string(),
        &["registry:read".into(), "notifications:read".into()],
    )
    .await
    .expect("client");
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["filing_id"].as_str().map(str::to_owned))
            .collect()
    };
    app.feed_settled().await;
    let (s, page) = signed(&ex, &local, Method::GET, "/api/v1/sync/registry", None, &[]).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(ids(&page), vec![shanghai.clone()], "{page}");
    assert_eq!(page["items"][0]["event"], "recorded");
    assert!(page["items"][0]["filing_number"]
        .as_str()
        .is_some_and(|n| n.starts_with("310000-")));
    assert_eq!(page["items"][0]["organisation_name"], "上海某公司");
    assert_eq!(page["items"][0]["province_code"], "310000");
    assert_eq!(page["items"][0]["kind"], "initial");
    let (s, page) = signed(&ex, &whole, Method::GET, "/api/v1/sync/registry", None, &[]).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(ids(&page), vec![shanghai, beijing], "{page}");
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    let (_, page) = signed(
        &ex,
        &whole,
        Method::GET,
        &format!("/api/v1/sync/registry?cursor={cursor}"),
        None,
        &[],
    )
    .await;
    assert!(ids(&page).is_empty(), "{page}");
    // Without the scope: 403.
    let (s, b) = signed(
        &ex,
        &local,
        Method::GET,
        "/api/v1/sync/notifications",
        None,
        &[],
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (403, Some("exchange.scope_missing")),
        "{b}"
    );
    ex.handle.stop(true).await;
}

/// With a certificate and key configured, the service speaks TLS itself (rustls): a signed sync
/// over HTTPS is answered, plain HTTP on the same port is not.
#[tokio::test]
async fn the_service_serves_tls_itself_when_configured() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("cert");
    let dir = std::env::temp_dir().join(format!("frt-tls-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("tls dir");
    let (cert_file, key_file) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_file, cert.cert.pem()).expect("cert file");
    std::fs::write(&key_file, cert.signing_key.serialize_pem()).expect("key file");
    let (cert_path, key_path) = (
        cert_file.to_string_lossy().into_owned(),
        key_file.to_string_lossy().into_owned(),
    );
    let app = TestApp::spawn_with(&[
        ("FRT__EXCHANGE__TLS_CERT", &cert_path),
        ("FRT__EXCHANGE__TLS_KEY", &key_path),
    ])
    .await;
    let server = exchange::build(app.core.clone()).expect("exchange over TLS");
    let port = server.port();
    let handle = server.handle();
    tokio::spawn(server.run_until_stopped());
    let root = reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).expect("root");
    let ex = Exchange {
        base: format!("https://localhost:{port}"),
        http: reqwest::Client::builder()
            .add_root_certificate(root)
            .build()
            .expect("https client"),
        handle,
    };
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Supervisor)
        .await;
    let unit = app.agency_of(&police).await;
    let client = ex::create_client(
        &app.core,
        &Actor::system("test"),
        &unit.to_string(),
        &["notifications:read".into()],
    )
    .await
    .expect("client");
    let (status, page) = signed(
        &ex,
        &client,
        Method::GET,
        "/api/v1/sync/notifications?limit=5",
        None,
        &[],
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page["next_cursor"].is_string(), "{page}");

    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await;
    assert!(
        plain.map(|r| !r.status().is_success()).unwrap_or(true),
        "plain HTTP must not be served on a TLS port"
    );

    // A half-configured pair is refused at start, naming both keys.
    let only_cert = std::panic::catch_unwind(|| {
        frt_testkit::app::test_settings(
            "postgres://unused",
            &dir,
            &[("FRT__EXCHANGE__TLS_CERT", cert_path.as_str())],
        )
    });
    assert!(
        only_cert.is_err(),
        "a certificate without a key must be refused"
    );
    ex.handle.stop(true).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A system attaches a file to the notification it pushed; a retry under the same key keeps no
/// second copy, an unsigned or wrongly signed upload stores nothing, and the recipient's system
/// downloads the file byte for byte.
#[tokio::test]
async fn a_system_attaches_a_file_once_and_the_recipient_downloads_it() {
    let app = TestApp::spawn().await;
    let ex = Exchange::start(&app);
    let shanghai = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Supervisor)
        .await;
    let (cac, unit) = (app.agency_of(&shanghai).await, app.agency_of(&police).await);
    let actor = Actor::system("test");
    let scopes = [
        "notifications:read".to_owned(),
        "notifications:write".to_owned(),
    ];
    let writer = ex::create_client(&app.core, &actor, &unit.to_string(), &scopes)
        .await
        .expect("unit client");
    let office = ex::create_client(&app.core, &actor, &cac.to_string(), &scopes)
        .await
        .expect("office client");
    let body = json!({ "kind": "information_sharing", "recipients": [cac], "title": "笔录",
                       "body": "附件为询问笔录。" });
    let (s, n) = signed(
        &ex,
        &writer,
        Method::POST,
        "/api/v1/notifications",
        Some(&body),
        &[("Idempotency-Key", "n-1")],
    )
    .await;
    assert_eq!(s, 201, "{n}");
    let id = n["id"].as_str().expect("id").to_owned();
    let pdf = frt_testkit::app::PDF;
    let path = format!("/api/v1/notifications/{id}/materials?filename=%E7%AC%94%E5%BD%95.pdf");
    // Files in the blob store (keys are "<2 hex>/<id>").
    let blobs = || {
        std::fs::read_dir(&app.core.settings.uploads.blob_dir)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|d| std::fs::read_dir(d.path()).ok())
            .flat_map(|files| files.filter_map(Result::ok))
            .count()
    };
    let before = blobs();

    // Unsigned, or signed over other bytes: refused, nothing kept.
    let r = ex
        .http
        .post(format!("{}{path}", ex.base))
        .body(pdf.to_vec())
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 401);
    let ts = now_ts().to_string();
    let sig = signing::sign(
        &writer.secret,
        &signing::canonical("POST", &path, &ts, b"other"),
    );
    let r = ex
        .http
        .post(format!("{}{path}", ex.base))
        .header("X-FRT-Key", &writer.key_id)
        .header("X-FRT-Timestamp", &ts)
        .header("X-FRT-Signature", &sig)
        .body(pdf.to_vec())
        .send()
        .await
        .expect("send");
    let b: Value = r.json().await.unwrap_or_default();
    assert_eq!(b["code"], "exchange.bad_signature", "{b}");
    assert_eq!(blobs(), before, "a refused upload leaves no file behind");

    let upload = || {
        send_signed(
            &ex,
            &writer,
            Method::POST,
            &path,
            Some((pdf, "application/pdf")),
            &[("Idempotency-Key", "a-1")],
        )
    };
    let r = upload().await;
    assert_eq!(r.status().as_u16(), 201);
    let first: Value = r.json().await.expect("material");
    assert_eq!(first["filename"], "笔录.pdf", "{first}");
    let r = upload().await;
    assert_eq!(r.status().as_u16(), 201);
    let again: Value = r.json().await.expect("material");
    assert_eq!(again, first, "the retry gets the first answer");
    assert_eq!(blobs(), before + 1, "the retry keeps no second copy");

    // A restricted notification is for the roles it names, never for a system.
    let restricted = notifications::send(
        &app.core,
        &sender(&app, unit).await,
        &serde_json::from_value(json!({ "kind": "information_sharing", "recipients": [cac],
            "title": "内部", "body": "仅限主管。", "classification": "restricted",
            "restricted_roles": ["supervisor"] }))
        .expect("input"),
    )
    .await
    .expect("restricted notification");

    // The office's system sees the attachment event, with the file in the notification's
    // view, and downloads the file.
    app.feed_settled().await;
    let (s, page) = signed(
        &ex,
        &office,
        Method::GET,
        "/api/v1/sync/notifications?limit=50",
        None,
        &[],
    )
    .await;
    assert_eq!(s, 200, "{page}");
    let items = page["items"].as_array().cloned().unwrap_or_default();
    let events: Vec<&str> = items.iter().filter_map(|i| i["event"].as_str()).collect();
    assert!(events.contains(&"attachment"), "{events:?}");
    let attached = items
        .iter()
        .find(|i| i["event"] == "attachment")
        .expect("the attachment event");
    assert_eq!(attached["notification"]["id"], id.as_str(), "{attached}");
    assert_eq!(
        attached["notification"]["materials"][0]["filename"], "笔录.pdf",
        "{attached}"
    );
    assert_eq!(
        attached["notification"]["recipients"][0]["agency"]["id"],
        cac.to_string(),
        "{attached}"
    );
    assert!(
        items
            .iter()
            .all(|i| i["notification"]["id"] != restricted.id.to_string()),
        "{page}"
    );
    let material = first["id"].as_str().expect("material id");
    let r = send_signed(
        &ex,
        &office,
        Method::GET,
        &format!("/api/v1/notifications/{id}/materials/{material}"),
        None,
        &[],
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.expect("file").as_ref(), pdf);
    ex.handle.stop(true).await;
}

/// Every operation first knows the client and its scope, and only then reads the path, query
/// or body: a client without the scope learns nothing from a malformed request but that it
/// may not; a file from it is never read. Refused requests (an unknown key, a bad signature)
/// are audited and, past `exchange.refused_per_minute` from one address, held back. A seen
/// signature is kept until its own signed time leaves the window.
#[tokio::test]
async fn a_client_is_known_and_allowed_before_anything_it_sent_is_read() {
    let app = TestApp::spawn_with(&[
        ("FRT__EXCHANGE__REFUSED_PER_MINUTE", "3"),
        ("FRT__HTTP__JSON_LIMIT_BYTES", "1024"),
    ])
    .await;
    let ex = Exchange::start(&app);
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Supervisor)
        .await;
    let unit = app.agency_of(&police).await;
    let actor = Actor::system("test");
    let reader = ex::create_client(
        &app.core,
        &actor,
        &unit.to_string(),
        &["notifications:read".into()],
    )
    .await
    .expect("client");
    let code = |b: &Value| b["code"].as_str().unwrap_or_default().to_owned();
    let r = send_signed(
        &ex,
        &reader,
        Method::POST,
        "/api/v1/notifications",
        Some((b"{not json", "application/json")),
        &[("Idempotency-Key", "k-1")],
    )
    .await;
    let status = r.status().as_u16();
    let b: Value = r.json().await.unwrap_or_default();
    assert_eq!(
        (status, code(&b)),
        (403, "exchange.scope_missing".into()),
        "{b}"
    );
    // Nothing of the body is read before the client is admitted: a body past the limit from a
    // client without the scope is refused for the scope, not for its size.
    let huge = vec![b' '; 4096];
    let r = send_signed(
        &ex,
        &reader,
        Method::POST,
        "/api/v1/notifications",
        Some((&huge, "application/json")),
        &[("Idempotency-Key", "k-2")],
    )
    .await;
    let status = r.status().as_u16();
    let b: Value = r.json().await.unwrap_or_default();
    assert_eq!(
        (status, code(&b)),
        (403, "exchange.scope_missing".into()),
        "{b}"
    );
    // An admitted client's body is read within http.json_limit_bytes.
    let r = send_signed(
        &ex,
        &reader,
        Method::GET,
        "/api/v1/sync/notifications",
        Some((&huge, "application/json")),
        &[],
    )
    .await;
    let status = r.status().as_u16();
    let b: Value = r.json().await.unwrap_or_default();
    assert_eq!((status, code(&b)), (413, "request.too_large".into()), "{b}");
    let (s, b) = signed(
        &ex,
        &reader,
        Method::GET,
        "/api/v1/sync/registry?limit=many",
        None,
        &[],
    )
    .await;
    assert_eq!((s, code(&b)), (403, "exchange.scope_missing".into()), "{b}");
    let (s, b) = signed(
        &ex,
        &reader,
        Method::POST,
        "/api/v1/notifications/not-an-id/feedback",
        None,
        &[],
    )
    .await;
    assert_eq!((s, code(&b)), (403, "exchange.scope_missing".into()), "{b}");
    let (s, b) = signed(
        &ex,
        &reader,
        Method::GET,
        "/api/v1/sync/notifications?limit=many",
        None,
        &[],
    )
    .await;
    assert_eq!(s, 400, "with the scope, the query is read: {b}");
    let path = format!(
        "/api/v1/notifications/{}/materials?filename=a.pdf",
        Uuid::now_v7()
    );
    let r = send_signed(
        &ex,
        &reader,
        Method::POST,
        &path,
        Some((frt_testkit::app::PDF, "application/pdf")),
        &[],
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);
    let stored = std::fs::read_dir(&app.core.settings.uploads.blob_dir)
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "a file from a client without the scope was kept");

    // The signature seen is kept until its signed time leaves the window.
    let (sql, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("sql");
    tokio::spawn(conn);
    let ts = chrono::Utc::now().timestamp() - 200;
    let sync = "/api/v1/sync/notifications";
    let sig = signing::sign(
        &reader.secret,
        &signing::canonical("GET", sync, &ts.to_string(), b""),
    );
    let r = ex
        .http
        .get(format!("{}{sync}", ex.base))
        .header("X-FRT-Key", &reader.key_id)
        .header("X-FRT-Timestamp", ts.to_string())
        .header("X-FRT-Signature", &sig)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 200);
    let row = sql
        .query_one(
            "SELECT extract(epoch FROM expires_at)::bigint FROM exchange_signatures \
             WHERE signature = $1",
            &[&sig],
        )
        .await
        .expect("the signature is kept");
    assert_eq!(row.get::<_, i64>(0), ts + signing::WINDOW_SECS);

    // Refusals are audited, and an address that keeps being refused waits.
    let stranger = NewClient {
        key_id: "fx_0000000000000000".into(),
        secret: "guess".into(),
        agency_id: unit,
        scopes: vec![],
    };
    for _ in 0..3 {
        let (s, b) = signed(&ex, &stranger, Method::GET, sync, None, &[]).await;
        assert_eq!((s, code(&b)), (401, "exchange.unknown_key".into()), "{b}");
    }
    let (s, b) = signed(&ex, &stranger, Method::GET, sync, None, &[]).await;
    assert_eq!(
        (s, code(&b)),
        (429, "exchange.too_many_refusals".into()),
        "{b}"
    );
    // The right client from the same address waits too: the address is held back, whoever.
    let (s, _) = signed(&ex, &reader, Method::GET, sync, None, &[]).await;
    assert_eq!(s, 429);
    let refused = sql
        .query_one(
            "SELECT count(*) FROM audit_log WHERE action = 'exchange.refused' \
             AND entity_id = 'fx_0000000000000000'",
            &[],
        )
        .await
        .expect("audit");
    assert_eq!(refused.get::<_, i64>(0), 3);
    ex.handle.stop(true).await;
}

/// A system of the national suite signs with HMAC-SM3 over the body's SM3
/// (`X-FRT-Signature-Alg: hmac-sm3`); a signature of one algorithm never passes for the other,
/// and an algorithm not known is refused like a bad signature.
#[tokio::test]
async fn a_request_signed_with_hmac_sm3_is_accepted_and_only_as_it_names_itself() {
    let app = TestApp::spawn().await;
    let ex = Exchange::start(&app);
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Supervisor)
        .await;
    let client = ex::create_client(
        &app.core,
        &Actor::system("test"),
        &app.agency_of(&police).await.to_string(),
        &["notifications:read".into()],
    )
    .await
    .expect("client");
    let path = "/api/v1/sync/notifications?limit=10";
    let send = |alg: Option<&'static str>, sig_alg: signing::SignatureAlg, ts: i64| {
        let canonical =
            signing::canonical_of_digest("GET", path, &ts.to_string(), &sig_alg.body_digest(b""));
        let sig = sig_alg.sign(&client.secret, &canonical);
        let mut req = ex
            .http
            .get(format!("{}{path}", ex.base))
            .header("X-FRT-Key", &client.key_id)
            .header("X-FRT-Timestamp", ts.to_string())
            .header("X-FRT-Signature", sig);
        if let Some(a) = alg {
            req = req.header("X-FRT-Signature-Alg", a);
        }
        req.send()
    };
    let now = now_ts();
    let sm3 = signing::SignatureAlg::HmacSm3;
    let sha = signing::SignatureAlg::HmacSha256;
    let ok = send(Some("hmac-sm3"), sm3, now).await.expect("request");
    assert_eq!(ok.status().as_u16(), 200, "{:?}", ok.text().await);
    // The same algorithm named for the other's signature, each way.
    let r = send(Some("hmac-sm3"), sha, now - 1).await.expect("request");
    assert_eq!(r.status().as_u16(), 401);
    let r = send(None, sm3, now - 2).await.expect("request");
    assert_eq!(r.status().as_u16(), 401);
    let r = send(Some("hmac-md5"), sha, now - 3).await.expect("request");
    assert_eq!(r.status().as_u16(), 401);
    // The default still signs as before.
    let r = send(Some("hmac-sha256"), sha, now - 4)
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
}
