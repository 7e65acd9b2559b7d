//! Reads from a streaming replica: a primary and a replica made from it with `pg_basebackup`
//! (Debian's PostgreSQL, clusters of the test's own), the services on the primary with
//! `database.read_url` on the replica. The registry export and the statistics come from the
//! replica, and so lag with it: while its replay is paused, a filing recorded on the primary
//! is on the primary's pages (its case page, the exchange feed) and not in the export; once
//! replay resumes, the export has it. With the replica down, those reads go to the primary.

use frt_access::{AgencyKind, Role};
use frt_sheets::{read, Limits};
use frt_testkit::cluster::Cluster;
use frt_testkit::{TestApp, TestDb};
use std::time::Duration;

/// The data rows of a registry export made by `token`.
async fn registry_rows(app: &TestApp, token: &str) -> usize {
    let (s, bytes) = app
        .client
        .get_bytes(
            token,
            &format!("{}/api/v1/exports/registry.xlsx", app.client.casework),
        )
        .await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&bytes));
    let table = read(&bytes, &Limits::default(), Some("备案登记")).expect("an xlsx registry");
    table.rows.len()
}

/// Waits until the replica has replayed everything the primary has written.
async fn caught_up(primary: &tokio_postgres::Client, replica: &tokio_postgres::Client) {
    let lsn: String = primary
        .query_one("SELECT pg_current_wal_lsn()::text", &[])
        .await
        .expect("primary's position")
        .get(0);
    for _ in 0..200 {
        let behind: bool = replica
            .query_one(
                "SELECT pg_last_wal_replay_lsn() < $1::text::pg_lsn",
                &[&lsn],
            )
            .await
            .expect("replica's position")
            .get(0);
        if !behind {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the replica did not catch up with {lsn}");
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (c, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_and_statistics_read_from_a_streaming_replica_and_lag_with_it() {
    let primary = Cluster::start();
    let replica = primary.replica();
    let db = TestDb::on_server(&primary.url("postgres")).await;
    let replica_url = replica.url(db.name());
    let app = TestApp::spawn_on(db, &[("FRT__DATABASE__READ_URL", &replica_url)]).await;
    assert!(app.core.db.has_replica());
    let on_primary = app.db.sql().await;
    let on_replica = connect(&replica_url).await;
    let standby: bool = on_replica
        .query_one("SELECT pg_is_in_recovery()", &[])
        .await
        .expect("recovery state")
        .get(0);
    assert!(standby, "the replica is a standby");

    app.recorded_filing("310000", "上海甲科技有限公司").await;
    app.recorded_filing("310000", "上海乙科技有限公司").await;
    let supervisor = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    caught_up(&on_primary, &on_replica).await;
    assert_eq!(registry_rows(&app, &supervisor).await, 2);

    // The replica stops replaying: what the primary records now is not on it.
    on_replica
        .batch_execute("SELECT pg_wal_replay_pause()")
        .await
        .expect("pause replay");
    let third = app.recorded_filing("310000", "上海丙科技有限公司").await;
    // The case page reads the primary: the filing is recorded there.
    let (s, b) = app
        .client
        .call(
            reqwest::Method::GET,
            &format!("{}/api/v1/filings/{third}", app.client.casework),
            Some(&supervisor),
            None,
        )
        .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("filed")), "{b}");
    // The export reads the replica, which lags: two rows, not three.
    assert_eq!(
        registry_rows(&app, &supervisor).await,
        2,
        "the export read the paused replica"
    );
    let (s, stats) = app
        .client
        .get_bytes(
            &supervisor,
            &format!(
                "{}/api/v1/exports/statistics.xlsx?month={}",
                app.client.casework,
                chrono::Utc::now().format("%Y-%m")
            ),
        )
        .await;
    assert_eq!(s, 200, "{}", String::from_utf8_lossy(&stats));

    // Replay resumes; once caught up, the export has the third.
    on_replica
        .batch_execute("SELECT pg_wal_replay_resume()")
        .await
        .expect("resume replay");
    caught_up(&on_primary, &on_replica).await;
    assert_eq!(registry_rows(&app, &supervisor).await, 3);

    // The replica stops: the reads it served go to the primary rather than failing.
    drop(on_replica);
    replica.ctl(&["stop", "-m", "fast"]);
    assert_eq!(
        registry_rows(&app, &supervisor).await,
        3,
        "read from the primary while the replica is down"
    );
}
