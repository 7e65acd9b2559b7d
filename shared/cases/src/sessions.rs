//! Sessions: logging in with email and password (each zone has its own accounts), with
//! failures throttled per account and source address whether or not the account exists, and
//! logging out. Every attempt that matters is audited.

use crate::context::Core;
use crate::error::StoreError;
use crate::notices::{self, About};
use chrono::{DateTime, Utc};
use frt_access::{password, token};
use frt_mail::AccountNotice;
use frt_store::audit::{self, Actor};
use frt_store::identities::{self, User};
use frt_store::{throttle, AsyncPgConnection, DbError, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

/// A new session.
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    /// The password was set by someone else: the session may only change it (and log out).
    pub must_change_password: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// A wrong password, and an unknown or inactive account: one answer for all three.
    #[error("wrong email or password")]
    Refused,
    /// Too many failures from this address on this account (known or not).
    #[error("too many failed logins from your address; try again later")]
    Throttled { until: DateTime<Utc> },
    /// The right password of a registration whose address is not confirmed yet.
    #[error("confirm your address with the link mailed at registration first; registering again with the same details mails a new link")]
    Unconfirmed,
    /// A wrong, reused or late code of the second factor (or recovery code).
    #[error("the code is wrong or was used already; enter the current code of your authenticator app, or a recovery code")]
    WrongCode,
    /// The challenge of a right password is unknown or older than a few minutes.
    #[error("the login has expired; log in again with your password")]
    ChallengeExpired,
    /// Enrolment asked of an account already enrolled, or a code of one that is not.
    #[error("{0}")]
    WrongStep(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<DbError> for LoginError {
    fn from(e: DbError) -> Self {
        Self::Store(e.into())
    }
}

impl From<frt_store::QueryError> for LoginError {
    fn from(e: frt_store::QueryError) -> Self {
        Self::Store(e.into())
    }
}

/// What a session is for: an API client's bearer token, or a browser's cookie, which also
/// ends after `console.idle_minutes` without a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Api,
    Browser,
}

/// What a right password leads to.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// A session.
    Session(Session),
    /// The account's role needs a second factor (`auth.second_factor`): no session yet, but a
    /// challenge to answer with a code ([`crate::second_factor::answer`]), or, for an account
    /// not enrolled, to enrol with ([`crate::second_factor::begin_enrolment`]).
    SecondFactor(crate::second_factor::Challenge),
}

/// Logs in to `zone` (`portal` or `casework`) from `source` (the client's address).
pub async fn login(
    core: &Core,
    zone: &'static str,
    email: &str,
    password_plain: String,
    source: &str,
    actor: Actor,
    kind: Kind,
) -> Result<Outcome, LoginError> {
    let email = email.trim().to_lowercase();
    if email.is_empty() || email.len() > 254 || password_plain.len() > 1024 {
        return Err(LoginError::Refused);
    }
    let email_ref = &email;
    let (attempt, user) = core
        .db
        .run(|conn| {
            async move {
                // Counted before the password is checked: parallel guesses cannot all pass
                // the check.
                let attempt =
                    counted_attempt(conn, &core.settings, zone, email_ref, source).await?;
                let user = identities::user_by_email(conn, zone, email_ref)
                    .await?
                    .filter(|u| u.active);
                Ok::<_, LoginError>((attempt, user))
            }
            .scope_boxed()
        })
        .await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| password::dummy_hash().to_owned());
    // argon2 is deliberately slow: keep it off the async workers.
    let pw_ok = tokio::task::spawn_blocking(move || password::verify(&password_plain, &stored))
        .await
        .map_err(|e| StoreError::Internal(e.into()))?;
    let settings = core.settings.clone();
    let source = source.to_owned();
    match user {
        Some(user) if pw_ok && !user.address_confirmed => {
            audit::record_alone(
                &core.db,
                &Actor {
                    user_id: Some(user.id),
                    ..actor
                },
                "auth.login_unconfirmed",
                "user",
                &user.id.to_string(),
                json!({}),
            )
            .await?;
            Err(LoginError::Unconfirmed)
        }
        Some(user) if pw_ok && crate::second_factor::required(&settings, &user.role) => {
            // The failures counted so far stay counted until the code passes: a right
            // password does not buy more guesses at the code.
            let actor = Actor {
                user_id: Some(user.id),
                ..actor
            };
            Ok(Outcome::SecondFactor(
                crate::second_factor::challenge(core, &user, kind, &source, &actor).await?,
            ))
        }
        Some(user) if pw_ok => Ok(Outcome::Session(
            core.db
                .tx(|conn| {
                    async move {
                        throttle::clear(conn, zone, &email, &source).await?;
                        let actor = Actor {
                            user_id: Some(user.id),
                            ..actor
                        };
                        open(conn, &settings, &user, kind, &source, &actor, json!({})).await
                    }
                    .scope_boxed()
                })
                .await?,
        )),
        user => {
            let blocked = core
                .db
                .tx(|conn| {
                    async move {
                        note_failure(
                            conn,
                            &settings,
                            Failure {
                                zone,
                                email: &email,
                                source: &source,
                                count: attempt,
                            },
                            user.as_ref(),
                            &actor,
                        )
                        .await
                    }
                    .scope_boxed()
                })
                .await?;
            Err(blocked.map_or(LoginError::Refused, |until| LoginError::Throttled { until }))
        }
    }
}

/// Counts an attempt (a password or a second-factor code) on `email` from `source` before it
/// is checked; its number, or the refusal of an address held back.
pub(crate) async fn counted_attempt(
    conn: &mut AsyncPgConnection,
    settings: &frt_settings::Settings,
    zone: &str,
    email: &str,
    source: &str,
) -> Result<i32, LoginError> {
    let a = &settings.auth;
    let window = a.lockout_minutes.saturating_mul(60);
    match throttle::attempt(
        conn,
        zone,
        email,
        source,
        a.max_failed_logins,
        window,
        window,
    )
    .await?
    {
        throttle::Attempt::Blocked { until } => Err(LoginError::Throttled { until }),
        throttle::Attempt::Allowed { count } => Ok(count),
    }
}

/// Opens a session of `user` (audited as `auth.login`, with `detail` added to the row).
pub(crate) async fn open(
    conn: &mut AsyncPgConnection,
    settings: &frt_settings::Settings,
    user: &User,
    kind: Kind,
    source: &str,
    actor: &Actor,
    detail: serde_json::Value,
) -> Result<Session, DbError> {
    let (tok, hash) = token::issue();
    let (minutes, idle) = match kind {
        Kind::Api => (settings.auth.token_ttl_minutes, None),
        Kind::Browser => (
            settings.console.absolute_minutes,
            i32::try_from(settings.console.idle_minutes.saturating_mul(60)).ok(),
        ),
    };
    let expires_at = Utc::now() + chrono::Duration::minutes(minutes);
    identities::insert_session(conn, &hash, user.id, expires_at, idle, Some(source)).await?;
    let mut after = json!({
        "expires_at": expires_at,
        "browser": kind == Kind::Browser,
    });
    if let (Some(a), serde_json::Value::Object(more)) = (after.as_object_mut(), detail) {
        a.extend(more);
    }
    audit::record(
        conn,
        actor,
        "auth.login",
        "user",
        &user.id.to_string(),
        None,
        Some(after),
    )
    .await?;
    Ok(Session {
        token: tok,
        expires_at,
        must_change_password: user.must_change_password,
    })
}

/// Counts a failed second-factor code like a failed password, against the same throttle;
/// until when the address is now blocked, if this failure blocked it.
pub(crate) async fn code_failed(
    conn: &mut AsyncPgConnection,
    settings: &frt_settings::Settings,
    zone: &str,
    user: &User,
    source: &str,
    count: i32,
    actor: &Actor,
) -> Result<Option<DateTime<Utc>>, DbError> {
    note_failure(
        conn,
        settings,
        Failure {
            zone,
            email: &user.email,
            source,
            count,
        },
        Some(user),
        actor,
    )
    .await
}

/// Ends the session whose token hashes to `token_hash`; audited.
pub async fn logout(
    core: &Core,
    token_hash: &[u8],
    user_id: Uuid,
    actor: &Actor,
) -> Result<(), StoreError> {
    core.db
        .tx(|conn| {
            async move {
                identities::revoke_session(conn, token_hash).await?;
                audit::record(
                    conn,
                    actor,
                    "auth.logout",
                    "user",
                    &user_id.to_string(),
                    None,
                    None,
                )
                .await?;
                Ok::<_, DbError>(())
            }
            .scope_boxed()
        })
        .await?;
    Ok(())
}

/// A failed login: where, on which account name, from where, and the how-manieth attempt
/// from there it was.
struct Failure<'a> {
    zone: &'a str,
    email: &'a str,
    source: &'a str,
    count: i32,
}

/// Blocks the address once its failures on the account reach the limit, counts the failure
/// against the account from everywhere, audits it (and every block), and tells the owner by
/// mail when the account's failures from everywhere reach the alert level. Returns until when
/// the address is now blocked, if this failure blocked it.
async fn note_failure(
    conn: &mut AsyncPgConnection,
    settings: &frt_settings::Settings,
    failure: Failure<'_>,
    user: Option<&User>,
    actor: &Actor,
) -> Result<Option<DateTime<Utc>>, DbError> {
    let Failure {
        zone,
        email,
        source,
        count,
    } = failure;
    let a = &settings.auth;
    let window = a.lockout_minutes.saturating_mul(60);
    let newly_blocked_until = throttle::failed(
        conn,
        zone,
        email,
        source,
        count,
        a.max_failed_logins,
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
            Some(json!({ "source": source, "failures_from_source": count })),
        )
        .await?;
    }
    if let Some(until) = newly_blocked_until {
        audit::record(
            conn,
            actor,
            "auth.login_throttled",
            entity_type,
            &entity_id,
            None,
            Some(json!({ "source": source, "blocked_until": until, "failures": count })),
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
    Ok(newly_blocked_until)
}
