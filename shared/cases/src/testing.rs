//! Support for acceptance tests run against a deployment, outside production only (the web
//! layer mounts none of it there, whatever the configuration says): staff accounts made in an
//! agency, the deadline sweep run as of a day, and test clocks, a "today" per scenario.

use crate::accounts::{self, NewAccountError};
use crate::context::Core;
use crate::error::StoreError;
use crate::sweep::{self, SweepReport};
use chrono::NaiveDate;
use frt_access::accounts::{FirstLogin, Owner};
use frt_access::{AgencyKind, Role};
use frt_store::audit::Actor;
use frt_store::identities::{self, User};
use frt_store::{test_clocks, DbError, ScopedFutureExt};
use std::future::Future;
use uuid::Uuid;

/// Runs `work` with `today` as the day `today_in_china` answers.
pub async fn with_today<F: Future>(today: NaiveDate, work: F) -> F::Output {
    crate::TEST_TODAY.scope(today, work).await
}

/// A staff account to make.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub agency_kind: AgencyKind,
    /// Made if missing; by default one agency per kind and province.
    pub agency_name: Option<String>,
    /// None for national staff.
    pub province: Option<String>,
    pub role: Role,
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// Makes a staff account in an agency (made if missing), audited as made by the QA suite.
pub async fn create_staff(core: &Core, staff: NewStaff) -> Result<User, NewAccountError> {
    let name = staff.agency_name.clone().unwrap_or_else(|| {
        format!(
            "{} {}",
            staff.agency_kind.as_str(),
            staff.province.as_deref().unwrap_or("national")
        )
    });
    let (kind, province) = (staff.agency_kind, staff.province.clone());
    let agency = core
        .db
        .tx(|conn| {
            async move {
                Ok::<_, StoreError>(
                    identities::ensure_agency(conn, kind.as_str(), &name, province.as_deref())
                        .await?,
                )
            }
            .scope_boxed()
        })
        .await?;
    accounts::create(
        core,
        &Actor::system("acceptance test support"),
        accounts::NewAccount {
            email: staff.email,
            display_name: staff.display_name,
            password: staff.password,
            role: staff.role,
            owner: Owner::Agency(agency.id),
            first_login: FirstLogin::KeepPassword,
        },
    )
    .await
}

/// Sets the day a scope's requests see as today.
pub async fn set_clock(core: &Core, scope: &str, today: NaiveDate) -> Result<(), StoreError> {
    core.db
        .run(|conn| {
            async move {
                test_clocks::set(conn, scope, today)
                    .await
                    .map_err(|e| StoreError::Db(DbError::Query(e)))
            }
            .scope_boxed()
        })
        .await
}

/// The day a scope's requests see as today, if its clock is set.
pub async fn clock(core: &Core, scope: &str) -> Result<Option<NaiveDate>, StoreError> {
    core.db
        .run(|conn| async move { Ok(test_clocks::get(conn, scope).await?) }.scope_boxed())
        .await
}

/// Removes a scope's clock.
pub async fn clear_clock(core: &Core, scope: &str) -> Result<(), StoreError> {
    core.db
        .run(|conn| {
            async move {
                test_clocks::clear(conn, scope).await?;
                Ok(())
            }
            .scope_boxed()
        })
        .await
}

/// Runs the deadline sweep as of `day`, over one entity's deadlines when given.
pub async fn sweep(
    core: &Core,
    day: NaiveDate,
    only_entity: Option<Uuid>,
) -> Result<SweepReport, StoreError> {
    sweep::run_for(core, day, only_entity).await
}

/// Confirms the address of the portal account `email` as its mailed link would (for suites
/// that cannot read mail): answers whether there was such an account.
pub async fn confirm_address(core: &Core, email: &str) -> Result<bool, StoreError> {
    let email = email.trim().to_lowercase();
    let actor = Actor::system("acceptance test support");
    Ok(core
        .db
        .tx(|conn| {
            async move {
                let Some(user) =
                    identities::user_by_email(conn, identities::PORTAL_ZONE, &email).await?
                else {
                    return Ok::<_, DbError>(false);
                };
                Ok(accounts::confirm_owner(conn, user.id, &actor)
                    .await?
                    .is_some())
            }
            .scope_boxed()
        })
        .await?)
}
