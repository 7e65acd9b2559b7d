//! Prometheus metrics, scraped as an operator's Prometheus would: portal, casework, exchange
//! and the worker's own listener each serve `GET /metrics` to the bearer of `metrics.token`
//! and answer 404 to anyone else; the series name what the platform does (requests by route
//! template, the pool, the outbox, the sweep, the audit chain, the exchange feeds, imports and
//! exports).

use frt_access::{AgencyKind, Role};
use frt_store::audit::Actor;
use frt_testkit::TestApp;
use reqwest::Method;

const TOKEN: &str = "metrics-token-for-tests";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn scrape(http: &reqwest::Client, base: &str, token: Option<&str>) -> (u16, String) {
    let mut req = http.get(format!("{base}/metrics"));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.expect("scrape");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// The value of the first sample of `series` whose labels contain every one of `labels`.
fn sample(text: &str, series: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            l.strip_prefix(series)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .find(|l| labels.iter().all(|want| l.contains(want)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn every_service_and_the_worker_serve_metrics_to_the_token_and_to_nobody_else() {
    let (app, _sink) = TestApp::spawn_with_mail(&[
        ("FRT__METRICS__TOKEN", TOKEN),
        ("FRT__WORKER__SWEEP_AT", "00:00"),
    ])
    .await;
    let exchange = exchange::build(app.core.clone()).expect("exchange");
    let exchange_url = format!("http://127.0.0.1:{}", exchange.port());
    tokio::spawn(exchange.run_until_stopped());
    let (worker_http, worker_addr) =
        frt_web::metrics::worker_server(app.core.clone(), "127.0.0.1:0").expect("listen");
    tokio::spawn(worker_http);
    let worker_url = format!("http://{worker_addr}");
    let http = reqwest::Client::new();

    // Something of everything: a filing submitted (its receipt queued), an export, an import
    // checked, a sweep, mail sent, an exchange client that read its feed once.
    let (processor, _) = app.register_processor("指标测试有限公司", "310000").await;
    let id = app
        .complete_draft(&processor, "initial", frt_cases::today_in_china(), None)
        .await;
    let (s, b) = app.submit(&processor, &id, None).await;
    assert_eq!(s, 200, "{b}");
    let reviewer = app.reviewer("310000").await;
    let (s, _) = app
        .get_bytes(
            &reviewer,
            &format!("{}/api/v1/exports/registry.xlsx", app.casework),
        )
        .await;
    assert_eq!(s, 200);
    let handler = app
        .staff(
            AgencyKind::ProvincialCac,
            Some("310000"),
            Role::ComplaintHandler,
        )
        .await;
    let (s, template) = app
        .get_bytes(
            &handler,
            &format!("{}/api/v1/imports/complaints/template", app.casework),
        )
        .await;
    assert_eq!(s, 200);
    let r = http
        .post(format!(
            "{}/api/v1/imports/complaints?dry_run=true",
            app.casework
        ))
        .bearer_auth(&handler)
        .header("content-type", XLSX)
        .body(template)
        .send()
        .await
        .expect("import");
    assert!(r.status().as_u16() < 500, "{}", r.status());
    let worker = app.worker();
    worker.scheduled_sweep().await.expect("the day's sweep");
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Inspector)
        .await;
    let agency = app.agency_of(&police).await;
    let client = frt_cases::exchange::create_client(
        &app.core,
        &Actor::system("test"),
        &agency.to_string(),
        &["notifications:read".into()],
    )
    .await
    .expect("client");
    let (s, b) = frt_testkit::client::signed(
        &exchange_url,
        &client.key_id,
        &client.secret,
        Method::GET,
        "/api/v1/sync/notifications",
        None,
    )
    .await;
    assert_eq!(s, 200, "{b}");

    // Nobody but the token's bearer: the address does not exist for them.
    for base in [&app.portal, &app.casework, &exchange_url, &worker_url] {
        assert_eq!(
            scrape(&http, base, None).await.0,
            404,
            "{base} without a token"
        );
        assert_eq!(
            scrape(&http, base, Some("not-the-token")).await.0,
            404,
            "{base} with another token"
        );
        let (s, text) = scrape(&http, base, Some(TOKEN)).await;
        assert_eq!(s, 200, "{base}: {text}");
        assert!(text.contains("# TYPE frt_http_request_duration_seconds histogram"));
    }
    let r = http
        .get(format!("{worker_url}/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(r.status().as_u16(), 200);

    // The mail of the receipt waits until the worker sends it; then it is counted as sent.
    let (_, before) = scrape(&http, &app.casework, Some(TOKEN)).await;
    assert!(
        sample(&before, "frt_outbox_messages", &[r#"status="pending""#]).unwrap_or(0.0) >= 1.0,
        "{before}"
    );
    assert!(sample(&before, "frt_outbox_oldest_pending_seconds", &[]).is_some());
    worker.send_due().await.expect("send");
    let (_, text) = scrape(&http, &worker_url, Some(TOKEN)).await;
    assert_eq!(
        sample(&text, "frt_outbox_messages", &[r#"status="pending""#]),
        Some(0.0),
        "{text}"
    );
    assert!(
        sample(&text, "frt_outbox_settled_total", &[r#"outcome="sent""#]).unwrap_or(0.0) >= 1.0,
        "{text}"
    );
    // Requests by route template, never by the path of one filing.
    assert!(
        sample(
            &text,
            "frt_http_request_duration_seconds_count",
            &[
                r#"service="portal""#,
                r#"route="/api/v1/filings/{id}/submit""#,
                r#"status="2xx""#
            ]
        )
        .unwrap_or(0.0)
            >= 1.0,
        "{text}"
    );
    assert!(!text.contains(&id), "a filing's id in a label");
    for (series, labels) in [
        ("frt_db_pool_connections", vec![r#"state="in_use""#]),
        ("frt_db_pool_max_connections", vec![]),
        ("frt_database_up", vec![]),
        ("frt_sweep_runs_total", vec![r#"outcome="done""#]),
        ("frt_sweep_last_finished_age_seconds", vec![]),
        ("frt_audit_chain_length", vec![]),
        ("frt_audit_chain_head_age_seconds", vec![]),
        (
            "frt_exchange_feed_lag_events",
            vec![r#"feed="notifications""#],
        ),
        ("frt_exchange_feed_last_sync_age_seconds", vec![]),
        (
            "frt_import_duration_seconds_count",
            vec![r#"kind="complaints""#],
        ),
        (
            "frt_export_duration_seconds_count",
            vec![r#"kind="registry""#],
        ),
    ] {
        assert!(
            sample(&text, series, &labels).is_some(),
            "{series} {labels:?} missing:\n{text}"
        );
    }
    assert_eq!(sample(&text, "frt_database_up", &[]), Some(1.0));
    let client_label = format!(r#"client="{}""#, client.key_id);
    assert_eq!(
        sample(&text, "frt_exchange_feed_lag_events", &[&client_label]),
        Some(0.0),
        "the client has read everything it may: {text}"
    );
}
