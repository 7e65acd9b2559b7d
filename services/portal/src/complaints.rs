//! Complaints and reports (投诉举报, Art. 17) from the public: filing one, with or without an
//! account and anonymously if wished; following it with the receipt number and access code;
//! adding evidence until it is accepted.

use actix_web::{post, web, HttpRequest, HttpResponse};
use frt_cases::complaints::intake::{self, ComplaintInput, Receipt};
use frt_cases::complaints::lookup::{self, PublicStatus};
use frt_store::materials::Material;
use frt_web::auth::anonymous_actor;
use frt_web::client::throttle_source;
use frt_web::{ApiResult, Core, Json};
use serde::Deserialize;

/// File a complaint or report. Anyone may; an anonymous report gets no reply. Answers the
/// receipt number and an access code shown only this once. Limited per client address
/// (`complaints.intake_per_hour`, counted in the database for every instance; an IPv6 client
/// per /64).
#[utoipa::path(tag = "complaints", request_body = ComplaintInput,
    responses((status = 201, body = Receipt),
        (status = 429, description = "too many complaints from this address; see Retry-After", content_type = "application/problem+json")))]
#[post("/api/v1/complaints")]
pub async fn file_complaint(
    core: web::Data<Core>,
    req: HttpRequest,
    body: Json<ComplaintInput>,
) -> ApiResult<HttpResponse> {
    let actor = anonymous_actor(&req, "complainant (portal)");
    let receipt =
        intake::file_public(&core, &actor, &body.into_inner(), &throttle_source(&req)).await?;
    Ok(HttpResponse::Created().json(receipt))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    /// e.g. TS-310000-20261202-0001.
    #[schema(max_length = 40)]
    pub receipt_number: String,
    /// The access code given with the receipt (dashes and case do not matter).
    #[schema(max_length = 40)]
    pub access_code: String,
}

/// Follow a complaint: its status, dates and, once sent, the reply. The code travels in the
/// body, never in the address. An unknown receipt and a wrong code answer alike (404);
/// repeated wrong codes for one receipt, or from one address, wait (429).
#[utoipa::path(tag = "complaints", request_body = StatusRequest,
    responses((status = 200, body = PublicStatus),
        (status = 404, description = "no complaint matches that receipt number and access code", content_type = "application/problem+json"),
        (status = 429, description = "too many wrong access codes; see Retry-After", content_type = "application/problem+json")))]
#[post("/api/v1/complaints/status")]
pub async fn complaint_status(
    core: web::Data<Core>,
    req: HttpRequest,
    body: Json<StatusRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let source = throttle_source(&req);
    let status = lookup::status(
        &core,
        b.receipt_number.trim(),
        &lookup::bounded_code(&b.access_code),
        &source,
    )
    .await?;
    Ok(HttpResponse::Ok().json(status))
}

/// The header carrying the access code with evidence.
pub const ACCESS_CODE_HEADER: &str = "X-Access-Code";

/// Add a piece of evidence (PDF, DOCX, JPEG or PNG, the filing upload rules) to a complaint
/// until it is accepted, at most 10; the access code goes in the `X-Access-Code` header.
#[utoipa::path(tag = "complaints",
    params(("receipt_number" = String, Path, description = "e.g. TS-310000-20261202-0001", max_length = 40),
           ("X-Access-Code" = String, Header, description = "the access code given with the receipt", max_length = 40)),
    request_body(content_type = "multipart/form-data", content = inline(frt_web::upload::MaterialForm)),
    responses((status = 201, body = Material),
        (status = 404, description = "no complaint matches that receipt number and access code", content_type = "application/problem+json"),
        (status = 409, description = "evidence is no longer taken", content_type = "application/problem+json"),
        (status = 429, description = "too many wrong access codes; see Retry-After", content_type = "application/problem+json")))]
#[post("/api/v1/complaints/{receipt_number}/materials")]
pub async fn give_evidence(
    core: web::Data<Core>,
    receipt: web::Path<String>,
    req: HttpRequest,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    let receipt = receipt.into_inner();
    let code = req
        .headers()
        .get(ACCESS_CODE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(lookup::bounded_code)
        .unwrap_or_default();
    let source = throttle_source(&req);
    lookup::check_evidence_open(&core, &receipt, &code, &source).await?;
    let max = core.settings.uploads.max_bytes;
    let received = frt_web::upload::read_file(&core, &req, body, max).await?;
    let actor = anonymous_actor(&req, "complainant (portal)");
    let material = lookup::add_evidence(&core, &actor, &receipt, &code, &source, received).await?;
    Ok(HttpResponse::Created().json(material))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// e.g. TS-310000-20261202-0001.
    #[schema(max_length = 40)]
    pub receipt_number: String,
    /// The access code given with the receipt.
    #[schema(max_length = 40)]
    pub access_code: String,
    /// 满意, 基本满意 or 不满意.
    #[schema(pattern = "^(satisfied|basically_satisfied|dissatisfied)$")]
    pub rating: String,
    /// What the complainant wants to say about the handling.
    #[schema(max_length = 1000)]
    pub comment: Option<String>,
}

/// Rate the handling once the reply is sent (回访): satisfied, basically satisfied or
/// dissatisfied, with a comment; once only. A dissatisfied rating goes to the province's
/// supervisors. The code travels in the body; wrong codes count as for the status.
#[utoipa::path(tag = "complaints", request_body = RatingRequest,
    responses((status = 200, body = PublicStatus),
        (status = 404, description = "no complaint matches that receipt number and access code", content_type = "application/problem+json"),
        (status = 409, description = "complaint.not_replied: no reply yet; complaint.already_rated: rated before", content_type = "application/problem+json"),
        (status = 422, description = "a rating or comment that is not allowed", content_type = "application/problem+json"),
        (status = 429, description = "too many wrong access codes; see Retry-After", content_type = "application/problem+json")))]
#[post("/api/v1/complaints/rating")]
pub async fn rate_complaint(
    core: web::Data<Core>,
    req: HttpRequest,
    body: Json<RatingRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let actor = anonymous_actor(&req, "complainant (portal)");
    let status = lookup::rate(
        &core,
        &actor,
        b.receipt_number.trim(),
        &lookup::bounded_code(&b.access_code),
        &throttle_source(&req),
        &b.rating,
        b.comment.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(status))
}
