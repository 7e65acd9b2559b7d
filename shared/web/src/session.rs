//! Logging in and out, and "who am I", for both zones: the portal admits processors' users,
//! casework admits staff (`frt_cases::sessions` does the work).

use crate::auth::{anonymous_actor, client_ip, Auth, Zone};
use crate::error::ApiResult;
use crate::extract::Json;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use frt_access::Principal;
use frt_cases::{sessions, Core};
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
}

/// Log in with email and password; returns a bearer token. Repeated failures from one
/// address on one account are throttled (429 with `Retry-After`), whether the account exists
/// or not, and the owner is told by mail when failures on the account pile up.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 401, description = "wrong email or password", content_type = "application/problem+json"),
    (status = 429, description = "too many failed logins from this address; see Retry-After", content_type = "application/problem+json")))]
pub async fn login(
    core: web::Data<Core>,
    zone: web::Data<Zone>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest { email, password } = body.into_inner();
    let source = client_ip(&req).unwrap_or_else(|| "unknown".into());
    let actor = anonymous_actor(&req, email.trim());
    let session = sessions::login(&core, zone.as_str(), &email, password, &source, actor).await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        token: session.token,
        token_type: "Bearer",
        expires_at: session.expires_at,
    }))
}

/// End the current session; its token stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), responses((status = 204)))]
pub async fn logout(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    sessions::logout(&core, &auth.token_hash, auth.principal.user_id, &auth.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user, their role and organisation or agency.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = Principal)))]
pub async fn me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(&auth.principal)
}

pub fn routes(zone: Zone) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(zone))
            .route("/api/v1/auth/login", web::post().to(login))
            .route("/api/v1/auth/logout", web::post().to(logout))
            .route("/api/v1/me", web::get().to(me));
    }
}
