//! The database every command uses (the configured one, or the local cluster `up` starts),
//! its migrations and reference data, and the national benchmark data.

use crate::seed;
use anyhow::Context;
use frt_settings::Settings;
use frt_store::{bootstrap, calendars, migrate, ScopedFutureExt};

/// The database every command uses: `FRT__DATABASE__URL` or `DATABASE_URL` when set;
/// otherwise the local cluster (started, and installed when missing and run as root), whose
/// application role is then named in `DATABASE_URL` and whose owner in
/// `FRT__DATABASE__OWNER_URL`, for the configuration to read, as a deployment has them.
pub async fn use_configured_or_local() -> anyhow::Result<String> {
    for configured in ["FRT__DATABASE__URL", "DATABASE_URL"] {
        if let Ok(url) = std::env::var(configured) {
            if !url.trim().is_empty() {
                return Ok(url);
            }
        }
    }
    let owner = frt_store::local::ensure_database_url().await?;
    let url = match frt_store::local::application_url(&owner).await {
        Some(app) => {
            std::env::set_var("FRT__DATABASE__OWNER_URL", &owner);
            std::env::set_var("FRT__DATABASE__APP_ROLE", frt_store::local::LOCAL_APP_ROLE);
            app
        }
        None => owner,
    };
    std::env::set_var("DATABASE_URL", &url);
    Ok(url)
}

/// Migrates the database and loads reference data; returns a summary for the operator.
/// As the owner (`database.owner_url`), then grants the application role its privileges.
pub async fn migrate_and_load(settings: &Settings) -> anyhow::Result<String> {
    let db_settings = settings.owner_db_settings();
    if db_settings.url.is_empty() {
        anyhow::bail!("no database configured: set DATABASE_URL or FRT__DATABASE__URL");
    }
    let applied = migrate::run_pending(&db_settings.url).await?;
    let role = settings.database.app_role.trim();
    if !role.is_empty() {
        migrate::grant_application_role(&db_settings.url, role).await?;
    }
    let db = frt_store::Db::new(&db_settings)?;
    let regions = settings.path(&settings.paths.regions_file);
    let cal_dir = settings.path(&settings.paths.calendars_dir);
    let report = db
        .tx(|conn| {
            async move { bootstrap::load_reference(conn, &regions, &cal_dir).await }.scope_boxed()
        })
        .await?;
    let granted = if role.is_empty() {
        String::new()
    } else {
        format!("; application role: {role}")
    };
    Ok(format!(
        "migrations applied: {}; provinces: {}; calendars loaded: {}; deadlines recomputed: {}{granted}",
        if applied.is_empty() {
            "none pending".to_owned()
        } else {
            applied.join(", ")
        },
        report.regions,
        if report.calendars_loaded.is_empty() {
            "none new".to_owned()
        } else {
            report.calendars_loaded.join(", ")
        },
        report.deadlines_recomputed
    ))
}

/// Loads the national benchmark set into the configured database.
pub async fn seed_national(
    settings: &Settings,
    size: seed::SeedSize,
) -> anyhow::Result<seed::SeedReport> {
    let url = settings.owner_db_settings().url;
    let db = frt_store::Db::new(&settings.owner_db_settings())?;
    let calendar = {
        let mut conn = db.conn().await?;
        calendars::load_active(&mut conn).await?
    };
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .context("cannot connect to the database")?;
    let driver = tokio::spawn(connection);
    let report = seed::seed(&mut client, &calendar, size).await;
    drop(client);
    let _ = driver.await;
    report
}
