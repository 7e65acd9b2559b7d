//! PostgreSQL crashed (`pg_ctl stop -m immediate`: no checkpoint), down for a moment, and
//! started again (WAL recovery) while processors create and submit filings and a reviewer
//! records them: every request answers 2xx or 503 with `Retry-After`, never 500; every acknowledged write is found afterwards; the
//! services serve again without a restart; the audit chain is whole. The test runs its own
//! cluster (Debian's PostgreSQL binaries, `initdb` in a temporary folder, as `postgres` when
//! the tests run as root), so that crashing it disturbs no other test.

use frt_testkit::app::test_settings;
use frt_testkit::cluster::Cluster;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const QA: &str = "restart-qa-token-0123456789";

/// What the clients saw.
#[derive(Default)]
struct Seen {
    /// Filings acknowledged as created (201), submitted (200) or recorded (200).
    created: Vec<String>,
    submitted: Vec<String>,
    recorded: Vec<String>,
    /// Filings whose record was refused as no longer waiting (409) after an unanswered try:
    /// recorded by that try.
    recorded_before: Vec<String>,
    /// Submitted filings waiting for the reviewer.
    to_decide: std::collections::VecDeque<String>,
    unavailable: usize,
    without_retry_after: usize,
    other: Vec<(u16, String)>,
}

async fn post(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    body: Value,
) -> Option<(u16, bool, Value)> {
    let r = http
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .ok()?;
    let status = r.status().as_u16();
    let retry = r.headers().contains_key("retry-after");
    Some((status, retry, r.json().await.unwrap_or(Value::Null)))
}

#[tokio::test]
async fn a_crashed_and_restarted_database_loses_no_acknowledged_write_and_the_services_recover() {
    let cluster = Cluster::start();
    let maintenance = cluster.url("postgres");
    let (c, conn) = tokio_postgres::connect(&maintenance, tokio_postgres::NoTls)
        .await
        .expect("connect to the test's cluster");
    tokio::spawn(conn);
    c.batch_execute("CREATE DATABASE frt")
        .await
        .expect("create");
    let url = cluster.url("frt");
    let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect to the platform's database");
    tokio::spawn(conn);
    frt_testkit::db::migrate_with_reference(&url).await;

    let blobs = cluster.dir.join("blobs");
    let settings = test_settings(
        &url,
        &blobs,
        &[
            ("FRT__QA__TOKEN", QA),
            ("FRT__DATABASE__POOL_SIZE", "4"),
            ("FRT__DATABASE__CHECKOUT_TIMEOUT_MS", "1000"),
            ("FRT__DATABASE__CONNECT_TIMEOUT_MS", "1000"),
            ("FRT__DATABASE__STATEMENT_TIMEOUT_MS", "3000"),
        ],
    );
    let core = frt_web::Core::build(settings).await.expect("core");
    let portal = portal::build(core.clone()).expect("portal");
    let casework = casework::build(core.clone()).expect("casework");
    let client = frt_testkit::Client::new(
        format!("http://127.0.0.1:{}", portal.port()),
        format!("http://127.0.0.1:{}", casework.port()),
    )
    .with_qa_token(QA);
    tokio::spawn(portal.run_until_stopped());
    tokio::spawn(casework.run_until_stopped());
    // The national CAC's reviewer records filings of every province.
    let reviewer = client
        .staff_via_qa(
            QA,
            frt_access::AgencyKind::NationalCac,
            None,
            frt_access::Role::Reviewer,
        )
        .await;

    // Processors with complete drafts ready to submit, and tokens to keep creating more.
    let mut processors = Vec::new();
    for (i, province) in ["310000", "320000", "330000"].iter().enumerate() {
        let email = client
            .register_unconfirmed(&format!("重启测试{i}号有限公司"), province)
            .await;
        // As the mailed link would.
        c.execute(
            "UPDATE users SET address_confirmed = true WHERE email = $1",
            &[&email],
        )
        .await
        .expect("confirm the address");
        let (token, _) = client.signed_in_admin(&email).await;
        let today = chrono::Utc::now().date_naive();
        let mut drafts = Vec::new();
        for _ in 0..4 {
            drafts.push(client.complete_draft(&token, "initial", today, None).await);
        }
        processors.push((token, drafts));
    }

    let seen = Arc::new(Mutex::new(Seen::default()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let mut load = Vec::new();
    for (token, drafts) in processors {
        let (seen, stop, http, portal) = (
            seen.clone(),
            stop.clone(),
            http.clone(),
            client.portal.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut drafts = drafts.into_iter();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                // Submit the next ready draft, or create a new one.
                let (url, body, submitting) = match drafts.next() {
                    Some(id) => (
                        format!("{portal}/api/v1/filings/{id}/submit"),
                        json!({}),
                        Some(id),
                    ),
                    None => (
                        format!("{portal}/api/v1/filings"),
                        json!({ "kind": "initial" }),
                        None,
                    ),
                };
                let Some((status, retry, body)) = post(&http, &url, &token, body).await else {
                    continue;
                };
                {
                    let mut s = seen.lock().expect("seen");
                    match (status, submitting) {
                        (200, Some(id)) => {
                            s.to_decide.push_back(id.clone());
                            s.submitted.push(id);
                        }
                        (201, None) => {
                            if let Some(id) = body["id"].as_str() {
                                s.created.push(id.to_owned());
                            }
                        }
                        (503, _) => {
                            s.unavailable += 1;
                            if !retry {
                                s.without_retry_after += 1;
                            }
                        }
                        (other, _) => s.other.push((other, body.to_string())),
                    }
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    {
        let (seen, stop, http, casework) = (
            seen.clone(),
            stop.clone(),
            http.clone(),
            client.casework.clone(),
        );
        load.push(tokio::spawn(async move {
            let mut unanswered = std::collections::HashSet::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let next = seen.lock().expect("seen").to_decide.pop_front();
                let Some(id) = next else {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                };
                let url = format!("{casework}/api/v1/filings/{id}/record");
                let answer = post(&http, &url, &reviewer, json!({})).await;
                {
                    let mut s = seen.lock().expect("seen");
                    match answer {
                        Some((200, _, _)) => s.recorded.push(id),
                        Some((409, _, _)) if unanswered.contains(&id) => s.recorded_before.push(id),
                        Some((503, retry, _)) => {
                            s.unavailable += 1;
                            if !retry {
                                s.without_retry_after += 1;
                            }
                            unanswered.insert(id.clone());
                            s.to_decide.push_back(id);
                        }
                        None => {
                            unanswered.insert(id.clone());
                            s.to_decide.push_back(id);
                        }
                        Some((other, _, body)) => s.other.push((other, body.to_string())),
                    }
                }
                // Decisions spread over the crash.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }));
    }

    tokio::time::sleep(Duration::from_millis(800)).await;
    let crashed_at = Instant::now();
    // A crash (no checkpoint, no goodbye to the clients), down for a second and a half, then
    // a start that recovers from the WAL.
    cluster.ctl(&["stop", "-m", "immediate"]);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.ctl(&["start", "-w"]);
    let restarted_in = crashed_at.elapsed();
    // Until the services answer again without being restarted.
    let ready = format!("{}/readyz", client.portal);
    let mut recovered = false;
    for _ in 0..200 {
        if http
            .get(&ready)
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(recovered, "the services recover without a restart");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for l in load {
        l.await.expect("a load task");
    }

    let seen = std::mem::take(&mut *seen.lock().expect("seen"));
    assert!(seen.other.is_empty(), "only 2xx or 503: {:?}", seen.other);
    assert_eq!(seen.without_retry_after, 0, "every 503 says when to retry");
    assert!(!seen.created.is_empty(), "writes were acknowledged");
    assert!(seen.unavailable > 0, "the outage was seen");
    // Every acknowledged write is there after the crash.
    let (c, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect after the restart");
    tokio::spawn(conn);
    // Each filing's status now (none for one that is not there).
    let mut now = std::collections::HashMap::new();
    for r in c
        .query("SELECT id::text, status FROM filings", &[])
        .await
        .expect("filings")
    {
        now.insert(r.get::<_, String>(0), r.get::<_, String>(1));
    }
    let mut checked = 0;
    for (ids, what, holds) in [
        (
            &seen.created,
            "created",
            (|_: &str| true) as fn(&str) -> bool,
        ),
        (&seen.submitted, "submitted", |s: &str| s != "draft"),
        (&seen.recorded, "recorded", |s: &str| s == "filed"),
        (&seen.recorded_before, "recorded", |s: &str| s == "filed"),
    ] {
        for id in ids {
            let status = now.get(id).map(String::as_str);
            assert!(
                status.is_some_and(holds),
                "{what} filing {id} acknowledged and lost: {status:?}"
            );
            checked += 1;
        }
    }
    assert!(!seen.recorded.is_empty(), "decisions were acknowledged");
    let mut conn = core.db.conn().await.expect("a connection");
    let chain = frt_store::audit::verify(&mut conn).await.expect("verify");
    assert_eq!(chain.first_break, None, "{chain:?}");
    eprintln!(
        "database restart: {checked} acknowledged writes checked ({} created, {} submitted, {} \
         recorded), {} answers 503 meanwhile, restart took {:.1}s, {} audit rows intact",
        seen.created.len(),
        seen.submitted.len(),
        seen.recorded.len() + seen.recorded_before.len(),
        seen.unavailable,
        restarted_in.as_secs_f64(),
        chain.rows_checked
    );
}
