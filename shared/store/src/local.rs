//! Local PostgreSQL for development and tests: use `DATABASE_URL` when it is set, otherwise
//! start (and if needed install) the Debian-packaged server and create the platform's role and
//! database, so `frtctl up` and `cargo test` work on a fresh Debian machine.

use anyhow::{bail, Context};
use std::process::Command;
use std::time::Duration;

/// Role, password and database created on a local server. Development only.
pub const LOCAL_ROLE: &str = "frt";
pub const LOCAL_PASSWORD: &str = "frt";
pub const LOCAL_DATABASE: &str = "frt";
/// The application role the services log in with: no table is its own (migration
/// `application_role`). Development only.
pub const LOCAL_APP_ROLE: &str = "frt_app";
pub const LOCAL_APP_PASSWORD: &str = "frt_app";

/// `owner_url` with the local application role's login instead of the owner's, when that
/// role can log in to the server.
pub async fn application_url(owner_url: &str) -> Option<String> {
    let rest = owner_url.split_once('@')?.1;
    let url = format!("postgres://{LOCAL_APP_ROLE}:{LOCAL_APP_PASSWORD}@{rest}");
    try_connect(&url).await.ok().map(|()| url)
}

/// The URL of a database to use, provisioning a local server when `DATABASE_URL` is unset.
pub async fn ensure_database_url() -> anyhow::Result<String> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        if !url.trim().is_empty() {
            return Ok(url);
        }
    }
    let port = ensure_local_server()?;
    let url = format!("postgres://{LOCAL_ROLE}:{LOCAL_PASSWORD}@127.0.0.1:{port}/{LOCAL_DATABASE}");
    wait_until_accepting(&url, Duration::from_secs(20)).await?;
    Ok(url)
}

/// Waits until the server accepts a login at `url`.
pub async fn wait_until_accepting(url: &str, within: Duration) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match try_connect(url).await {
            Ok(()) => return Ok(()),
            Err(e) if tokio::time::Instant::now() >= deadline => {
                return Err(e).context("the local PostgreSQL server does not accept connections")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
}

async fn try_connect(url: &str) -> anyhow::Result<()> {
    let mut config: tokio_postgres::Config = url.parse()?;
    config.connect_timeout(Duration::from_secs(3));
    let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
    let driver = tokio::spawn(connection);
    client.simple_query("SELECT 1").await?;
    drop(client);
    let _ = driver.await;
    Ok(())
}

#[derive(Debug)]
struct Cluster {
    version: String,
    name: String,
    port: u16,
    online: bool,
}

fn run(cmd: &mut Command) -> anyhow::Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_root() -> bool {
    run(Command::new("id").arg("-u"))
        .map(|s| s.trim() == "0")
        .unwrap_or(false)
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn clusters() -> anyhow::Result<Vec<Cluster>> {
    let out = run(Command::new("pg_lsclusters").arg("--no-header"))?;
    Ok(out
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some(Cluster {
                version: (*f.first()?).to_owned(),
                name: (*f.get(1)?).to_owned(),
                port: f.get(2)?.parse().ok()?,
                online: f.get(3)?.starts_with("online"),
            })
        })
        .collect())
}

/// Starts the packaged cluster (installing PostgreSQL when root) and makes sure the platform's
/// role and database exist. Returns the port.
fn ensure_local_server() -> anyhow::Result<u16> {
    let root = is_root();
    if !have("pg_lsclusters") {
        if !root {
            bail!(
                "PostgreSQL is not installed. Install it with `sudo apt-get install -y postgresql` \
                 (or set DATABASE_URL to a server you have) and run the command again."
            );
        }
        eprintln!("PostgreSQL is not installed; installing Debian's postgresql package…");
        run(Command::new("apt-get")
            .arg("update")
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "postgresql"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    let mut found = clusters()?;
    if found.is_empty() {
        if !root {
            bail!("no PostgreSQL cluster exists; create one with `sudo pg_createcluster --start 15 main` or set DATABASE_URL");
        }
        let version = run(Command::new("ls").arg("/usr/lib/postgresql"))?
            .split_whitespace()
            .last()
            .map(str::to_owned)
            .context("no PostgreSQL version under /usr/lib/postgresql")?;
        run(Command::new("pg_createcluster").args([version.as_str(), "main"]))?;
        found = clusters()?;
    }
    let cluster = found
        .into_iter()
        .next()
        .context("no PostgreSQL cluster found")?;
    if !cluster.online {
        if !root {
            bail!(
                "the PostgreSQL cluster {} {} is down; start it with `sudo pg_ctlcluster {} {} start` or set DATABASE_URL",
                cluster.version, cluster.name, cluster.version, cluster.name
            );
        }
        eprintln!(
            "starting PostgreSQL {} ({})…",
            cluster.version, cluster.name
        );
        // Two processes may race to start it; a second start of a running cluster fails harmlessly.
        let _ = run(Command::new("pg_ctlcluster").args([
            cluster.version.as_str(),
            cluster.name.as_str(),
            "start",
        ]));
        if !clusters()?
            .iter()
            .any(|c| c.name == cluster.name && c.online)
        {
            bail!(
                "PostgreSQL {} {} did not start; see /var/log/postgresql",
                cluster.version,
                cluster.name
            );
        }
    }
    if root {
        create_role_and_database(cluster.port)?;
    }
    Ok(cluster.port)
}

fn psql_as_postgres(port: u16, sql: &str) -> anyhow::Result<String> {
    run(Command::new("runuser").args([
        "-u",
        "postgres",
        "--",
        "psql",
        "-X",
        "-q",
        "-t",
        "-A",
        "-v",
        "ON_ERROR_STOP=1",
        "-p",
        &port.to_string(),
        "-c",
        sql,
    ]))
}

fn create_role_and_database(port: u16) -> anyhow::Result<()> {
    let role_exists = psql_as_postgres(
        port,
        &format!("SELECT 1 FROM pg_roles WHERE rolname = '{LOCAL_ROLE}'"),
    )?;
    if role_exists.trim() != "1" {
        // A concurrent creator may win; the role then exists, which is what we want.
        let _ = psql_as_postgres(
            port,
            &format!("CREATE ROLE {LOCAL_ROLE} LOGIN CREATEDB PASSWORD '{LOCAL_PASSWORD}'"),
        );
    }
    let app_exists = psql_as_postgres(
        port,
        &format!("SELECT 1 FROM pg_roles WHERE rolname = '{LOCAL_APP_ROLE}'"),
    )?;
    if app_exists.trim() != "1" {
        let _ = psql_as_postgres(
            port,
            &format!("CREATE ROLE {LOCAL_APP_ROLE} LOGIN PASSWORD '{LOCAL_APP_PASSWORD}'"),
        );
    }
    // The owner administers the application's sessions: it may end them (a migration that
    // needs the tables to itself, `DROP DATABASE … WITH (FORCE)` of a test database) without
    // being a superuser. Granting again is a no-op.
    let is_member = psql_as_postgres(
        port,
        &format!("SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE r.rolname = '{LOCAL_APP_ROLE}' AND u.rolname = '{LOCAL_ROLE}'"),
    )?;
    if is_member.trim() != "1" {
        // A concurrent granter may win; the membership then exists.
        let _ = psql_as_postgres(port, &format!("GRANT {LOCAL_APP_ROLE} TO {LOCAL_ROLE}"));
    }
    let db_exists = psql_as_postgres(
        port,
        &format!("SELECT 1 FROM pg_database WHERE datname = '{LOCAL_DATABASE}'"),
    )?;
    if db_exists.trim() != "1" {
        let _ = psql_as_postgres(
            port,
            &format!("CREATE DATABASE {LOCAL_DATABASE} OWNER {LOCAL_ROLE}"),
        );
    }
    Ok(())
}
