//! The file store failing: with the blob folder unwritable (a file where the folder should be)
//! or full (a 64 KiB tmpfs, mounted when the tests run as root), an upload answers 503
//! problem+json with `Retry-After` and a code saying which, keeps no row and leaves no file;
//! once the store is back the same upload succeeds.

use frt_testkit::app::PDF;
use frt_testkit::{code, TestApp};
use serde_json::Value;
use std::path::{Path, PathBuf};

async fn upload(app: &TestApp, token: &str, filing: &str) -> (u16, Option<String>, Value) {
    let form = reqwest::multipart::Form::new()
        .text("kind", "commitment_letter")
        .part(
            "file",
            reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("承诺书.pdf"),
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
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, retry, r.json().await.unwrap_or(Value::Null))
}

async fn attachments(app: &TestApp) -> i64 {
    app.db
        .sql()
        .await
        .query_one("SELECT count(*) FROM attachments", &[])
        .await
        .expect("count")
        .get(0)
}

/// Every file under `dir` (none when it is not a folder).
fn files(dir: &Path) -> Vec<PathBuf> {
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

/// Unmounts the tmpfs when the test ends, however it ends.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn is_root() -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

#[tokio::test]
async fn an_unwritable_or_full_file_store_fails_the_upload_cleanly_and_keeps_nothing() {
    let app = TestApp::spawn().await;
    let (token, _) = app
        .register_processor("存储故障测试有限公司", "310000")
        .await;
    let filing = app.initial_draft(&token).await;
    let blobs = app.core.settings.path(&app.core.settings.uploads.blob_dir);
    let _ = std::fs::remove_dir_all(&blobs);

    // Unwritable: a file stands where the folder should be.
    std::fs::write(&blobs, b"not a folder").expect("a file in the way");
    let (s, retry, b) = upload(&app, &token, &filing).await;
    assert_eq!((s, code(&b)), (503, "storage.unavailable"), "{b}");
    assert!(retry.is_some(), "Retry-After");
    assert_eq!(attachments(&app).await, 0, "no row for a file not kept");
    std::fs::remove_file(&blobs).expect("the store back");

    // Back: the same upload is kept.
    let (s, _, b) = upload(&app, &token, &filing).await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(attachments(&app).await, 1);
    let kept = files(&blobs);
    assert_eq!(kept.len(), 1, "{kept:?}");

    if !is_root() {
        eprintln!(
            "the full-disk half needs root to mount a tmpfs; run the tests as root (CI does)"
        );
        return;
    }
    // Full: the store on a 64 KiB file system, filled up.
    std::fs::remove_dir_all(&blobs).expect("clear the store");
    std::fs::create_dir_all(&blobs).expect("the mount point");
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&blobs)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mount a tmpfs at {}", blobs.display());
    let _mounted = Mounted(blobs.clone());
    let filler = vec![0u8; 4096];
    let mut f = std::fs::File::create(blobs.join("filler")).expect("filler");
    while std::io::Write::write_all(&mut f, &filler).is_ok() {}
    drop(f);
    let (s, retry, b) = upload(&app, &token, &filing).await;
    assert_eq!((s, code(&b)), (503, "storage.full"), "{b}");
    assert!(retry.is_some(), "Retry-After");
    assert_eq!(attachments(&app).await, 1, "no row for a file not kept");
    assert_eq!(
        files(&blobs),
        vec![blobs.join("filler")],
        "no partial file left behind"
    );
}
