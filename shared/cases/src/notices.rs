//! What the platform tells people: any `frt_mail::Message`, rendered in the recipient's
//! language and written to the outbox in the caller's transaction, so it goes out if and only
//! if the change that caused it commits. The worker sends it. Each case type says what its
//! messages are about (`About`), so the outbox is not tied to any one of them.

use frt_mail::{Locale, Message};
use frt_store::outbox::{self, NewMessage};
use frt_store::{AsyncPgConnection, QueryError};
use uuid::Uuid;

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
    enqueue(conn, to, locale, notice, about, dedup_key, false).await
}

/// As `mail`, for a message carrying personal data (to a complainant): the outbox removes
/// its recipient and text once it is delivered or has failed for good.
pub async fn mail_private(
    conn: &mut AsyncPgConnection,
    to: &str,
    locale: &str,
    notice: &(dyn Message + Sync),
    about: About<'_>,
    dedup_key: String,
) -> Result<bool, QueryError> {
    enqueue(conn, to, locale, notice, about, dedup_key, true).await
}

async fn enqueue(
    conn: &mut AsyncPgConnection,
    to: &str,
    locale: &str,
    notice: &(dyn Message + Sync),
    about: About<'_>,
    dedup_key: String,
    redact_after_send: bool,
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
            redact_after_send,
        },
    )
    .await
}
