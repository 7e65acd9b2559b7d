//! Several instances, one truth: two instances of portal, casework and exchange and two worker
//! processes on one database, as a load balancer spreads one caller's requests over them.
//! Every limit and throttle holds across the instances (it is kept in the database, not in a
//! process), an Idempotency-Key answers the same whichever instance a retry reaches, the
//! day's sweep is run by one worker, and every mail goes out once.

mod common;

use common::{count, worker};
use frt_access::{AgencyKind, Role};
use frt_store::audit::Actor;
use frt_testkit::app::PASSWORD;
use frt_testkit::{Client, TestApp};
use reqwest::Method;
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const SETTINGS: &[(&str, &str)] = &[
    ("FRT__COMPLAINTS__INTAKE_PER_HOUR", "4"),
    ("FRT__AUTH__REGISTRATIONS_PER_HOUR", "1000"),
    ("FRT__AUTH__MAX_FAILED_LOGINS", "3"),
    ("FRT__EXCHANGE__REQUESTS_PER_MINUTE", "5"),
];

fn complaint(n: usize) -> serde_json::Value {
    json!({
        "processor": { "name": format!("某商场{n}") },
        "province": "310000",
        "description": "商场入口只能刷脸进入，没有其他方式。",
        "occurred_on": frt_cases::today_in_china(),
        "location": "上海市静安区",
        "reply": { "channel": "mail", "email": format!("citizen{n}@example.com"), "name": "王五" }
    })
}

#[tokio::test]
async fn limits_hold_across_instances_and_two_workers_send_every_mail_once() {
    let (app, sink) = TestApp::spawn_with_mail(SETTINGS).await;
    let other = app.another_instance(SETTINGS).await;
    let exchange = exchange::build(app.core.clone()).expect("exchange");
    let first_exchange = format!("http://127.0.0.1:{}", exchange.port());
    tokio::spawn(exchange.run_until_stopped());
    let instances: [&Client; 2] = [&app.client, &other.client];

    // The public complaint intake: four an hour from one address, whichever instance takes
    // each.
    let mut answers = Vec::new();
    for n in 0..6 {
        let (s, b) = instances[n % 2]
            .portal_post(None, "/api/v1/complaints", complaint(n))
            .await;
        answers.push((s, b["code"].as_str().unwrap_or_default().to_owned()));
    }
    let taken = answers.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(taken, 4, "{answers:?}");
    assert!(
        answers[4..]
            .iter()
            .all(|(s, c)| *s == 429 && c == "complaint.too_many_complaints"),
        "{answers:?}"
    );

    // Wrong passwords spread over both: the third attempt within the window is refused, as
    // it is on one instance (per instance it would be only the second there).
    let email = app
        .staff_account(AgencyKind::ProvincialCac, Some("310000"), Role::Reviewer)
        .await;
    let mut statuses = Vec::new();
    for n in 0..3 {
        let i = instances[n % 2];
        let (s, _) = i
            .call(
                Method::POST,
                &format!("{}/api/v1/auth/login", i.casework),
                None,
                Some(json!({ "email": email, "password": "not-the-password" })),
            )
            .await;
        statuses.push(s);
    }
    assert_eq!(statuses, [401, 401, 429]);
    for i in instances {
        let (s, b) = i
            .call(
                Method::POST,
                &format!("{}/api/v1/auth/login", i.casework),
                None,
                Some(json!({ "email": email, "password": PASSWORD })),
            )
            .await;
        assert_eq!(
            (s, b["code"].as_str()),
            (429, Some("auth.too_many_attempts")),
            "{b}"
        );
    }

    // A submission retried on the other instance under its Idempotency-Key: one submission.
    let (processor, _) = app.register_processor("多实例有限公司", "310000").await;
    let id = app
        .complete_draft(&processor, "initial", frt_cases::today_in_china(), None)
        .await;
    let (s1, b1) = app
        .submit(&processor, &id, Some("retry-across-instances"))
        .await;
    let (s2, b2) = other
        .submit(&processor, &id, Some("retry-across-instances"))
        .await;
    assert_eq!((s1, s2), (200, 200), "{b1} {b2}");
    assert_eq!(
        b1["version"], b2["version"],
        "the retry answers as the first did"
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT count(*) FROM audit_log WHERE action = 'filing.submitted' \
                 AND entity_id = '{id}'"
            )
        )
        .await,
        1
    );

    // An exchange client's five requests a minute, spread over both exchanges.
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Inspector)
        .await;
    let client = frt_cases::exchange::create_client(
        &app.core,
        &Actor::system("test"),
        &app.agency_of(&police).await.to_string(),
        &["notifications:read".into()],
    )
    .await
    .expect("client");
    let mut statuses = Vec::new();
    for n in 0..7 {
        let base = if n % 2 == 0 {
            &first_exchange
        } else {
            &other.exchange
        };
        let path = format!("/api/v1/sync/notifications?limit={}", n + 1);
        let (s, _) = frt_testkit::client::signed(
            base,
            &client.key_id,
            &client.secret,
            Method::GET,
            &path,
            None,
        )
        .await;
        statuses.push(s);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429]);

    // Two workers at once: every message queued so far (registrations, receipts,
    // complaints' acknowledgements) goes out once, and the day's sweep runs once.
    for n in 0..10 {
        instances[n % 2]
            .register_unconfirmed(&format!("多实例{n}号有限公司"), "310000")
            .await;
    }
    let queued = count(&app, "SELECT count(*) FROM outbox").await;
    assert!(queued >= 15, "{queued} messages queued");
    let mut workers = Vec::new();
    for _ in 0..2 {
        let mut cmd = worker(&app, sink.port);
        cmd.env("FRT__WORKER__SWEEP_TAKEOVER_MS", "3600000");
        workers.push(cmd.spawn().expect("a worker"));
    }
    let until = Instant::now() + Duration::from_secs(30);
    let open = "SELECT count(*) FROM outbox WHERE status <> 'sent'";
    while Instant::now() < until
        && (count(&app, open).await > 0
            || count(
                &app,
                "SELECT count(*) FROM sweep_runs WHERE finished_at IS NOT NULL",
            )
            .await
                == 0)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for mut w in workers {
        let _ = w.kill().await;
    }
    assert_eq!(count(&app, open).await, 0, "every message sent");
    let mut arrived: HashMap<String, usize> = HashMap::new();
    for m in sink.received() {
        *arrived.entry(m.message_id()).or_default() += 1;
    }
    assert_eq!(arrived.len() as i64, queued, "each message arrived");
    assert!(
        arrived.values().all(|n| *n == 1),
        "a mail arrived twice: {arrived:?}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) FROM sweep_runs WHERE finished_at IS NOT NULL"
        )
        .await,
        1,
        "the day's sweep, run once"
    );
}
