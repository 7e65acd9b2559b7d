//! A backup that restores: `frtctl backup` of a platform with filings, materials and
//! notifications an agency's system has been reading; the platform goes on (its system reads
//! one more event) and is then lost; `frtctl restore` brings the backup back in a fresh
//! PostgreSQL cluster of the test's own. The restored platform's audit chain is intact, every
//! material's file is there with its hash, and the agency's system resumes from where it had
//! got to, past the backup, and reads what the restored platform writes next, once; a fresh
//! reader reads everything the backup held.

use frt_access::{AgencyKind, Role};
use frt_store::audit::Actor;
use frt_testkit::app::test_settings;
use frt_testkit::cluster::Cluster;
use frt_testkit::TestApp;
use reqwest::Method;
use serde_json::json;
use sha2::Digest;
use std::collections::HashSet;

const FRTCTL: &str = env!("CARGO_BIN_EXE_frtctl");

static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Every item of the notification feed after `cursor`, page by page; (events, the cursor
/// after them).
async fn read_feed(
    base: &str,
    client: &frt_cases::exchange::NewClient,
    mut cursor: Option<String>,
) -> (Vec<String>, Option<String>) {
    let mut events = Vec::new();
    for _ in 1..50 {
        // A page size of its own per request: no two requests sign alike.
        let n = SENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut path = format!("/api/v1/sync/notifications?limit={}", 100 + n);
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (s, b) = frt_testkit::client::signed(
            base,
            &client.key_id,
            &client.secret,
            Method::GET,
            &path,
            None,
        )
        .await;
        assert_eq!(s, 200, "{b}");
        let items = b["items"].as_array().cloned().unwrap_or_default();
        for i in &items {
            events.push(format!(
                "{} {}",
                i["notification"]["title"].as_str().unwrap_or_default(),
                i["event"].as_str().unwrap_or_default()
            ));
        }
        cursor = b["next_cursor"].as_str().map(str::to_owned);
        if items.is_empty() {
            break;
        }
    }
    (events, cursor)
}

async fn notify(app: &TestApp, token: &str, to: uuid::Uuid, title: &str) {
    let (s, b) = app
        .casework_post(
            token,
            "/api/v1/notifications",
            json!({ "kind": "information_sharing", "recipients": [to], "title": title,
                    "body": "共享线索。" }),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    app.feed_settled().await;
}

#[tokio::test]
async fn a_backup_restores_into_a_fresh_cluster_with_its_files_its_chain_and_the_feeds_resuming() {
    let app = TestApp::spawn().await;
    let exchange = exchange::build(app.core.clone()).expect("exchange");
    let exchange_url = format!("http://127.0.0.1:{}", exchange.port());
    tokio::spawn(exchange.run_until_stopped());
    let (processor, _) = app.register_processor("备份恢复有限公司", "310000").await;
    let mut filings = Vec::new();
    for _ in 0..2 {
        let id = app
            .complete_draft(&processor, "initial", frt_cases::today_in_china(), None)
            .await;
        let (s, b) = app.submit(&processor, &id, None).await;
        assert_eq!(s, 200, "{b}");
        filings.push(id);
    }
    let office = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Inspector)
        .await;
    let bureau = app.agency_of(&police).await;
    let client = frt_cases::exchange::create_client(
        &app.core,
        &Actor::system("test"),
        &bureau.to_string(),
        &["notifications:read".into()],
    )
    .await
    .expect("client");
    for n in 0..3 {
        notify(&app, &office, bureau, &format!("备份前通报{n}")).await;
    }
    let (before, at_backup) = read_feed(&exchange_url, &client, None).await;
    assert_eq!(before.len(), 3, "{before:?}");

    // The materials as the processor downloads them.
    let mut materials = Vec::new();
    for id in &filings {
        let (_, detail) = app
            .call(
                Method::GET,
                &format!("{}/api/v1/filings/{id}", app.portal),
                Some(&processor),
                None,
            )
            .await;
        for a in detail["attachments"].as_array().into_iter().flatten() {
            let aid = a["id"].as_str().expect("attachment id").to_owned();
            let (s, bytes) = app
                .get_bytes(
                    &processor,
                    &format!("{}/api/v1/filings/{id}/attachments/{aid}", app.portal),
                )
                .await;
            assert_eq!(s, 200);
            materials.push((id.clone(), aid, sha2::Sha256::digest(&bytes).to_vec()));
        }
    }
    assert!(materials.len() >= 2, "{materials:?}");

    let dir = std::env::temp_dir().join(format!("frt-backup-{}", uuid::Uuid::now_v7()));
    let (ok, out) = app.run(FRTCTL, &["backup", "--to", &dir.to_string_lossy()]);
    assert!(ok, "{out}");
    // The platform goes on after the backup: the bureau's system reads one more event, which
    // the restore will not have.
    notify(&app, &office, bureau, "备份后通报").await;
    let (after, ahead) = read_feed(&exchange_url, &client, at_backup.clone()).await;
    assert_eq!(after, ["备份后通报 received"], "{after:?}");

    // Lost; restored into a cluster of its own, whose transactions start again from low ids.
    let cluster = Cluster::start();
    let (c, conn) = tokio_postgres::connect(&cluster.url("postgres"), tokio_postgres::NoTls)
        .await
        .expect("connect to the fresh cluster");
    tokio::spawn(conn);
    c.batch_execute("CREATE DATABASE frt")
        .await
        .expect("create");
    let url = cluster.url("frt");
    let blobs = cluster.dir.join("blobs");
    let restore = std::process::Command::new(FRTCTL)
        .args(["restore", "--from"])
        .arg(&dir)
        .env("DATABASE_URL", &url)
        .env("FRT__DATABASE__OWNER_URL", &url)
        .env("FRT__DATABASE__APP_ROLE", "")
        .env(
            "FRT_CONFIG_DIR",
            frt_testkit::db::project_root().join("config"),
        )
        .env("FRT__UPLOADS__BLOB_DIR", &blobs)
        .env_remove("FRT__DATABASE__URL")
        .env_remove("FRT_ENV")
        .output()
        .expect("frtctl restore");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&restore.stdout),
        String::from_utf8_lossy(&restore.stderr)
    );
    assert!(restore.status.success(), "{said}");
    assert!(said.contains("exchange feed epoch now 1"), "{said}");
    let _ = std::fs::remove_dir_all(&dir);
    let verify = std::process::Command::new(FRTCTL)
        .args(["audit", "verify"])
        .env("DATABASE_URL", &url)
        .env(
            "FRT_CONFIG_DIR",
            frt_testkit::db::project_root().join("config"),
        )
        .env_remove("FRT__DATABASE__URL")
        .env_remove("FRT_ENV")
        .output()
        .expect("frtctl audit verify");
    let verified = String::from_utf8_lossy(&verify.stdout).into_owned();
    assert!(
        verify.status.success() && verified.contains("intact"),
        "{verified}{}",
        String::from_utf8_lossy(&verify.stderr)
    );

    // The services on the restored database: every material's file, byte for byte.
    let core = frt_web::Core::build(test_settings(&url, &blobs, &[]))
        .await
        .expect("core");
    let portal = portal::build(core.clone()).expect("portal");
    let casework = casework::build(core.clone()).expect("casework");
    let exchange = exchange::build(core.clone()).expect("exchange");
    let restored = frt_testkit::Client::new(
        format!("http://127.0.0.1:{}", portal.port()),
        format!("http://127.0.0.1:{}", casework.port()),
    );
    let restored_exchange = format!("http://127.0.0.1:{}", exchange.port());
    tokio::spawn(portal.run_until_stopped());
    tokio::spawn(casework.run_until_stopped());
    tokio::spawn(exchange.run_until_stopped());
    for (id, aid, sha) in &materials {
        let (s, bytes) = restored
            .get_bytes(
                &processor,
                &format!("{}/api/v1/filings/{id}/attachments/{aid}", restored.portal),
            )
            .await;
        assert_eq!(s, 200, "the processor's session and its material, restored");
        assert_eq!(&sha2::Sha256::digest(&bytes).to_vec(), sha, "{aid}");
    }

    // The restored platform writes an event; the bureau's system, resuming from where it had
    // got to (past the backup), reads it once; resuming from the backup's place, the same.
    let sent = restored
        .casework_post(
            &office,
            "/api/v1/notifications",
            json!({ "kind": "information_sharing", "recipients": [bureau],
                    "title": "恢复后通报", "body": "共享线索。" }),
        )
        .await;
    assert_eq!(sent.0, 201, "{}", sent.1);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (resumed, _) = read_feed(&restored_exchange, &client, ahead).await;
    assert_eq!(resumed, ["恢复后通报 received"], "{resumed:?}");
    let (from_backup, _) = read_feed(&restored_exchange, &client, at_backup).await;
    assert_eq!(from_backup, ["恢复后通报 received"], "{from_backup:?}");
    let (everything, _) = read_feed(&restored_exchange, &client, None).await;
    let unique: HashSet<&String> = everything.iter().collect();
    assert_eq!(
        (everything.len(), unique.len()),
        (4, 4),
        "the backup's three and the new one, each once: {everything:?}"
    );
}
