//! A real S3 API for the tests: moto's server mode (PyPI's `moto[server]`, installed by the
//! harness with pip when missing, as it installs PostgreSQL), started on a port of its own
//! with one bucket, stopped when the handle drops.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The moto release the tests are run against.
const MOTO: &str = "moto[server]==5.2.6";

/// A running S3 server with a bucket.
pub struct S3Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    pub bucket: String,
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn installed() -> bool {
    Command::new("python3")
        .args(["-c", "import moto.server, flask"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl S3Server {
    /// Starts moto's S3 server and creates the bucket `bucket`.
    pub async fn start(bucket: &str) -> Result<Self, String> {
        if !installed() {
            eprintln!("installing {MOTO} for the object store's tests…");
            let ok = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", MOTO])
                .status()
                .is_ok_and(|s| s.success());
            if !ok || !installed() {
                return Err(format!(
                    "the object store's tests need moto's server: `python3 -m pip install '{MOTO}'`"
                ));
            }
        }
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map_err(|e| e.to_string())?
                .port();
            let mut child = Command::new("python3")
                .args([
                    "-m",
                    "moto.server",
                    "-H",
                    "127.0.0.1",
                    "-p",
                    &port.to_string(),
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot start moto: {e}"))?;
            let endpoint = format!("http://127.0.0.1:{port}");
            let http = reqwest::Client::new();
            for _ in 0..100 {
                // Creating the bucket is the first request it answers.
                if let Ok(r) = http.put(format!("{endpoint}/{bucket}")).send().await {
                    if r.status().is_success() {
                        return Ok(Self {
                            child,
                            endpoint,
                            bucket: bucket.to_owned(),
                        });
                    }
                }
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        Err("moto's S3 server did not start".into())
    }

    /// The platform's settings for this bucket (`FRT__UPLOADS__…`).
    pub fn settings(&self) -> Vec<(&'static str, String)> {
        vec![
            ("FRT__UPLOADS__STORE", "s3".into()),
            ("FRT__UPLOADS__S3_BUCKET", self.bucket.clone()),
            ("FRT__UPLOADS__S3_ENDPOINT", self.endpoint.clone()),
            ("FRT__UPLOADS__S3_REGION", "us-east-1".into()),
            ("FRT__UPLOADS__S3_ACCESS_KEY_ID", "testing".into()),
            ("FRT__UPLOADS__S3_SECRET_ACCESS_KEY", "testing".into()),
            ("FRT__UPLOADS__S3_ALLOW_HTTP", "true".into()),
        ]
    }

    /// The keys in the bucket (the S3 API's own listing).
    pub async fn keys(&self) -> Vec<String> {
        let xml = reqwest::get(format!("{}/{}?list-type=2", self.endpoint, self.bucket))
            .await
            .expect("list the bucket")
            .text()
            .await
            .expect("the listing");
        xml.split("<Key>")
            .skip(1)
            .filter_map(|s| s.split("</Key>").next())
            .map(str::to_owned)
            .collect()
    }
}
