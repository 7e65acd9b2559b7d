//! Receipt (签收) and feedback (反馈): a recipient agency acknowledges, or answers, which
//! acknowledges too; its acknowledgement deadline is met and the sender's staff are told.

use super::{about, ack_purpose, view, visible, NotificationError, NotificationView, Origin};
use crate::context::Core;
use crate::notices;
use crate::today_in_china;
use chrono::Utc;
use frt_domain::notification::ReceiptStatus;
use frt_mail::NotificationNotice;
use frt_store::audit;
use frt_store::deadlines;
use frt_store::identities;
use frt_store::notifications as store;
use frt_store::{AsyncPgConnection, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

/// What a recipient does: acknowledge receipt, or answer with feedback (which acknowledges
/// too).
#[derive(Debug, Clone)]
pub enum Receipt {
    Acknowledge,
    Feedback(String),
}

/// Acknowledges (签收) or answers (反馈) a notification for the origin's agency: its receipt
/// moves on, its acknowledgement deadline is met, the sender's staff are told and its feed
/// gets the event.
pub async fn receive(
    core: &Core,
    origin: &Origin,
    id: Uuid,
    what: Receipt,
) -> Result<NotificationView, NotificationError> {
    if let Receipt::Feedback(text) = &what {
        crate::input::text("feedback", text, 20_000)?;
    }
    core.db
        .tx(|conn| receive_in(conn, core, origin, id, &what).scope_boxed())
        .await
}

/// Acknowledges or answers inside the caller's transaction.
pub async fn receive_in(
    conn: &mut AsyncPgConnection,
    core: &Core,
    origin: &Origin,
    id: Uuid,
    what: &Receipt,
) -> Result<NotificationView, NotificationError> {
    let n = visible(conn, &origin.scope, id).await?;
    let mut r = store::recipient_for_update(conn, n.id, origin.agency_id)
        .await?
        .ok_or(NotificationError::NotARecipient)?;
    let now_status = r
        .status
        .parse::<ReceiptStatus>()
        .map_err(anyhow::Error::from)?;
    let now = Utc::now();
    let (next, action, event) = match &what {
        Receipt::Acknowledge => (
            now_status
                .acknowledge()
                .ok_or(NotificationError::AlreadyDone(
                    "your agency has already acknowledged this notification",
                ))?,
            "notification.acknowledged",
            "acknowledged",
        ),
        Receipt::Feedback(_) => (
            now_status.answer().ok_or(NotificationError::AlreadyDone(
                "your agency has already answered this notification",
            ))?,
            "notification.answered",
            "feedback",
        ),
    };
    if r.acknowledged_at.is_none() {
        r.acknowledged_at = Some(now);
        r.acknowledged_by = origin.scope.user_id;
    }
    if let Receipt::Feedback(text) = &what {
        r.feedback = Some(text.trim().to_owned());
        r.answered_at = Some(now);
        r.answered_by = origin.scope.user_id;
    }
    r.status = next.as_str().to_owned();
    store::update_recipient(conn, &r).await?;
    let calendar = core.calendars.get(conn).await?;
    deadlines::mark_met(
        conn,
        &calendar,
        store::ENTITY,
        n.id,
        &ack_purpose(origin.agency_id),
        today_in_china(),
    )
    .await?;
    store::feed_append(conn, "notifications", Some(n.sender_agency_id), n.id, event).await?;
    let me = identities::agency(conn, origin.agency_id)
        .await?
        .ok_or(NotificationError::Missing("agency"))?;
    let notice = NotificationNotice::Answered {
        reference: n.reference.clone(),
        recipient: me.name.clone(),
        feedback: matches!(what, Receipt::Feedback(_)),
    };
    let told = match n.sender_user_id {
        Some(u) => identities::user(conn, u)
            .await?
            .filter(|u| u.active)
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    for u in told {
        notices::mail(
            conn,
            &u.email,
            &u.locale,
            &notice,
            about(n.id),
            format!("notification:{}:{event}:{}:{}", n.id, me.id, u.email),
        )
        .await?;
    }
    audit::record(
        conn,
        &origin.actor,
        action,
        store::ENTITY,
        &n.id.to_string(),
        None,
        Some(json!({ "agency_id": origin.agency_id })),
    )
    .await?;
    view(conn, n).await
}
