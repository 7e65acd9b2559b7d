//! Mail over a real SMTP conversation: notices are queued in the transaction of the change
//! that causes them and the worker delivers them to an SMTP server run by the test, with
//! retries while the server is down, never twice, and permanent refusals not retried.

use frt_store::outbox::{self, NewMessage};
use frt_testkit::{SinkMode, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

async fn post(app: &TestApp, token: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("{}{path}", app.casework),
        Some(token),
        body,
    )
    .await
}

async fn outbox_of(app: &TestApp, filing: &str) -> Vec<outbox::Message> {
    let mut conn = app.core.db.conn().await.expect("conn");
    outbox::for_entity(&mut conn, "filing", filing.parse().expect("uuid"))
        .await
        .expect("outbox")
}

#[tokio::test]
async fn each_decision_reaches_the_processor_over_smtp() {
    let (app, sink) = TestApp::spawn_with_mail(&[]).await;
    let worker = app.worker();
    let (p, _) = app.register_processor("邮件测试有限公司", "310000").await;
    let r = app.reviewer("310000").await;
    let trigger = frt_cases::today_in_china() - chrono::Duration::days(3);
    let id = app.complete_draft(&p, "initial", trigger, None).await;
    let (s, b) = app.submit(&p, &id, None).await;
    assert_eq!(s, 200, "{b}");

    // The receipt was queued with the submission, and goes out when the worker runs.
    assert_eq!(outbox_of(&app, &id).await.len(), 1);
    assert!(sink.received().is_empty(), "nothing is sent from a request");
    let round = worker.send_due().await.expect("send");
    assert_eq!(round.sent, 1);
    let mails = sink.received();
    assert_eq!(mails.len(), 1);
    let receipt = &mails[0];
    assert!(receipt.to[0].starts_with("admin-"), "{:?}", receipt.to);
    assert!(
        receipt.subject().contains("已收到您的首次备案"),
        "{}",
        receipt.subject()
    );
    assert!(receipt.text().contains("邮件测试有限公司"));
    receipt.assert_utf8_text_with_encoded_subject();
    let queued = &outbox_of(&app, &id).await[0];
    assert_eq!(
        receipt.message_id(),
        format!("{}@frt.example.gov.cn", queued.id)
    );
    assert_eq!(queued.status, "sent");
    assert!(
        queued
            .outcome
            .as_deref()
            .is_some_and(|o| o.starts_with("250")),
        "{queued:?}"
    );

    // A return for correction carries the reasons and the correction time limit.
    let (s, b) = post(
        &app,
        &r,
        &format!("/api/v1/filings/{id}/return"),
        Some(json!({ "reasons": [
            { "path": "storage.people_stored", "message": "存储人数与评估报告不一致" },
            { "path": null, "message": "承诺书需加盖公章" }
        ]})),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let due = b["correction_deadline"]["due_date"]
        .as_str()
        .expect("correction due")
        .to_owned();
    worker.send_due().await.expect("send");
    let returned = sink.wait_for(2, Duration::from_secs(5)).await[1].clone();
    assert!(
        returned.subject().contains("退回补正"),
        "{}",
        returned.subject()
    );
    let text = returned.text();
    assert!(
        text.contains("[storage.people_stored] 存储人数与评估报告不一致"),
        "{text}"
    );
    assert!(text.contains("承诺书需加盖公章"), "{text}");
    let (y, rest) = due.split_once('-').expect("date");
    let (m, d) = rest.split_once('-').expect("date");
    let zh_due = format!(
        "{y}年{}月{}日",
        m.trim_start_matches('0'),
        d.trim_start_matches('0')
    );
    assert!(text.contains(&zh_due), "{zh_due} not in {text}");

    // Resubmitted, then recorded: a second receipt, then the filing number.
    let (s, b) = app.submit(&p, &id, None).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = post(&app, &r, &format!("/api/v1/filings/{id}/record"), None).await;
    assert_eq!(s, 200, "{b}");
    let number = b["filing_number"].as_str().expect("number").to_owned();
    worker.send_due().await.expect("send");
    let mails = sink.wait_for(4, Duration::from_secs(5)).await;
    assert_eq!(mails.len(), 4);
    assert!(
        mails[2].subject().contains("补正后的首次备案材料"),
        "{}",
        mails[2].subject()
    );
    assert!(
        mails[3].subject().contains(&number),
        "{}",
        mails[3].subject()
    );

    // A refusal carries its reasons; a refusal refused (no reasons) queues nothing, since its
    // transaction never commits.
    let (p2, _) = app.register_processor("第二测试有限公司", "310000").await;
    let other = app.complete_draft(&p2, "initial", trigger, None).await;
    let (s, b) = app.submit(&p2, &other, None).await;
    assert_eq!(s, 200, "{b}");
    let (s, _) = post(
        &app,
        &r,
        &format!("/api/v1/filings/{other}/refuse"),
        Some(json!({ "reasons": [] })),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(outbox_of(&app, &other).await.len(), 1, "only the receipt");
    let (s, b) = post(
        &app,
        &r,
        &format!("/api/v1/filings/{other}/refuse"),
        Some(json!({ "reasons": [{ "path": null, "message": "存储人数未达到十万人" }] })),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    worker.send_due().await.expect("send");
    let mails = sink.wait_for(6, Duration::from_secs(5)).await;
    assert_eq!(mails.len(), 6);
    let refused = &mails[5];
    assert!(
        refused.subject().contains("不予备案"),
        "{}",
        refused.subject()
    );
    assert!(refused.text().contains("存储人数未达到十万人"));
}

/// Registers a Guangdong processor whose admin and contact share `email`, with a mail locale.
async fn register(app: &TestApp, name: &str, email: &str, locale: &str) -> (u16, Value) {
    app.call(
        Method::POST,
        &format!("{}/api/v1/registrations", app.portal),
        None,
        Some(json!({
            "organisation": {
                "name": name, "uscc": frt_testkit::app::valid_uscc("440000"),
                "contact_person": "Chan", "contact_email": email,
                "contact_phone": "+86 20 5555 0100", "locale": locale
            },
            "admin": { "email": email, "display_name": "Chan", "password": frt_testkit::app::PASSWORD }
        })),
    )
    .await
}

#[tokio::test]
async fn an_organisation_that_chose_english_gets_english_mail() {
    let (app, sink) = TestApp::spawn_with_mail(&[]).await;
    let (s, b) = register(
        &app,
        "Pearl River Vision Ltd",
        "compliance@pearl.example",
        "en",
    )
    .await;
    assert_eq!(s, 202, "{b}");
    // The registration's own mail, confirming the address, is in English too.
    app.worker().send_due().await.expect("send");
    let confirm = &sink.wait_for(1, Duration::from_secs(5)).await[0];
    assert_eq!(confirm.subject(), "[FRT] Confirm your address");
    assert!(
        confirm.text().contains("/register/confirm/"),
        "{}",
        confirm.text()
    );
    app.confirm_address("compliance@pearl.example").await;
    let p = app
        .login(
            &app.portal,
            "compliance@pearl.example",
            frt_testkit::app::PASSWORD,
        )
        .await;
    let id = app
        .complete_draft(&p, "initial", frt_cases::today_in_china(), None)
        .await;
    let (s, b) = app.submit(&p, &id, None).await;
    assert_eq!(s, 200, "{b}");
    app.worker().send_due().await.expect("send");
    let mail = &sink.wait_for(2, Duration::from_secs(5)).await[1];
    assert_eq!(mail.to, vec!["compliance@pearl.example".to_owned()]);
    assert_eq!(
        mail.subject(),
        "[FRT filing] Your initial filing has been received"
    );
    assert!(mail.text().contains("Pearl River Vision Ltd"));

    let (s, b) = register(&app, "Bad Locale Ltd", "x@bad.example", "fr").await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(b["errors"][0]["path"], "organisation.locale", "{b}");
}

fn message(n: usize) -> NewMessage {
    NewMessage {
        id: uuid::Uuid::now_v7(),
        channel: "mail".into(),
        dedup_key: format!("test:{n}"),
        template: "test".into(),
        locale: "zh-CN".into(),
        recipient: format!("person{n}@example.org"),
        subject: format!("测试邮件 {n}"),
        body: "正文".into(),
        entity_type: None,
        entity_id: None,
        redact_after_send: false,
    }
}

async fn enqueue(app: &TestApp, n: usize) {
    let mut conn = app.core.db.conn().await.expect("conn");
    for i in 0..n {
        assert!(outbox::enqueue(&mut conn, &message(i))
            .await
            .expect("enqueue"));
    }
    assert!(
        !outbox::enqueue(&mut conn, &message(0))
            .await
            .expect("enqueue"),
        "the same dedup key is queued once"
    );
}

async fn statuses(app: &TestApp) -> Vec<(String, i32)> {
    let mut conn = app.core.db.conn().await.expect("conn");
    outbox::counts(&mut conn)
        .await
        .expect("counts")
        .into_iter()
        .map(|c| (c.status, c.count))
        .collect()
}

#[tokio::test]
async fn smtp_down_delays_mail_but_loses_none() {
    let (app, sink) = TestApp::spawn_with_mail(&[]).await;
    let worker = app.worker();
    enqueue(&app, 3).await;
    sink.set(SinkMode::Down);
    let round = worker.sender().round().await.expect("round");
    assert_eq!((round.claimed, round.sent, round.retried), (3, 0, 3));
    sink.set(SinkMode::TempFail);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let round = worker.sender().round().await.expect("round");
    assert_eq!((round.sent, round.retried), (0, 3), "451 is retried");
    {
        let mut conn = app.core.db.conn().await.expect("conn");
        let pending = outbox::with_status(&mut conn, "pending", 10)
            .await
            .expect("pending");
        assert_eq!(pending.len(), 3);
        assert!(pending
            .iter()
            .all(|m| m.attempts == 2 && m.last_error.is_some()));
    }
    sink.set(SinkMode::Accept);
    tokio::time::sleep(Duration::from_millis(250)).await;
    let round = worker.send_due().await.expect("drain");
    assert_eq!(round.sent, 3);
    assert_eq!(sink.received().len(), 3);
    assert_eq!(statuses(&app).await, vec![("sent".to_owned(), 3)]);
}

#[tokio::test]
async fn two_workers_never_send_a_message_twice() {
    let (app, sink) = TestApp::spawn_with_mail(&[("FRT__WORKER__BATCH_SIZE", "3")]).await;
    enqueue(&app, 40).await;
    let (a, b) = (app.worker(), app.worker());
    let (ra, rb) = tokio::join!(a.send_due(), b.send_due());
    let (ra, rb) = (ra.expect("a"), rb.expect("b"));
    assert_eq!(ra.sent + rb.sent, 40, "{ra:?} {rb:?}");
    let mails = sink.received();
    assert_eq!(mails.len(), 40);
    let mut ids: Vec<String> = mails.iter().map(|m| m.message_id()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 40, "every message arrived once");
}

#[tokio::test]
async fn a_refused_recipient_fails_at_once_and_a_stopped_send_is_not_repeated() {
    let (app, sink) = TestApp::spawn_with_mail(&[]).await;
    let worker = app.worker();
    enqueue(&app, 1).await;
    sink.set(SinkMode::PermFail);
    let round = worker.send_due().await.expect("drain");
    assert_eq!((round.sent, round.failed, round.retried), (0, 1, 0));
    assert_eq!(statuses(&app).await, vec![("failed".to_owned(), 1)]);
    // The relay named the recipient in its refusal; the outbox keeps the refusal without it.
    let mut conn = app.core.db.conn().await.expect("conn");
    let failed = outbox::with_status(&mut conn, "failed", 10)
        .await
        .expect("failed");
    let error = failed[0].last_error.clone().unwrap_or_default();
    assert!(
        error.contains("550") && error.contains("<address>"),
        "{error}"
    );
    assert!(!error.contains("person1@example.org"), "{error}");
    drop(conn);

    // A worker that claimed a message and stopped before it began sending it: once the lease
    // runs out the message goes back in the queue, and out.
    sink.set(SinkMode::Accept);
    let mut conn = app.core.db.conn().await.expect("conn");
    outbox::enqueue(&mut conn, &message(8))
        .await
        .expect("enqueue");
    let claimed = outbox::claim(&mut conn, "stopped-worker", 10, 1)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let round = worker.send_due().await.expect("drain");
    assert_eq!((round.uncertain, round.sent), (0, 1));
    assert_eq!(sink.received().len(), 1);

    // One that began sending and stopped before recording the outcome: once the lease runs
    // out the message is uncertain, not sent again by another worker.
    outbox::enqueue(&mut conn, &message(7))
        .await
        .expect("enqueue");
    let claimed = outbox::claim(&mut conn, "stopped-worker", 10, 60_000)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 1);
    assert!(
        outbox::begin_send(&mut conn, claimed[0].id, "stopped-worker")
            .await
            .expect("begin")
    );
    end_lease(&app, claimed[0].id).await;
    let round = worker.send_due().await.expect("drain");
    assert_eq!((round.uncertain, round.sent), (1, 0));
    assert_eq!(sink.received().len(), 1, "nothing more sent");
    let uncertain = outbox::with_status(&mut conn, "uncertain", 10)
        .await
        .expect("uncertain");
    assert_eq!(uncertain.len(), 1);
    // An operator who checked puts it back; then it goes out.
    assert!(outbox::requeue(&mut conn, uncertain[0].id)
        .await
        .expect("requeue"));
    assert_eq!(worker.send_due().await.expect("drain").sent, 1);
    assert_eq!(sink.received().len(), 2);
}

/// Ends the lease of message `id` now, as time would.
async fn end_lease(app: &TestApp, id: uuid::Uuid) {
    app.db
        .sql()
        .await
        .execute(
            "UPDATE outbox SET lease_until = now() - interval '1 second' WHERE id = $1::text::uuid",
            &[&id.to_string()],
        )
        .await
        .expect("end the lease");
}
