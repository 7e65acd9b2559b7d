//! The exchange service (数据交换) as other agencies' systems use it: signed requests, the sync
//! of notifications with a cursor, refusals of revoked keys and replayed signatures, pushes
//! retried under their Idempotency-Key, and `frtctl exchange pull` interrupted and run again.

use crate::support::FrtWorld;
use cucumber::{given, then, when};
use frt_access::signing;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;

use crate::steps::notifications::agency_of;

fn client(w: &FrtWorld, name: &str) -> (String, String) {
    w.exchange_clients
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("no exchange client {name:?} in this scenario"))
}

/// A signed request with the given timestamp; keeps the answer as the last one.
async fn signed_at(
    w: &mut FrtWorld,
    name: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
    ts: i64,
) -> crate::support::Reply {
    let (key, secret) = client(w, name);
    let base = w.exchange_url();
    let raw = body.map(Value::to_string).unwrap_or_default();
    let ts = ts.to_string();
    let sig = signing::sign(
        &secret,
        &signing::canonical(method.as_str(), path, &ts, raw.as_bytes()),
    );
    let mut req = reqwest::Client::new()
        .request(method, format!("{base}{path}"))
        .header("X-FRT-Key", key)
        .header("X-FRT-Timestamp", &ts)
        .header("X-FRT-Signature", sig);
    if let Some(k) = idempotency_key {
        req = req.header("Idempotency-Key", k);
    }
    if body.is_some() {
        req = req.header("content-type", "application/json").body(raw);
    }
    let r = req.send().await.expect("exchange request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.json().await.unwrap_or(Value::Null);
    w.keep(crate::support::Reply {
        status,
        body,
        headers,
    })
}

/// A timestamp no other request of the scenario used (signatures must differ): now, then a
/// second earlier each time, well within the window.
fn fresh_ts(w: &mut FrtWorld) -> i64 {
    let now = chrono::Utc::now().timestamp();
    let ts = w.exchange_ts.map_or(now, |last| (last - 1).min(now));
    w.exchange_ts = Some(ts);
    ts
}

async fn signed(
    w: &mut FrtWorld,
    name: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    idempotency_key: Option<&str>,
) -> crate::support::Reply {
    let ts = fresh_ts(w);
    signed_at(w, name, method, path, body, idempotency_key, ts).await
}

#[given(
    regex = r#"^the agency of "([^"]+)" has an exchange client "([^"]+)" with the scopes (\S+)$"#
)]
async fn has_client(w: &mut FrtWorld, member: String, name: String, scopes: String) {
    let agency = agency_of(w, &member).await;
    let scopes: Vec<&str> = scopes.split(',').collect();
    let url = format!(
        "{}/api/v1/test-support/exchange-clients",
        w.client().casework
    );
    let r = w
        .client()
        .http
        .post(url)
        .header(frt_testkit::client::QA_TOKEN_HEADER, w.qa_token())
        .json(&json!({ "agency": agency, "scopes": scopes }))
        .send()
        .await
        .expect("make a client");
    assert_eq!(r.status().as_u16(), 201, "make a client");
    let b: Value = r.json().await.expect("credentials");
    let key = b["key_id"].as_str().expect("key").to_owned();
    let secret = b["secret"].as_str().expect("secret").to_owned();
    w.exchange_clients.insert(name, (key, secret));
    w.exchange_url();
}

#[when(expr = "the exchange client {string} is revoked")]
async fn revoked(w: &mut FrtWorld, name: String) {
    let (key, _) = client(w, &name);
    let url = format!(
        "{}/api/v1/test-support/exchange-clients/{key}",
        w.client().casework
    );
    let r = w
        .client()
        .http
        .delete(url)
        .header(frt_testkit::client::QA_TOKEN_HEADER, w.qa_token())
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status().as_u16(), 204, "revoke");
}

#[when(regex = r#"^"([^"]+)" sends (\d+) notifications? to the agency of "([^"]+)"$"#)]
async fn sends_many(w: &mut FrtWorld, name: String, n: usize, member: String) {
    let agency = agency_of(w, &member).await;
    for i in 0..n {
        let reply = w
            .send_as(
                &name,
                Method::POST,
                "/api/v1/notifications",
                Some(json!({
                    "kind": "information_sharing",
                    "recipients": [agency],
                    "title": format!("共享线索 {} {i}", w.sent.len()),
                    "body": "共享给贵单位。"
                })),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let id = reply.body["id"].as_str().expect("id").to_owned();
        w.sent.push(id);
    }
}

/// Syncs from the client's cursor until a page comes back empty; keeps what came. A row
/// becomes visible once every older transaction of the database has ended, so while some of
/// the scenario's notifications have not come yet the client asks again for a few seconds,
/// as a scheduled client would on its next run.
#[when(expr = "the exchange client {string} syncs from its cursor")]
async fn syncs(w: &mut FrtWorld, name: String) {
    w.synced.clear();
    let started = std::time::Instant::now();
    loop {
        let path = match w.cursors.get(&name) {
            Some(c) => format!("/api/v1/sync/notifications?cursor={c}&limit=1000"),
            None => "/api/v1/sync/notifications?limit=1000".to_owned(),
        };
        let reply = signed(w, &name, Method::GET, &path, None, None).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let items = reply.body["items"].as_array().cloned().unwrap_or_default();
        if let Some(c) = reply.body["next_cursor"].as_str() {
            w.cursors.insert(name.clone(), c.to_owned());
        }
        for i in &items {
            if let Some(id) = i["notification"]["id"].as_str() {
                if w.sent.iter().any(|s| s == id) {
                    w.delivered.insert(id.to_owned());
                }
            }
        }
        let waiting = w.sent.iter().any(|s| !w.delivered.contains(s));
        if items.is_empty() {
            if !waiting || started.elapsed() > std::time::Duration::from_secs(10) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        w.synced.extend(items);
    }
}

/// The scenario's notifications the last sync brought, in order.
fn synced_of_scenario(w: &FrtWorld) -> Vec<String> {
    let mine: HashSet<&String> = w.sent.iter().collect();
    w.synced
        .iter()
        .filter_map(|i| i["notification"]["id"].as_str().map(str::to_owned))
        .filter(|id| mine.contains(id))
        .collect()
}

#[then(regex = r"^the sync brought the first (\d+) notifications?, each once$")]
async fn brought_first(w: &mut FrtWorld, n: usize) {
    let got = synced_of_scenario(w);
    assert_eq!(got, w.sent[..n].to_vec(), "{got:?}");
}

#[then(regex = r"^the sync brought only the last (\d+) notifications?$")]
async fn brought_last(w: &mut FrtWorld, n: usize) {
    let got = synced_of_scenario(w);
    let from = w.sent.len() - n;
    assert_eq!(got, w.sent[from..].to_vec(), "{got:?}");
}

#[then("the sync brought nothing new")]
async fn brought_nothing(w: &mut FrtWorld) {
    let got = synced_of_scenario(w);
    assert!(got.is_empty(), "{got:?}");
}

#[when(expr = "the exchange client {string} sends the same signed request twice")]
async fn same_twice(w: &mut FrtWorld, name: String) {
    let ts = chrono::Utc::now().timestamp();
    let path = "/api/v1/sync/notifications?limit=1";
    let first = signed_at(w, &name, Method::GET, path, None, None, ts).await;
    assert_eq!(first.status, 200, "{}", first.body);
    signed_at(w, &name, Method::GET, path, None, None, ts).await;
}

#[when(expr = "the exchange client {string} asks for its notifications")]
async fn asks(w: &mut FrtWorld, name: String) {
    signed(
        w,
        &name,
        Method::GET,
        "/api/v1/sync/notifications?limit=1",
        None,
        None,
    )
    .await;
}

#[when(
    regex = r#"^the exchange client "([^"]+)" pushes a feedback to the agency of "([^"]+)" with the Idempotency-Key "([^"]+)"(?: again)?$"#
)]
async fn pushes(w: &mut FrtWorld, name: String, member: String, key: String) {
    if w.last
        .as_ref()
        .is_some_and(|r| r.body["kind"] != "feedback")
    {
        w.replies.clear();
    }
    let agency = agency_of(w, &member).await;
    let key = format!("{key}-{}", w.unique);
    let body = json!({ "kind": "feedback", "recipients": [agency], "title": "核查结果",
                       "body": format!("已核查，情况属实。{}", w.unique) });
    let reply = signed(
        w,
        &name,
        Method::POST,
        "/api/v1/notifications",
        Some(&body),
        Some(&key),
    )
    .await;
    w.replies.push(reply);
}

#[then("both pushes answered 201 with the same notification")]
async fn same_answer(w: &mut FrtWorld) {
    let pushes: Vec<&crate::support::Reply> = w.replies.iter().filter(|r| r.status != 0).collect();
    assert!(pushes.len() >= 2, "fewer than two pushes");
    let (a, b) = (pushes[pushes.len() - 2], pushes[pushes.len() - 1]);
    assert_eq!((a.status, b.status), (201, 201), "{} {}", a.body, b.body);
    assert_eq!(a.body["id"], b.body["id"]);
}

#[then(expr = "{string} received the pushed feedback once")]
async fn received_once(w: &mut FrtWorld, name: String) {
    let page = w
        .send_as(
            &name,
            Method::GET,
            "/api/v1/notifications?direction=received&kind=feedback&limit=200",
            None,
        )
        .await;
    let marker = w.unique.clone();
    let mut n = 0;
    for item in page.body["items"].as_array().cloned().unwrap_or_default() {
        let id = item["id"].as_str().unwrap_or_default().to_owned();
        let one = w
            .send_as(
                &name,
                Method::GET,
                &format!("/api/v1/notifications/{id}"),
                None,
            )
            .await;
        if one.body["body"]
            .as_str()
            .is_some_and(|b| b.contains(&marker))
        {
            n += 1;
        }
    }
    assert_eq!(n, 1, "{}", page.body);
}

// ---- frtctl exchange pull ----

pub(crate) fn pull_dir(w: &FrtWorld) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("frt-pull-{}", w.unique))
}

fn pull_command(w: &mut FrtWorld, name: &str, limit: u32) -> tokio::process::Command {
    let (key, secret) = client(w, name);
    let url = w.exchange_url();
    let out = pull_dir(w);
    let mut cmd = tokio::process::Command::new(crate::support::smoke::frtctl());
    cmd.args(["exchange", "pull", "--out"])
        .arg(&out)
        .args(["--url", &url, "--key", &key, "--limit", &limit.to_string()])
        .env("FRT_EXCHANGE_SECRET", secret)
        .env_remove("FRT_EXCHANGE_KEY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

pub(crate) async fn pull_once(w: &mut FrtWorld, name: &str, limit: u32) {
    let status = pull_command(w, name, limit)
        .status()
        .await
        .expect("run frtctl (cargo test --workspace builds it)");
    assert!(status.success(), "frtctl exchange pull failed");
}

/// Runs the job `times` times, each killed (SIGKILL) after a random wait of up to 120 ms, a
/// page at a time so that a kill lands between any two of its steps: writing a page, syncing
/// it, renaming it, keeping the cursor. The waits come from a seed printed for a rerun.
#[when(
    regex = r#"^the agency runs frtctl exchange pull as "([^"]+)", killed at a random point, (\d+) times$"#
)]
async fn runs_pull_killed(w: &mut FrtWorld, name: String, times: u32) {
    let seed = std::env::var("FRT_KILL_SEED")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
        });
    eprintln!("pull kills: FRT_KILL_SEED={seed}");
    let mut state = seed | 1;
    let mut killed_mid_run = 0;
    for _ in 0..times {
        // xorshift64: enough spread for kill points.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let wait = std::time::Duration::from_millis(state % 120);
        let mut child = pull_command(w, &name, 1)
            .spawn()
            .expect("run frtctl (cargo test --workspace builds it)");
        tokio::time::sleep(wait).await;
        if child.try_wait().ok().flatten().is_none() {
            killed_mid_run += 1;
        }
        let _ = child.kill().await;
    }
    eprintln!("pull kills: {times} runs, {killed_mid_run} killed mid-run");
    assert!(
        killed_mid_run > 0,
        "no run was killed while running: the waits are too long"
    );
}

/// Every item in the pull folder's JSON Lines files, as many times as it occurs.
pub(crate) fn pulled_items(w: &FrtWorld) -> Vec<Value> {
    let mut items = Vec::new();
    for e in std::fs::read_dir(pull_dir(w))
        .into_iter()
        .flatten()
        .flatten()
    {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "jsonl") {
            for line in std::fs::read_to_string(&p).expect("file").lines() {
                items.push(serde_json::from_str(line).expect("a JSON line"));
            }
        }
    }
    items
}

/// The scenario's notification ids in the pull folder, as many times as they occur.
fn pulled(w: &FrtWorld) -> Vec<String> {
    pulled_items(w)
        .iter()
        .filter_map(|v| v["notification"]["id"].as_str())
        .filter(|id| w.sent.iter().any(|s| s == id))
        .map(str::to_owned)
        .collect()
}

/// Runs the job as its schedule would, until the scenario's notifications are in the folder
/// (a row becomes visible once every older transaction of the database has ended).
#[when(expr = "the agency runs frtctl exchange pull as {string} until the notifications are in")]
async fn runs_pull(w: &mut FrtWorld, name: String) {
    let started = std::time::Instant::now();
    loop {
        pull_once(w, &name, 2).await;
        let got: HashSet<String> = pulled(w).into_iter().collect();
        if got.len() == w.sent.len() || started.elapsed() > std::time::Duration::from_secs(15) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
}

#[when(expr = "the agency runs frtctl exchange pull as {string} again")]
async fn runs_pull_again(w: &mut FrtWorld, name: String) {
    // Pages cut elsewhere than the first time: the folder's files say what they hold.
    pull_once(w, &name, 3).await;
}

#[when("the pull is interrupted after writing its files but before keeping its cursor")]
async fn interrupted(w: &mut FrtWorld) {
    // What a crash between the rename of the last file and that of the cursor leaves.
    let cursor = pull_dir(w).join(".cursor");
    std::fs::remove_file(&cursor).expect("the pull kept a cursor");
}

#[then("the folder holds each of the scenario's notifications exactly once")]
async fn folder_once(w: &mut FrtWorld) {
    let got = pulled(w);
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "duplicated: {got:?}");
    assert_eq!(got.len(), w.sent.len(), "{got:?}");
}
