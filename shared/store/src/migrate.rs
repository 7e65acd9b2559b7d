//! Embedded migrations (the `migrations/` folder is compiled in) and the readiness check that
//! the database has all of them.

use anyhow::Context;
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sql_types::Text;
use diesel::QueryableByName;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Versions of every embedded migration, oldest first.
pub fn embedded_versions() -> Vec<String> {
    let mut versions: Vec<String> = MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default();
    versions.sort();
    versions
}

/// Embedded versions missing from `applied`.
pub fn pending_of(applied: &[String]) -> Vec<String> {
    embedded_versions()
        .into_iter()
        .filter(|v| !applied.contains(v))
        .collect()
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// Versions recorded in the database (empty when it was never migrated).
pub async fn applied_versions(
    conn: &mut AsyncPgConnection,
) -> Result<Vec<String>, diesel::result::Error> {
    let exists: Vec<Version> = diesel::sql_query(
        "SELECT to_regclass('__diesel_schema_migrations')::text AS version WHERE to_regclass('__diesel_schema_migrations') IS NOT NULL",
    )
    .load(conn)
    .await?;
    if exists.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<Version> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load(conn)
            .await?;
    Ok(rows.into_iter().map(|r| r.version).collect())
}

/// Applies pending migrations, serialised by an advisory lock so two starting processes do
/// not race. Returns the versions it applied.
pub async fn run_pending(url: &str) -> anyhow::Result<Vec<String>> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .context("cannot connect to the database to migrate it")?;
        conn.batch_execute("SELECT pg_advisory_lock(2025060119)")
            .context("cannot take the migration lock")?;
        let result = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|vs| vs.iter().map(|v| v.to_string()).collect::<Vec<_>>())
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
        let _ = conn.batch_execute("SELECT pg_advisory_unlock(2025060119)");
        result
    })
    .await
    .context("the migration task stopped")?
}

/// Grants the application role `role` the services' privileges (migration
/// `application_role`): run as the owner after migrating, so that new tables are covered.
pub async fn grant_application_role(url: &str, role: &str) -> anyhow::Result<()> {
    let mut config: tokio_postgres::Config = url.parse().context("database URL")?;
    config.connect_timeout(std::time::Duration::from_secs(10));
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .context("cannot connect to the database as its owner")?;
    let driver = tokio::spawn(connection);
    tokio_postgres::Client::execute(&client, "SELECT frt_grant_application_role($1)", &[&role])
        .await
        .with_context(|| format!("granting the application role {role:?}"))?;
    drop(client);
    let _ = driver.await;
    Ok(())
}

/// Reverts the newest applied migration (runs its down.sql) under the same lock; answers its
/// version. What a test of a migration's data move, or an operator's rollback, uses.
pub async fn revert_last(url: &str) -> anyhow::Result<String> {
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || -> anyhow::Result<String> {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .context("cannot connect to the database to migrate it")?;
        conn.batch_execute("SELECT pg_advisory_lock(2025060119)")
            .context("cannot take the migration lock")?;
        let result = conn
            .revert_last_migration(MIGRATIONS)
            .map(|v| v.to_string())
            .map_err(|e| anyhow::anyhow!("revert failed: {e}"));
        let _ = conn.batch_execute("SELECT pg_advisory_unlock(2025060119)");
        result
    })
    .await
    .context("the migration task stopped")?
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_embedded() {
        let v = super::embedded_versions();
        assert!(!v.is_empty());
        assert!(super::pending_of(&v).is_empty());
    }
}
