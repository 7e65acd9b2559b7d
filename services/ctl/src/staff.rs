//! `frtctl staff`: staff accounts.

use crate::cli::*;
use anyhow::Context;
use frt_access::accounts::{self, Owner};
use frt_access::{AgencyKind, Role};
use frt_settings::Settings;
use frt_store::audit::Actor;
use frt_store::{identities, ScopedFutureExt};
use std::str::FromStr;

pub async fn run(settings: &Settings, command: StaffCommand) -> anyhow::Result<()> {
    let StaffCommand::Create {
        email,
        name,
        role,
        agency_kind,
        agency_name,
        province,
    } = command;
    let role = Role::from_str(&role).map_err(anyhow::Error::msg)?;
    let kind = AgencyKind::from_str(&agency_kind).map_err(anyhow::Error::msg)?;
    let password = std::env::var("FRT_NEW_PASSWORD")
        .context("set FRT_NEW_PASSWORD to the new account's password")?;
    let db = frt_store::Db::new(&settings.db_settings())?;
    let user = db
        .tx(|conn| {
            async move {
                let agency = identities::ensure_agency(
                    conn,
                    kind.as_str(),
                    &agency_name,
                    province.as_deref(),
                )
                .await?;
                let new =
                    accounts::prepare(&email, &name, &password, role, Owner::Agency(agency.id))?;
                let user = accounts::insert(conn, &Actor::system("frtctl"), new).await?;
                Ok::<_, anyhow::Error>(user)
            }
            .scope_boxed()
        })
        .await?;
    println!("created {} ({}) with id {}", user.email, user.role, user.id);
    Ok(())
}
