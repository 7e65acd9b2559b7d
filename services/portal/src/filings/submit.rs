//! Submit (or resubmit after correction) a filing. Completeness and consistency are checked
//! with every problem reported at once; the statutory deadline is computed from the calendar;
//! an `Idempotency-Key` makes a retried submit return the first result.

use super::{stored_form, typed};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use frt_access::{Action, Resource};
use frt_cases::filings::notify as notices;
use frt_domain::calendar::WorkingDays;
use frt_domain::filing::{FilingAction, FilingStatus};
use frt_domain::form::{check_for_submit, AttachmentKind};
use frt_domain::risk;
use frt_mail::FilingNotice;
use frt_store::{
    audit, deadlines, filings, idempotency, identities, versions, views, ScopedFutureExt,
};
use frt_web::error::FieldError;
use frt_web::{china_date, today_in_china, ApiError, ApiResult, Auth, Core};
use serde_json::json;
use uuid::Uuid;

/// Reads the optional `Idempotency-Key` header: 1 to 100 visible ASCII characters.
pub fn idempotency_key(req: &HttpRequest) -> ApiResult<Option<String>> {
    let Some(v) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 100 && k.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::bad_request(
                "idempotency.invalid_key",
                "Idempotency-Key must be 1 to 100 visible ASCII characters",
            )
        })?;
    Ok(Some(key.to_owned()))
}

/// Submit the filing for review.
#[utoipa::path(post, path = "/api/v1/filings/{id}/submit", tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id"),
           ("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key returns the first result")),
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "not in a state that can be submitted", content_type = "application/problem+json"),
    (status = 422, description = "incomplete or inconsistent; every problem listed", content_type = "application/problem+json")))]
pub async fn submit(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::Write, None)?;
    let id = id.into_inner();
    let key = idempotency_key(&req)?;
    let request_hash = format!("submit:{id}");
    let scope = auth.principal.filing_scope();
    let actor = auth.actor.clone();
    let user_id = auth.principal.user_id;
    let settings = core.settings.clone();
    let calendars = core.calendars.clone();
    let (status, body) = core
        .db
        .tx(|conn| {
            async move {
                if let Some(key) = &key {
                    if let Some(saved) = idempotency::lookup_locked(conn, user_id, key).await? {
                        if saved.request_hash != request_hash {
                            return Err(ApiError::unprocessable(
                                "idempotency.key_reused",
                                "this Idempotency-Key was already used for a different request",
                            ));
                        }
                        // The key answered an earlier round if the filing was returned since.
                        let now = filings::get(conn, id, &scope).await?;
                        if now.is_some_and(|f| f.status == FilingStatus::Returned.as_str()) {
                            return Err(ApiError::unprocessable(
                                "idempotency.key_reused",
                                "this Idempotency-Key answered an earlier submission of this filing; use a new key to resubmit",
                            ));
                        }
                        let status = u16::try_from(saved.status).unwrap_or(200);
                        return Ok((status, saved.body));
                    }
                }
                let filing = filings::get_for_update(conn, id, &scope)
                    .await?
                    .ok_or_else(|| ApiError::not_found("filing"))?;
                let (status, kind) = typed(&filing)?;
                let next = status.apply(FilingAction::Submit).map_err(|e| {
                    ApiError::conflict(
                        "filing.illegal_transition",
                        format!("{e} ({})", status.name_zh()),
                    )
                })?;
                let form = stored_form(&filing)?;
                let materials = filings::attachments_of(conn, id).await?;
                let attachments: Vec<AttachmentKind> =
                    materials.iter().filter_map(|a| a.kind.parse().ok()).collect();
                let today = today_in_china();
                let checked =
                    check_for_submit(&form, kind, &attachments, today).map_err(|problems| {
                        ApiError::unprocessable(
                            "filing.incomplete",
                            format!(
                                "the filing cannot be submitted: {} problem(s) to fix",
                                problems.len()
                            ),
                        )
                        .with_errors(problems.into_iter().map(FieldError::from).collect())
                    })?;
                let now = chrono::Utc::now();
                let calendar = calendars.get(conn).await?;
                let org = identities::organisation(conn, filing.organisation_id)
                    .await?
                    .ok_or_else(|| ApiError::not_found("organisation"))?;
                let working_days = |n: i64| {
                    WorkingDays::new(n).map_err(|e| ApiError::internal(anyhow::anyhow!(e)))
                };
                // Lateness is judged by the first submission: a correction does not make it late.
                let met_on = china_date(filing.first_submitted_at.unwrap_or(now));
                let statutory = deadlines::set(
                    conn,
                    &calendar,
                    filings::ENTITY,
                    id,
                    filings::STATUTORY_DEADLINE,
                    checked.trigger_date(),
                    working_days(settings.filing.statutory_working_days)?,
                    Some(met_on),
                )
                .await?;
                // The regulator's review clock runs again, with the days used before a return.
                let review = deadlines::set(
                    conn,
                    &calendar,
                    filings::ENTITY,
                    id,
                    filings::REVIEW_DEADLINE,
                    today,
                    working_days(
                        (settings.filing.review_working_days
                            - i64::from(filing.review_days_used))
                        .max(1),
                    )?,
                    None,
                )
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
                // Flags for the reviewer, from the form and the facts around it.
                let ctx = risk::Context {
                    kind,
                    late_by_working_days: statutory.late_by_working_days.map(i64::from),
                    uscc_checksum_ok: org.uscc_checksum_ok,
                    processing_started_on: None,
                };
                let assessment = risk::assess(checked.form(), &ctx);
                let rank = risk::RiskLevel::ALL
                    .iter()
                    .position(|l| *l == assessment.level)
                    .unwrap_or(0);
                let flags = serde_json::to_value(&assessment.flags).map_err(ApiError::internal)?;
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
                        risk_rank: i16::try_from(rank).unwrap_or(0),
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
                let body = serde_json::to_value(&detail).map_err(ApiError::internal)?;
                if let Some(key) = &key {
                    idempotency::save(conn, user_id, key, &request_hash, 200, &body).await?;
                }
                Ok((200u16, body))
            }
            .scope_boxed()
        })
        .await?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    Ok(HttpResponse::build(status).json(body))
}
