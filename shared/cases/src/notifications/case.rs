//! Notifications as a case type: where one stands (the agencies concerned), what a
//! processor's page lists, and acknowledgement deadlines (reminders, then 督办).

use super::{about, readers_of, NotificationError, ACK_PREFIX};
use crate::entity::{CaseSummary, CaseType, DeadlineEvent, Entity, Handled, Jurisdiction};
use crate::error::StoreError;
use crate::escalation::{self, Addressee, Escalation};
use async_trait::async_trait;
use chrono::NaiveDate;
use frt_access::{Resource, Role};
use frt_mail::NotificationNotice;
use frt_store::deadlines::Deadline;
use frt_store::identities;
use frt_store::notifications as store;
use frt_store::{AsyncPgConnection, QueryError};
use serde_json::json;
use uuid::Uuid;

/// Notifications as a case type.
pub struct NotificationCase;

#[async_trait]
impl Entity for NotificationCase {
    fn name(&self) -> &'static str {
        store::ENTITY
    }

    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        let Some(n) = store::get(conn, id).await? else {
            return Ok(None);
        };
        let mut agencies: Vec<Uuid> = store::recipients(conn, id)
            .await?
            .into_iter()
            .map(|r| r.agency_id)
            .collect();
        agencies.push(n.sender_agency_id);
        Ok(Some(Jurisdiction::Agencies(agencies)))
    }
}

#[async_trait]
impl CaseType for NotificationCase {
    fn resource(&self) -> Resource {
        Resource::NOTIFICATION
    }

    async fn of_organisation(
        &self,
        conn: &mut AsyncPgConnection,
        organisation: Uuid,
        viewer: &frt_access::Principal,
    ) -> Result<Vec<CaseSummary>, QueryError> {
        // Only those the viewer's agency sent or received (national CAC: the CAC's domain),
        // and restricted ones only for the roles they name.
        let scope = viewer.scope();
        let mut out = Vec::new();
        for n in store::of_organisation(conn, organisation).await? {
            if store::visible(conn, &scope, &n).await? {
                out.push(CaseSummary {
                    case_type: store::ENTITY.to_owned(),
                    id: n.id,
                    status: n.kind,
                    reference: Some(n.reference),
                    opened_at: Some(n.sent_at),
                });
            }
        }
        Ok(out)
    }

    /// Near an acknowledgement's time limit the recipient agency's staff are reminded; once
    /// it has passed, the supervisors of the sender and of the recipient are alerted (督办),
    /// once.
    async fn on_deadline(
        &self,
        conn: &mut AsyncPgConnection,
        d: &Deadline,
        event: DeadlineEvent,
        today: NaiveDate,
    ) -> Result<Handled, StoreError> {
        let mut handled = Handled::default();
        let Some(agency) = d
            .purpose
            .strip_prefix(ACK_PREFIX)
            .and_then(|a| Uuid::parse_str(a).ok())
        else {
            return Ok(handled);
        };
        let Some(n) = store::get(conn, d.entity_id).await? else {
            return Ok(handled);
        };
        let fail = |e: NotificationError| match e {
            NotificationError::Store(s) => s,
            other => StoreError::Internal(anyhow::anyhow!("{other}")),
        };
        match event {
            DeadlineEvent::Reminder { working_days_left } => {
                let notice = NotificationNotice::AckDue {
                    reference: n.reference.clone(),
                    due: d.due_date,
                    working_days_left,
                };
                let to: Vec<Addressee> = readers_of(conn, agency, &n)
                    .await
                    .map_err(fail)?
                    .into_iter()
                    .map(Addressee::from)
                    .collect();
                let event = format!("reminder:{working_days_left}");
                handled.mails_queued +=
                    escalation::tell(conn, d, &event, &to, &notice, about(n.id)).await?;
            }
            DeadlineEvent::Overdue => {
                let recipient = identities::agency(conn, agency)
                    .await?
                    .map(|a| a.name)
                    .unwrap_or_default();
                let notice = NotificationNotice::AckOverdue {
                    reference: n.reference.clone(),
                    recipient,
                    due: d.due_date,
                };
                // The supervisors of the sender and of the recipient answer for it.
                let mut to = Vec::new();
                for a in [n.sender_agency_id, agency] {
                    for u in identities::agency_staff(conn, a).await? {
                        if u.role.parse::<Role>() == Ok(Role::Supervisor) {
                            to.push(Addressee::from(u));
                        }
                    }
                }
                let e = Escalation {
                    to,
                    notice: &notice,
                    about: about(n.id),
                    action: "notification.deadline_escalated",
                    details: json!({ "agency_id": agency }),
                };
                escalation::escalate(conn, d, today, e, &mut handled).await?;
            }
        }
        Ok(handled)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ack_purpose;
    use super::*;

    #[test]
    fn acknowledgement_deadlines_name_their_agency() {
        let a = Uuid::now_v7();
        let p = ack_purpose(a);
        assert_eq!(
            p.strip_prefix(ACK_PREFIX)
                .and_then(|s| Uuid::parse_str(s).ok()),
            Some(a)
        );
    }
}
