//! What the platform tells people about a filing: a notice rendered in the recipient's
//! language and written to the outbox in the caller's transaction, so it goes out if and only
//! if the change that caused it commits. The worker sends it.

use frt_domain::filing::FilingKind;
use frt_mail::templates::{FilingRef, ReasonLine};
use frt_mail::{FilingNotice, Locale, Message};
use frt_store::filings::{self, Filing};
use frt_store::identities::Organisation;
use frt_store::outbox::{self, NewMessage};
use frt_store::{AsyncPgConnection, QueryError};
use uuid::Uuid;

/// The reference to a filing that every notice carries.
pub fn filing_ref(filing: &Filing, org: &Organisation) -> FilingRef {
    FilingRef {
        id: filing.id,
        kind: filing.kind.parse().unwrap_or(FilingKind::Initial),
        processor: org.name.clone(),
        uscc: org.uscc.clone(),
    }
}

/// Reasons as stored with a decision (`[{path, message}]`), for a notice.
pub fn reason_lines(reasons: Option<&serde_json::Value>) -> Vec<ReasonLine> {
    reasons
        .and_then(serde_json::Value::as_array)
        .map(|rs| {
            rs.iter()
                .map(|r| ReasonLine {
                    path: r["path"].as_str().map(str::to_owned),
                    message: r["message"].as_str().unwrap_or_default().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The case or account a message is about: its audit entity type and id.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub entity_type: &'a str,
    pub entity_id: Uuid,
}

/// Enqueues `notice` to `to` in `locale` (zh-CN when unknown); `dedup_key` names the event so
/// the same notice is never queued twice. Returns whether it was queued now.
pub async fn mail(
    conn: &mut AsyncPgConnection,
    to: &str,
    locale: &str,
    notice: &(dyn Message + Sync),
    about: About<'_>,
    dedup_key: String,
) -> Result<bool, QueryError> {
    let locale: Locale = locale.parse().unwrap_or_default();
    let rendered = notice.render(locale);
    outbox::enqueue(
        conn,
        &NewMessage {
            id: Uuid::now_v7(),
            channel: "mail".into(),
            dedup_key,
            template: notice.template().into(),
            locale: locale.as_str().into(),
            recipient: to.to_owned(),
            subject: rendered.subject,
            body: rendered.text,
            entity_type: Some(about.entity_type.into()),
            entity_id: Some(about.entity_id),
        },
    )
    .await
}

/// Enqueues a notice to the processor's registered contact address, keyed by the filing, the
/// event and the filing's version (each state change has its own).
pub async fn to_processor(
    conn: &mut AsyncPgConnection,
    filing: &Filing,
    org: &Organisation,
    notice: &FilingNotice,
) -> Result<bool, QueryError> {
    let key = format!(
        "{}:{}:{}:{}",
        filings::ENTITY,
        filing.id,
        notice.template(),
        filing.version
    );
    mail(
        conn,
        &org.contact_email,
        &org.locale,
        notice,
        about_filing(filing.id),
        key,
    )
    .await
}

/// A filing as what a message is about.
pub fn about_filing(id: Uuid) -> About<'static> {
    About {
        entity_type: filings::ENTITY,
        entity_id: id,
    }
}
