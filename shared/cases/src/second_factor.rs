//! The second factor of the roles `auth.second_factor` names. A right password of such an
//! account opens no session: it gives a challenge, valid for a few minutes, which comes back
//! with a code of the account's authenticator app (or one of its recovery codes) and only
//! then becomes a session, for the API and the console alike. An account not yet enrolled
//! enrols with the same challenge: a new secret is shown once (and as a QR code), the first
//! code confirms it, and ten recovery codes are shown once. Wrong codes count against the
//! same throttle as wrong passwords. An agency admin resets a member's factor
//! (`crate::staff::reset_second_factor`), who enrols again at the next login.

use crate::context::Core;
use crate::sessions::{self, Kind, LoginError, Session};
use chrono::{DateTime, Utc};
use frt_access::second_factor as otp;
use frt_access::suite::HashAlg;
use frt_access::token;
use frt_store::audit::{self, Actor};
use frt_store::identities::{self, User};
use frt_store::second_factor as store;
use frt_store::{throttle, DbError, ScopedFutureExt};
use serde_json::json;

/// How long a right password waits for its code.
pub const CHALLENGE_MINUTES: i64 = 5;

/// Whether accounts of `role` need a second factor.
pub fn required(settings: &frt_settings::Settings, role: &str) -> bool {
    settings.auth.second_factor.iter().any(|r| r == role)
}

/// A right password's challenge.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// Sent back with the code (or to enrol); shown to nobody else.
    pub token: String,
    /// Whether the account has a factor; if not, it enrols first.
    pub enrolled: bool,
    pub expires_at: DateTime<Utc>,
}

/// A new secret, shown once.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32, for typing into an app.
    pub secret: String,
    /// The `otpauth://` URL the QR code holds.
    pub otpauth_url: String,
    /// The QR code as inline SVG.
    pub qr_svg: String,
}

/// A challenge for `user`, whose password was right (audited).
pub(crate) async fn challenge(
    core: &Core,
    user: &User,
    kind: Kind,
    source: &str,
    actor: &Actor,
) -> Result<Challenge, DbError> {
    let (tok, hash) = token::issue();
    let expires_at = Utc::now() + chrono::Duration::minutes(CHALLENGE_MINUTES);
    let user = user.clone();
    let source = source.to_owned();
    let enrolled = core
        .db
        .tx(|conn| {
            async move {
                store::insert_challenge(
                    conn,
                    &store::Challenge {
                        token_hash: hash,
                        user_id: user.id,
                        browser: kind == Kind::Browser,
                        source,
                        expires_at,
                    },
                )
                .await?;
                let enrolled = store::enrolled(conn, user.id).await?;
                audit::record(
                    conn,
                    actor,
                    "auth.password_accepted",
                    "user",
                    &user.id.to_string(),
                    None,
                    Some(json!({ "second_factor": if enrolled { "asked" } else { "to_enrol" } })),
                )
                .await?;
                Ok::<_, DbError>(enrolled)
            }
            .scope_boxed()
        })
        .await?;
    Ok(Challenge {
        token: tok,
        enrolled,
        expires_at,
    })
}

/// The live challenge and its account.
async fn challenged(core: &Core, challenge: &str) -> Result<(Vec<u8>, User, bool), LoginError> {
    let hash = token::digest(challenge.trim());
    core.db
        .run(|conn| {
            async move {
                let Some(c) = store::challenge(conn, &hash).await? else {
                    return Err(LoginError::ChallengeExpired);
                };
                let user = identities::user(conn, c.user_id)
                    .await?
                    .filter(|u| u.active)
                    .ok_or(LoginError::ChallengeExpired)?;
                Ok((hash, user, c.browser))
            }
            .scope_boxed()
        })
        .await
}

/// Starts the enrolment of a challenged account that has no factor yet: a new secret,
/// sealed under the data key, to be confirmed by its first code.
pub async fn begin_enrolment(
    core: &Core,
    challenge: &str,
    actor: &Actor,
) -> Result<Enrolment, LoginError> {
    let (_, user, _) = challenged(core, challenge).await?;
    let secret = otp::new_secret();
    let sealed = core
        .data_key
        .seal(&secret, user.id.as_bytes())
        .map_err(|e| crate::error::StoreError::Internal(anyhow::anyhow!("{e}")))?;
    let key = core.data_key.clone();
    let actor = Actor {
        user_id: Some(user.id),
        ..actor.clone()
    };
    let id = user.id;
    core.db
        .tx(|conn| {
            async move {
                if store::enrolled(conn, id).await? {
                    return Ok(Err(LoginError::WrongStep(
                        "the account has a second factor already: enter its code",
                    )));
                }
                store::begin(
                    conn,
                    &store::SecondFactor {
                        user_id: id,
                        secret_sealed: sealed,
                        secret_key_id: key.id().to_owned(),
                        secret_seal_alg: key.seal_alg().to_owned(),
                        confirmed_at: None,
                        last_step: 0,
                        created_at: Utc::now(),
                    },
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    "auth.second_factor_enrolment_begun",
                    "user",
                    &id.to_string(),
                    None,
                    None,
                )
                .await?;
                Ok::<_, DbError>(Ok(()))
            }
            .scope_boxed()
        })
        .await??;
    let otpauth_url = otp::otpauth_url(&secret, &user.email);
    Ok(Enrolment {
        secret: otp::secret_text(&secret),
        qr_svg: otp::qr_svg(&otpauth_url).unwrap_or_default(),
        otpauth_url,
    })
}

/// What a passed code gave.
#[derive(Debug, Clone)]
pub struct Passed {
    pub session: Session,
    /// The recovery codes of a new enrolment, shown once; empty otherwise.
    pub recovery_codes: Vec<String>,
}

/// Answers a challenge with a code (or recovery code) of an enrolled account, or confirms an
/// enrolment with its first code; either way a session. Wrong codes count against the login
/// throttle of the account from this address.
pub async fn answer(
    core: &Core,
    zone: &'static str,
    challenge: &str,
    code: &str,
    source: &str,
    actor: &Actor,
) -> Result<Passed, LoginError> {
    let (hash, user, browser) = challenged(core, challenge).await?;
    let settings = core.settings.clone();
    let (settings_ref, email) = (&settings, &user.email);
    let count = core
        .db
        .run(|conn| {
            sessions::counted_attempt(conn, settings_ref, zone, email, source).scope_boxed()
        })
        .await?;
    let kind = if browser { Kind::Browser } else { Kind::Api };
    let actor = Actor {
        user_id: Some(user.id),
        ..actor.clone()
    };
    let key = core.data_key.clone();
    let code = code.to_owned();
    let source = source.to_owned();
    let outcome = core
        .db
        .tx(|conn| {
            async move {
                let Some(factor) = store::of_user(conn, user.id).await? else {
                    return Ok(Err(LoginError::WrongStep(
                        "the account has no second factor yet: enrol first",
                    )));
                };
                let enrolling = factor.confirmed_at.is_none();
                let how = if !enrolling && otp::looks_like_recovery_code(&code) {
                    let mut used = false;
                    for alg in store::recovery_algs(conn, user.id).await? {
                        let Some(alg) = HashAlg::parse(&alg) else {
                            continue;
                        };
                        let h = otp::recovery_code_hash(alg, &code);
                        if store::use_recovery_code(conn, user.id, &h).await? {
                            used = true;
                            break;
                        }
                    }
                    used.then_some("recovery_code")
                } else {
                    let secret = key
                        .open(
                            &factor.secret_seal_alg,
                            &factor.secret_sealed,
                            user.id.as_bytes(),
                        )
                        .map_err(|e| DbError::Unavailable(format!("second factor secret: {e}")))?;
                    let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
                    let last = u64::try_from(factor.last_step).unwrap_or(0);
                    match otp::accepted_step(&secret, &code, now, last) {
                        Some(step) => {
                            store::accept_step(conn, user.id, i64::try_from(step).unwrap_or(0))
                                .await?;
                            Some("totp")
                        }
                        None => None,
                    }
                };
                let Some(how) = how else {
                    let blocked =
                        sessions::code_failed(conn, &settings, zone, &user, &source, count, &actor)
                            .await?;
                    return Ok(Err(blocked.map_or(LoginError::WrongCode, |until| {
                        LoginError::Throttled { until }
                    })));
                };
                let mut recovery_codes = Vec::new();
                if enrolling {
                    recovery_codes = otp::new_recovery_codes();
                    let alg = key.suite().hash();
                    let hashes: Vec<Vec<u8>> = recovery_codes
                        .iter()
                        .map(|c| otp::recovery_code_hash(alg, c))
                        .collect();
                    store::replace_recovery_codes(conn, user.id, alg.name(), &hashes).await?;
                    audit::record(
                        conn,
                        &actor,
                        "auth.second_factor_enrolled",
                        "user",
                        &user.id.to_string(),
                        None,
                        Some(json!({ "recovery_codes": recovery_codes.len() })),
                    )
                    .await?;
                }
                let left = store::recovery_codes_left(conn, user.id).await?;
                store::end_challenge(conn, &hash).await?;
                throttle::clear(conn, zone, &user.email, &source).await?;
                let session = sessions::open(
                    conn,
                    &settings,
                    &user,
                    kind,
                    &source,
                    &actor,
                    json!({ "second_factor": how, "recovery_codes_left": left }),
                )
                .await?;
                Ok::<_, DbError>(Ok(Passed {
                    session,
                    recovery_codes,
                }))
            }
            .scope_boxed()
        })
        .await?;
    outcome
}
