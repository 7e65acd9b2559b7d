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
    /// The bearer token; absent when the account's role needs a second factor, which
    /// `second_factor` then asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// The password was set by someone else (an admin, an import, an operator): until it is
    /// changed (`POST /api/v1/auth/password`), every other call answers 403
    /// `auth.password_change_required`.
    pub must_change_password: bool,
    /// The password was right and the account's role logs in with a second factor
    /// (`auth.second_factor`): answer the challenge with a code at
    /// `POST /api/v1/auth/second-factor`, or enrol first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub second_factor: Option<SecondFactorChallenge>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SecondFactorChallenge {
    /// Sent back with the code, within five minutes.
    pub challenge: String,
    /// false: the account has no second factor yet; enrol with
    /// `POST /api/v1/auth/second-factor/enrolment` first.
    pub enrolled: bool,
    pub expires_at: DateTime<Utc>,
}

impl LoginResponse {
    fn of(session: sessions::Session) -> Self {
        Self {
            token: Some(session.token),
            token_type: Some("Bearer"),
            expires_at: Some(session.expires_at),
            must_change_password: session.must_change_password,
            second_factor: None,
        }
    }
}

/// Log in with email and password; returns a bearer token, or, for a role that logs in with
/// a second factor, a challenge to answer with its code. Repeated failures from one
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
    let outcome = sessions::login(
        &core,
        zone.as_str(),
        &email,
        password,
        &source,
        actor,
        sessions::Kind::Api,
    )
    .await?;
    Ok(HttpResponse::Ok().json(match outcome {
        sessions::Outcome::Session(session) => LoginResponse::of(session),
        sessions::Outcome::SecondFactor(c) => LoginResponse {
            token: None,
            token_type: None,
            expires_at: None,
            must_change_password: false,
            second_factor: Some(SecondFactorChallenge {
                challenge: c.token,
                enrolled: c.enrolled,
                expires_at: c.expires_at,
            }),
        },
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorAnswer {
    #[schema(max_length = 100)]
    pub challenge: String,
    /// The six digits the authenticator app shows now, or one of the recovery codes.
    #[schema(max_length = 32)]
    pub code: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SecondFactorPassed {
    #[serde(flatten)]
    pub login: LoginResponse,
    /// After an enrolment only: ten single-use recovery codes, shown this once, for when the
    /// authenticator app is lost.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovery_codes: Vec<String>,
}

/// Answer a login's second-factor challenge with a code (or a recovery code); returns the
/// bearer token. For an account that is enrolling, the first code confirms the secret and
/// the answer carries the recovery codes. Wrong codes count against the login throttle.
#[utoipa::path(tag = "auth", request_body = SecondFactorAnswer, responses(
    (status = 200, body = SecondFactorPassed),
    (status = 401, description = "auth.wrong_code, or auth.challenge_expired (log in again)", content_type = "application/problem+json"),
    (status = 409, description = "auth.second_factor_step: the account must enrol first", content_type = "application/problem+json"),
    (status = 429, description = "too many failed attempts from this address; see Retry-After", content_type = "application/problem+json")))]
#[post("/api/v1/auth/second-factor")]
pub async fn second_factor(
    core: web::Data<Core>,
    zone: web::Data<Zone>,
    req: HttpRequest,
    body: Json<SecondFactorAnswer>,
) -> ApiResult<HttpResponse> {
    let SecondFactorAnswer { challenge, code } = body.into_inner();
    let source = throttle_source(&req);
    let actor = anonymous_actor(&req, "");
    let passed =
        frt_cases::second_factor::answer(&core, zone.as_str(), &challenge, &code, &source, &actor)
            .await?;
    Ok(HttpResponse::Ok().json(SecondFactorPassed {
        login: LoginResponse::of(passed.session),
        recovery_codes: passed.recovery_codes,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentRequest {
    #[schema(max_length = 100)]
    pub challenge: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnrolmentResponse {
    /// The new secret in base32, shown this once, for typing into an authenticator app.
    pub secret: String,
    /// The same as an `otpauth://` URL (what the QR code holds).
    pub otpauth_url: String,
}

/// Start enrolling the second factor of an account that has none, with the challenge of its
/// right password: a new secret, shown once. The first code from it
/// (`POST /api/v1/auth/second-factor`) confirms it and logs in.
#[utoipa::path(tag = "auth", request_body = EnrolmentRequest, responses(
    (status = 200, body = EnrolmentResponse),
    (status = 401, description = "auth.challenge_expired: log in again", content_type = "application/problem+json"),
    (status = 409, description = "auth.second_factor_step: the account is enrolled already", content_type = "application/problem+json")))]
#[post("/api/v1/auth/second-factor/enrolment")]
pub async fn enrol(
    core: web::Data<Core>,
    req: HttpRequest,
    body: Json<EnrolmentRequest>,
) -> ApiResult<HttpResponse> {
    let actor = anonymous_actor(&req, "");
    let EnrolmentRequest { challenge } = body.into_inner();
    let e = frt_cases::second_factor::begin_enrolment(&core, &challenge, &actor).await?;
    Ok(HttpResponse::Ok().json(EnrolmentResponse {
        secret: e.secret,
        otpauth_url: e.otpauth_url,
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
            .service(second_factor)
            .service(enrol)
            .service(logout)
            .service(me)
            .service(change_password)
            .service(logout_everywhere);
    }
}
