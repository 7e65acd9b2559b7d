//! Database faults: with PostgreSQL refusing connections or black-holed, requests answer 503
//! problem+json within the configured timeouts and `/readyz` says not ready; when the database
//! returns, the service recovers without a restart.

use frt_testkit::app::test_settings;
use frt_testkit::fault::{FaultProxy, Mode};
use frt_testkit::TestDb;
use serde_json::Value;
use std::time::Duration;

async fn get(client: &reqwest::Client, url: &str) -> (u16, Value) {
    let r = client
        .get(url)
        .send()
        .await
        .expect("the service answers instead of hanging");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn until_ready(client: &reqwest::Client, url: &str) -> u16 {
    for _ in 0..100 {
        let (s, _) = get(client, url).await;
        if s == 200 {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    503
}

#[tokio::test]
async fn outage_and_partition_give_503_and_recover() {
    let db = TestDb::new().await;
    let (host_port, rest) = db
        .app_url
        .split_once('@')
        .map(|(_, r)| r.split_once('/').expect("db"))
        .expect("url");
    let proxy = FaultProxy::start(host_port.to_owned()).await;
    let via_proxy = db
        .app_url
        .replace(host_port, &format!("127.0.0.1:{}", proxy.port));
    assert!(via_proxy.ends_with(rest));
    let blobs = std::env::temp_dir().join(format!("frt-faults-{}", db.name()));
    let settings = test_settings(
        &via_proxy,
        &blobs,
        &[
            ("FRT__DATABASE__CHECKOUT_TIMEOUT_MS", "500"),
            ("FRT__DATABASE__CONNECT_TIMEOUT_MS", "500"),
            ("FRT__DATABASE__STATEMENT_TIMEOUT_MS", "1000"),
        ],
    );
    let core = frt_web::Core::build(settings).await.expect("core");
    let app = portal::build(core).expect("portal");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    // A hung request would fail this test through the client's own timeout.
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let ready = format!("{base}/readyz");
    let due = format!("{base}/api/v1/calendar/due-date?from=2025-06-01&working_days=30");

    assert_eq!(until_ready(&client, &ready).await, 200);
    assert_eq!(get(&client, &due).await.0, 200);

    for mode in [Mode::Down, Mode::BlackHole] {
        proxy.set(mode);
        let (s, b) = get(&client, &ready).await;
        assert_eq!(s, 503, "{mode:?} readyz: {b}");
        let (s, b) = get(&client, &due).await;
        assert_eq!(
            (s, b["code"].as_str()),
            (503, Some("service.unavailable")),
            "{mode:?}: {b}"
        );
        let (s, _) = get(&client, &format!("{base}/healthz")).await;
        assert_eq!(s, 200, "the process itself stays up");

        proxy.set(Mode::Forward);
        assert_eq!(
            until_ready(&client, &ready).await,
            200,
            "recovers after {mode:?}"
        );
        assert_eq!(get(&client, &due).await.0, 200);
    }
    let _ = std::fs::remove_dir_all(blobs);
}

/// Slow statements hold every pooled connection (requests waiting on a table another session
/// locked): a request that cannot get a connection within `database.checkout_timeout_ms`
/// answers 503 with `Retry-After`, never 500; `/healthz` answers meanwhile; once the lock is
/// gone the service serves again without a restart.
#[tokio::test]
async fn an_exhausted_pool_answers_503_with_retry_after_and_health_still_answers() {
    let app = frt_testkit::TestApp::spawn_with(&[
        ("FRT__DATABASE__POOL_SIZE", "2"),
        ("FRT__DATABASE__CHECKOUT_TIMEOUT_MS", "300"),
        ("FRT__DATABASE__STATEMENT_TIMEOUT_MS", "4000"),
    ])
    .await;
    let (token, _) = app.register_processor("连接池测试有限公司", "310000").await;
    let me = format!("{}/api/v1/me", app.portal);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let ask = |http: reqwest::Client, url: String, token: String| async move {
        let r = http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("the service answers");
        let status = r.status().as_u16();
        let retry = r.headers().contains_key("retry-after");
        let body: Value = r.json().await.unwrap_or(Value::Null);
        (status, retry, body)
    };
    // Another session locks the accounts; the next requests' statements wait on it.
    let locker = app.db.sql().await;
    locker
        .batch_execute("BEGIN; LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let slow: Vec<_> = (0..2)
        .map(|_| tokio::spawn(ask(http.clone(), me.clone(), token.clone())))
        .collect();
    // Both connections are taken once both statements wait on the lock.
    let watcher = app.db.sql().await;
    let mut waiting = 0;
    for _ in 0..200 {
        waiting = watcher
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE NOT granted \
                 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                &[],
            )
            .await
            .expect("activity")
            .get::<_, i64>(0);
        if waiting == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(waiting, 2, "both pooled connections wait on the lock");
    let started = std::time::Instant::now();
    let (s, retry, b) = ask(http.clone(), me.clone(), token.clone()).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "answered within the checkout timeout, not the statement timeout"
    );
    assert_eq!(
        (s, b["code"].as_str()),
        (503, Some("service.unavailable")),
        "{b}"
    );
    assert!(retry, "Retry-After");
    let (s, _) = get(&http, &format!("{}/healthz", app.portal)).await;
    assert_eq!(s, 200, "/healthz answers with the pool exhausted");
    locker.batch_execute("ROLLBACK").await.expect("unlock");
    for h in slow {
        let (s, _, b) = h.await.expect("a slow request");
        assert!(s == 200 || s == 503, "never 500: {s} {b}");
    }
    let (s, _, b) = ask(http.clone(), me.clone(), token.clone()).await;
    assert_eq!(s, 200, "recovered: {b}");
}
