//! Disputes over a USCC: a registration that claimed a code another organisation holds, for
//! the province's reviewers to decide (`frt_cases::disputes`).

use actix_web::{get, post, web, HttpResponse};
use frt_cases::disputes::{self, DisputePage, DisputeView, Outcome};
use frt_web::{ApiResult, Auth, Core, Json};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DisputeQuery {
    /// `open`, `upheld` or `dismissed`; all when omitted.
    #[param(pattern = "^(open|upheld|dismissed)$")]
    pub status: Option<String>,
    /// The `next` of the previous page.
    #[param(
        pattern = "^([dtunx][0-9a-f-]{0,32}(\\.[dtunx][0-9a-f-]{0,32}){0,5})?$",
        max_length = 200
    )]
    pub after: Option<String>,
    /// 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// The disputes of the provinces the caller works, oldest first: each claim beside the
/// organisation holding the USCC.
#[utoipa::path(tag = "registration disputes", security(("bearer" = [])), params(DisputeQuery),
    responses((status = 200, body = DisputePage),
        (status = 403, description = "not a reviewer or supervisor of a CAC office", content_type = "application/problem+json")))]
#[get("/api/v1/registration-disputes")]
pub async fn list_disputes(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<DisputeQuery>,
) -> ApiResult<HttpResponse> {
    let page = disputes::list(
        &core,
        &auth,
        q.status.as_deref(),
        q.after.as_deref(),
        q.limit.unwrap_or(50),
    )
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One dispute.
#[utoipa::path(tag = "registration disputes", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = DisputeView),
        (status = 404, description = "no such dispute in the caller's provinces", content_type = "application/problem+json")))]
#[get("/api/v1/registration-disputes/{id}")]
pub async fn show_dispute(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(disputes::get(&core, &auth, id.into_inner()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub outcome: Outcome,
    /// Why, as the claimant reads it in the mail (1 to 2000 characters).
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

/// Decide an open dispute. Upheld: the organisation passes to the claimant (its users stop
/// working, its name and contacts become the claimant's, and the claimant's admin account is
/// made and confirms its address by a mailed link). Dismissed: the holder keeps it. The
/// claimant is mailed the decision and the note.
#[utoipa::path(tag = "registration disputes", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Decision,
    responses((status = 200, body = DisputeView),
        (status = 409, description = "dispute.already_decided", content_type = "application/problem+json"),
        (status = 422, description = "dispute.invalid: the note is missing or too long", content_type = "application/problem+json")))]
#[post("/api/v1/registration-disputes/{id}/decision")]
pub async fn decide_dispute(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Decision>,
) -> ApiResult<HttpResponse> {
    let d = body.into_inner();
    Ok(HttpResponse::Ok()
        .json(disputes::decide(&core, &auth, id.into_inner(), d.outcome, &d.note).await?))
}
