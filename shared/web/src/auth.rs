//! The `Auth` extractor: resolves the bearer token to a `Principal` (401 if missing, expired or
//! revoked) and carries the audit `Actor` of the request. Handlers then ask `require` whether
//! the policy allows the action.

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use frt_access::PrincipalKind;
use frt_cases::{Caller, Core};
use frt_store::audit::Actor;
use frt_store::identities;
use frt_store::ScopedFutureExt;
use futures_util::future::LocalBoxFuture;

/// Which users a service admits: the portal admits processors' users, casework admits staff.
/// Each zone keeps its own accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Portal,
    Casework,
    /// Other agencies' systems: signed requests, no accounts.
    Exchange,
}

impl Zone {
    /// The zone's name as accounts record it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Portal => frt_store::identities::PORTAL_ZONE,
            Self::Casework => frt_store::identities::CASEWORK_ZONE,
            Self::Exchange => "exchange",
        }
    }
}

/// The request id assigned by the access-log middleware.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub use crate::client::client_ip;

/// Actor of a request with no logged-in user (registration, login).
pub fn anonymous_actor(req: &HttpRequest, label: &str) -> Actor {
    Actor {
        user_id: None,
        label: label.to_owned(),
        client_ip: client_ip(req),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
    }
}

/// The bearer token of a request, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    let token = token.trim();
    (!token.is_empty() && token.len() <= 256).then(|| token.to_owned())
}

/// The authenticated caller of a request (a `frt_cases::Caller`: principal and audit actor),
/// with the hash of the token it presented.
pub struct Auth {
    pub caller: Caller,
    pub token_hash: Vec<u8>,
    /// The password was set by someone else and not yet changed: until it is, the session
    /// does nothing but change it, look at itself and log out (`FIRST_LOGIN_PATHS`).
    pub must_change_password: bool,
}

/// What a session whose password must be changed first may still call.
pub const FIRST_LOGIN_PATHS: &[&str] = &[
    "/api/v1/auth/password",
    "/api/v1/auth/logout",
    "/api/v1/auth/logout-everywhere",
    "/api/v1/me",
];

impl std::ops::Deref for Auth {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.caller
    }
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let core = req
                .app_data::<web::Data<Core>>()
                .cloned()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("Core missing from app data")))?;
            let token = bearer_token(&req).ok_or_else(|| {
                ApiError::unauthenticated(
                    "log in and send the token as 'Authorization: Bearer <token>'",
                )
            })?;
            let auth = resolve(&req, &core, &token).await?;
            if auth.must_change_password && !FIRST_LOGIN_PATHS.contains(&req.path()) {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::FORBIDDEN,
                    "auth.password_change_required",
                    "the password was set by someone else: change it first \
                     (POST /api/v1/auth/password)",
                ));
            }
            Ok(auth)
        })
    }
}

/// The caller behind a session token (a bearer token, or a browser session's cookie): 401
/// when it is unknown, expired, idle too long or ended, or belongs to another zone's account.
pub async fn resolve(req: &HttpRequest, core: &Core, token: &str) -> Result<Auth, ApiError> {
    let hash = frt_access::token::digest(token);
    let digest = &hash;
    let owner = core
        .db
        .query(|conn| identities::session_owner(conn, digest).scope_boxed())
        .await?
        .ok_or_else(|| {
            ApiError::unauthenticated("the session has expired or was ended; log in again")
        })?;
    let must_change_password = owner.user.must_change_password;
    let principal = frt_cases::caller::principal_of(owner).map_err(ApiError::from)?;
    // Each zone admits its own users only: a staff token is no key to the portal.
    let zone = req.app_data::<web::Data<Zone>>().map(|z| *z.get_ref());
    let admitted = !matches!(
        (zone, &principal.kind),
        (Some(Zone::Portal), PrincipalKind::Staff { .. })
            | (Some(Zone::Casework), PrincipalKind::Processor { .. })
    );
    if !admitted {
        return Err(ApiError::unauthenticated(
            "this account cannot use this service",
        ));
    }
    let actor = Actor {
        user_id: Some(principal.user_id),
        label: principal.audit_label(),
        client_ip: client_ip(req),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
    };
    Ok(Auth {
        caller: Caller { principal, actor },
        token_hash: hash,
        must_change_password,
    })
}
