//! PgBouncer in transaction mode in front of a test's database, as a national deployment
//! runs it: Debian's package, started for the test on a port of its own, stopped when the
//! handle drops. Few server connections serve many clients, handed out in turn, so a
//! statement that depends on the session it ran in (a name prepared outside a transaction,
//! a `SET`, a session lock) meets another client's connection.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const PGBOUNCER: &str = "/usr/sbin/pgbouncer";

/// A running PgBouncer.
pub struct PgBouncer {
    child: Child,
    dir: PathBuf,
    /// The URL through it, with `url`'s user, password and database.
    pub url: String,
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl PgBouncer {
    /// Starts PgBouncer in transaction mode for the database of `url` (installed with
    /// apt-get when missing and running as root). `server_connections` is how many server
    /// connections it opens at most for that database and user.
    pub async fn start(url: &str, server_connections: u32) -> Result<Self, String> {
        crate::packages::ensure("the pooler's tests", &[PGBOUNCER], &["pgbouncer"])?;
        let config: tokio_postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
        let host = match config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".to_owned(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().ok_or("the URL names no user")?.to_owned();
        let password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .unwrap_or_default();
        let dbname = config
            .get_dbname()
            .ok_or("the URL names no database")?
            .to_owned();
        let dir =
            std::env::temp_dir().join(format!("frt-pgbouncer-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        // PgBouncer refuses to run as root: as root it is told to become `postgres`, which
        // must then read its files and write its log.
        let root = crate::cluster::is_root();
        // The port is taken from the system and given to PgBouncer, which cannot say which it
        // bound; a start that loses it to another process is tried again on another.
        for _ in 0..5 {
            let listen = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| e.to_string())?
                .port();
            let ini = dir.join("pgbouncer.ini");
            std::fs::write(
                dir.join("users.txt"),
                format!("\"{user}\" \"{}\"\n", password.replace('"', "\"\"")),
            )
            .map_err(|e| e.to_string())?;
            std::fs::write(
                &ini,
                format!(
                    "[databases]\n\
                     {dbname} = host={host} port={port} dbname={dbname}\n\
                     [pgbouncer]\n\
                     listen_addr = 127.0.0.1\n\
                     listen_port = {listen}\n\
                     unix_socket_dir =\n\
                     auth_type = scram-sha-256\n\
                     auth_file = {users}\n\
                     pool_mode = transaction\n\
                     max_client_conn = 500\n\
                     default_pool_size = {server_connections}\n\
                     min_pool_size = 0\n\
                     reserve_pool_size = 0\n\
                     server_round_robin = 1\n\
                     logfile = {log}\n\
                     log_connections = 0\n\
                     log_disconnections = 0\n",
                    users = dir.join("users.txt").display(),
                    log = dir.join("pgbouncer.log").display(),
                ),
            )
            .map_err(|e| e.to_string())?;
            if root {
                let owned = Command::new("chown")
                    .args(["-R", "postgres"])
                    .arg(&dir)
                    .status()
                    .is_ok_and(|s| s.success());
                if !owned {
                    return Err("cannot give the pooler's folder to postgres".into());
                }
            }
            let mut command = Command::new(PGBOUNCER);
            if root {
                command.args(["-u", "postgres"]);
            }
            let mut child = command
                .arg(&ini)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start pgbouncer: {e}"))?;
            let through = format!(
                "postgres://{user}:{password}@127.0.0.1:{listen}/{dbname}",
                password = password.replace('@', "%40").replace(':', "%3A")
            );
            if answers(&through).await {
                return Ok(Self {
                    child,
                    dir,
                    url: through,
                });
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        let log = std::fs::read_to_string(dir.join("pgbouncer.log")).unwrap_or_default();
        let _ = std::fs::remove_dir_all(&dir);
        Err(format!("pgbouncer did not start; its log:\n{log}"))
    }

    /// What PgBouncer wrote to its log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("pgbouncer.log")).unwrap_or_default()
    }
}

/// Whether a query through `url` is answered within a few seconds.
async fn answers(url: &str) -> bool {
    for _ in 0..40 {
        if let Ok((client, conn)) = tokio_postgres::connect(url, tokio_postgres::NoTls).await {
            tokio::spawn(conn);
            if client.simple_query("SELECT 1").await.is_ok() {
                return true;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
