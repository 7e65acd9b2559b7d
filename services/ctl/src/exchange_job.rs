//! `frtctl exchange pull` and `push`: what an agency runs on a schedule (cron, a systemd timer)
//! against the exchange service, over signed HTTP.
//!
//! - **pull** writes the notification events addressed to the agency into `--out` as JSON
//!   Lines, one file per page, and the same page as a spreadsheet beside it (`.xlsx`, Chinese
//!   headers). A page's name says which feed positions it holds
//!   (`notifications-<after>--<last>`), and each item carries its own position. Each file is
//!   written to a temporary name, synced, renamed and the folder synced, the spreadsheet
//!   first; then the cursor (`.cursor`) advances the same way. A run starts after the
//!   furthest of the cursor and the last item of every page in the folder, so a crash at any
//!   point, even one that loses the cursor, neither loses nor repeats an item, however the
//!   next run's pages are cut.
//! - **push** sends each `*.json` file in `--in` (a notification as `POST /api/v1/notifications`
//!   takes it) under an Idempotency-Key made from the file's name and content, then moves it
//!   to `sent/` with the answer beside it (`failed/` with the problem when refused). A crash
//!   between sending and moving re-sends under the same key and gets the first answer.
//!   Files in a folder beside it named `<name>.files/` are attached to the notification sent,
//!   each under a key of its own, and the folder moves with it; what became of each is
//!   written to `<name>.json.attachments.json`.
//!
//! The client's key id and secret come from `FRT_EXCHANGE_KEY` and `FRT_EXCHANGE_SECRET` (or
//! `--key` and `--secret-file`), the service from `FRT_EXCHANGE_URL` or `--url`.

use anyhow::{bail, Context};
use frt_access::signing;
use frt_cases::exchange::Position;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where and as whom the job connects.
pub struct Connection {
    pub url: String,
    pub key_id: String,
    pub secret: String,
    /// The last timestamp signed: each request gets a later one, so that no two requests of a
    /// run share a signature (the service refuses a signature it has seen).
    pub last_ts: std::sync::Mutex<i64>,
}

impl Connection {
    pub fn from(
        url: Option<String>,
        key: Option<String>,
        secret_file: Option<PathBuf>,
    ) -> anyhow::Result<Self> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let url = url
            .or_else(|| var("FRT_EXCHANGE_URL"))
            .unwrap_or_else(|| "http://127.0.0.1:8083".to_owned());
        let key_id = key
            .or_else(|| var("FRT_EXCHANGE_KEY"))
            .context("the client's key id: --key or FRT_EXCHANGE_KEY")?;
        let secret = match secret_file {
            Some(f) => fs::read_to_string(&f)
                .with_context(|| format!("cannot read {}", f.display()))?
                .trim()
                .to_owned(),
            None => var("FRT_EXCHANGE_SECRET")
                .context("the client's secret: --secret-file or FRT_EXCHANGE_SECRET")?,
        };
        Ok(Self {
            url: url.trim_end_matches('/').to_owned(),
            key_id,
            secret,
            last_ts: std::sync::Mutex::new(0),
        })
    }

    /// A timestamp later than any this connection signed before (waiting for the next second
    /// when needed).
    async fn next_ts(&self) -> i64 {
        loop {
            let now = chrono::Utc::now().timestamp();
            {
                let mut last = self
                    .last_ts
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if now > *last {
                    *last = now;
                    return now;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// A signed request; answers the status and the JSON body. A request refused as a replay
    /// (another run signed the same request in the same second) is signed again once.
    async fn call(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: Option<(&[u8], &str)>,
        idempotency_key: Option<&str>,
    ) -> anyhow::Result<(u16, serde_json::Value)> {
        let first = self
            .call_once(http, method.clone(), path, body, idempotency_key)
            .await?;
        if first.0 == 401 && first.1["code"] == "exchange.replayed" {
            return self
                .call_once(http, method, path, body, idempotency_key)
                .await;
        }
        Ok(first)
    }

    async fn call_once(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: Option<(&[u8], &str)>,
        idempotency_key: Option<&str>,
    ) -> anyhow::Result<(u16, serde_json::Value)> {
        let ts = self.next_ts().await.to_string();
        let raw = body.map_or(&b""[..], |b| b.0);
        let sig = signing::sign(
            &self.secret,
            &signing::canonical(method.as_str(), path, &ts, raw),
        );
        let mut req = http
            .request(method, format!("{}{path}", self.url))
            .header("X-FRT-Key", &self.key_id)
            .header("X-FRT-Timestamp", &ts)
            .header("X-FRT-Signature", sig);
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        if let Some((bytes, content_type)) = body {
            req = req
                .header("content-type", content_type)
                .body(bytes.to_vec());
        }
        let r = req
            .send()
            .await
            .with_context(|| format!("cannot reach the exchange service at {}", self.url))?;
        let status = r.status().as_u16();
        let body = r.json().await.unwrap_or(serde_json::Value::Null);
        Ok((status, body))
    }
}

/// Writes `bytes` to `path` so that a crash leaves either the old file or the new one whole:
/// a temporary file, synced, renamed over it, the folder synced.
fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_via_temporary(path, |tmp| {
        let mut f =
            fs::File::create(tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(bytes)?;
        Ok(())
    })
}

/// As `write_atomically`, with `write` making the temporary file.
fn write_via_temporary(
    path: &Path,
    write: impl FnOnce(&Path) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = path.parent().context("a file in a folder")?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .context("a file name")?;
    let tmp = dir.join(format!(".{name}.tmp"));
    write(&tmp)?;
    fs::File::open(&tmp)?.sync_all()?;
    fs::rename(&tmp, path).with_context(|| format!("cannot rename to {}", path.display()))?;
    fs::File::open(dir)?.sync_all()?;
    Ok(())
}

const SHEET_HEADERS: &[&str] = &[
    "事件",
    "时间",
    "通报编号",
    "类型",
    "发送机关",
    "标题",
    "正文",
    "密级",
    "涉及单位",
    "需签收",
];

/// A pulled page as a spreadsheet: one row per event.
fn write_sheet(path: &Path, items: &[serde_json::Value]) -> anyhow::Result<()> {
    use frt_sheets::export::Cell;
    let text = |v: &serde_json::Value| Cell::from(v.as_str().map(str::to_owned));
    let rows = items.iter().map(|item| {
        let n = &item["notification"];
        let event = match item["event"].as_str().unwrap_or_default() {
            "received" => "收到通报",
            "acknowledged" => "已签收",
            "feedback" => "收到反馈",
            "attachment" => "新增附件",
            _ => "其他",
        };
        vec![
            Cell::from(event),
            text(&item["at"]),
            text(&n["reference"]),
            text(&n["kind_zh"]),
            text(&n["sender"]["name"]),
            text(&n["title"]),
            text(&n["body"]),
            text(&n["classification"]),
            text(&n["processor_name"]),
            Cell::from(if n["ack_required"].as_bool().unwrap_or(false) {
                "是"
            } else {
                "否"
            }),
        ]
    });
    write_via_temporary(path, |tmp| {
        frt_sheets::export::write_sheet(tmp, "通报", SHEET_HEADERS, rows)
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", tmp.display()))
    })
}

/// What a pull did.
#[derive(Debug, Default)]
pub struct Pulled {
    pub files: usize,
    pub items: usize,
    pub cursor: Option<String>,
}

/// The feed positions a pulled page holds, read from its file name
/// (`notifications-<after>--<last>.jsonl`): the items after `<after>` up to `<last>`.
fn held(name: &str) -> Option<(Position, Position)> {
    let stem = name
        .strip_prefix("notifications-")?
        .strip_suffix(".jsonl")?;
    let (after, last) = stem.split_once("--")?;
    Some((after.parse().ok()?, last.parse().ok()?))
}

/// Where the folder's pull stands: the furthest of the kept cursor and the last item of every
/// page written. A spreadsheet whose JSON Lines are missing (a crash between the two) is
/// removed: its page is fetched again.
fn resume_point(out: &Path, cursor_file: &Path) -> anyhow::Result<Option<Position>> {
    let kept = fs::read_to_string(cursor_file)
        .ok()
        .and_then(|c| c.trim().parse::<Position>().ok());
    let mut furthest = kept;
    for entry in fs::read_dir(out).with_context(|| format!("cannot read {}", out.display()))? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some((_, last)) = held(name) {
            furthest = furthest.max(Some(last));
        } else if let Some(stem) = name.strip_suffix(".xlsx") {
            if name.starts_with("notifications-") && !out.join(format!("{stem}.jsonl")).exists() {
                fs::remove_file(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
            }
        }
    }
    Ok(furthest)
}

/// Pulls every page after where the folder stands into `out`. Each page's file names say
/// which feed positions it holds, so a run after a crash at any point starts after the last
/// item written, whatever the pages' boundaries come out as this time. `stop_after_files`
/// (tests) stops after that many pages, as if interrupted before the cursor was kept.
pub async fn pull(
    conn: &Connection,
    out: &Path,
    limit: u32,
    stop_after_files: Option<usize>,
) -> anyhow::Result<Pulled> {
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let cursor_file = out.join(".cursor");
    let mut cursor = resume_point(out, &cursor_file)?;
    let http = reqwest::Client::new();
    let mut done = Pulled {
        cursor: cursor.map(|c| c.to_string()),
        ..Pulled::default()
    };
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/sync/notifications?cursor={c}&limit={limit}"),
            None => format!("/api/v1/sync/notifications?limit={limit}"),
        };
        let (status, page) = conn
            .call(&http, reqwest::Method::GET, &path, None, None)
            .await?;
        if status != 200 {
            bail!("the exchange service answered {status}: {page}");
        }
        let items = page["items"].as_array().cloned().unwrap_or_default();
        let next: Position = page["next_cursor"]
            .as_str()
            .and_then(|c| c.parse().ok())
            .context("the exchange service sent no next_cursor")?;
        if let Some(last) = items.last() {
            let last: Position = last["cursor"]
                .as_str()
                .and_then(|c| c.parse().ok())
                .context("an item came without its cursor")?;
            let stem = format!(
                "notifications-{}--{last}",
                cursor.unwrap_or(Position::START)
            );
            // The spreadsheet first: a page counts as written once its JSON Lines are.
            write_sheet(&out.join(format!("{stem}.xlsx")), &items)?;
            let mut lines = Vec::new();
            for item in &items {
                lines.extend_from_slice(serde_json::to_string(item)?.as_bytes());
                lines.push(b'\n');
            }
            write_atomically(&out.join(format!("{stem}.jsonl")), &lines)?;
            done.files += 1;
            done.items += items.len();
            if stop_after_files.is_some_and(|n| done.files >= n) {
                // Interrupted after the file, before the cursor moved.
                return Ok(done);
            }
        }
        if next <= cursor.unwrap_or(Position::START) {
            return Ok(done);
        }
        // A page may hold no item for this agency (restricted ones) and still move on.
        write_atomically(&cursor_file, next.to_string().as_bytes())?;
        cursor = Some(next);
        done.cursor = Some(next.to_string());
    }
}

/// What a push did.
#[derive(Debug, Default)]
pub struct PushedFiles {
    pub sent: usize,
    pub failed: usize,
    /// Attachments refused (the notification itself went out).
    pub failed_attachments: usize,
}

/// Sends every `*.json` file of `dir`, oldest name first.
pub async fn push(conn: &Connection, dir: &Path) -> anyhow::Result<PushedFiles> {
    let sent_dir = dir.join("sent");
    let failed_dir = dir.join("failed");
    fs::create_dir_all(&sent_dir)?;
    fs::create_dir_all(&failed_dir)?;
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let http = reqwest::Client::new();
    let mut done = PushedFiles::default();
    for file in files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .context("a file name")?
            .to_owned();
        let body = fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        // The same file sent again (after a crash) carries the same key.
        let key = format!(
            "{}-{}",
            name.trim_end_matches(".json"),
            &signing::body_sha256(&body)[..16]
        );
        let key: String = key
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(100)
            .collect();
        let (status, answer) = conn
            .call(
                &http,
                reqwest::Method::POST,
                "/api/v1/notifications",
                Some((&body, "application/json")),
                Some(&key),
            )
            .await?;
        let files_dir = dir.join(format!("{}.files", name.trim_end_matches(".json")));
        let target = if (200..300).contains(&status) {
            if files_dir.is_dir() {
                let id = answer["id"]
                    .as_str()
                    .context("the answer names the notification")?;
                let report = attach_all(conn, &http, id, &key, &files_dir).await?;
                done.failed_attachments += report.iter().filter(|r| r["status"] != 201).count();
                write_atomically(
                    &sent_dir.join(format!("{name}.attachments.json")),
                    serde_json::to_string_pretty(&report)?.as_bytes(),
                )?;
            }
            done.sent += 1;
            &sent_dir
        } else if status == 429 || status >= 500 {
            bail!("the exchange service answered {status} for {name}; run again later: {answer}");
        } else {
            done.failed += 1;
            &failed_dir
        };
        write_atomically(
            &target.join(format!("{name}.answer.json")),
            serde_json::to_string_pretty(&answer)?.as_bytes(),
        )?;
        if files_dir.is_dir() {
            let moved = target.join(files_dir.file_name().context("a folder name")?);
            if moved.exists() {
                fs::remove_dir_all(&moved)?;
            }
            fs::rename(&files_dir, moved)?;
        }
        fs::rename(&file, target.join(&name))?;
        fs::File::open(dir)?.sync_all()?;
    }
    Ok(done)
}

/// Attaches every file of `files_dir` to notification `id`, each under an Idempotency-Key
/// made from the notification's key and the file's name and content, so that a run again
/// after a crash attaches nothing twice. Answers what became of each file.
async fn attach_all(
    conn: &Connection,
    http: &reqwest::Client,
    id: &str,
    key: &str,
    files_dir: &Path,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let mut files: Vec<PathBuf> = fs::read_dir(files_dir)
        .with_context(|| format!("cannot read {}", files_dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut report = Vec::with_capacity(files.len());
    for file in files {
        let filename = file
            .file_name()
            .and_then(|n| n.to_str())
            .context("a file name")?
            .to_owned();
        let bytes = fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let digest = signing::body_sha256(format!("{key}\n{filename}\n").as_bytes());
        let file_key = format!("{}-{}", &digest[..24], &signing::body_sha256(&bytes)[..24]);
        let mut url = reqwest::Url::parse("http://exchange.invalid/")?;
        url.set_path(&format!("/api/v1/notifications/{id}/materials"));
        url.query_pairs_mut().append_pair("filename", &filename);
        let path = format!("{}?{}", url.path(), url.query().unwrap_or_default());
        let (status, answer) = conn
            .call(
                http,
                reqwest::Method::POST,
                &path,
                Some((&bytes, "application/octet-stream")),
                Some(&file_key),
            )
            .await?;
        if status == 429 || status >= 500 {
            bail!(
                "the exchange service answered {status} for {filename}; run again later: {answer}"
            );
        }
        report.push(serde_json::json!({ "file": filename, "status": status, "answer": answer }));
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use frt_access::{AgencyKind, Role};
    use frt_cases::notifications::{self, NotificationInput, Origin};
    use frt_store::audit::Actor;
    use frt_testkit::TestApp;
    use serde_json::json;
    use std::collections::HashSet;

    async fn agency_of(app: &TestApp, token: &str) -> uuid::Uuid {
        let (_, me) = app
            .call(
                reqwest::Method::GET,
                &format!("{}/api/v1/me", app.casework),
                Some(token),
                None,
            )
            .await;
        me["agency_id"]
            .as_str()
            .and_then(|a| uuid::Uuid::parse_str(a).ok())
            .expect("agency")
    }

    fn lines_in(dir: &Path) -> Vec<String> {
        let mut all = Vec::new();
        for e in fs::read_dir(dir).expect("dir").filter_map(Result::ok) {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "jsonl") {
                let text = fs::read_to_string(&p).expect("file");
                all.extend(text.lines().map(str::to_owned));
            }
        }
        all
    }

    #[tokio::test]
    async fn an_interrupted_pull_run_again_neither_loses_nor_duplicates_and_pushes_go_once() {
        let app = TestApp::spawn().await;
        let server = exchange::build(app.core.clone()).expect("exchange");
        let url = format!("http://127.0.0.1:{}", server.port());
        let handle = server.handle();
        tokio::spawn(server.run_until_stopped());
        let cac = app
            .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
            .await;
        let police = app
            .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Supervisor)
            .await;
        let (from, to) = (agency_of(&app, &cac).await, agency_of(&app, &police).await);
        let client = frt_cases::exchange::create_client(
            &app.core,
            &Actor::system("test"),
            &to.to_string(),
            &["notifications:read".into(), "notifications:write".into()],
        )
        .await
        .expect("client");
        let agency = {
            let mut conn = app.core.db.conn().await.expect("connection");
            frt_store::identities::agency(&mut conn, from)
                .await
                .expect("agency")
                .expect("the sending agency")
        };
        let origin = Origin::agency(&agency, None, Actor::system("test"));
        let mut sent = HashSet::new();
        for i in 0..5 {
            let input: NotificationInput = serde_json::from_value(json!({
                "kind": "information_sharing", "recipients": [to],
                "title": format!("线索{i}"), "body": "共享。"
            }))
            .expect("input");
            sent.insert(
                notifications::send(&app.core, &origin, &input)
                    .await
                    .expect("send")
                    .id
                    .to_string(),
            );
        }
        let conn = Connection {
            url,
            key_id: client.key_id.clone(),
            secret: client.secret.clone(),
            last_ts: std::sync::Mutex::new(0),
        };
        let out = tempfile_dir("pull");
        app.feed_settled().await;
        // Interrupted after writing its first page, before the cursor moved.
        let first = pull(&conn, &out, 2, Some(1)).await.expect("pull");
        assert_eq!((first.files, first.items), (1, 2));
        assert!(!out.join(".cursor").exists());
        // A leftover temporary file from a crash mid-write is not read as data, nor is a
        // spreadsheet whose JSON Lines never came.
        fs::write(out.join(".notifications-x.jsonl.tmp"), b"{partial").expect("tmp");
        fs::write(out.join("notifications-n0.n0--n9.n9.xlsx"), b"PK").expect("orphan");
        // Run again with pages cut elsewhere: the files say what they hold, so the run
        // starts after the last item written.
        let again = pull(&conn, &out, 3, None).await.expect("pull again");
        assert_eq!(again.items, 3, "{again:?}");
        assert!(!out.join("notifications-n0.n0--n9.n9.xlsx").exists());
        // The cursor lost altogether: the folder still knows where it stands.
        fs::remove_file(out.join(".cursor")).expect("cursor kept");
        let idle = pull(&conn, &out, 4, None)
            .await
            .expect("pull without a cursor");
        assert_eq!(idle.items, 0, "{idle:?}");
        let lines = lines_in(&out);
        let ids: Vec<String> = lines
            .iter()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).expect("json")["notification"]["id"]
                    .as_str()
                    .expect("id")
                    .to_owned()
            })
            .collect();
        let unique: HashSet<String> = ids.iter().cloned().collect();
        assert_eq!(unique.len(), ids.len(), "duplicated: {ids:?}");
        // Each page is also a spreadsheet beside its JSON Lines, with one row per line.
        let mut sheet_rows = 0;
        for e in fs::read_dir(&out).expect("dir").filter_map(Result::ok) {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "xlsx") {
                let bytes = fs::read(&p).expect("xlsx");
                let t = frt_sheets::read(&bytes, &frt_sheets::Limits::default(), None)
                    .expect("a spreadsheet");
                assert_eq!(t.header[0], "事件");
                sheet_rows += t.rows.len();
            }
        }
        assert_eq!(sheet_rows, ids.len());
        assert_eq!(unique, sent, "every item once");
        // Nothing new: nothing written.
        let idle = pull(&conn, &out, 2, None).await.expect("idle pull");
        assert_eq!((idle.files, idle.items), (0, 0));

        // Push: each file once, even when run again with the file put back.
        let inbox = tempfile_dir("push");
        let body = json!({ "kind": "feedback", "recipients": [from], "title": "核查结果",
                           "body": "已核查。" });
        fs::write(inbox.join("001-result.json"), body.to_string()).expect("file");
        fs::create_dir_all(inbox.join("001-result.files")).expect("files");
        fs::write(
            inbox.join("001-result.files/询问 笔录.pdf"),
            frt_testkit::app::PDF,
        )
        .expect("attachment");
        fs::write(inbox.join("001-result.files/run.exe"), b"MZ\x90\x00\x03").expect("exe");
        fs::write(inbox.join("002-bad.json"), b"{\"kind\":\"gossip\"}").expect("file");
        let pushed = push(&conn, &inbox).await.expect("push");
        assert_eq!(
            (pushed.sent, pushed.failed, pushed.failed_attachments),
            (1, 1, 1)
        );
        assert!(inbox.join("sent/001-result.json").exists());
        assert!(inbox.join("sent/001-result.files").is_dir());
        let report: serde_json::Value = serde_json::from_slice(
            &fs::read(inbox.join("sent/001-result.json.attachments.json")).expect("report"),
        )
        .expect("report json");
        assert_eq!(report[0]["file"], "run.exe", "{report}");
        assert_eq!(report[0]["status"], 415, "{report}");
        assert_eq!(report[1]["answer"]["filename"], "询问 笔录.pdf", "{report}");
        let first_material = report[1]["answer"]["id"].clone();
        assert!(inbox.join("failed/002-bad.json.answer.json").exists());
        // As if the move had not happened: the same file again gets the first answer.
        fs::copy(
            inbox.join("sent/001-result.json"),
            inbox.join("001-result.json"),
        )
        .expect("copy");
        fs::rename(
            inbox.join("sent/001-result.files"),
            inbox.join("001-result.files"),
        )
        .expect("files back");
        let again = push(&conn, &inbox).await.expect("push again");
        assert_eq!(again.sent, 1);
        let report: serde_json::Value = serde_json::from_slice(
            &fs::read(inbox.join("sent/001-result.json.attachments.json")).expect("report"),
        )
        .expect("report json");
        assert_eq!(report[1]["answer"]["id"], first_material, "attached once");
        let (_, list) = app
            .call(
                reqwest::Method::GET,
                &format!("{}/api/v1/notifications?direction=received", app.casework),
                Some(&cac),
                None,
            )
            .await;
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
        let id = list["items"][0]["id"].as_str().expect("id");
        let (_, shown) = app
            .call(
                reqwest::Method::GET,
                &format!("{}/api/v1/notifications/{id}", app.casework),
                Some(&cac),
                None,
            )
            .await;
        assert_eq!(
            shown["materials"].as_array().map(Vec::len),
            Some(1),
            "{shown}"
        );
        handle.stop(true).await;
    }

    fn tempfile_dir(what: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("frt-exchange-{what}-{}", uuid::Uuid::now_v7()));
        fs::create_dir_all(&dir).expect("dir");
        dir
    }
}
