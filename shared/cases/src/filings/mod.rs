//! Filings (备案) under Art. 15 as a case type: their entity name and jurisdiction, their
//! authorisation resource, and what the deadline sweep tells whom about their time limits
//! (the processor's correction limit; the regulator's review limit, escalated when it passes).

pub mod drafts;
mod error;
pub mod history;
pub mod materials;
pub mod notify;
pub mod plan;
pub mod queue;
pub mod reads;
pub mod receipts;
pub mod review;
pub mod submit;

use crate::entity::{CaseSummary, CaseType, DeadlineEvent, Entity, Handled, Jurisdiction};
use crate::error::StoreError;
use crate::escalation::{self, Addressee, Escalation};
use async_trait::async_trait;
use chrono::NaiveDate;
use frt_access::Resource;
use frt_domain::filing::{FilingKind, FilingStatus};
use frt_mail::FilingNotice;
use frt_store::deadlines::Deadline;
use frt_store::filings::{self};
use frt_store::scope::Scope;
use frt_store::{identities, AsyncPgConnection, QueryError};
use serde_json::json;
use uuid::Uuid;

pub use error::FilingError;

/// The typed status and kind of a stored filing (rows the platform wrote: unreadable ones
/// are an internal error, not the caller's).
pub(crate) fn typed(f: &filings::Filing) -> Result<(FilingStatus, FilingKind), FilingError> {
    let status = f
        .status
        .parse::<FilingStatus>()
        .map_err(anyhow::Error::from)?;
    let kind = f.kind.parse::<FilingKind>().map_err(anyhow::Error::from)?;
    Ok((status, kind))
}

/// A filing the processor may still change (a draft, or returned for correction), locked.
pub(crate) async fn editable_for_update(
    conn: &mut AsyncPgConnection,
    scope: &Scope,
    id: Uuid,
) -> Result<filings::Filing, FilingError> {
    let filing = filings::get_for_update(conn, id, scope)
        .await?
        .ok_or(FilingError::NotFound)?;
    let (status, _) = typed(&filing)?;
    if !status.editable_by_processor() {
        return Err(FilingError::NotEditable(status));
    }
    Ok(filing)
}

/// Filings as a case type.
pub struct FilingCase;

#[async_trait]
impl Entity for FilingCase {
    fn name(&self) -> &'static str {
        filings::ENTITY
    }

    /// Staff see submitted filings only: a draft has no jurisdiction yet.
    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        Ok(filings::get(conn, id, &Scope::PLATFORM)
            .await?
            .map(|f| Jurisdiction::Province(f.province_code)))
    }
}

#[async_trait]
impl CaseType for FilingCase {
    fn resource(&self) -> Resource {
        Resource::FILING
    }

    /// Submitted filings only: drafts stay the processor's.
    async fn of_organisation(
        &self,
        conn: &mut AsyncPgConnection,
        organisation: Uuid,
        _viewer: &frt_access::Principal,
    ) -> Result<Vec<CaseSummary>, QueryError> {
        Ok(filings::submitted_of(conn, organisation)
            .await?
            .into_iter()
            .map(|(id, status, number, at)| CaseSummary {
                case_type: filings::ENTITY.to_owned(),
                id,
                status,
                reference: number,
                opened_at: at,
            })
            .collect())
    }

    async fn on_deadline(
        &self,
        conn: &mut AsyncPgConnection,
        deadline: &Deadline,
        event: DeadlineEvent,
        today: NaiveDate,
    ) -> Result<Handled, StoreError> {
        let mut handled = Handled::default();
        match event {
            DeadlineEvent::Reminder { working_days_left } => {
                handled.mails_queued += remind(conn, deadline, working_days_left).await?;
            }
            DeadlineEvent::Overdue => overdue(conn, deadline, today, &mut handled).await?,
        }
        Ok(handled)
    }
}

/// A filing and its processor, for a notice about one of its deadlines.
async fn filing_of(
    conn: &mut AsyncPgConnection,
    d: &Deadline,
) -> Result<Option<(filings::Filing, identities::Organisation)>, QueryError> {
    let Some(filing) = filings::get(conn, d.entity_id, &Scope::PLATFORM).await? else {
        return Ok(None);
    };
    Ok(identities::organisation(conn, filing.organisation_id)
        .await?
        .map(|org| (filing, org)))
}

/// Reminders: the processor for its correction time limit; the assigned reviewer (or, with
/// nobody assigned, the supervisors) for the review time limit. Returns mails queued.
async fn remind(
    conn: &mut AsyncPgConnection,
    d: &Deadline,
    left: i64,
) -> Result<usize, QueryError> {
    let Some((filing, org)) = filing_of(conn, d).await? else {
        return Ok(0);
    };
    let about = notify::about_filing(filing.id);
    let subject = notify::filing_ref(&filing, &org);
    let event = format!("reminder:{left}");
    match d.purpose.as_str() {
        filings::CORRECTION_DEADLINE => {
            let n = FilingNotice::CorrectionDue {
                filing: subject,
                due: d.due_date,
                working_days_left: left,
            };
            escalation::tell(conn, d, &event, &[Addressee::from(&org)], &n, about).await
        }
        filings::REVIEW_DEADLINE => {
            let n = FilingNotice::ReviewDue {
                filing: subject,
                due: d.due_date,
                working_days_left: left,
            };
            let mut to = Vec::new();
            if let Some(a) = filing.assignee_id {
                to.extend(identities::user(conn, a).await?.filter(|u| u.active));
            }
            if to.is_empty() {
                to = identities::supervisors_of(conn, &filing.province_code).await?;
            }
            let to: Vec<Addressee> = to.into_iter().map(Addressee::from).collect();
            escalation::tell(conn, d, &event, &to, &n, about).await
        }
        _ => Ok(0),
    }
}

/// After the due date: the processor is told its correction time ran out; an overdue review
/// is escalated to the province's supervisors.
async fn overdue(
    conn: &mut AsyncPgConnection,
    d: &Deadline,
    today: NaiveDate,
    handled: &mut Handled,
) -> Result<(), StoreError> {
    let Some((filing, org)) = filing_of(conn, d).await? else {
        return Ok(());
    };
    let about = notify::about_filing(filing.id);
    let subject = notify::filing_ref(&filing, &org);
    match d.purpose.as_str() {
        filings::CORRECTION_DEADLINE => {
            let n = FilingNotice::CorrectionOverdue {
                filing: subject,
                due: d.due_date,
            };
            handled.mails_queued +=
                escalation::tell(conn, d, "overdue", &[Addressee::from(&org)], &n, about).await?;
        }
        filings::REVIEW_DEADLINE => {
            let assignee = match filing.assignee_id {
                Some(a) => identities::user(conn, a).await?.map(|u| u.email),
                None => None,
            };
            let supervisors = identities::supervisors_of(conn, &filing.province_code).await?;
            let n = FilingNotice::ReviewOverdue {
                filing: subject,
                due: d.due_date,
                assignee: assignee.clone(),
            };
            let e = Escalation {
                to: supervisors.into_iter().map(Addressee::from).collect(),
                notice: &n,
                about,
                action: "filing.review_escalated",
                details: json!({ "assignee": assignee }),
            };
            escalation::escalate(conn, d, today, e, handled).await?;
        }
        _ => {}
    }
    Ok(())
}
