//! Notifications between agencies (通报, Art. 16) for staff: the agencies to address, sending,
//! the list of what the caller's agency sent and received, one notification, and the
//! recipient's acknowledgement (签收) and feedback (反馈). `frt_cases::notifications` does the
//! work, for casework and the exchange service alike.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use frt_access::Action;
use frt_cases::notifications::{
    self as n, Feedback, NotificationInput, NotificationPage, NotificationQuery, NotificationView,
    Origin, Receipt,
};
use frt_store::identities::Agency;
use frt_web::{ApiResult, Auth, Core, Json};
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

/// What the caller's agency sent and received (national CAC: everything within the CAC's
/// domain), newest first; a restricted notification only for the roles it names.
#[utoipa::path(tag = "notifications", security(("bearer" = [])), params(NotificationQuery),
    responses((status = 200, body = NotificationPage)))]
#[get("/api/v1/notifications")]
pub async fn list_notifications(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<NotificationQuery>,
) -> ApiResult<HttpResponse> {
    let origin = Origin::staff(&core, &auth, Action::Read)?;
    Ok(HttpResponse::Ok().json(n::list(&core, &origin, &q).await?))
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
    responses((status = 201, body = frt_store::materials::Material)))]
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
