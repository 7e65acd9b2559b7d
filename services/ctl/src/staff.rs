//! `frtctl staff`: staff accounts.

use crate::cli::*;
use anyhow::Context;
use frt_access::accounts::{self};
use frt_access::{AgencyKind, Role};
use frt_settings::Settings;
use frt_store::audit::Actor;
use frt_store::ScopedFutureExt;
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
    let db = frt_store::Db::new(&settings.owner_db_settings())?;
    let user = db
        .tx(|conn| {
            async move {
                let staff = accounts::NewStaff {
                    email: &email,
                    display_name: &name,
                    password: &password,
                    role,
                    agency_kind: kind,
                    agency_name: &agency_name,
                    province: province.as_deref(),
                    // The operator chose it: the person changes it at first login.
                    first_login: accounts::FirstLogin::ChangePassword,
                };
                accounts::create_staff(conn, &Actor::system("frtctl"), staff).await
            }
            .scope_boxed()
        })
        .await?;
    println!("created {} ({}) with id {}", user.email, user.role, user.id);
    Ok(())
}
