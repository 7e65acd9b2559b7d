//! Complaints and reports (投诉举报, Art. 17) for the office: entering one received by phone,
//! letter, visit or transfer; the queue; and the handling through to the mandatory reply
//! (`frt_cases::complaints::handling` does the work).

use actix_web::{get, post, web, HttpResponse};
use frt_cases::complaints::handling::{self, ComplaintQueuePage, ComplaintQueueQuery};
use frt_cases::complaints::intake::{self, ComplaintInput, Receipt};
use frt_cases::complaints::ComplaintView;
use frt_web::{ApiResult, Auth, Core, Json};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnteredComplaint {
    /// How it reached the office: phone, letter, visit or transfer.
    #[schema(pattern = "^(phone|letter|visit|transfer)$")]
    pub channel: String,
    /// The complaint as the complainant gave it, in the portal's shape.
    pub complaint: ComplaintInput,
}

/// Enter a complaint received by phone, letter, visit or transfer (complaint handlers). It is
/// routed to the province where the processor is located, like one filed online.
#[utoipa::path(tag = "complaints", security(("bearer" = [])), request_body = EnteredComplaint,
    responses((status = 201, body = Receipt)))]
#[post("/api/v1/complaints")]
pub async fn enter_complaint(
    core: web::Data<Core>,
    auth: Auth,
    body: Json<EnteredComplaint>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let receipt = intake::enter(&core, &auth, &b.complaint, &b.channel).await?;
    Ok(HttpResponse::Created().json(receipt))
}

/// The complaints of the caller's province (every province for national staff), nearest time
/// limit first; the complainant's contact never shows here.
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(ComplaintQueueQuery),
    responses((status = 200, body = ComplaintQueuePage)))]
#[get("/api/v1/complaints")]
pub async fn complaint_queue(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<ComplaintQueueQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(handling::queue(&core, &auth, &q).await?))
}

/// One complaint. The complainant's contact is unmasked for its handler and the province's
/// supervisors (the view is audited), masked for everyone else.
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = ComplaintView)))]
#[get("/api/v1/complaints/{id}")]
pub async fn show_complaint(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(handling::show(&core, &auth, id.into_inner()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Version {
    pub version: i32,
}

/// Accept the complaint (受理).
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Version, responses((status = 200, body = ComplaintView)))]
#[post("/api/v1/complaints/{id}/accept")]
pub async fn accept(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Version>,
) -> ApiResult<HttpResponse> {
    let v = body.into_inner().version;
    Ok(HttpResponse::Ok().json(handling::accept(&core, &auth, id.into_inner(), v).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    pub version: i32,
    /// Why it is not accepted: also the reply to a named complainant.
    #[schema(min_length = 1, max_length = 4000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub reasons: String,
}

/// Do not accept it (不予受理); the reasons are the reply, sent to a named complainant.
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Refusal, responses((status = 200, body = ComplaintView)))]
#[post("/api/v1/complaints/{id}/refuse")]
pub async fn refuse(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Refusal>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let view = handling::refuse(&core, &auth, id.into_inner(), b.version, &b.reasons).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    pub version: i32,
    /// `province:<code>` (another province's office), `public_security`, or
    /// `department:<name>`.
    #[schema(
        max_length = 120,
        pattern = "^(province:[0-9]{2}0000|public_security|department:.*[^\\s].*)$"
    )]
    pub to: String,
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub reason: String,
}

/// Transfer a complaint outside the office's remit (转办), with a reason; the complainant is
/// told. To another province it joins that office's queue.
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Transfer, responses((status = 200, body = ComplaintView)))]
#[post("/api/v1/complaints/{id}/transfer")]
pub async fn transfer(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Transfer>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let view =
        handling::transfer(&core, &auth, id.into_inner(), b.version, &b.to, &b.reason).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    pub version: i32,
    /// A complaint handler or supervisor of the province; handlers may take one themselves.
    pub assignee_id: Uuid,
}

/// Assign a handler (分派).
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Assignment, responses((status = 200, body = ComplaintView)))]
#[post("/api/v1/complaints/{id}/assign")]
pub async fn assign(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Assignment>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let view = handling::assign(&core, &auth, id.into_inner(), b.version, b.assignee_id).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Investigation {
    pub version: i32,
    /// An inspection of the processor opened for this complaint (source `complaint`).
    pub inspection_id: Option<Uuid>,
}

/// Start the investigation (办理).
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Investigation, responses((status = 200, body = ComplaintView)))]
#[post("/api/v1/complaints/{id}/investigate")]
pub async fn investigate(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Investigation>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let view =
        handling::investigate(&core, &auth, id.into_inner(), b.version, b.inspection_id).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Result_ {
    pub version: i32,
    #[schema(min_length = 1, max_length = 4000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub result: String,
}

/// Record the result (处理结果).
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Result_, responses((status = 200, body = ComplaintView)))]
#[post("/api/v1/complaints/{id}/result")]
pub async fn decide(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Result_>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let view = handling::decide(&core, &auth, id.into_inner(), b.version, &b.result).await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    pub version: i32,
    #[schema(min_length = 1, max_length = 8000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub text: String,
    /// For a reply by post: the day the letter was sent.
    #[schema(value_type = Option<String>, format = Date)]
    pub posted_on: Option<String>,
}

/// Reply to the complainant (答复): by mail (sent by the platform, approved first where
/// configured), or record the letter sent for a reply by post.
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Reply, responses((status = 200, body = ComplaintView)))]
#[post("/api/v1/complaints/{id}/reply")]
pub async fn reply(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Reply>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let view = handling::reply(
        &core,
        &auth,
        id.into_inner(),
        b.version,
        &b.text,
        b.posted_on.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Approve the reply waiting for approval (supervisors); it is sent.
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Version, responses((status = 200, body = ComplaintView)))]
#[post("/api/v1/complaints/{id}/reply/approval")]
pub async fn approve_reply(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Version>,
) -> ApiResult<HttpResponse> {
    let v = body.into_inner().version;
    Ok(HttpResponse::Ok().json(handling::approve_reply(&core, &auth, id.into_inner(), v).await?))
}

/// Close the complaint (办结). One that is not anonymous closes only once its reply was
/// delivered: 409 `complaint.reply_required` otherwise.
#[utoipa::path(tag = "complaints", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Version, responses((status = 200, body = ComplaintView),
        (status = 409, description = "complaint.reply_required: no reply delivered yet; or a stale version or a step the status does not allow", content_type = "application/problem+json")))]
#[post("/api/v1/complaints/{id}/close")]
pub async fn close(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Version>,
) -> ApiResult<HttpResponse> {
    let v = body.into_inner().version;
    Ok(HttpResponse::Ok().json(handling::close(&core, &auth, id.into_inner(), v).await?))
}

/// Download a piece of evidence the complainant gave (audited).
#[utoipa::path(tag = "complaints", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("material_id" = Uuid, Path)),
    responses((status = 200, description = "the file")))]
#[get("/api/v1/complaints/{id}/materials/{material_id}")]
pub async fn download_evidence(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, material) = path.into_inner();
    let opened = handling::open_evidence(&core, &auth, id, material).await?;
    Ok(frt_web::download::respond(opened))
}
