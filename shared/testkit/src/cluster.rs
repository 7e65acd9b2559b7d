//! A PostgreSQL cluster of a test's own (Debian's binaries, `initdb` in a temporary folder,
//! run as `postgres` when the tests run as root): for tests that crash, restart or restore a
//! server, which must disturb no other test.

use std::path::PathBuf;
use std::process::Command;

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// The newest installed PostgreSQL's binaries.
pub fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("Debian's PostgreSQL under /usr/lib/postgresql (`frtctl up` installs it)")
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().expect("an initdb")
}

/// Runs a PostgreSQL program, as `postgres` when root (the server refuses to run as root).
pub fn pg(program: &str, args: &[&str]) {
    let path = bin_dir().join(program);
    let out = if is_root() {
        Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(&path)
            .args(args)
            .output()
    } else {
        Command::new(&path).args(args).output()
    }
    .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A cluster of the test's own, stopped and removed when dropped.
pub struct Cluster {
    pub dir: PathBuf,
    pub port: u16,
}

/// A free port and an empty folder the server may write, for a new cluster.
fn place() -> (PathBuf, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let dir = std::env::temp_dir().join(format!("frt-pg-cluster-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("cluster folder");
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "chown the cluster folder");
    }
    (dir, port)
}

impl Cluster {
    pub fn start() -> Self {
        let (dir, port) = place();
        let data = dir.join("data");
        let data_s = data.to_string_lossy().into_owned();
        pg(
            "initdb",
            &[
                "-D",
                &data_s,
                "-U",
                "frt",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
        );
        let c = Self { dir, port };
        c.ctl(&["start", "-w"]);
        c
    }

    /// A streaming replica of this cluster, as an operator makes one: `pg_basebackup` with
    /// `-R` (the standby's settings and its connection to this primary), started as a hot
    /// standby on a port of its own.
    pub fn replica(&self) -> Self {
        let (dir, port) = place();
        let data = dir.join("data").to_string_lossy().into_owned();
        let primary_port = self.port.to_string();
        pg(
            "pg_basebackup",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &primary_port,
                "-U",
                "frt",
                "-D",
                &data,
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            ],
        );
        let c = Self { dir, port };
        c.ctl(&["start", "-w"]);
        c
    }

    pub fn data(&self) -> String {
        self.dir.join("data").to_string_lossy().into_owned()
    }

    pub fn ctl(&self, action: &[&str]) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=on",
            self.port,
            self.dir.to_string_lossy()
        );
        let data = self.data();
        let log = self.dir.join("log").to_string_lossy().into_owned();
        let mut args = vec!["-D", data.as_str(), "-l", log.as_str(), "-o", opts.as_str()];
        args.extend_from_slice(action);
        pg("pg_ctl", &args);
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://frt@127.0.0.1:{}/{db}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data();
        let _ =
            std::panic::catch_unwind(|| pg("pg_ctl", &["-D", &data, "-m", "immediate", "stop"]));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
