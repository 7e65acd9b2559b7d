//! Decisions on a submitted filing: record it (备案, issuing a filing number), return it for
//! correction (退回补正) or refuse it (不予备案), both with reasons.

use actix_web::{web, HttpResponse};
use chrono::{Datelike, NaiveDate};
use frt_access::{Action, Resource};
use frt_cases::filings::notify as notices;
use frt_domain::calendar::WorkingDays;
use frt_domain::filing::{FilingAction, FilingNumber, FilingStatus};
use frt_mail::FilingNotice;
use frt_store::filings::{self, Decision, Filing, Scope};
use frt_store::{audit, deadlines, identities, views, AsyncPgConnection, ScopedFutureExt};
use frt_web::error::FieldError;
use frt_web::{today_in_china, ApiError, ApiResult, Auth, Core};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

/// Tells the processor of a decision, by mail through the outbox: the filing number of a
/// record, the reasons of a refusal, the reasons and correction time limit of a return.
async fn notify_processor(
    conn: &mut AsyncPgConnection,
    filing: &Filing,
    org: &identities::Organisation,
    action: FilingAction,
    correction_due: Option<NaiveDate>,
) -> ApiResult<()> {
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
pub(crate) async fn decidable(
    conn: &mut AsyncPgConnection,
    core: &Core,
    auth: &Auth,
    id: Uuid,
    scope: &Scope,
    action: FilingAction,
    expected_version: Option<i32>,
) -> ApiResult<(Filing, FilingStatus, FilingStatus)> {
    let filing = filings::get_for_update(conn, id, scope)
        .await?
        .ok_or_else(|| ApiError::not_found("filing"))?;
    let province = filing.province_code.as_str();
    auth.require(core, Resource::FILING, Action::Review, Some(province))?;
    if let Some(v) = expected_version.filter(|v| *v != filing.version) {
        return Err(crate::assignment::stale(v));
    }
    let assigned_elsewhere = filing
        .assignee_id
        .is_some_and(|a| a != auth.principal.user_id);
    if assigned_elsewhere
        && !core.authz.allows(
            &auth.principal,
            Resource::FILING,
            Action::Assign,
            Some(province),
        )
    {
        return Err(ApiError::conflict(
            "filing.assigned_to_other",
            "the filing is assigned to another reviewer; only they or a supervisor may decide it",
        ));
    }
    let status = filing
        .status
        .parse::<FilingStatus>()
        .map_err(ApiError::internal)?;
    let next = status.apply(action).map_err(|e| {
        ApiError::conflict(
            "filing.illegal_transition",
            format!("{e} ({})", status.name_zh()),
        )
    })?;
    Ok((filing, status, next))
}

/// Record the filing and issue its number.
#[utoipa::path(post, path = "/api/v1/filings/{id}/record", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body(content = Option<RecordRequest>),
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "not waiting for review", content_type = "application/problem+json")))]
pub async fn record(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: frt_web::MaybeJson<RecordRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Review, None)?;
    let id = id.into_inner();
    let expected_version = body.into_inner().and_then(|r| r.version);
    decide(core, auth, id, FilingAction::Record, None, expected_version).await
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// The form field or attachment the reason is about (e.g. `storage.people_stored`,
    /// `attachments.commitment_letter`); absent for the filing as a whole.
    pub path: Option<String>,
    pub message: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonsRequest {
    pub reasons: Vec<Reason>,
    /// The filing's `version` as last seen; a stale one is refused (409).
    pub version: Option<i32>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordRequest {
    /// The filing's `version` as last seen; a stale one is refused (409).
    pub version: Option<i32>,
}

/// Checks reasons: at least one, each with a message of 1 to 2000 characters.
pub fn check_reasons(reasons: &[Reason]) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if reasons.is_empty() {
        errors.push(FieldError {
            path: "reasons".into(),
            code: "empty_list".into(),
            message: "give at least one reason for the correction".into(),
        });
    }
    if reasons.len() > 100 {
        errors.push(FieldError {
            path: "reasons".into(),
            code: "too_many".into(),
            message: "at most 100 reasons".into(),
        });
    }
    for (i, r) in reasons.iter().enumerate() {
        let len = r.message.trim().chars().count();
        if len == 0 || len > 2000 {
            errors.push(FieldError {
                path: format!("reasons[{i}].message"),
                code: "required".into(),
                message: "each reason needs a message of 1 to 2000 characters".into(),
            });
        }
        if r.path.as_ref().is_some_and(|p| p.len() > 200) {
            errors.push(FieldError {
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

/// Return the filing to the processor for correction (退回补正), with reasons; the
/// processor corrects and resubmits.
#[utoipa::path(post, path = "/api/v1/filings/{id}/return", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = ReasonsRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "not waiting for review", content_type = "application/problem+json"),
    (status = 422, description = "no reasons", content_type = "application/problem+json")))]
pub async fn return_for_correction(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: frt_web::Json<ReasonsRequest>,
) -> ApiResult<HttpResponse> {
    let ReasonsRequest { reasons, version } = body.into_inner();
    decide_with_reasons(
        core,
        auth,
        id.into_inner(),
        reasons,
        version,
        FilingAction::Return,
    )
    .await
}

/// Refuse the filing (不予备案), with reasons; the decision is final.
#[utoipa::path(post, path = "/api/v1/filings/{id}/refuse", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = ReasonsRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "not waiting for review", content_type = "application/problem+json"),
    (status = 422, description = "no reasons", content_type = "application/problem+json")))]
pub async fn refuse(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: frt_web::Json<ReasonsRequest>,
) -> ApiResult<HttpResponse> {
    let ReasonsRequest { reasons, version } = body.into_inner();
    decide_with_reasons(
        core,
        auth,
        id.into_inner(),
        reasons,
        version,
        FilingAction::Refuse,
    )
    .await
}

/// A return or a refusal: reasons checked, then decided.
async fn decide_with_reasons(
    core: web::Data<Core>,
    auth: Auth,
    id: Uuid,
    reasons: Vec<Reason>,
    expected_version: Option<i32>,
    action: FilingAction,
) -> ApiResult<HttpResponse> {
    check_reasons(&reasons).map_err(|errors| {
        ApiError::unprocessable("review.invalid_reasons", "the reasons are incomplete")
            .with_errors(errors)
    })?;
    let reasons = serde_json::to_value(&reasons).map_err(ApiError::internal)?;
    decide(core, auth, id, action, Some(reasons), expected_version).await
}

/// A decision by a reviewer: carried out at once, or, where configuration requires a
/// supervisor's sign-off and the caller is not one, proposed for sign-off.
async fn decide(
    core: web::Data<Core>,
    auth: Auth,
    id: Uuid,
    action: FilingAction,
    reasons: Option<serde_json::Value>,
    expected_version: Option<i32>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Review, None)?;
    let scope = auth.principal.filing_scope();
    let detail = core
        .db
        .tx(|conn| {
            let (core, auth) = (&core, &auth);
            async move {
                let (filing, status, next) =
                    decidable(conn, core, auth, id, &scope, action, expected_version).await?;
                let signs_off = core.authz.allows(
                    &auth.principal,
                    Resource::FILING,
                    Action::SignOff,
                    Some(&filing.province_code),
                );
                if core.settings.filing.sign_off_required && !signs_off {
                    let proposed =
                        crate::sign_off::propose(conn, auth, &filing, action, reasons.as_ref())
                            .await?;
                    return Ok(views::detail_of(conn, proposed, views::Audience::Staff).await?);
                }
                carry_out(
                    conn,
                    core,
                    auth,
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
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// Carries out a decision on a locked filing whose transition was checked: the filing number
/// for a record, the reasons for a return or refusal, the review clock (a return pauses it,
/// keeping the working days used, and starts the processor's correction clock; a record or
/// refusal stops it, noting whether the regulator decided in time), the processor's notice
/// and the audit row. Returns the staff view of the decided filing.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn carry_out(
    conn: &mut AsyncPgConnection,
    core: &Core,
    auth: &Auth,
    filing: &Filing,
    status: FilingStatus,
    next: FilingStatus,
    action: FilingAction,
    reasons: Option<&serde_json::Value>,
) -> ApiResult<views::FilingDetail> {
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
            .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
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
        let n = WorkingDays::new(i64::from(r.working_days))
            .map_err(|e| ApiError::internal(anyhow::anyhow!(e)))?;
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
            .ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!("filing number out of range: {seq}"))
            })?
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
        _ => {
            return Err(ApiError::internal(anyhow::anyhow!(
                "{action:?} is not a reviewer's decision"
            )))
        }
    };
    let updated = filings::mark_decided(conn, id, decision, auth.principal.user_id, used).await?;
    let org = identities::organisation(conn, filing.organisation_id)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation"))?;
    notify_processor(conn, &updated, &org, action, correction_due).await?;
    audit::record(
        conn,
        &auth.actor,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_required() {
        assert!(check_reasons(&[]).is_err());
        let blank = Reason {
            path: None,
            message: "  ".into(),
        };
        let errs = check_reasons(&[blank]).expect_err("blank");
        assert_eq!(errs[0].path, "reasons[0].message");
        let ok = Reason {
            path: Some("storage.people_stored".into()),
            message: "the count does not match the PIPIA".into(),
        };
        assert!(check_reasons(&[ok]).is_ok());
    }
}
