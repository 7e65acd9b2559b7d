//! A processor's forgotten password, reset by a mailed link to the portal's page
//! (`frt_cases::passwords` does the work); changing it and logging out everywhere are
//! `frt_web::session`'s, for both zones.

use actix_web::{post, web, HttpRequest, HttpResponse};
use frt_cases::passwords;
use frt_web::auth::{anonymous_actor, Zone};
use frt_web::client::throttle_source;
use frt_web::{ApiResult, Core, Json};
use serde::Deserialize;

/// The portal's page a reset link opens, on the address the request came to.
pub fn reset_link(req: &HttpRequest, token: &str) -> String {
    let info = req.connection_info();
    format!("{}://{}/password-reset/{token}", info.scheme(), info.host())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    #[schema(max_length = 254)]
    pub email: String,
}

/// Ask for a link to set a new password. The answer is the same whether or not the address
/// has an account; if it has, the link is mailed to it, works once, for `auth.reset_minutes`.
#[utoipa::path(tag = "auth", request_body = ResetRequest,
    responses((status = 202),
        (status = 422, description = "auth.invalid: the address is longer than an address can be", content_type = "application/problem+json"),
        (status = 429, description = "too many requests for this address; see Retry-After", content_type = "application/problem+json")))]
#[post("/api/v1/auth/password-reset")]
pub async fn request_reset(
    core: web::Data<Core>,
    req: HttpRequest,
    body: Json<ResetRequest>,
) -> ApiResult<HttpResponse> {
    let email = body.into_inner().email;
    let actor = anonymous_actor(&req, email.trim());
    passwords::request_reset(
        &core,
        Zone::Portal.as_str(),
        &email,
        &throttle_source(&req),
        &actor,
        |t| reset_link(&req, t),
    )
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    /// The token of the mailed link.
    #[schema(max_length = 256)]
    pub token: String,
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

/// Set a new password with a mailed link's token; every session of the account ends.
#[utoipa::path(tag = "auth", request_body = ResetConfirm,
    responses((status = 204),
        (status = 404, description = "auth.reset_link_expired: unknown, used or expired", content_type = "application/problem+json"),
        (status = 422, description = "auth.invalid: the new password is too short or too long, or the token too long", content_type = "application/problem+json")))]
#[post("/api/v1/auth/password-reset/confirm")]
pub async fn confirm_reset(
    core: web::Data<Core>,
    req: HttpRequest,
    body: Json<ResetConfirm>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let actor = anonymous_actor(&req, "password reset");
    passwords::reset(&core, &b.token, b.new_password, &actor).await?;
    Ok(HttpResponse::NoContent().finish())
}
