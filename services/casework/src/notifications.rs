//! Notifications between agencies (通报, Art. 16) for staff: the agencies to address, sending,
//! the list of what the caller's agency sent and received, one notification, and the
//! recipient's acknowledgement (签收) and feedback (反馈). `frt_cases::notifications` does the
//! work, for casework and the exchange service alike.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use frt_access::Action;
use frt_cases::notifications::{
    self as n, Feedback, ListFilter, NotificationInput, NotificationPage, NotificationView, Origin,
    Receipt,
};
use frt_domain::notification::{NotificationKind, ReceiptStatus};
use frt_store::identities::Agency;
use frt_web::{ApiResult, Auth, Core, Json};
use serde::Deserialize;
use uuid::Uuid;

/// Every agency (CAC offices, public security, other departments) with its kind, level,
/// province and parent: the addressees a notification can name.
#[utoipa::path(tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Vec<Agency>)))]
#[get("/api/v1/agencies")]
pub async fn list_agencies(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(n::agencies(&core, &auth).await?))
}

/// Send a notification to other agencies. A case transfer (移送) hands each recipient exactly
/// the records it names; with `ack_required` each recipient must acknowledge it within the
/// working days given.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), request_body = NotificationInput,
    responses((status = 201, body = NotificationView)))]
#[post("/api/v1/notifications")]
pub async fn send_notification(
    core: web::Data<Core>,
    auth: Auth,
    body: Json<NotificationInput>,
) -> ApiResult<HttpResponse> {
    let origin = Origin::staff(&core, &auth, Action::Send)?;
    let sent = n::send(&core, &origin, &body.into_inner()).await?;
    Ok(HttpResponse::Created().json(sent))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// sent, received, or both (the default).
    #[param(pattern = "^(sent|received)$")]
    pub direction: Option<String>,
    #[param(
        pattern = "^(violation_notice|case_transfer|information_sharing|joint_inspection_request|feedback)$"
    )]
    pub kind: Option<String>,
    /// Where the caller's agency's receipt stands.
    #[param(pattern = "^(delivered|acknowledged|answered)$")]
    pub status: Option<String>,
    pub organisation_id: Option<Uuid>,
    /// The `next` of the previous page.
    #[param(max_length = 80)]
    pub before: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// What the caller's agency sent and received (national CAC: everything within the CAC's
/// domain), newest first; a restricted notification only for the roles it names.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = NotificationPage)))]
#[get("/api/v1/notifications")]
pub async fn list_notifications(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let origin = Origin::staff(&core, &auth, Action::Read)?;
    let limit = frt_web::params::within("limit", q.limit.unwrap_or(50), 1..=200)?;
    let one_of = |name: &'static str, v: Option<&str>, names: &[&'static str]| {
        v.map(|v| frt_web::params::one_of(name, v, names))
            .transpose()
            .map(|v| v.map(str::to_owned))
    };
    let direction = one_of("direction", q.direction.as_deref(), &["sent", "received"])?;
    let kind = one_of(
        "kind",
        q.kind.as_deref(),
        &NotificationKind::ALL.map(|k| k.as_str()),
    )?;
    let status = one_of(
        "status",
        q.status.as_deref(),
        &ReceiptStatus::ALL.map(|s| s.as_str()),
    )?;
    let before = q
        .before
        .as_deref()
        .map(|b| frt_web::params::text("before", b, 80))
        .transpose()?
        .map(str::to_owned);
    let page = n::list(
        &core,
        &origin,
        ListFilter {
            direction,
            kind,
            status,
            organisation_id: q.organisation_id,
            before,
            limit,
        },
    )
    .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One notification, with its recipients and where each receipt stands.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = NotificationView)))]
#[get("/api/v1/notifications/{id}")]
pub async fn show_notification(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let origin = Origin::staff(&core, &auth, Action::Read)?;
    Ok(HttpResponse::Ok().json(n::show(&core, &origin, id.into_inner()).await?))
}

/// Acknowledge receipt (签收) for the caller's agency.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = NotificationView),
        (status = 409, description = "notification.already_done: acknowledged before", content_type = "application/problem+json")))]
#[post("/api/v1/notifications/{id}/acknowledge")]
pub async fn acknowledge(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let origin = Origin::staff(&core, &auth, Action::Acknowledge)?;
    let v = n::receive(&core, &origin, id.into_inner(), Receipt::Acknowledge).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Answer with feedback (反馈) for the caller's agency, once.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Feedback, responses((status = 200, body = NotificationView),
        (status = 409, description = "notification.already_done: answered before", content_type = "application/problem+json")))]
#[post("/api/v1/notifications/{id}/feedback")]
pub async fn feedback(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Feedback>,
) -> ApiResult<HttpResponse> {
    let origin = Origin::staff(&core, &auth, Action::Acknowledge)?;
    let text = body.into_inner().feedback;
    let v = n::receive(&core, &origin, id.into_inner(), Receipt::Feedback(text)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Attach a file to a notification the caller's agency sent (PDF, DOCX, JPEG or PNG, checked
/// by content, within the upload limit; at most 20).
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", content = inline(frt_web::upload::MaterialForm)),
    responses((status = 201, body = frt_store::notifications::Material)))]
#[post("/api/v1/notifications/{id}/materials")]
pub async fn attach(
    core: web::Data<Core>,
    auth: Auth,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    let origin = Origin::staff(&core, &auth, Action::Send)?;
    let max = core.settings.uploads.max_bytes;
    let received = frt_web::upload::read_file(&core, &req, body, max).await?;
    let m = n::add_material(&core, &origin, id.into_inner(), received).await?;
    Ok(HttpResponse::Created().json(m))
}

/// Download an attachment of a notification the caller may see (audited).
#[utoipa::path(tag = "notifications", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("material_id" = Uuid, Path)),
    responses((status = 200, description = "the file")))]
#[get("/api/v1/notifications/{id}/materials/{material_id}")]
pub async fn download_material(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let origin = Origin::staff(&core, &auth, Action::Read)?;
    let (id, material) = path.into_inner();
    let opened = n::open_material(&core, &origin, id, material).await?;
    Ok(frt_web::download::respond(opened))
}
