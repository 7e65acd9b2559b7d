//! The suite against a deployment, checked in every whole run: `frtctl up --demo` started as
//! a separate process on a database of its own, its services reaching PostgreSQL through
//! PgBouncer in transaction mode (as a national deployment runs them), the `@smoke` set run
//! against it through the `FRT_TARGET_*` contract, and its JUnit report read back: every
//! smoke scenario listed, none failed or skipped. The services' metrics then show no
//! statement ran outside a transaction, where the pooler could have split it across server
//! connections.

use crate::support::target::{self, Deployment, Target};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Kills the platform when the check ends, however it ends.
struct Platform(Child);

impl Drop for Platform {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn frtctl() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/acceptance-<hash> → target/<profile>/frtctl
    exe.ancestors()
        .nth(2)
        .map(|profile| profile.join("frtctl"))
        .expect("the build folder")
}

/// The addresses `frtctl up --addresses FILE` writes once its services listen.
struct Addresses {
    portal: String,
    casework: String,
    exchange: String,
}

/// Waits for the addresses file of a starting platform (a minute at most).
async fn addresses(file: &std::path::Path) -> Option<Addresses> {
    for _ in 0..240 {
        if let Ok(text) = std::fs::read_to_string(file) {
            let json: serde_json::Value = serde_json::from_str(&text).ok()?;
            let url = |zone: &str| json[zone].as_str().map(str::to_owned);
            return Some(Addresses {
                portal: url("portal")?,
                casework: url("casework")?,
                exchange: url("exchange")?,
            });
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    None
}

/// Runs maintenance statements on the server the tests use, one at a time (neither CREATE
/// nor DROP DATABASE may run inside the implicit transaction of a batch); answers the
/// server's URL.
async fn maintain(statements: &[String]) -> String {
    let server = frt_store::local::ensure_database_url()
        .await
        .expect("the local PostgreSQL");
    let (client, conn) = tokio_postgres::connect(&server, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    for sql in statements {
        client.batch_execute(sql).await.expect(sql);
    }
    server
}

/// A fresh database for the platform, on the server the tests use.
async fn fresh_database(name: &str) -> String {
    let server = maintain(&[
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ])
    .await;
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

async fn ready(url: &str) -> bool {
    for _ in 0..240 {
        if reqwest::get(url)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    false
}

/// The number of `@smoke` scenarios in the feature files.
fn smoke_scenarios() -> usize {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/features");
    std::fs::read_dir(dir)
        .expect("features")
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|text| {
            text.lines()
                .filter(|l| l.split_whitespace().any(|t| t == "@smoke"))
                .count()
        })
        .sum()
}

/// Runs the smoke set against `frtctl up --demo`; true when its JUnit report lists every
/// smoke scenario as passed.
pub async fn against_frtctl_up() -> bool {
    let bin = frtctl();
    if !bin.exists() {
        eprintln!(
            "smoke check: {} is not built; `cargo test --workspace` builds it (or run `cargo build -p frtctl`)",
            bin.display()
        );
        return false;
    }
    // A name of this run's own: two runs on one machine (a developer's and CI's) must not
    // drop each other's platform database.
    let name = format!("frt_acceptance_smoke_{}", std::process::id());
    let url = fresh_database(&name).await;
    let passed = smoke_against(&bin, &url).await;
    maintain(&[format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")]).await;
    passed
}

/// Starts `frtctl up --demo` on the database `url` and runs the smoke set against it.
async fn smoke_against(bin: &std::path::Path, url: &str) -> bool {
    // Each service takes a free port when it binds (port 0) and frtctl says which: a port
    // picked here and bound there could be taken in between by any other connection.
    let log = crate::reports_dir().join("smoke-platform.log");
    let addresses_file = crate::reports_dir().join("smoke-addresses.json");
    let _ = std::fs::remove_file(&addresses_file);
    let file = std::fs::File::create(&log).ok();
    // As a deployment runs: migrations and tools as the owner straight to PostgreSQL, the
    // services as the application role through the pooler.
    let mut up = Command::new(bin);
    up.env("FRT__DATABASE__OWNER_URL", url);
    let app_url = match frt_store::local::application_url(url).await {
        Some(app) => {
            up.env("FRT__DATABASE__APP_ROLE", frt_store::local::LOCAL_APP_ROLE);
            app
        }
        None => url.to_owned(),
    };
    // Three server connections for the platform's pool of four (`database.pool_size`).
    let pooler = match frt_testkit::pooler::PgBouncer::start(&app_url, 3).await {
        Ok(p) => p,
        Err(e) => {
            eprintln!("smoke check: {e}");
            return false;
        }
    };
    let services_url = pooler.url.clone();
    up.env("FRT__DATABASE__POOLER", "transaction");
    let child = up
        .arg("up")
        .arg("--demo")
        .arg("--addresses")
        .arg(&addresses_file)
        .current_dir(frt_testkit::db::project_root())
        .env("DATABASE_URL", &services_url)
        .env("FRT__DATABASE__URL", &services_url)
        .env("FRT__PORTAL__PORT", "0")
        .env("FRT__CASEWORK__PORT", "0")
        .env("FRT__EXCHANGE__PORT", "0")
        .env("FRT__WORKER__LISTEN", "127.0.0.1:0")
        .env("FRT__LOG__LEVEL", "warn")
        .env_remove("FRT_ENV")
        .env_remove("FRT__QA__TOKEN")
        .stdout(
            file.as_ref()
                .and_then(|f| f.try_clone().ok())
                .map_or(Stdio::null(), Stdio::from),
        )
        // Why it did not start, if it did not, is in the same log.
        .stderr(file.map_or(Stdio::null(), Stdio::from))
        .spawn()
        .expect("frtctl up --demo");
    let _platform = Platform(child);
    let Some(Addresses {
        portal,
        casework,
        exchange,
    }) = addresses(&addresses_file).await
    else {
        eprintln!(
            "smoke check: frtctl up --demo did not say where it listens; see {}",
            log.display()
        );
        return false;
    };
    if !(ready(&format!("{portal}/readyz")).await && ready(&format!("{casework}/readyz")).await) {
        eprintln!(
            "smoke check: frtctl up --demo did not get ready; see {}",
            log.display()
        );
        return false;
    }
    println!(
        "smoke check: the @smoke set against frtctl up --demo at {portal} and {casework}, through PgBouncer in transaction mode"
    );
    let (portal_url, casework_url, exchange_url) =
        (portal.clone(), casework.clone(), exchange.clone());
    target::set(Target::Deployment(Deployment {
        portal,
        casework,
        qa_token: "demo-qa-token-2026".into(),
        mailpit: None,
        smtp_listen: None,
        exchange: Some(exchange),
    }));
    let outcome = crate::run("smoke", false, |tags| tags.iter().any(|t| t == "smoke")).await;
    target::set(Target::InProcess);
    let outside = outside_transactions(&[&portal_url, &casework_url, &exchange_url]).await;
    if outside != Some(0) {
        eprintln!(
            "smoke check: statements outside a transaction through the pooler: {outside:?}; see {}",
            log.display()
        );
    }
    if pooler.log().contains("ERROR") {
        eprintln!("smoke check: PgBouncer logged errors:\n{}", pooler.log());
    }
    let report = crate::reports_dir().join("smoke-junit.xml");
    let junit = crate::JunitCounts::read(&report);
    let (cases, bad) = (junit.cases, junit.failed + junit.skipped);
    let expected = smoke_scenarios();
    println!(
        "smoke check: {} of {expected} smoke scenarios in {} passed ({} failed)",
        outcome.passed,
        report.display(),
        outcome.failed
    );
    cases == expected && expected > 0 && bad == 0 && outcome.failed == 0 && outside == Some(0)
}

/// The statements the platform ran outside a transaction, summed over its services'
/// `/metrics`; `None` when a service did not answer.
async fn outside_transactions(services: &[&str]) -> Option<u64> {
    let client = reqwest::Client::new();
    let mut total = 0;
    for base in services {
        let text = client
            .get(format!("{base}/metrics"))
            .bearer_auth("demo-metrics-token-2026")
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        total += text
            .lines()
            .find_map(|l| l.strip_prefix("frt_db_statements_outside_transaction_total "))?
            .trim()
            .parse::<f64>()
            .ok()? as u64;
    }
    Some(total)
}
