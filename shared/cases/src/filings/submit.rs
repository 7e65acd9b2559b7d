//! Submission (or resubmission after correction) of a filing: completeness and consistency
//! checked with every problem reported at once, the statutory deadline computed from the
//! calendar, the regulator's review clock started (again), risk flags for the reviewer, the
//! version kept for the history, the receipt queued, and, with an `Idempotency-Key`, the first
//! answer kept so a retry gets it again.

use super::plan::{self, Arrival};
use super::{notify as notices, typed, FilingError};
use crate::caller::Caller;
use crate::context::Core;
use crate::idempotency::{self, Holder, Key, Replay};
use crate::{china_date, today_in_china};
use frt_access::{Action, Resource};
use frt_domain::filing::{FilingAction, FilingStatus};
use frt_domain::form::{check_for_submit, AttachmentKind, FilingForm};
use frt_mail::FilingNotice;
use frt_store::{audit, deadlines, filings, identities, versions, views, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

/// Submits the filing; returns the status and body of the answer (the first answer again for
/// a retried `key`).
pub async fn submit(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    key: Option<Key>,
) -> Result<(u16, serde_json::Value), FilingError> {
    caller.require(core, Resource::FILING, Action::Write, None)?;
    let request_hash = format!("submit:{id}");
    let scope = caller.scope();
    let actor = caller.actor.clone();
    let user_id = caller.principal.user_id;
    let settings = core.settings.clone();
    let calendars = core.calendars.clone();
    core.db
        .tx(|conn| {
            async move {
                let holder = Holder::User(user_id);
                if let Some(key) = &key {
                    match idempotency::replay(conn, holder, key, &request_hash).await? {
                        Replay::Fresh => {}
                        Replay::Reused => {
                            return Err(FilingError::IdempotencyKeyReused {
                                earlier_round: false,
                            })
                        }
                        Replay::Answered(saved) => {
                            // The key answered an earlier round if the filing was returned
                            // since.
                            let now = filings::get(conn, id, &scope).await?;
                            if now.is_some_and(|f| f.status == FilingStatus::Returned.as_str()) {
                                return Err(FilingError::IdempotencyKeyReused {
                                    earlier_round: true,
                                });
                            }
                            let status = u16::try_from(saved.status).unwrap_or(200);
                            return Ok((status, saved.body));
                        }
                    }
                }
                let filing = filings::get_for_update(conn, id, &scope)
                    .await?
                    .ok_or(FilingError::NotFound)?;
                let (status, kind) = typed(&filing)?;
                let next = status.apply(FilingAction::Submit)?;
                let form: FilingForm =
                    serde_json::from_value(filing.form.clone()).map_err(anyhow::Error::from)?;
                let materials = filings::attachments_of(conn, id).await?;
                let attachments: Vec<AttachmentKind> =
                    materials.iter().filter_map(|a| a.kind.parse().ok()).collect();
                let today = today_in_china();
                let checked = check_for_submit(&form, kind, &attachments, today)
                    .map_err(FilingError::Incomplete)?;
                let now = chrono::Utc::now();
                let calendar = calendars.get(conn).await?;
                let org = identities::organisation(conn, filing.organisation_id)
                    .await?
                    .ok_or(FilingError::NotFound)?;
                // Lateness is judged by the first submission: a correction does not make it
                // late; the review clock runs again, with the days used before a return.
                let planned = plan::plan(
                    &calendar,
                    &settings.filing,
                    kind,
                    checked.form(),
                    org.uscc_checksum_ok,
                    Arrival {
                        trigger: checked.trigger_date(),
                        first_arrived_on: china_date(filing.first_submitted_at.unwrap_or(now)),
                        arrived_on: today,
                        review_days_used: filing.review_days_used,
                    },
                )?;
                let statutory = deadlines::put(
                    conn,
                    filings::ENTITY,
                    id,
                    filings::STATUTORY_DEADLINE,
                    &planned.statutory,
                )
                .await?;
                let review =
                    deadlines::put(conn, filings::ENTITY, id, filings::REVIEW_DEADLINE, &planned.review)
                        .await?;
                // A resubmission meets the processor's correction time limit.
                let correction = if status == FilingStatus::Returned {
                    deadlines::mark_met(
                        conn,
                        &calendar,
                        filings::ENTITY,
                        id,
                        filings::CORRECTION_DEADLINE,
                        today,
                    )
                    .await?
                } else {
                    None
                };
                let assessment = planned.assessment;
                let flags =
                    serde_json::to_value(&assessment.flags).map_err(anyhow::Error::from)?;
                let updated = filings::mark_submitted(
                    conn,
                    id,
                    &filings::Submission {
                        trigger_date: checked.trigger_date(),
                        at: now,
                        first_submitted_at: filing.first_submitted_at.unwrap_or(now),
                        statutory_due: statutory.due_date,
                        late_by: statutory.late_by_working_days,
                        review_due: review.due_date,
                        risk_level: assessment.level.as_str(),
                        risk_rank: assessment.level.rank(),
                        risk_flags: &flags,
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    if status == FilingStatus::Returned {
                        "filing.resubmitted"
                    } else {
                        "filing.submitted"
                    },
                    filings::ENTITY,
                    &id.to_string(),
                    Some(json!({ "status": status.as_str() })),
                    Some(json!({
                        "status": next.as_str(),
                        "trigger_date": checked.trigger_date(),
                        "due_date": statutory.due_date,
                        "provisional": statutory.provisional,
                        "late_by_working_days": statutory.late_by_working_days,
                        "calendar_versions": statutory.calendar_versions,
                    })),
                )
                .await?;
                // Keep the version as submitted, for the reviewer's history and diffs.
                let snapshot: Vec<serde_json::Value> = materials
                    .iter()
                    .map(|a| json!({ "id": a.id, "kind": a.kind, "filename": a.filename, "sha256": a.sha256 }))
                    .collect();
                versions::append(conn, id, &filing.form, &json!(snapshot), user_id).await?;
                // The receipt (回执) to the processor's contact address.
                let receipt = FilingNotice::Submitted {
                    filing: notices::filing_ref(&updated, &org),
                    resubmission: status == FilingStatus::Returned,
                    submitted_on: today,
                };
                notices::to_processor(conn, &updated, &org, &receipt).await?;
                let mut held = vec![statutory, review];
                held.extend(correction);
                let detail =
                    views::detail_from(updated, org, held, materials, views::Audience::Processor);
                let body = serde_json::to_value(&detail).map_err(anyhow::Error::from)?;
                if let Some(key) = &key {
                    idempotency::keep(conn, holder, key, &request_hash, 200, &body).await?;
                }
                Ok((200u16, body))
            }
            .scope_boxed()
        })
        .await
}
