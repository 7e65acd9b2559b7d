//! Logging in and out, and "who am I", for both zones: the portal admits processors' users,
//! casework admits staff. Failed passwords count towards a lockout; every attempt is audited.

use crate::auth::{anonymous_actor, Auth};
use crate::error::{ApiError, ApiResult};
use crate::state::Core;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use frt_access::{password, token, Principal};
use frt_store::{audit, identities, DbError, ScopedFutureExt};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Which users a service admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Portal,
    Casework,
}

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

enum Outcome {
    LoggedIn(LoginResponse),
    Refused,
    Locked(DateTime<Utc>),
}

/// Log in with email and password; returns a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = LoginResponse),
    (status = 401, description = "wrong email or password", content_type = "application/problem+json"),
    (status = 423, description = "account locked after repeated failures", content_type = "application/problem+json")))]
pub async fn login(
    core: web::Data<Core>,
    zone: web::Data<Zone>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest {
        email,
        password: pw,
    } = body.into_inner();
    let email = email.trim().to_lowercase();
    if email.is_empty() || email.len() > 254 || pw.len() > 1024 {
        return Err(ApiError::unauthenticated("wrong email or password"));
    }
    let mut conn = core.db.conn().await?;
    let user = identities::user_by_email(&mut conn, &email).await?;
    drop(conn);
    let admitted = user.as_ref().filter(|u| {
        u.active
            && match *zone.get_ref() {
                Zone::Portal => u.organisation_id.is_some(),
                Zone::Casework => u.agency_id.is_some(),
            }
    });
    let stored = admitted
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    // argon2 is deliberately slow: keep it off the async workers.
    let pw_ok = web::block(move || password::verify(&pw, &stored))
        .await
        .map_err(ApiError::internal)?;
    let Some(user) = admitted.cloned() else {
        return Err(ApiError::unauthenticated("wrong email or password"));
    };
    let settings = core.settings.clone();
    let actor = anonymous_actor(&req, &email);
    let ip = actor.client_ip.clone();
    let outcome = core
        .db
        .tx(|conn| {
            async move {
                let now = Utc::now();
                if let Some(until) = user.locked_until.filter(|u| *u > now) {
                    audit::record(
                        conn,
                        &actor,
                        "auth.login_locked",
                        "user",
                        &user.id.to_string(),
                        None,
                        None,
                    )
                    .await?;
                    return Ok::<_, DbError>(Outcome::Locked(until));
                }
                if !pw_ok {
                    let after = identities::note_failed_login(
                        conn,
                        user.id,
                        settings.auth.max_failed_logins,
                        chrono::Duration::minutes(settings.auth.lockout_minutes),
                    )
                    .await?;
                    audit::record(
                        conn,
                        &actor,
                        "auth.login_failed",
                        "user",
                        &user.id.to_string(),
                        None,
                        Some(json!({ "locked_until": after.locked_until })),
                    )
                    .await?;
                    return Ok(Outcome::Refused);
                }
                identities::note_successful_login(conn, user.id).await?;
                let (tok, hash) = token::issue();
                let expires_at = now + chrono::Duration::minutes(settings.auth.token_ttl_minutes);
                identities::insert_session(conn, &hash, user.id, expires_at, ip.as_deref()).await?;
                let actor = audit::Actor {
                    user_id: Some(user.id),
                    ..actor
                };
                audit::record(
                    conn,
                    &actor,
                    "auth.login",
                    "user",
                    &user.id.to_string(),
                    None,
                    Some(json!({ "expires_at": expires_at })),
                )
                .await?;
                Ok(Outcome::LoggedIn(LoginResponse {
                    token: tok,
                    token_type: "Bearer",
                    expires_at,
                }))
            }
            .scope_boxed()
        })
        .await?;
    match outcome {
        Outcome::LoggedIn(r) => Ok(HttpResponse::Ok().json(r)),
        Outcome::Refused => Err(ApiError::unauthenticated("wrong email or password")),
        Outcome::Locked(until) => Err(ApiError::new(
            StatusCode::LOCKED,
            "auth.locked",
            format!(
                "the account is locked after repeated failed logins until {until}; try again later"
            ),
        )),
    }
}

/// End the current session; its token stops working at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])), responses((status = 204)))]
pub async fn logout(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    core.db
        .tx(|conn| {
            async move {
                identities::revoke_session(conn, &auth.token_hash).await?;
                audit::record(
                    conn,
                    &auth.actor,
                    "auth.logout",
                    "user",
                    &auth.principal.user_id.to_string(),
                    None,
                    None,
                )
                .await?;
                Ok::<_, DbError>(())
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user, their role and organisation or agency.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = Principal)))]
pub async fn me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok().json(auth.principal)
}

pub fn routes(zone: Zone) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(zone))
            .route("/api/v1/auth/login", web::post().to(login))
            .route("/api/v1/auth/logout", web::post().to(logout))
            .route("/api/v1/me", web::get().to(me));
    }
}
