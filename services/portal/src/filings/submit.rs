//! Submit (or resubmit after correction) a filing (`frt_cases::filings::submit` does the
//! work); an `Idempotency-Key` makes a retried submit return the first result.

use actix_web::http::StatusCode;
use actix_web::post;
use actix_web::{web, HttpRequest, HttpResponse};
use frt_cases::filings::submit;
use frt_store::views;
use frt_web::{ApiError, ApiResult, Auth, Core};
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
