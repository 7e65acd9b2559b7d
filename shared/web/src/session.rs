//! Logging in and out, "who am I", changing one's password and logging out everywhere, for
//! both zones: the portal admits processors' users,
//! casework admits staff (`frt_cases::sessions` does the work).

use crate::auth::{anonymous_actor, Auth, Zone};
use crate::client::throttle_source;
use crate::error::ApiResult;
use crate::extract::Json;
use actix_web::{get, post};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use frt_access::Principal;
use frt_cases::{passwords, sessions, Core};
use serde::{Deserialize, Serialize};
use utoipa_actix_web::service_config::ServiceConfig;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub token: String,
    pub token_type: &'static str,
    pub expires_at: DateTime<Utc>,
    /// The password was set by someone else (an admin, an import, an operator): until it is
    /// changed (`POST /api/v1/auth/password`), every other call answers 403
    /// `auth.password_change_required`.
    pub must_change_password: bool,
}

/// Log in with email and password; returns a bearer token. Repeated failures from one
/// address on one account are throttled (429 with `Retry-After`), whether the account exists
/// or not, and the owner is told by mail when failures on the account pile up.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 401, description = "wrong email or password", content_type = "application/problem+json"),
    (status = 403, description = "auth.address_unconfirmed: the right password of a registration whose address is not confirmed yet", content_type = "application/problem+json"),
    (status = 429, description = "too many failed logins from this address; see Retry-After", content_type = "application/problem+json")))]
#[post("/api/v1/auth/login")]
pub async fn login(
    core: web::Data<Core>,
    zone: web::Data<Zone>,
    req: HttpRequest,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest { email, password } = body.into_inner();
    let source = throttle_source(&req);
    let actor = anonymous_actor(&req, email.trim());
    let session = sessions::login(
        &core,
        zone.as_str(),
        &email,
        password,
        &source,
        actor,
        sessions::Kind::Api,
    )
    .await?;
    Ok(HttpResponse::Ok().json(LoginResponse {
        token: session.token,
        token_type: "Bearer",
        expires_at: session.expires_at,
        must_change_password: session.must_change_password,
    }))
}

/// End the current session; its token stops working at once.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 204)))]
#[post("/api/v1/auth/logout")]
pub async fn logout(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    sessions::logout(&core, &auth.token_hash, auth.principal.user_id, &auth.actor).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user, their role and organisation or agency.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 200, body = Principal)))]
#[get("/api/v1/me")]
pub async fn me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(&auth.principal)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(max_length = 1024)]
    pub current_password: String,
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: String,
}

/// Change one's own password; every other session of the account ends (this one goes on),
/// and the account's address is told.
#[utoipa::path(tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204),
        (status = 403, description = "auth.wrong_password: the current password is wrong", content_type = "application/problem+json"),
        (status = 422, description = "auth.invalid: the new password is too short or too long", content_type = "application/problem+json")))]
#[post("/api/v1/auth/password")]
pub async fn change_password(
    core: web::Data<Core>,
    auth: Auth,
    body: Json<PasswordChange>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    passwords::change(
        &core,
        &auth,
        b.current_password,
        b.new_password,
        Some(auth.token_hash.clone()),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// End every session of the account, this one included.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 204)))]
#[post("/api/v1/auth/logout-everywhere")]
pub async fn logout_everywhere(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    passwords::logout_everywhere(&core, &auth).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The login routes of a zone, documented from the handlers themselves.
pub fn routes(zone: Zone) -> impl FnOnce(&mut ServiceConfig) {
    move |cfg: &mut ServiceConfig| {
        cfg.app_data(web::Data::new(zone))
            .service(login)
            .service(logout)
            .service(me)
            .service(change_password)
            .service(logout_everywhere);
    }
}
