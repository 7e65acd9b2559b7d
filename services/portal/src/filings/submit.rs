//! Submit (or resubmit after correction) a filing (`frt_cases::filings::submit` does the
//! work); an `Idempotency-Key` makes a retried submit return the first result.

use actix_web::http::StatusCode;
use actix_web::post;
use actix_web::{web, HttpRequest, HttpResponse};
use frt_cases::filings::submit;
use frt_cases::idempotency::{InvalidKey, Key};
use frt_store::views;
use frt_web::{ApiError, ApiResult, Auth, Core};
use uuid::Uuid;

/// Reads the optional `Idempotency-Key` header (`frt_cases::idempotency::Key`).
pub fn idempotency_key(req: &HttpRequest) -> ApiResult<Option<Key>> {
    let Some(v) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let refused = |e: InvalidKey| ApiError::bad_request("idempotency.invalid_key", e.to_string());
    let text = v.to_str().map_err(|_| refused(InvalidKey))?;
    Ok(Some(Key::parse(text).map_err(refused)?))
}

/// Submit the filing for review.
#[utoipa::path(tag = "filings", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "filing id"),
           ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,100}$", description = "1 to 100 visible ASCII characters; a retry with the same key returns the first result")),
    responses(
    (status = 200, body = views::FilingDetail),
    (status = 409, description = "not in a state that can be submitted", content_type = "application/problem+json"),
    (status = 422, description = "incomplete or inconsistent; every problem listed", content_type = "application/problem+json")))]
#[post("/api/v1/filings/{id}/submit")]
pub async fn submit_filing(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    let key = idempotency_key(&req)?;
    let (status, body) = submit::submit(&core, &auth, id.into_inner(), key).await?;
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    Ok(HttpResponse::build(status).json(body))
}
