//! What every case type does when one of its time limits nears or passes, in one place: each
//! notice about a deadline is mailed once per deadline, event, due date and address (`tell`);
//! an overdue deadline is escalated (督办) once: the alert recorded, the people who answer
//! for it told, the escalation audited with whom it told, and a warning logged when there was
//! nobody to tell (`escalate`). The case type decides what the notice says and to whom.

use crate::entity::Handled;
use crate::error::StoreError;
use crate::notices::{self, About};
use chrono::NaiveDate;
use frt_mail::Message;
use frt_store::audit::{self, Actor};
use frt_store::deadlines::{self, Deadline};
use frt_store::identities::{Organisation, User};
use frt_store::{AsyncPgConnection, QueryError};
use serde_json::json;

/// Someone a deadline notice goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addressee {
    pub email: String,
    pub locale: String,
}

impl From<&User> for Addressee {
    fn from(u: &User) -> Self {
        Self {
            email: u.email.clone(),
            locale: u.locale.clone(),
        }
    }
}

impl From<User> for Addressee {
    fn from(u: User) -> Self {
        Self {
            email: u.email,
            locale: u.locale,
        }
    }
}

/// A processor, at its registered contact address.
impl From<&Organisation> for Addressee {
    fn from(o: &Organisation) -> Self {
        Self {
            email: o.contact_email.clone(),
            locale: o.locale.clone(),
        }
    }
}

/// The outbox key of a notice about `d`: once per deadline, event, due date (a deadline moved
/// by a calendar change is told again) and address.
pub fn key(d: &Deadline, event: &str, to: &str) -> String {
    format!("deadline:{}:{event}:{}:{to}", d.id, d.due_date)
}

/// Mails `notice` about `d` to each of `to`, once per `event` (`reminder:<days left>`,
/// `overdue`, `escalated`) and address; answers how many were queued now.
pub async fn tell(
    conn: &mut AsyncPgConnection,
    d: &Deadline,
    event: &str,
    to: &[Addressee],
    notice: &(dyn Message + Sync),
    about: About<'_>,
) -> Result<usize, QueryError> {
    let mut queued = 0;
    for a in to {
        let k = key(d, event, &a.email);
        queued += usize::from(notices::mail(conn, &a.email, &a.locale, notice, about, k).await?);
    }
    Ok(queued)
}

/// An overdue deadline's escalation: whom it alerts, what they are told, and the audit
/// action (with the case type's own details) that records it.
pub struct Escalation<'a> {
    pub to: Vec<Addressee>,
    pub notice: &'a (dyn Message + Sync),
    pub about: About<'a>,
    /// e.g. `complaint.deadline_escalated`.
    pub action: &'a str,
    /// Added to the audit entry's purpose, due date and addresses told.
    pub details: serde_json::Value,
}

/// Escalates `d` once (a second sweep finds the alert recorded and does nothing): tells
/// `e.to`, audits `e.action` on the deadline's case, and warns when there was nobody to tell.
pub async fn escalate(
    conn: &mut AsyncPgConnection,
    d: &Deadline,
    today: NaiveDate,
    e: Escalation<'_>,
    handled: &mut Handled,
) -> Result<(), StoreError> {
    if !deadlines::record_alert(conn, d, "escalated", today).await? {
        return Ok(());
    }
    handled.escalated += 1;
    handled.mails_queued += tell(conn, d, "escalated", &e.to, e.notice, e.about).await?;
    let told: Vec<&str> = e.to.iter().map(|a| a.email.as_str()).collect();
    let mut details = json!({ "purpose": d.purpose, "due_date": d.due_date, "told": told });
    if let (Some(all), serde_json::Value::Object(extra)) = (details.as_object_mut(), e.details) {
        all.extend(extra);
    }
    audit::record(
        conn,
        &Actor::system("deadline sweep"),
        e.action,
        &d.entity_type,
        &d.entity_id.to_string(),
        None,
        Some(details),
    )
    .await?;
    if e.to.is_empty() {
        tracing::warn!(entity_type = %d.entity_type, entity_id = %d.entity_id,
            purpose = %d.purpose, "a time limit passed and was escalated, but nobody could be told");
    }
    Ok(())
}
