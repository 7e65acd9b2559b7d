//! Mail (邮件通知): what arrives at the scenario's own SMTP server once the worker has sent
//! the outbox, and the relay going down and coming back.

use crate::support::FrtWorld;
use cucumber::{given, then, when};
use frt_testkit::SinkMode;
use reqwest::Method;
use std::time::Duration;

#[given("the platform is running with mail delivered over SMTP")]
async fn platform_with_mail(w: &mut FrtWorld) {
    w.start_with_mail().await;
}

/// In-process the scenario runs the worker's round itself; a deployment's worker sends the
/// outbox on its own, and the steps that read mail wait for it.
#[when("the worker sends the outbox")]
async fn worker_sends(w: &mut FrtWorld) {
    if !w.mailbox().sent_by_the_deployment() {
        w.app().worker().send_due().await.expect("send the outbox");
    }
}

#[when("the worker sends the outbox after the retry wait")]
async fn worker_sends_later(w: &mut FrtWorld) {
    // The scenario's platform waits 20 ms, doubling to at most 100 ms, between attempts.
    tokio::time::sleep(Duration::from_millis(250)).await;
    w.app().worker().send_due().await.expect("send the outbox");
}

#[given("the mail relay is down")]
async fn relay_down(w: &mut FrtWorld) {
    w.mailbox().smtp().set(SinkMode::Down);
}

#[when("the mail relay is back")]
async fn relay_back(w: &mut FrtWorld) {
    w.mailbox().smtp().set(SinkMode::Accept);
}

/// The address mail to a named actor goes to: a processor's contact, a complainant's reply
/// address, a staff member's login.
pub async fn address_of(w: &mut FrtWorld, name: &str) -> String {
    if let Some(p) = w.processors.get(name) {
        return p.email.clone();
    }
    if let Some(email) = w.complainants.get(name) {
        return email.clone();
    }
    if let Some(email) = w.noted.get(&format!("email of {name}")) {
        return email.clone();
    }
    let reply = w.send_as(name, Method::GET, "/api/v1/me", None).await;
    reply.body["email"]
        .as_str()
        .unwrap_or_else(|| panic!("no email in {}", reply.body))
        .to_owned()
}

/// Mail to a named actor, oldest first; from a deployment, waiting for `at_least` of them.
async fn mail_to(
    w: &mut FrtWorld,
    name: &str,
    at_least: usize,
) -> Vec<frt_testkit::smtp::Received> {
    let to = address_of(w, name).await;
    w.mailbox().to(&to, at_least, MAIL_WAIT).await
}

/// How long a deployment's worker may take to send what the scenario expects.
const MAIL_WAIT: Duration = Duration::from_secs(20);

#[then("no mail has arrived yet")]
async fn no_mail(w: &mut FrtWorld) {
    let got = w.mailbox().all();
    assert!(got.is_empty(), "{} mail(s) arrived", got.len());
}

/// The link only a registration's confirmation mail carries.
const CONFIRMATION_LINK: &str = "/register/confirm/";

/// Counts the mail about the actor's cases: a registration's confirmation link, which a
/// processor registered in the scenario may have been mailed before its address was
/// confirmed, is left out.
#[then(regex = r#"^"([^"]+)" has received (\d+) mails?$"#)]
async fn received_n(w: &mut FrtWorld, name: String, n: usize) {
    let about_cases = |got: Vec<frt_testkit::smtp::Received>| -> Vec<_> {
        got.into_iter()
            .filter(|m| !m.text().contains(CONFIRMATION_LINK))
            .collect()
    };
    // A deployment's worker may still be sending them.
    let started = std::time::Instant::now();
    let mut got = about_cases(mail_to(w, &name, n).await);
    while w.mailbox().sent_by_the_deployment() && got.len() < n && started.elapsed() < MAIL_WAIT {
        tokio::time::sleep(Duration::from_millis(250)).await;
        got = about_cases(mail_to(w, &name, n).await);
    }
    assert_eq!(
        got.len(),
        n,
        "{:?}",
        got.iter().map(|m| m.subject()).collect::<Vec<_>>()
    );
    w.mail = got.last().cloned();
}

#[then(expr = "the latest mail to {string} has a subject containing {string}")]
async fn latest_subject(w: &mut FrtWorld, name: String, part: String) {
    // A deployment's worker may still be sending it: wait for a mail with that subject.
    let started = std::time::Instant::now();
    let mut got = mail_to(w, &name, 1).await;
    while w.mailbox().sent_by_the_deployment()
        && !got.last().is_some_and(|m| m.subject().contains(&part))
        && started.elapsed() < MAIL_WAIT
    {
        tokio::time::sleep(Duration::from_millis(250)).await;
        got = mail_to(w, &name, 1).await;
    }
    let last = got
        .last()
        .unwrap_or_else(|| panic!("no mail to {name}"))
        .clone();
    assert!(last.subject().contains(&part), "{}", last.subject());
    w.mail = Some(last);
}

fn mail(w: &FrtWorld) -> &frt_testkit::smtp::Received {
    w.mail.as_ref().expect("no mail picked yet")
}

#[then(expr = "its subject contains {string}")]
async fn its_subject(w: &mut FrtWorld, part: String) {
    let subject = mail(w).subject();
    assert!(subject.contains(&part), "{subject}");
}

#[then(expr = "its text contains {string}")]
async fn its_text(w: &mut FrtWorld, part: String) {
    let text = mail(w).text();
    assert!(text.contains(&part), "{text}");
}

/// The correction due date the processor sees, written the Chinese way (2026年12月14日).
#[then("its text gives the correction due date")]
async fn its_text_due(w: &mut FrtWorld) {
    let id = w.filing_id();
    let owner = w.owner_of_filing();
    let reply = w
        .send_as(&owner, Method::GET, &format!("/api/v1/filings/{id}"), None)
        .await;
    let due = reply.body["correction_deadline"]["due_date"]
        .as_str()
        .unwrap_or_else(|| panic!("no correction deadline in {}", reply.body))
        .to_owned();
    let d = crate::support::date(&due);
    use chrono::Datelike;
    let zh = format!("{}年{}月{}日", d.year(), d.month(), d.day());
    let text = mail(w).text();
    assert!(text.contains(&zh), "{zh} not in {text}");
}

#[then("it is UTF-8 text with an encoded subject and a Message-ID of its own")]
async fn proper_mime(w: &mut FrtWorld) {
    let m = mail(w);
    m.assert_utf8_text_with_encoded_subject();
    assert!(
        m.message_id().ends_with("@frt.example.gov.cn"),
        "{}",
        m.raw_headers()
    );
}

#[then(regex = r"^(\d+) messages? waits? in the outbox for another attempt$")]
async fn waiting(w: &mut FrtWorld, n: usize) {
    let mut conn = w.app().core.db.conn().await.expect("conn");
    let pending = frt_store::outbox::with_status(&mut conn, "pending", 100)
        .await
        .expect("outbox");
    assert_eq!(pending.len(), n, "{pending:?}");
    assert!(
        pending
            .iter()
            .all(|m| m.attempts >= 1 && m.last_error.is_some()),
        "{pending:?}"
    );
}

#[then("its subject contains the filing number issued")]
async fn its_subject_number(w: &mut FrtWorld) {
    let number = w
        .filing_number
        .clone()
        .expect("no filing number was issued");
    let subject = mail(w).subject();
    assert!(subject.contains(&number), "{subject}");
}
