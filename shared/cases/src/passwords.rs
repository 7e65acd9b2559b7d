//! Passwords people can manage: change one's own (every other session ends), reset a
//! forgotten one by a mailed link (single use, short-lived, the same answer whether or not
//! the address has an account), and log out everywhere. Each is audited.

use crate::caller::Caller;
use crate::context::Core;
use crate::error::StoreError;
use crate::notices::{self, About};
use chrono::Utc;
use frt_access::{password, token};
use frt_domain::form::{code, FieldProblem};
use frt_mail::AccountNotice;
use frt_store::audit::{self, Actor};
use frt_store::identities::LinkPurpose;
use frt_store::{identities, throttle, DbError, ScopedFutureExt};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum PasswordChangeError {
    /// The current password given is wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// The reset link is unknown, used or expired.
    #[error("the link has expired or was used; ask for a new one")]
    LinkExpired,
    #[error("the request has invalid fields; see errors")]
    Invalid(Vec<FieldProblem>),
    /// Too many reset requests for one address from one source.
    #[error("too many requests; try again later")]
    Throttled { until: chrono::DateTime<Utc> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(PasswordChangeError, fields);

/// The new password as the policy wants it, hashed (off the async workers).
async fn hashed(new_password: String) -> Result<String, PasswordChangeError> {
    let hash = tokio::task::spawn_blocking(move || password::hash_new(&new_password))
        .await
        .map_err(|e| StoreError::Internal(e.into()))?;
    hash.map_err(|e| {
        PasswordChangeError::Invalid(vec![FieldProblem {
            path: "new_password".into(),
            code: code::OUT_OF_RANGE.into(),
            message: e.to_string(),
        }])
    })
}

/// Sets `user`'s new password, ends their sessions (but `keep`), mails them that it changed,
/// and audits it as `action`.
async fn replace(
    core: &Core,
    user: &identities::User,
    hash: String,
    keep: Option<Vec<u8>>,
    actor: &Actor,
    action: &'static str,
) -> Result<usize, PasswordChangeError> {
    let (id, email, locale) = (user.id, user.email.clone(), user.locale.clone());
    Ok(core
        .db
        .tx(|conn| {
            async move {
                identities::set_password(conn, id, &hash).await?;
                let ended = identities::revoke_sessions_of(conn, id, keep.as_deref()).await?;
                notices::mail(
                    conn,
                    &email,
                    &locale,
                    &AccountNotice::PasswordChanged {
                        email: email.clone(),
                    },
                    About {
                        entity_type: "user",
                        entity_id: id,
                    },
                    format!("account:{id}:password:{}", Uuid::now_v7()),
                )
                .await?;
                audit::record(
                    conn,
                    actor,
                    action,
                    "user",
                    &id.to_string(),
                    None,
                    Some(json!({ "sessions_ended": ended })),
                )
                .await?;
                Ok::<_, DbError>(ended)
            }
            .scope_boxed()
        })
        .await?)
}

/// Changes the caller's own password from the current one; every other session of theirs
/// ends (the one it was changed from, `keep`, goes on).
pub async fn change(
    core: &Core,
    caller: &Caller,
    current: String,
    new_password: String,
    keep: Option<Vec<u8>>,
) -> Result<usize, PasswordChangeError> {
    let user_id = caller.principal.user_id;
    let user = core
        .db
        .query(|conn| identities::user_by_id(conn, user_id).scope_boxed())
        .await?
        .ok_or(PasswordChangeError::WrongPassword)?;
    let stored = user.password_hash.clone();
    let ok = tokio::task::spawn_blocking(move || password::verify(&current, &stored))
        .await
        .map_err(|e| StoreError::Internal(e.into()))?;
    if !ok {
        return Err(PasswordChangeError::WrongPassword);
    }
    let hash = hashed(new_password).await?;
    replace(
        core,
        &user,
        hash,
        keep,
        &caller.actor,
        "auth.password_changed",
    )
    .await
}

/// Ends every session of the caller, this one included.
pub async fn logout_everywhere(core: &Core, caller: &Caller) -> Result<usize, StoreError> {
    let id = caller.principal.user_id;
    let actor = caller.actor.clone();
    Ok(core
        .db
        .tx(|conn| {
            async move {
                let ended = identities::revoke_sessions_of(conn, id, None).await?;
                audit::record(
                    conn,
                    &actor,
                    "auth.logout_everywhere",
                    "user",
                    &id.to_string(),
                    None,
                    Some(json!({ "sessions_ended": ended })),
                )
                .await?;
                Ok::<_, DbError>(ended)
            }
            .scope_boxed()
        })
        .await?)
}

/// Asks for a reset link for `email` in `zone`: mailed to the account's address with a link
/// made by `link` from the token, if there is such an account; the same answer either way.
/// Requests for one address from one source are held to `auth.max_failed_logins` per
/// `auth.lockout_minutes`.
pub async fn request_reset(
    core: &Core,
    zone: &'static str,
    email: &str,
    source: &str,
    actor: &Actor,
    link: impl Fn(&str) -> String,
) -> Result<(), PasswordChangeError> {
    if email.chars().count() > 254 {
        return Err(PasswordChangeError::Invalid(vec![FieldProblem {
            path: "email".into(),
            code: code::TOO_LONG.into(),
            message: "an email address is at most 254 characters".into(),
        }]));
    }
    let email = email.trim().to_lowercase();
    if email.is_empty() {
        return Ok(());
    }
    let a = &core.settings.auth;
    let window = a.lockout_minutes.saturating_mul(60);
    let reset_zone = format!("{zone}:reset");
    let email_ref = &email;
    let user = core
        .db
        .run(|conn| {
            async move {
                if let throttle::Attempt::Blocked { until } = throttle::attempt(
                    conn,
                    &reset_zone,
                    email_ref,
                    source,
                    a.max_failed_logins,
                    window,
                    window,
                )
                .await?
                {
                    return Err(PasswordChangeError::Throttled { until });
                }
                Ok(identities::user_by_email(conn, zone, email_ref)
                    .await?
                    .filter(|u| u.active))
            }
            .scope_boxed()
        })
        .await?;
    let Some(user) = user else {
        audit::record_alone(
            &core.db,
            actor,
            "auth.password_reset_asked",
            "user",
            &email,
            json!({ "account": false }),
        )
        .await?;
        return Ok(());
    };
    let (tok, hash) = token::issue();
    let minutes = a.reset_minutes;
    let expires_at = Utc::now() + chrono::Duration::minutes(minutes);
    let notice = AccountNotice::PasswordReset {
        link: link(&tok),
        minutes,
    };
    let actor = actor.clone();
    core.db
        .tx(|conn| {
            async move {
                identities::insert_reset(conn, LinkPurpose::Reset, &hash, user.id, expires_at)
                    .await?;
                notices::mail_private(
                    conn,
                    &user.email,
                    &user.locale,
                    &notice,
                    About {
                        entity_type: "user",
                        entity_id: user.id,
                    },
                    format!("account:{}:reset:{}", user.id, hex::encode(&hash[..8])),
                )
                .await?;
                audit::record(
                    conn,
                    &actor,
                    "auth.password_reset_asked",
                    "user",
                    &user.id.to_string(),
                    None,
                    Some(json!({ "account": true, "expires_at": expires_at })),
                )
                .await?;
                Ok::<_, DbError>(())
            }
            .scope_boxed()
        })
        .await?;
    Ok(())
}

/// Sets a new password with a reset link's token (once, before it expires); every session of
/// the account ends.
pub async fn reset(
    core: &Core,
    token_text: &str,
    new_password: String,
    actor: &Actor,
) -> Result<(), PasswordChangeError> {
    // The policy first: a weak password does not use up the link.
    let mut problems = Vec::new();
    if let Err(e) = password::check_policy(&new_password) {
        problems.push(FieldProblem {
            path: "new_password".into(),
            code: code::OUT_OF_RANGE.into(),
            message: e.to_string(),
        });
    }
    if token_text.chars().count() > 256 {
        problems.push(FieldProblem {
            path: "token".into(),
            code: code::TOO_LONG.into(),
            message: "a link's token is at most 256 characters".into(),
        });
    }
    if !problems.is_empty() {
        return Err(PasswordChangeError::Invalid(problems));
    }
    let digest = token::digest(token_text.trim());
    let digest = &digest;
    let user = core
        .db
        .run(|conn| {
            async move {
                let user_id = identities::take_reset(conn, LinkPurpose::Reset, digest)
                    .await?
                    .ok_or(PasswordChangeError::LinkExpired)?;
                identities::user_by_id(conn, user_id)
                    .await?
                    .filter(|u| u.active)
                    .ok_or(PasswordChangeError::LinkExpired)
            }
            .scope_boxed()
        })
        .await?;
    let hash = hashed(new_password).await?;
    let actor = Actor {
        user_id: Some(user.id),
        ..actor.clone()
    };
    replace(core, &user, hash, None, &actor, "auth.password_reset").await?;
    if !user.address_confirmed {
        // The link was mailed to the address: following it proves the address too.
        core.db
            .tx(|conn| {
                async move {
                    crate::accounts::confirm_owner(conn, user.id, &actor).await?;
                    Ok::<_, DbError>(())
                }
                .scope_boxed()
            })
            .await?;
    }
    Ok(())
}
