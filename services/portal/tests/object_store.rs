//! Files in an S3-compatible object store (moto's S3 server, a real S3 API over HTTP): a
//! material uploaded through one instance of the services goes to the bucket under its key,
//! nothing stays in the local folder, and another instance (behind the same load balancer)
//! serves it byte for byte. A store that does not answer fails the upload cleanly: 503, no
//! row kept.

use frt_testkit::app::PDF;
use frt_testkit::s3::S3Server;
use frt_testkit::{code, TestApp};
use serde_json::Value;
use sha2::Digest;

async fn upload(app: &TestApp, token: &str, filing: &str, bytes: Vec<u8>) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .text("kind", "commitment_letter")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("承诺书.pdf"),
        );
    let r = app
        .http
        .post(format!(
            "{}/api/v1/filings/{filing}/attachments",
            app.portal
        ))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("the service answers");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Every file under `dir`.
fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test]
async fn materials_go_to_the_bucket_and_every_instance_serves_them() {
    let s3 = S3Server::start("frt-materials").await.expect("moto");
    let settings = s3.settings();
    let extra: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = TestApp::spawn_with(&extra).await;
    let (token, _) = app
        .register_processor("对象存储测试有限公司", "310000")
        .await;
    let filing = app.initial_draft(&token).await;

    // A material larger than one part of a multipart upload (5 MiB), and a small one.
    let mut large = PDF.to_vec();
    large.resize(6 * 1024 * 1024 + 17, b' ');
    let mut uploaded = Vec::new();
    for bytes in [PDF.to_vec(), large] {
        let (s, b) = upload(&app, &token, &filing, bytes.clone()).await;
        assert_eq!(s, 201, "{b}");
        let id = b["id"].as_str().expect("attachment id").to_owned();
        uploaded.push((id, bytes));
    }
    let keys = s3.keys().await;
    assert_eq!(keys.len(), 2, "both in the bucket: {keys:?}");
    let stored: Vec<String> = app
        .db
        .sql()
        .await
        .query("SELECT blob_key FROM attachments", &[])
        .await
        .expect("keys")
        .iter()
        .map(|r| r.get(0))
        .collect();
    for k in &stored {
        assert!(keys.contains(k), "{k} in the bucket {keys:?}");
    }
    let local = app.core.settings.path(&app.core.settings.uploads.blob_dir);
    assert_eq!(
        files(&local),
        Vec::<std::path::PathBuf>::new(),
        "nothing kept locally"
    );

    // Another instance serves them from the bucket, byte for byte.
    let other = app.another_instance(&extra).await;
    for (id, bytes) in &uploaded {
        let (s, got) = other
            .get_bytes(
                &token,
                &format!("{}/api/v1/filings/{filing}/attachments/{id}", other.portal),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(
            sha2::Sha256::digest(&got),
            sha2::Sha256::digest(bytes),
            "{id}: {} bytes served",
            got.len()
        );
    }

    // The store gone: an upload fails cleanly and keeps no row.
    drop(s3);
    let (s, b) = upload(&app, &token, &filing, PDF.to_vec()).await;
    assert_eq!((s, code(&b)), (503, "storage.unavailable"), "{b}");
    let rows: i64 = app
        .db
        .sql()
        .await
        .query_one("SELECT count(*) FROM attachments", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(rows, 2, "no row for a file not kept");
    assert_eq!(
        files(&local),
        Vec::<std::path::PathBuf>::new(),
        "no partial file left"
    );
}
