//! A fresh database per test: `CREATE DATABASE … TEMPLATE` from a migrated template whose name
//! carries a hash of the migrations and reference data, so a schema change builds a new one.

use frt_store::{bootstrap, migrate, Db, DbSettings, ScopedFutureExt};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::OnceCell;

static SERVER_URL: OnceCell<String> = OnceCell::const_new();
/// The server's URL with the application role's login, when that role exists.
static APP_SERVER_URL: OnceCell<Option<String>> = OnceCell::const_new();

/// The project root (where `config/` and `migrations/` are).
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A database of its own for one test; dropped when the value is dropped.
/// Migrates the empty database at `url` and loads the reference data (provinces, calendars)
/// from the project's files, as `frtctl migrate` does.
pub async fn migrate_with_reference(url: &str) {
    migrate::run_pending(url).await.expect("migrate");
    let db = Db::new(&DbSettings {
        url: url.to_owned(),
        read_url: String::new(),
        pooler: frt_store::Pooler::None,
        pool_size: 1,
        checkout_timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(10),
        statement_timeout: Duration::from_secs(60),
        batch_timeout: Duration::from_secs(600),
    })
    .expect("pool");
    let root = project_root();
    db.tx(|conn| {
        async move {
            bootstrap::load_reference(
                conn,
                &root.join("config/regions/gbt2260-provinces.toml"),
                &root.join("config/calendars"),
            )
            .await
        }
        .scope_boxed()
    })
    .await
    .expect("load reference data");
}

pub struct TestDb {
    /// The owner's login (migrations, and tests that look or tamper behind the services).
    pub url: String,
    /// The application role's login, which the services use (the owner's when the server has
    /// no such role).
    pub app_url: String,
    name: String,
    maintenance_url: String,
}

fn with_database(url: &str, db: &str) -> String {
    match url.rfind('/') {
        Some(i) => {
            let (base, rest) = url.split_at(i + 1);
            let query = rest.find('?').map(|q| &rest[q..]).unwrap_or("");
            format!("{base}{db}{query}")
        }
        None => format!("{url}/{db}"),
    }
}

pub(crate) async fn client(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"));
    tokio::spawn(conn);
    client
}

fn template_name() -> String {
    let mut h = Sha256::new();
    for v in migrate::embedded_versions() {
        h.update(v.as_bytes());
    }
    let root = project_root();
    for dir in ["migrations", "config/calendars", "config/regions"] {
        let mut files: Vec<PathBuf> = walk(&root.join(dir));
        files.sort();
        for f in files {
            h.update(std::fs::read(&f).unwrap_or_default());
        }
    }
    format!("frt_tpl_{}", &hex::encode(h.finalize())[..16])
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

async fn ensure_template(maintenance_url: &str, server_url: &str) -> String {
    let name = template_name();
    let c = client(maintenance_url).await;
    // One process builds the template; the others wait on the lock, then find it.
    c.execute("SELECT pg_advisory_lock(20250601)", &[])
        .await
        .expect("template lock");
    let exists = c
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
        .await
        .expect("query pg_database")
        .is_some();
    sweep_stale(&c).await;
    if !exists {
        let building = format!("{name}_building");
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .await
            .expect("drop half-built template");
        c.batch_execute(&format!("CREATE DATABASE {building}"))
            .await
            .expect("create template");
        migrate_with_reference(&with_database(server_url, &building)).await;
        let app_role = c
            .query_opt(
                "SELECT 1 FROM pg_roles WHERE rolname = $1",
                &[&frt_store::local::LOCAL_APP_ROLE],
            )
            .await
            .expect("query pg_roles")
            .is_some();
        if app_role {
            migrate::grant_application_role(
                &with_database(server_url, &building),
                frt_store::local::LOCAL_APP_ROLE,
            )
            .await
            .expect("grant the application role");
        }
        c.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
            .await
            .expect("publish template");
    }
    c.execute("SELECT pg_advisory_unlock(20250601)", &[])
        .await
        .expect("unlock");
    name
}

impl TestDb {
    /// A new database for one test, provisioning the local server on first use.
    pub async fn new() -> Self {
        let server_url = SERVER_URL
            .get_or_init(|| async {
                frt_store::local::ensure_database_url()
                    .await
                    .unwrap_or_else(|e| panic!("no PostgreSQL for tests: {e:#}"))
            })
            .await
            .clone();
        let maintenance_url = with_database(&server_url, "postgres");
        let template = ensure_template(&maintenance_url, &server_url).await;
        let name = format!("frt_test_{}", uuid::Uuid::now_v7().simple());
        let c = client(&maintenance_url).await;
        // Cloning takes a lock on the template; retry briefly if another clone holds it.
        let mut tries = 0;
        loop {
            match c
                .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                .await
            {
                Ok(()) => break,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot create test database: {e}"),
            }
        }
        let app_server_url = APP_SERVER_URL
            .get_or_init(|| frt_store::local::application_url(&server_url))
            .await
            .clone();
        Self {
            url: with_database(&server_url, &name),
            app_url: with_database(app_server_url.as_deref().unwrap_or(&server_url), &name),
            name,
            maintenance_url,
        }
    }

    /// A new database on another server than the tests' (a cluster of the test's own, given
    /// by its owner's URL), migrated and loaded with the reference data; the services log in
    /// as the owner.
    pub async fn on_server(server_url: &str) -> Self {
        let maintenance_url = with_database(server_url, "postgres");
        let name = format!("frt_test_{}", uuid::Uuid::now_v7().simple());
        client(&maintenance_url)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the database");
        let url = with_database(server_url, &name);
        migrate_with_reference(&url).await;
        Self {
            app_url: url.clone(),
            url,
            name,
            maintenance_url,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A plain connection to the test's database, for a test that looks behind the API.
    pub async fn sql(&self) -> tokio_postgres::Client {
        let (sql, conn) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .expect("connect to the test database");
        tokio::spawn(conn);
        sql
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let url = self.maintenance_url.clone();
        let name = self.name.clone();
        // Not joined: DROP DATABASE waits for every backend to acknowledge a barrier, and one of
        // them may be logging in for another test on the very runtime thread we would block.
        // What a finished process leaves behind is swept by the next `sweep_stale`.
        std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(async move {
                    if let Ok((c, conn)) =
                        tokio_postgres::connect(&url, tokio_postgres::NoTls).await
                    {
                        tokio::spawn(conn);
                        let _ = c
                            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .await;
                    }
                });
            }
        });
    }
}

/// Drops test databases left by earlier processes: their names carry a UUIDv7, so their age is
/// known; one in use is not dropped (no FORCE).
async fn sweep_stale(c: &tokio_postgres::Client) {
    let Ok(rows) = c
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'frt\\_test\\_%'",
            &[],
        )
        .await
    else {
        return;
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    for row in rows {
        let name: String = row.get(0);
        let created = name
            .strip_prefix("frt_test_")
            .and_then(|hex| uuid::Uuid::parse_str(hex).ok())
            .and_then(|u| u.get_timestamp())
            .map(|t| t.to_unix().0);
        if created.is_some_and(|t| now.saturating_sub(t) > 15 * 60) {
            let _ = c
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
                .await;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_in_url_is_replaced() {
        assert_eq!(
            super::with_database("postgres://u:p@h:5432/frt", "x"),
            "postgres://u:p@h:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u:p@h/frt?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
    }
}
