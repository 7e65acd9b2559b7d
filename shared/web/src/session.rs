//! Logging in and out, and "who am I", for both zones: the portal admits processors' users,
//! casework admits staff. Failed passwords count towards a lockout; every attempt is audited.

use crate::auth::{anonymous_actor, client_ip, Auth, Zone};
use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use crate::notices::{self, About};
use crate::state::Core;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use frt_access::{password, token, Principal};
use frt_mail::AccountNotice;
use frt_store::identities::User;
use frt_store::{audit, identities, throttle, AsyncPgConnection, DbError, ScopedFutureExt};
use serde::{Deserialize, Serialize};
use serde_json::json;

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

/// The one answer to a wrong password and to an unknown or inactive account alike.
fn refused() -> ApiError {
    ApiError::unauthenticated("wrong email or password")
}

/// Too many failures from this address on this account (known or not): wait.
fn throttled(until: DateTime<Utc>) -> ApiError {
    let secs = (until - Utc::now()).num_seconds().max(1);
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "auth.too_many_attempts",
        format!("too many failed logins from your address; try again in {secs} seconds"),
    )
    .with_retry_after(u64::try_from(secs).unwrap_or(1))
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
    let LoginRequest {
        email,
        password: pw,
    } = body.into_inner();
    let email = email.trim().to_lowercase();
    if email.is_empty() || email.len() > 254 || pw.len() > 1024 {
        return Err(refused());
    }
    let zone = zone.get_ref().as_str();
    let source = client_ip(&req).unwrap_or_else(|| "unknown".into());
    let mut conn = core.db.conn().await?;
    if let Some(until) = throttle::blocked_until(&mut conn, zone, &email, &source).await? {
        return Err(throttled(until));
    }
    let user = identities::user_by_email(&mut conn, zone, &email)
        .await?
        .filter(|u| u.active);
    drop(conn);
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    // argon2 is deliberately slow: keep it off the async workers.
    let pw_ok = web::block(move || password::verify(&pw, &stored))
        .await
        .map_err(ApiError::internal)?;
    let actor = anonymous_actor(&req, &email);
    let settings = core.settings.clone();
    match user {
        Some(user) if pw_ok => {
            let answer = core
                .db
                .tx(|conn| {
                    async move {
                        throttle::clear(conn, zone, &email, &source).await?;
                        let (tok, hash) = token::issue();
                        let expires_at =
                            Utc::now() + chrono::Duration::minutes(settings.auth.token_ttl_minutes);
                        identities::insert_session(conn, &hash, user.id, expires_at, Some(&source))
                            .await?;
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
                        Ok::<_, DbError>(LoginResponse {
                            token: tok,
                            token_type: "Bearer",
                            expires_at,
                        })
                    }
                    .scope_boxed()
                })
                .await?;
            Ok(HttpResponse::Ok().json(answer))
        }
        user => {
            let blocked = core
                .db
                .tx(|conn| {
                    async move {
                        note_failure(
                            conn,
                            &settings,
                            zone,
                            &email,
                            &source,
                            user.as_ref(),
                            &actor,
                        )
                        .await
                    }
                    .scope_boxed()
                })
                .await?;
            Err(blocked.map_or_else(refused, throttled))
        }
    }
}

/// Counts a failed login per address and per account, audits it (and every block), and tells
/// the owner by mail when the account's failures from everywhere reach the alert level.
/// Returns until when the address is now blocked, if this failure blocked it.
async fn note_failure(
    conn: &mut AsyncPgConnection,
    settings: &crate::config::Settings,
    zone: &str,
    email: &str,
    source: &str,
    user: Option<&User>,
    actor: &audit::Actor,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let a = &settings.auth;
    let window = a.lockout_minutes.saturating_mul(60);
    let from_here = throttle::note_failure(
        conn,
        zone,
        email,
        source,
        a.max_failed_logins,
        window,
        window,
    )
    .await?;
    let everywhere =
        throttle::note_failure(conn, zone, email, throttle::EVERYWHERE, 0, window, 0).await?;
    // Failures on unknown names are counted alike but audited only when they block.
    let (entity_type, entity_id) = match user {
        Some(u) => ("user", u.id.to_string()),
        None => ("login", format!("{zone}:{email}")),
    };
    if user.is_some() {
        audit::record(
            conn,
            actor,
            "auth.login_failed",
            entity_type,
            &entity_id,
            None,
            Some(json!({ "source": source, "failures_from_source": from_here.count })),
        )
        .await?;
    }
    if let Some(until) = from_here.newly_blocked_until {
        audit::record(
            conn,
            actor,
            "auth.login_throttled",
            entity_type,
            &entity_id,
            None,
            Some(json!({ "source": source, "blocked_until": until, "failures": from_here.count })),
        )
        .await?;
    }
    if let (Some(u), true) = (user, everywhere.count == a.account_alert_failures) {
        let notice = AccountNotice::LoginFailures {
            email: u.email.clone(),
            failures: everywhere.count,
            within_minutes: a.lockout_minutes,
        };
        let bucket = Utc::now().timestamp() / window.max(1);
        let about = About {
            entity_type: "user",
            entity_id: u.id,
        };
        let key = format!("user:{}:login_failures:{bucket}", u.id);
        notices::mail(conn, &u.email, &u.locale, &notice, about, key).await?;
        audit::record(
            conn,
            actor,
            "auth.account_alerted",
            "user",
            &entity_id,
            None,
            Some(json!({ "failures": everywhere.count, "within_minutes": a.lockout_minutes })),
        )
        .await?;
    }
    Ok(from_here.newly_blocked_until)
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
