//! Inspections seen from the processor's side (Art. 16: processors cooperate): its own
//! inspections with what is asked of it and by when, its answers and materials, and the
//! public list of closed inspections (一公开).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use frt_cases::inspections::conduct::PublishedQuery;
use frt_cases::inspections::{self, processor, InspectionView};
use frt_store::inspections::Published;
use frt_store::materials::Material;
use frt_web::{ApiResult, Auth, Core, Json};
use serde::Deserialize;
use uuid::Uuid;

/// The caller's organisation's inspections, newest first, each with its requests and orders
/// and their due dates.
#[utoipa::path(tag = "inspections", security(("bearer" = [])),
    responses((status = 200, body = [InspectionView])))]
#[get("/api/v1/inspections")]
pub async fn my_inspections(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    let all = inspections::InspectionQuery {
        limit: Some(200),
        ..Default::default()
    };
    Ok(HttpResponse::Ok().json(inspections::list(&core, &auth, &all).await?))
}

/// Closed inspections as published (一公开): processor, date, result and whether an ordered
/// rectification was done; no personal data of individuals. Public.
#[utoipa::path(tag = "inspections", params(PublishedQuery),
    responses((status = 200, body = [Published])))]
#[get("/api/v1/inspections/published")]
pub async fn published(
    core: web::Data<Core>,
    q: web::Query<PublishedQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(inspections::conduct::published(&core, &q).await?))
}

/// One of the organisation's inspections.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = InspectionView)))]
#[get("/api/v1/inspections/{id}")]
pub async fn my_inspection(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(inspections::show(&core, &auth, id.into_inner()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The answer to a document request, or the report of a rectification (报告整改).
    #[schema(min_length = 1, max_length = 8000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub answer: String,
}

/// Answer a document request, or report the rectification an order asked for.
#[utoipa::path(tag = "inspections", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("item_id" = Uuid, Path)), request_body = Answer,
    responses((status = 200, body = InspectionView),
        (status = 409, description = "inspection.item_closed: the request or order is no longer open", content_type = "application/problem+json")))]
#[post("/api/v1/inspections/{id}/items/{item_id}/answer")]
pub async fn answer(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<Answer>,
) -> ApiResult<HttpResponse> {
    let (id, item) = path.into_inner();
    let view = processor::answer(&core, &auth, id, item, &body.into_inner().answer).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Give a material with a request or order (the same upload rules as filings).
#[utoipa::path(tag = "inspections", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("item_id" = Uuid, Path)),
    request_body(content_type = "multipart/form-data", content = inline(frt_web::upload::MaterialForm)),
    responses((status = 201, body = Material),
        (status = 409, description = "inspection.item_closed: the request or order is no longer open", content_type = "application/problem+json")))]
#[post("/api/v1/inspections/{id}/items/{item_id}/materials")]
pub async fn give_material(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
    req: HttpRequest,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    let (id, item) = path.into_inner();
    let max = core.settings.uploads.max_bytes;
    processor::check_item_open(&core, &auth, id, item).await?;
    let received = frt_web::upload::read_file(&core, &req, body, max).await?;
    let material = processor::attach(&core, &auth, id, item, received).await?;
    Ok(HttpResponse::Created().json(material))
}

/// Download a material the organisation gave for one of its inspections (audited).
#[utoipa::path(tag = "inspections", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("material_id" = Uuid, Path)),
    responses((status = 200, description = "the file")))]
#[get("/api/v1/inspections/{id}/materials/{material_id}")]
pub async fn download_material(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, material) = path.into_inner();
    let opened = processor::open_material(&core, &auth, id, material).await?;
    Ok(frt_web::download::respond(opened))
}
