//! The review desk's decisions on a submitted filing: record it (备案, issuing a filing
//! number), return it for correction (退回补正) or refuse it (不予备案), both with reasons;
//! supervisor sign-off (审批) where configuration requires it; and who works a filing
//! (a supervisor assigns, a reviewer takes). Each names the version it saw, so of two people
//! acting at once exactly one wins.

use super::{notify as notices, typed, FilingError};
use crate::caller::Caller;
use crate::context::Core;
use crate::error::StoreError;
use crate::today_in_china;
use chrono::{Datelike, NaiveDate, Utc};
use frt_access::{Action, AgencyKind, Resource, Role};
use frt_domain::calendar::WorkingDays;
use frt_domain::filing::{FilingAction, FilingNumber, FilingStatus};
use frt_domain::form::FieldProblem;
use frt_mail::FilingNotice;
use frt_store::filings::{self, Decision, Filing};
use frt_store::views::{self, FilingDetail};
use frt_store::{audit, deadlines, identities, AsyncPgConnection, ScopedFutureExt};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::str::FromStr;
use uuid::Uuid;

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// The form field or attachment the reason is about (e.g. `storage.people_stored`,
    /// `attachments.commitment_letter`); absent for the filing as a whole.
    #[schema(max_length = 200)]
    pub path: Option<String>,
    /// 1 to 2000 characters, not all blank.
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub message: String,
}

/// Checks reasons: at least one, each with a message of 1 to 2000 characters.
pub fn check_reasons(reasons: &[Reason]) -> Result<(), Vec<FieldProblem>> {
    let mut errors = Vec::new();
    if reasons.is_empty() {
        errors.push(FieldProblem {
            path: "reasons".into(),
            code: "empty_list".into(),
            message: "give at least one reason for the correction".into(),
        });
    }
    if reasons.len() > 100 {
        errors.push(FieldProblem {
            path: "reasons".into(),
            code: "too_many".into(),
            message: "at most 100 reasons".into(),
        });
    }
    for (i, r) in reasons.iter().enumerate() {
        if r.message.trim().is_empty() || r.message.chars().count() > 2000 {
            errors.push(FieldProblem {
                path: format!("reasons[{i}].message"),
                code: "required".into(),
                message: "each reason needs a message of 1 to 2000 characters".into(),
            });
        }
        if r.path.as_ref().is_some_and(|p| p.chars().count() > 200) {
            errors.push(FieldProblem {
                path: format!("reasons[{i}].path"),
                code: "too_long".into(),
                message: "a path is at most 200 characters".into(),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Records the filing and issues its number.
pub async fn record(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<FilingDetail, FilingError> {
    decide(
        core,
        caller,
        id,
        FilingAction::Record,
        None,
        expected_version,
    )
    .await
}

/// Returns the filing for correction, or refuses it: with reasons.
pub async fn decide_with_reasons(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    action: FilingAction,
    reasons: Vec<Reason>,
    expected_version: Option<i32>,
) -> Result<FilingDetail, FilingError> {
    check_reasons(&reasons).map_err(FilingError::InvalidReasons)?;
    let reasons = serde_json::to_value(&reasons).map_err(anyhow::Error::from)?;
    decide(core, caller, id, action, Some(reasons), expected_version).await
}

/// Tells the processor of a decision, by mail through the outbox: the filing number of a
/// record, the reasons of a refusal, the reasons and correction time limit of a return.
async fn notify_processor(
    conn: &mut AsyncPgConnection,
    filing: &Filing,
    org: &identities::Organisation,
    action: FilingAction,
    correction_due: Option<NaiveDate>,
) -> Result<(), FilingError> {
    let about = notices::filing_ref(filing, org);
    let notice = match (action, correction_due) {
        (FilingAction::Record, _) => FilingNotice::Recorded {
            filing: about,
            filing_number: filing.filing_number.clone().unwrap_or_default(),
        },
        (FilingAction::Refuse, _) => FilingNotice::Refused {
            filing: about,
            reasons: notices::reason_lines(filing.refusal_reasons.as_ref()),
        },
        (FilingAction::Return, Some(due)) => FilingNotice::Returned {
            filing: about,
            reasons: notices::reason_lines(filing.return_reasons.as_ref()),
            correction_due: due,
        },
        _ => return Ok(()),
    };
    notices::to_processor(conn, filing, org, &notice).await?;
    Ok(())
}

/// Loads and locks a filing the caller may review, and checks the transition is allowed.
async fn decidable(
    conn: &mut AsyncPgConnection,
    core: &Core,
    caller: &Caller,
    id: Uuid,
    action: FilingAction,
    expected_version: Option<i32>,
) -> Result<(Filing, FilingStatus, FilingStatus), FilingError> {
    let filing = filings::get_for_update(conn, id, &caller.scope())
        .await?
        .ok_or(FilingError::NotFound)?;
    let province = filing.province_code.as_str();
    caller.require(core, Resource::FILING, Action::Review, Some(province))?;
    if let Some(v) = expected_version.filter(|v| *v != filing.version) {
        return Err(FilingError::VersionConflict {
            seen: v,
            now: Some(filing.version),
        });
    }
    let assigned_elsewhere = filing
        .assignee_id
        .is_some_and(|a| a != caller.principal.user_id);
    if assigned_elsewhere && !caller.may(core, Resource::FILING, Action::Assign, Some(province)) {
        return Err(FilingError::AssignedToOther);
    }
    let (status, _) = typed(&filing)?;
    let next = status.apply(action)?;
    Ok((filing, status, next))
}

/// A decision by a reviewer: carried out at once, or, where configuration requires a
/// supervisor's sign-off and the caller is not one, proposed for sign-off.
async fn decide(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    action: FilingAction,
    reasons: Option<serde_json::Value>,
    expected_version: Option<i32>,
) -> Result<FilingDetail, FilingError> {
    caller.require(core, Resource::FILING, Action::Review, None)?;
    core.db
        .tx(|conn| {
            async move {
                let (filing, status, next) =
                    decidable(conn, core, caller, id, action, expected_version).await?;
                let signs_off = caller.may(
                    core,
                    Resource::FILING,
                    Action::SignOff,
                    Some(&filing.province_code),
                );
                if core.settings.filing.sign_off_in(&filing.province_code) && !signs_off {
                    let proposed = propose(conn, caller, &filing, action, reasons.as_ref()).await?;
                    return Ok(views::detail_of(conn, proposed, views::Audience::Staff).await?);
                }
                carry_out(
                    conn,
                    core,
                    caller,
                    &filing,
                    status,
                    next,
                    action,
                    reasons.as_ref(),
                )
                .await
            }
            .scope_boxed()
        })
        .await
}

/// Carries out a decision on a locked filing whose transition was checked: the filing number
/// for a record, the reasons for a return or refusal, the review clock (a return pauses it,
/// keeping the working days used, and starts the processor's correction clock; a record or
/// refusal stops it, noting whether the regulator decided in time), the processor's notice
/// and the audit row. Returns the staff view of the decided filing.
#[allow(clippy::too_many_arguments)]
async fn carry_out(
    conn: &mut AsyncPgConnection,
    core: &Core,
    caller: &Caller,
    filing: &Filing,
    status: FilingStatus,
    next: FilingStatus,
    action: FilingAction,
    reasons: Option<&serde_json::Value>,
) -> Result<FilingDetail, FilingError> {
    let id = filing.id;
    let today = today_in_china();
    let calendar = core.calendars.get(conn).await?;
    let mut held = deadlines::for_entity(conn, filings::ENTITY, id).await?;
    let review = held
        .iter()
        .position(|d| d.purpose == filings::REVIEW_DEADLINE);
    let mut used = filing.review_days_used;
    let mut correction_due = None;
    if action == FilingAction::Return {
        if let Some(i) = review {
            let r = held.swap_remove(i);
            let span = calendar.working_days_between(r.start_date, today).days;
            used = used.saturating_add(i32::try_from(span).unwrap_or(i32::MAX));
            deadlines::remove(conn, filings::ENTITY, id, filings::REVIEW_DEADLINE).await?;
        }
        let n = WorkingDays::new(core.settings.filing.correction_working_days)
            .map_err(StoreError::Deadline)?;
        let c = deadlines::set(
            conn,
            &calendar,
            filings::ENTITY,
            id,
            filings::CORRECTION_DEADLINE,
            today,
            n,
            None,
        )
        .await?;
        correction_due = Some(c.due_date);
        held.retain(|d| d.purpose != filings::CORRECTION_DEADLINE);
        held.push(c);
    } else if let Some(i) = review {
        let r = &held[i];
        let n = WorkingDays::new(i64::from(r.working_days)).map_err(StoreError::Deadline)?;
        held[i] = deadlines::set(
            conn,
            &calendar,
            filings::ENTITY,
            id,
            filings::REVIEW_DEADLINE,
            r.start_date,
            n,
            Some(today),
        )
        .await?;
    }
    let empty = serde_json::Value::Array(Vec::new());
    let reasons = reasons.unwrap_or(&empty);
    let number = if action == FilingAction::Record {
        let year = today.year();
        let seq = filings::next_filing_sequence(conn, &filing.province_code, year).await?;
        let number = u32::try_from(seq)
            .ok()
            .and_then(|s| FilingNumber::new(&filing.province_code, year, s))
            .ok_or_else(|| anyhow::anyhow!("filing number out of range: {seq}"))?
            .to_string();
        Some(number)
    } else {
        None
    };
    let (decision, audit_action, after) = match (action, &number) {
        (FilingAction::Record, Some(number)) => (
            Decision::Recorded {
                filing_number: number,
            },
            "filing.recorded",
            json!({ "status": next.as_str(), "filing_number": number }),
        ),
        (FilingAction::Refuse, _) => (
            Decision::Refused { reasons },
            "filing.refused",
            json!({ "status": next.as_str(), "reasons": reasons }),
        ),
        (FilingAction::Return, _) => (
            Decision::Returned { reasons },
            "filing.returned",
            json!({ "status": next.as_str(), "reasons": reasons }),
        ),
        _ => return Err(anyhow::anyhow!("{action:?} is not a reviewer's decision").into()),
    };
    let updated = filings::mark_decided(conn, id, decision, caller.principal.user_id, used).await?;
    if action == FilingAction::Record {
        // The registry changed: agencies' systems read it through the exchange service.
        let event = match updated.kind.as_str() {
            "change" => "changed",
            "deregistration" => "deregistered",
            _ => "recorded",
        };
        frt_store::notifications::feed_append(conn, "registry", None, id, event).await?;
    }
    let org = identities::organisation(conn, filing.organisation_id)
        .await?
        .ok_or(FilingError::NotFound)?;
    notify_processor(conn, &updated, &org, action, correction_due).await?;
    audit::record(
        conn,
        &caller.actor,
        audit_action,
        filings::ENTITY,
        &id.to_string(),
        Some(json!({ "status": status.as_str() })),
        Some(after),
    )
    .await?;
    let attachments = filings::attachments_of(conn, id).await?;
    Ok(views::detail_from(
        updated,
        org,
        held,
        attachments,
        views::Audience::Staff,
    ))
}

/// Keeps a reviewer's decision on the filing for sign-off.
async fn propose(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filing: &Filing,
    action: FilingAction,
    reasons: Option<&serde_json::Value>,
) -> Result<Filing, FilingError> {
    let proposal = json!({
        "action": action.as_str(),
        "reasons": reasons,
        "proposed_by": caller.principal.user_id,
        "proposed_at": Utc::now(),
    });
    let updated = filings::set_proposal(conn, filing.id, Some(&proposal)).await?;
    audit::record(
        conn,
        &caller.actor,
        "filing.decision_proposed",
        filings::ENTITY,
        &filing.id.to_string(),
        None,
        Some(proposal),
    )
    .await?;
    Ok(updated)
}

fn action_of(name: &str) -> Option<FilingAction> {
    match name {
        "record" => Some(FilingAction::Record),
        "return" => Some(FilingAction::Return),
        "refuse" => Some(FilingAction::Refuse),
        _ => None,
    }
}

/// Approves (the decision takes effect) or sends back (the proposal is cleared) the decision a
/// reviewer proposed.
pub async fn sign_off(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    approve: bool,
    note: Option<String>,
    version: Option<i32>,
) -> Result<FilingDetail, FilingError> {
    caller.require(core, Resource::FILING, Action::SignOff, None)?;
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(FilingError::InvalidNote);
    }
    let scope = caller.scope();
    core.db
        .tx(|conn| {
            async move {
                let current = filings::get(conn, id, &scope)
                    .await?
                    .ok_or(FilingError::NotFound)?;
                caller.require(
                    core,
                    Resource::FILING,
                    Action::SignOff,
                    Some(&current.province_code),
                )?;
                let proposal = current
                    .proposed_decision
                    .clone()
                    .ok_or(FilingError::NoProposal)?;
                let action = proposal["action"]
                    .as_str()
                    .and_then(action_of)
                    .ok_or_else(|| anyhow::anyhow!("unreadable proposal {proposal}"))?;
                if approve {
                    let (filing, status, next) =
                        decidable(conn, core, caller, id, action, version).await?;
                    let reasons = proposal.get("reasons").filter(|r| !r.is_null());
                    let done =
                        carry_out(conn, core, caller, &filing, status, next, action, reasons)
                            .await?;
                    audit::record(
                        conn,
                        &caller.actor,
                        "filing.decision_signed_off",
                        filings::ENTITY,
                        &id.to_string(),
                        Some(proposal),
                        None,
                    )
                    .await?;
                    Ok(done)
                } else {
                    if let Some(seen) = version.filter(|v| *v != current.version) {
                        return Err(FilingError::VersionConflict {
                            seen,
                            now: Some(current.version),
                        });
                    }
                    let cleared = filings::set_proposal(conn, id, None).await?;
                    audit::record(
                        conn,
                        &caller.actor,
                        "filing.decision_sent_back",
                        filings::ENTITY,
                        &id.to_string(),
                        Some(proposal),
                        Some(json!({ "note": note })),
                    )
                    .await?;
                    Ok(views::detail_of(conn, cleared, views::Audience::Staff).await?)
                }
            }
            .scope_boxed()
        })
        .await
}

/// Loads a filing in the caller's scope that is waiting for review.
async fn waiting(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<Filing, FilingError> {
    let f = filings::get_for_update(conn, id, &caller.scope())
        .await?
        .ok_or(FilingError::NotFound)?;
    if f.status != FilingStatus::Submitted.as_str() {
        return Err(FilingError::NotInReview(f.status));
    }
    Ok(f)
}

/// Whether `user` can review filings of `province`: an active reviewer or supervisor of that
/// province's CAC office, or of the national CAC.
async fn can_review(
    conn: &mut AsyncPgConnection,
    user: Uuid,
    province: &str,
) -> Result<bool, FilingError> {
    let Some(u) = identities::user(conn, user).await? else {
        return Ok(false);
    };
    let role_ok = matches!(
        Role::from_str(&u.role),
        Ok(Role::Reviewer | Role::Supervisor)
    );
    let Some(agency) = (match u.agency_id {
        Some(a) => identities::agency(conn, a).await?,
        None => None,
    }) else {
        return Ok(false);
    };
    let agency_ok = match AgencyKind::from_str(&agency.kind) {
        Ok(AgencyKind::NationalCac) => true,
        Ok(AgencyKind::ProvincialCac) => agency.province_code.as_deref() == Some(province),
        _ => false,
    };
    Ok(u.active && role_ok && agency_ok)
}

/// Assigns, reassigns or unassigns (`None`) a filing waiting for review (supervisors).
pub async fn assign(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    assignee_id: Option<Uuid>,
    version: i32,
) -> Result<FilingDetail, FilingError> {
    caller.require(core, Resource::FILING, Action::Assign, None)?;
    change_assignee(core, caller, id, version, assignee_id, Action::Assign).await
}

/// Takes an unassigned filing waiting for review (reviewers).
pub async fn take(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
) -> Result<FilingDetail, FilingError> {
    caller.require(core, Resource::FILING, Action::Review, None)?;
    let me = caller.principal.user_id;
    change_assignee(core, caller, id, version, Some(me), Action::Review).await
}

/// Who works a filing waiting for review, changed from the `version` the caller saw: a
/// supervisor's assignment (`Action::Assign`, to an eligible reviewer or to nobody) or a
/// reviewer taking it (`Action::Review`, only when nobody else has it).
async fn change_assignee(
    core: &Core,
    caller: &Caller,
    id: Uuid,
    version: i32,
    to: Option<Uuid>,
    action: Action,
) -> Result<FilingDetail, FilingError> {
    core.db
        .tx(|conn| {
            async move {
                let f = waiting(conn, caller, id).await?;
                caller.require(core, Resource::FILING, action, Some(&f.province_code))?;
                let audit_action = if action == Action::Assign {
                    if let Some(a) = to {
                        if !can_review(conn, a, &f.province_code).await? {
                            return Err(FilingError::InvalidAssignee);
                        }
                    }
                    "filing.assigned"
                } else {
                    if f.assignee_id.is_some_and(|a| Some(a) != to) {
                        return Err(FilingError::AlreadyAssigned);
                    }
                    "filing.taken"
                };
                let updated = filings::assign(conn, id, version, to).await?.ok_or(
                    FilingError::VersionConflict {
                        seen: version,
                        now: Some(f.version),
                    },
                )?;
                audit::record(
                    conn,
                    &caller.actor,
                    audit_action,
                    filings::ENTITY,
                    &id.to_string(),
                    Some(json!({ "assignee_id": f.assignee_id })),
                    Some(json!({ "assignee_id": to })),
                )
                .await?;
                Ok(views::detail_of(conn, updated, views::Audience::Staff).await?)
            }
            .scope_boxed()
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required() {
        assert!(check_reasons(&[]).is_err());
        let ok = Reason {
            path: None,
            message: "请补正".into(),
        };
        assert!(check_reasons(&[ok]).is_ok());
        let empty = Reason {
            path: Some("x".into()),
            message: "  ".into(),
        };
        let problems = check_reasons(&[empty]).expect_err("empty message");
        assert_eq!(problems[0].path, "reasons[0].message");
    }
}
