//! Accounts: creating one (the same rules from the portal, casework and `frtctl`), and
//! organisations and users as audited entities with their jurisdiction.

use crate::context::Core;
use crate::entity::{Entity, Jurisdiction};
use crate::error::StoreError;
use async_trait::async_trait;
use frt_access::accounts::{self, AccountError, Owner};
use frt_access::Role;
use frt_store::audit::Actor;
use frt_store::identities::{self, User};
use frt_store::{AsyncPgConnection, QueryError, ScopedFutureExt};
use uuid::Uuid;

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum NewAccountError {
    #[error(transparent)]
    Invalid(#[from] AccountError),
    /// The email is taken in the zone: the store's unique violation (`users_zone_email`).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<frt_store::DbError> for NewAccountError {
    fn from(e: frt_store::DbError) -> Self {
        Self::Store(e.into())
    }
}

impl From<QueryError> for NewAccountError {
    fn from(e: QueryError) -> Self {
        Self::Store(e.into())
    }
}

/// Checks and hashes a new account's inputs off the async workers (argon2 is deliberately
/// slow), then inserts it with its audit row in one transaction.
pub async fn create(
    core: &Core,
    actor: &Actor,
    email: String,
    display_name: String,
    password: String,
    role: Role,
    owner: Owner,
) -> Result<User, NewAccountError> {
    let prepared = tokio::task::spawn_blocking(move || {
        accounts::prepare(&email, &display_name, &password, role, owner)
    })
    .await
    .map_err(|e| StoreError::Internal(e.into()))??;
    let actor = actor.clone();
    core.db
        .tx(|conn| {
            async move { Ok::<_, NewAccountError>(accounts::insert(conn, &actor, prepared).await?) }
                .scope_boxed()
        })
        .await
}

/// Organisations (processors) in the audit trail: they belong to their province.
pub struct OrganisationEntity;

#[async_trait]
impl Entity for OrganisationEntity {
    fn name(&self) -> &'static str {
        "organisation"
    }

    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        Ok(identities::organisation(conn, id)
            .await?
            .map(|o| Jurisdiction::Province(o.province_code)))
    }
}

/// Users in the audit trail: a processor's user belongs to its organisation's province, staff
/// to their agency's (national staff to the whole country).
pub struct UserEntity;

#[async_trait]
impl Entity for UserEntity {
    fn name(&self) -> &'static str {
        "user"
    }

    async fn jurisdiction(
        &self,
        conn: &mut AsyncPgConnection,
        id: Uuid,
    ) -> Result<Option<Jurisdiction>, QueryError> {
        let Some(user) = identities::user(conn, id).await? else {
            return Ok(None);
        };
        if let Some(org) = user.organisation_id {
            return OrganisationEntity.jurisdiction(conn, org).await;
        }
        let agency = match user.agency_id {
            Some(a) => identities::agency(conn, a).await?,
            None => None,
        };
        Ok(agency.map(|a| match a.province_code {
            Some(p) => Jurisdiction::Province(p),
            None => Jurisdiction::National,
        }))
    }
}
