//! Supervisor sign-off (审批), where configuration requires it: a reviewer's decision is kept
//! as a proposal on the filing; a supervisor approves it (it then takes effect) or sends it
//! back (the proposal is cleared and the filing stays in review).

use crate::review::{carry_out, decidable};
use actix_web::{web, HttpResponse};
use chrono::Utc;
use frt_access::{Action, Resource};
use frt_domain::filing::FilingAction;
use frt_store::filings::{self, Filing};
use frt_store::{audit, views, AsyncPgConnection, ScopedFutureExt};
use frt_web::{ApiError, ApiResult, Auth, Core};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

/// Keeps a reviewer's decision on the filing for sign-off.
pub(crate) async fn propose(
    conn: &mut AsyncPgConnection,
    auth: &Auth,
    filing: &Filing,
    action: FilingAction,
    reasons: Option<&serde_json::Value>,
) -> ApiResult<Filing> {
    let proposal = json!({
        "action": action.as_str(),
        "reasons": reasons,
        "proposed_by": auth.principal.user_id,
        "proposed_at": Utc::now(),
    });
    let updated = filings::set_proposal(conn, filing.id, Some(&proposal)).await?;
    audit::record(
        conn,
        &auth.actor,
        "filing.decision_proposed",
        filings::ENTITY,
        &filing.id.to_string(),
        None,
        Some(proposal),
    )
    .await?;
    Ok(updated)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignOffRequest {
    /// true to let the proposed decision take effect, false to send it back to the reviewer.
    pub approve: bool,
    /// Why it is sent back (recorded in the audit trail).
    pub note: Option<String>,
    /// The filing's `version` as last seen.
    pub version: Option<i32>,
}

fn action_of(name: &str) -> Option<FilingAction> {
    match name {
        "record" => Some(FilingAction::Record),
        "return" => Some(FilingAction::Return),
        "refuse" => Some(FilingAction::Refuse),
        _ => None,
    }
}

/// Approve or send back the decision a reviewer proposed (supervisors).
#[utoipa::path(post, path = "/api/v1/filings/{id}/sign-off", tag = "review", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id")), request_body = SignOffRequest,
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "nothing to sign off, or a stale version", content_type = "application/problem+json")))]
pub async fn sign_off(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: frt_web::Json<SignOffRequest>,
) -> ApiResult<HttpResponse> {
    auth.require(&core, Resource::FILING, Action::SignOff, None)?;
    let id = id.into_inner();
    let SignOffRequest {
        approve,
        note,
        version,
    } = body.into_inner();
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(ApiError::unprocessable(
            "review.invalid_note",
            "the note is at most 2000 characters",
        ));
    }
    let scope = auth.principal.filing_scope();
    let detail = core
        .db
        .tx(|conn| {
            let (core, auth) = (&core, &auth);
            async move {
                let current = filings::get(conn, id, &scope)
                    .await?
                    .ok_or_else(|| ApiError::not_found("filing"))?;
                auth.require(
                    core,
                    Resource::FILING,
                    Action::SignOff,
                    Some(&current.province_code),
                )?;
                let proposal = current.proposed_decision.clone().ok_or_else(|| {
                    ApiError::conflict(
                        "filing.no_proposal",
                        "no decision is waiting for sign-off on this filing",
                    )
                })?;
                let action = proposal["action"]
                    .as_str()
                    .and_then(action_of)
                    .ok_or_else(|| {
                        ApiError::internal(anyhow::anyhow!("unreadable proposal {proposal}"))
                    })?;
                if approve {
                    let (filing, status, next) =
                        decidable(conn, core, auth, id, &scope, action, version).await?;
                    let reasons = proposal.get("reasons").filter(|r| !r.is_null());
                    let done =
                        carry_out(conn, core, auth, &filing, status, next, action, reasons).await?;
                    audit::record(
                        conn,
                        &auth.actor,
                        "filing.decision_signed_off",
                        filings::ENTITY,
                        &id.to_string(),
                        Some(proposal),
                        None,
                    )
                    .await?;
                    Ok(done)
                } else {
                    if version.is_some_and(|v| v != current.version) {
                        return Err(crate::assignment::stale(version.unwrap_or_default()));
                    }
                    let cleared = filings::set_proposal(conn, id, None).await?;
                    audit::record(
                        conn,
                        &auth.actor,
                        "filing.decision_sent_back",
                        filings::ENTITY,
                        &id.to_string(),
                        Some(proposal),
                        Some(json!({ "note": note })),
                    )
                    .await?;
                    Ok::<_, ApiError>(
                        views::detail_of(conn, cleared, views::Audience::Staff).await?,
                    )
                }
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}
