//! Staff administration: an agency's admin lists its staff accounts and adds one; the new
//! member of staff changes the password the admin set at first login. For casework's API and
//! its `/staff` page alike.

use crate::accounts::{self, NewAccount, NewAccountError};
use crate::caller::Caller;
use crate::context::Core;
use crate::error::{Denied, StoreError};
use chrono::{DateTime, Utc};
use frt_access::accounts::{FirstLogin, Owner};
use frt_access::{Action, PrincipalKind, Resource, Role};
use frt_store::identities::{self, User};
use frt_store::ScopedFutureExt;
use std::str::FromStr;
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error("only staff manage staff")]
    NotStaff,
    /// No such member of the admin's own agency.
    #[error("no such member of staff in your agency")]
    NotFound,
    #[error("role must be reviewer, inspector, complaint_handler, supervisor or admin")]
    InvalidRole,
    #[error(transparent)]
    Account(#[from] NewAccountError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(StaffError);

/// A member of staff as their admin sees them.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    /// Still to change the password their admin set.
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

impl From<User> for StaffMember {
    fn from(u: User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            active: u.active,
            must_change_password: u.must_change_password,
            created_at: u.created_at,
        }
    }
}

/// The caller's agency, once their role may manage its staff.
fn own_agency(core: &Core, caller: &Caller) -> Result<Uuid, StaffError> {
    caller.require(core, Resource::STAFF_USER, Action::Manage, None)?;
    match caller.principal.kind {
        PrincipalKind::Staff { agency_id, .. } => Ok(agency_id),
        _ => Err(StaffError::NotStaff),
    }
}

/// The staff accounts of the admin's own agency, oldest first.
pub async fn list(core: &Core, caller: &Caller) -> Result<Vec<StaffMember>, StaffError> {
    let agency = own_agency(core, caller)?;
    core.db
        .run(|conn| {
            async move {
                Ok(identities::users_of_agency(conn, agency)
                    .await?
                    .into_iter()
                    .map(StaffMember::from)
                    .collect())
            }
            .scope_boxed()
        })
        .await
}

/// A new member of staff of the admin's own agency, who changes the given password at first
/// login (audited as the admin).
pub async fn create(
    core: &Core,
    caller: &Caller,
    email: String,
    display_name: String,
    password: String,
    role: &str,
) -> Result<User, StaffError> {
    let agency = own_agency(core, caller)?;
    let role = Role::from_str(role)
        .ok()
        .filter(|r| r.is_staff())
        .ok_or(StaffError::InvalidRole)?;
    Ok(accounts::create(
        core,
        &caller.actor,
        NewAccount {
            email,
            display_name,
            password,
            role,
            owner: Owner::Agency(agency),
            first_login: FirstLogin::ChangePassword,
        },
    )
    .await?)
}

/// Removes the second factor and recovery codes of a member of the admin's own agency (a lost
/// phone): every session of theirs ends, and they enrol again at their next login. Audited as
/// the admin. Answers whether they had one.
pub async fn reset_second_factor(
    core: &Core,
    caller: &Caller,
    user_id: Uuid,
) -> Result<bool, StaffError> {
    use frt_store::ScopedFutureExt;
    let agency = own_agency(core, caller)?;
    let actor = caller.actor.clone();
    core.db
        .tx(|conn| {
            async move {
                let member = identities::user(conn, user_id)
                    .await?
                    .filter(|u| u.agency_id == Some(agency));
                let Some(member) = member else {
                    return Ok(Err(StaffError::NotFound));
                };
                let had = frt_store::second_factor::remove(conn, member.id).await?;
                let ended = identities::revoke_sessions_of(conn, member.id, None).await?;
                frt_store::audit::record(
                    conn,
                    &actor,
                    "user.second_factor_reset",
                    "user",
                    &member.id.to_string(),
                    Some(serde_json::json!({ "enrolled": had })),
                    Some(serde_json::json!({ "enrolled": false, "sessions_ended": ended })),
                )
                .await?;
                Ok::<_, frt_store::DbError>(Ok(had))
            }
            .scope_boxed()
        })
        .await?
}
