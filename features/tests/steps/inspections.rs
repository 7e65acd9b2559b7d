//! Inspections (监督检查, Art. 16): random draws and their re-run, conflicts of interest, joint
//! inspections, the lifecycle from notice to closing, the processor's answers in the portal,
//! and the sweep over request and order time limits.

use crate::support::{date, FrtWorld, Reply, Service};
use chrono::NaiveDate;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use frt_domain::inspection::{self as rules, Seed};
use reqwest::Method;
use serde_json::{json, Value};

pub(crate) async fn user_id(w: &mut FrtWorld, name: &str) -> String {
    let me = w.send_as(name, Method::GET, "/api/v1/me", None).await;
    me.body["user_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{name} has no user id: {}", me.body))
        .to_owned()
}

fn inspection(w: &FrtWorld) -> String {
    w.inspection
        .clone()
        .expect("no inspection yet in this scenario")
}

fn drawn(w: &FrtWorld) -> &Value {
    w.draw.as_ref().expect("no draw was made in this scenario")
}

/// Asks for a draw for the scenario's plan (of `province`); keeps it when it was made.
async fn draw(w: &mut FrtWorld, name: &str, province: &str, mut body: Value) -> Reply {
    body["plan_id"] = json!(w.plan.clone().expect("no inspection plan in this scenario"));
    let reply = w
        .send_as(name, Method::POST, "/api/v1/inspections/draws", Some(body))
        .await;
    if reply.status == 201 {
        assert_eq!(reply.body["province"], province, "the plan's province");
        w.draw = Some(reply.body.clone());
    }
    reply
}

/// How many processors a draw in `province` draws from now (a draw of none, which is recorded
/// like any other).
async fn pool_size(w: &mut FrtWorld, name: &str, province: &str) -> u64 {
    let reply = draw(w, name, province, json!({ "targets": 0, "inspectors": 0 })).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["pool_size"].as_u64().expect("pool size")
}

#[given(expr = "{string} has made the inspection plan {string} for {word}")]
async fn has_planned(w: &mut FrtWorld, name: String, title: String, province: String) {
    let reply = w
        .send_as(
            &name,
            Method::POST,
            "/api/v1/inspections/plans",
            Some(json!({ "province": province, "title": title,
                         "period_start": "2026-10-01", "period_end": "2026-12-31" })),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    w.plan = Some(reply.body["id"].as_str().expect("plan id").to_owned());
}

#[when(
    regex = r#"^"([^"]+)" draws (\d+) processors? and (\d+) inspectors? in (\d{6}) with the seed "([0-9a-f]{64})"$"#
)]
async fn draws_with_seed(
    w: &mut FrtWorld,
    name: String,
    targets: u32,
    inspectors: u32,
    province: String,
    seed: String,
) {
    draw(
        w,
        &name,
        &province,
        json!({ "targets": targets, "inspectors": inspectors, "seed": seed }),
    )
    .await;
}

/// The size of the pool is read first; on a deployment another scenario may register a
/// processor in the province meanwhile, which the draw's recorded pool size shows: then the
/// step asks again.
#[when(regex = r#"^"([^"]+)" asks to draw (\d+) more processors? than (\d{6}) has registered$"#)]
async fn draws_beyond_pool(w: &mut FrtWorld, name: String, more: u64, province: String) {
    for _ in 0..5 {
        let pool = pool_size(w, &name, &province).await;
        let reply = draw(
            w,
            &name,
            &province,
            json!({ "targets": pool + more, "inspectors": 0 }),
        )
        .await;
        if reply.status != 201 || reply.body["pool_size"].as_u64() == Some(pool) {
            return;
        }
    }
    panic!("the pool of {province} kept growing while the step ran");
}

#[when(regex = r#"^"([^"]+)" draws every processor of (\d{6}) and (\d+) inspectors?$"#)]
async fn draws_everyone(w: &mut FrtWorld, name: String, province: String, inspectors: u32) {
    for _ in 0..5 {
        let pool = pool_size(w, &name, &province).await;
        let reply = draw(
            w,
            &name,
            &province,
            json!({ "targets": pool, "inspectors": inspectors }),
        )
        .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        if reply.body["pool_size"].as_u64() == Some(pool) {
            return;
        }
    }
    panic!("the pool of {province} kept growing while the step ran");
}

#[when(expr = "{string} verifies the draw")]
async fn verifies(w: &mut FrtWorld, name: String) {
    let id = drawn(w)["id"].as_str().expect("draw id").to_owned();
    w.send_as(
        &name,
        Method::GET,
        &format!("/api/v1/inspections/draws/{id}/verify"),
        None,
    )
    .await;
}

#[then("the draw matches its record")]
async fn matches(w: &mut FrtWorld) {
    let last = w.last();
    assert_eq!(
        (last.status, &last.body["matches"]),
        (200, &json!(true)),
        "{}",
        last.body
    );
}

#[then(expr = "the draw records its algorithm {string}, its seed and the SHA-256 of its pool")]
async fn records(w: &mut FrtWorld, algorithm: String) {
    let d = drawn(w);
    assert_eq!(d["algorithm"], algorithm.as_str(), "{d}");
    assert_eq!(d["seed"].as_str().map(str::len), Some(64), "{d}");
    let pool: Vec<String> = d["pool"]
        .as_array()
        .expect("the pool")
        .iter()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    assert_eq!(d["pool_size"].as_u64(), u64::try_from(pool.len()).ok());
    assert_eq!(d["pool_sha256"], rules::pool_sha256(&pool).as_str(), "{d}");
}

/// The published algorithm run here, on nothing but what the draw recorded.
#[then("re-running the algorithm on the recorded pool and seed draws the same processors")]
async fn rerun(w: &mut FrtWorld) {
    let d = drawn(w);
    let pool: Vec<String> = d["pool"]
        .as_array()
        .expect("the pool")
        .iter()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    let seed = Seed::parse(d["seed"].as_str().expect("seed")).expect("a seed");
    let picked: Vec<&str> = d["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter_map(|t| t["organisation_id"].as_str())
        .collect();
    let again = rules::draw(&pool, picked.len(), &seed, "targets").expect("re-run");
    assert_eq!(again, picked, "{d}");
}

#[then(expr = "the problem's detail mentions {string}")]
async fn detail_mentions(w: &mut FrtWorld, text: String) {
    let body = &w.last().body;
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains(text.as_str())),
        "{body}"
    );
}

#[when(expr = "{string} declares a conflict of interest with {string} because {string}")]
async fn declares_conflict(w: &mut FrtWorld, name: String, processor: String, reason: String) {
    let org = w.processor(&processor).org_id.clone();
    let reply = w
        .send_as(
            &name,
            Method::POST,
            "/api/v1/inspections/conflicts",
            Some(json!({ "organisation_id": org, "reason": reason })),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
}

#[then(expr = "the draw picked {string}")]
async fn picked(w: &mut FrtWorld, processor: String) {
    let org = w.processor(&processor).org_id.clone();
    let d = drawn(w);
    assert!(
        d["targets"]
            .as_array()
            .expect("targets")
            .iter()
            .any(|t| t["organisation_id"] == org.as_str()),
        "{d}"
    );
}

#[then(regex = r#"^"([^"]+)" is (not )?in the draw's staff pool$"#)]
async fn in_staff_pool(w: &mut FrtWorld, name: String, not: String) {
    let id = user_id(w, &name).await;
    let d = drawn(w);
    let there = d["staff_pool"]
        .as_array()
        .expect("staff pool")
        .iter()
        .any(|u| *u == id.as_str());
    assert_eq!(there, not.is_empty(), "{d}");
    if !not.is_empty() {
        assert!(
            d["inspectors"]
                .as_array()
                .expect("inspectors")
                .iter()
                .all(|u| u["user_id"] != id.as_str()),
            "{d}"
        );
    }
}

/// Opens an inspection of a drawn processor from the last draw, with its first drawn
/// inspector replaced by one of its staff pool the draw did not pick (and a reason, when
/// given); keeps it when opened.
async fn open_swapping(w: &mut FrtWorld, name: &str, processor: &str, reason: Option<&str>) {
    let org = w.processor(processor).org_id.clone();
    let d = drawn(w).clone();
    let ids = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("ids")
            .iter()
            .map(|u| u["user_id"].as_str().or(u.as_str()).expect("id").to_owned())
            .collect()
    };
    let mut team = ids(&d["inspectors"]);
    let spare = ids(&d["staff_pool"])
        .into_iter()
        .find(|u| !team.contains(u))
        .expect("an inspector the draw did not pick");
    team[0] = spare;
    let mut body = json!({ "organisation_id": org, "source": "draw", "draw_id": d["id"],
                           "inspector_ids": team });
    if let Some(r) = reason {
        body["swap_reason"] = json!(r);
    }
    let reply = w
        .send_as(name, Method::POST, "/api/v1/inspections", Some(body))
        .await;
    if reply.status == 201 {
        w.inspection = reply.body["id"].as_str().map(str::to_owned);
        w.case_officer = Some(name.to_owned());
    }
}

#[when(
    expr = "{string} opens an inspection of {string} from the draw, one drawn inspector replaced by one it left out"
)]
async fn opens_swapping(w: &mut FrtWorld, name: String, processor: String) {
    open_swapping(w, &name, &processor, None).await;
}

#[when(
    expr = "{string} opens an inspection of {string} from the draw, one drawn inspector replaced by one it left out, because {string}"
)]
async fn opens_swapping_because(w: &mut FrtWorld, name: String, processor: String, reason: String) {
    open_swapping(w, &name, &processor, Some(&reason)).await;
}

#[when(expr = "{string} asks to draw {int} processor(s) for the plan of {string}")]
async fn draws_for_others_plan(w: &mut FrtWorld, name: String, targets: u32, _owner: String) {
    draw(w, &name, "", json!({ "targets": targets, "inspectors": 0 })).await;
}

/// Opens an inspection of a processor for a risk, with two inspectors; returns its id.
async fn open(w: &mut FrtWorld, name: &str, processor: &str, a: &str, b: &str) -> String {
    let org = w.processor(processor).org_id.clone();
    let inspectors = vec![user_id(w, a).await, user_id(w, b).await];
    let reply = w
        .send_as(
            name,
            Method::POST,
            "/api/v1/inspections",
            Some(json!({ "organisation_id": org, "source": "risk", "inspector_ids": inspectors })),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.body["id"].as_str().expect("id").to_owned()
}

#[given(
    regex = r#"^"([^"]+)" has opened an inspection of "([^"]+)" with "([^"]+)" and "([^"]+)"$"#
)]
async fn has_opened(w: &mut FrtWorld, name: String, processor: String, a: String, b: String) {
    let id = open(w, &name, &processor, &a, &b).await;
    w.inspection = Some(id);
    w.case_officer = Some(name);
}

#[given(
    regex = r#"^"([^"]+)" has opened another inspection of "([^"]+)" with "([^"]+)" and "([^"]+)"$"#
)]
async fn has_opened_another(
    w: &mut FrtWorld,
    name: String,
    processor: String,
    a: String,
    b: String,
) {
    let id = open(w, &name, &processor, &a, &b).await;
    w.other_inspection = Some(id);
}

#[when(expr = "{string} opens an inspection of {string} with only {string}")]
async fn opens_alone(w: &mut FrtWorld, name: String, processor: String, a: String) {
    let org = w.processor(&processor).org_id.clone();
    let one = user_id(w, &a).await;
    w.send_as(
        &name,
        Method::POST,
        "/api/v1/inspections",
        Some(json!({ "organisation_id": org, "source": "risk", "inspector_ids": [one] })),
    )
    .await;
}

#[when(expr = "{string} invites the agency of {string} to the inspection")]
async fn invites(w: &mut FrtWorld, name: String, guest: String) {
    let me = w.send_as(&guest, Method::GET, "/api/v1/me", None).await;
    let agency = me.body["agency_id"].clone();
    let id = inspection(w);
    let reply = w
        .send_as(
            &name,
            Method::POST,
            &format!("/api/v1/inspections/{id}/agencies"),
            Some(json!({ "agency_id": agency })),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[then(regex = r#"^"([^"]+)" (can|cannot) see the (other )?inspection$"#)]
async fn can_see(w: &mut FrtWorld, name: String, can: String, other: String) {
    let id = if other.is_empty() {
        inspection(w)
    } else {
        w.other_inspection.clone().expect("no other inspection")
    };
    let reply = w
        .send_as(
            &name,
            Method::GET,
            &format!("/api/v1/inspections/{id}"),
            None,
        )
        .await;
    let want = if can == "can" { 200 } else { 404 };
    assert_eq!(reply.status, want, "{}", reply.body);
}

#[given(expr = "today is {word} for the scenario")]
async fn today_is(w: &mut FrtWorld, day: String) {
    w.set_clock(date(&day)).await;
}

/// One step of the lifecycle by a member of staff, sending the version they see.
async fn step(w: &mut FrtWorld, name: &str, path: &str, mut body: Value) -> Reply {
    let id = inspection(w);
    let now = w
        .send_as(
            name,
            Method::GET,
            &format!("/api/v1/inspections/{id}"),
            None,
        )
        .await;
    assert_eq!(now.status, 200, "{}", now.body);
    if let Some(o) = body.as_object_mut() {
        o.insert("version".into(), now.body["version"].clone());
    }
    let reply = w
        .send_as(
            name,
            Method::POST,
            &format!("/api/v1/inspections/{id}/{path}"),
            Some(body),
        )
        .await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply
}

/// Adds a request or an order (no version: they are added, not stepped) and keeps its id.
async fn add_item(w: &mut FrtWorld, name: &str, path: &str, body: Value) {
    let id = inspection(w);
    let reply = w
        .send_as(
            name,
            Method::POST,
            &format!("/api/v1/inspections/{id}/{path}"),
            Some(body),
        )
        .await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    let item = reply.body["items"]
        .as_array()
        .and_then(|items| items.last())
        .and_then(|i| i["id"].as_str())
        .expect("the new item")
        .to_owned();
    w.item = Some(item);
}

#[when(expr = "{string} sends the notice of inspection {string}")]
async fn notifies(w: &mut FrtWorld, name: String, notice: String) {
    step(w, &name, "notify", json!({ "notice": notice })).await;
}

#[when(expr = "{string} starts the inspection")]
async fn starts(w: &mut FrtWorld, name: String) {
    step(w, &name, "start", json!({})).await;
}

#[given(expr = "{string} has notified the processor and started the inspection")]
async fn notified_and_started(w: &mut FrtWorld, name: String) {
    step(
        w,
        &name,
        "notify",
        json!({ "notice": "现场检查，请准备人脸识别系统运行日志。" }),
    )
    .await;
    step(w, &name, "start", json!({})).await;
}

#[when(expr = "{string} requests {string} within {int} working days")]
async fn requests(w: &mut FrtWorld, name: String, what: String, days: i64) {
    add_item(
        w,
        &name,
        "requests",
        json!({ "description": what, "working_days": days }),
    )
    .await;
}

#[when(expr = "{string} records the findings {string} with the problem {string}")]
async fn findings(w: &mut FrtWorld, name: String, summary: String, problem: String) {
    step(
        w,
        &name,
        "findings",
        json!({ "summary": summary, "problems": [problem] }),
    )
    .await;
}

#[when(expr = "{string} orders rectification {string} within {int} working days")]
async fn orders(w: &mut FrtWorld, name: String, what: String, days: i64) {
    let reply = step(
        w,
        &name,
        "orders",
        json!({ "requirements": what, "working_days": days }),
    )
    .await;
    let item = reply.body["items"]
        .as_array()
        .and_then(|items| items.iter().rev().find(|i| i["kind"] == "order"))
        .and_then(|i| i["id"].as_str())
        .expect("the order")
        .to_owned();
    w.item = Some(item);
}

#[when(expr = "{string} verifies the rectification as done")]
async fn verifies_rectification(w: &mut FrtWorld, name: String) {
    step(
        w,
        &name,
        "verification",
        json!({ "accepted": true, "note": "已现场核实" }),
    )
    .await;
}

#[when(expr = "{string} closes the inspection with the result {string}")]
async fn closes(w: &mut FrtWorld, name: String, result: String) {
    step(w, &name, "close", json!({ "result": result })).await;
}

#[then(expr = "the inspection's status is {string}")]
async fn status_is(w: &mut FrtWorld, status: String) {
    let body = &w.last().body;
    assert_eq!(body["status"], status.as_str(), "{body}");
}

/// The current request or order as `name` sees it (processors in the portal).
async fn item_seen_by(w: &mut FrtWorld, name: &str) -> Value {
    let id = inspection(w);
    let item = w.item.clone().expect("no request or order yet");
    let (service, _) = w.actor(name);
    let body = if service == Service::Portal {
        let reply = w
            .send_as(name, Method::GET, "/api/v1/inspections", None)
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply
            .body
            .as_array()
            .and_then(|l| l.iter().find(|i| i["id"] == id.as_str()).cloned())
            .unwrap_or_else(|| panic!("{name} does not see the inspection: {}", reply.body))
    } else {
        let reply = w
            .send_as(
                name,
                Method::GET,
                &format!("/api/v1/inspections/{id}"),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body
    };
    body["items"]
        .as_array()
        .and_then(|l| l.iter().find(|i| i["id"] == item.as_str()).cloned())
        .unwrap_or_else(|| panic!("no such item: {body}"))
}

#[then(regex = r#"^"([^"]+)" sees the (?:request|rectification) due on (\d{4}-\d{2}-\d{2})$"#)]
async fn due_on(w: &mut FrtWorld, name: String, day: String) {
    let item = item_seen_by(w, &name).await;
    assert_eq!(item["due_date"], day.as_str(), "{item}");
    assert_eq!(item["status"], "open", "{item}");
}

#[then(
    regex = r#"^"([^"]+)" sees the (?:request|rectification) (open|answered|accepted)(?: with (\d+) materials?)?$"#
)]
async fn item_state(w: &mut FrtWorld, name: String, state: String, materials: String) {
    let item = item_seen_by(w, &name).await;
    assert_eq!(item["status"], state.as_str(), "{item}");
    assert!(item["due_date"].is_string(), "{item}");
    if let Ok(n) = materials.parse::<usize>() {
        assert_eq!(
            item["materials"].as_array().map(Vec::len),
            Some(n),
            "{item}"
        );
    }
}

#[when(
    regex = r#"^"([^"]+)" (?:answers the request|reports the rectification) "([^"]+)" in the portal$"#
)]
async fn answers(w: &mut FrtWorld, name: String, answer: String) {
    let id = inspection(w);
    let item = w.item.clone().expect("no request or order yet");
    let reply = w
        .send_as(
            &name,
            Method::POST,
            &format!("/api/v1/inspections/{id}/items/{item}/answer"),
            Some(json!({ "answer": answer })),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[when(expr = "{string} gives the PDF {string} for the request in the portal")]
async fn gives_material(w: &mut FrtWorld, name: String, file: String) {
    let id = inspection(w);
    let item = w.item.clone().expect("no request yet");
    let token = w.processor(&name).token.clone();
    let url = format!(
        "{}/api/v1/inspections/{id}/items/{item}/materials",
        w.base(Service::Portal)
    );
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(frt_testkit::app::PDF.to_vec()).file_name(file),
    );
    let r = w
        .client()
        .request(Method::POST, url)
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = r.status().as_u16();
    let body = r.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 201, "{body}");
    w.keep(Reply::new(status, body));
}

#[then(expr = "the published outcomes of {word} list the inspection as rectified")]
async fn published(w: &mut FrtWorld, province: String) {
    let id = inspection(w);
    let reply = w
        .send(
            Method::GET,
            Service::Portal,
            &format!("/api/v1/inspections/published?province={province}"),
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let this = reply
        .body
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|p| p["inspection_id"] == id.as_str())
                .cloned()
        })
        .unwrap_or_else(|| panic!("not published: {}", reply.body));
    assert_eq!(this["rectified"], true, "{this}");
}

#[then(expr = "the inspection's audit trail seen by {string} includes:")]
async fn trail_includes(w: &mut FrtWorld, name: String, step: &Step) {
    let id = inspection(w);
    super::audit::assert_trail_includes(w, &name, "inspection", &id, step).await;
}

async fn item_due(w: &mut FrtWorld) -> NaiveDate {
    let id = inspection(w);
    let item = w.item.clone().expect("no request or order yet");
    let reply = w
        .send_as(
            &staff_of(w),
            Method::GET,
            &format!("/api/v1/inspections/{id}"),
            None,
        )
        .await;
    let due = reply.body["items"]
        .as_array()
        .and_then(|l| l.iter().find(|i| i["id"] == item.as_str()))
        .and_then(|i| i["due_date"].as_str())
        .unwrap_or_else(|| panic!("no due date: {}", reply.body))
        .to_owned();
    date(&due)
}

/// The member of staff who opened the inspection, to read it.
fn staff_of(w: &FrtWorld) -> String {
    w.case_officer
        .clone()
        .expect("no inspection was opened in this scenario")
}

#[when(
    regex = r"^the deadline sweep runs (\d+) working days? before the (?:request|rectification) is due$"
)]
async fn sweep_before(w: &mut FrtWorld, n: i64) {
    let due = item_due(w).await;
    w.swept = Some(inspection(w));
    super::sweep::sweep(w, super::sweep::before(due, n), 1).await;
}

#[when(regex = r"^the deadline sweep runs the day after the (?:request|rectification) was due$")]
async fn sweep_after(w: &mut FrtWorld) {
    let due = item_due(w).await;
    w.swept = Some(inspection(w));
    super::sweep::sweep(w, due + chrono::Duration::days(1), 1).await;
}

#[then(expr = "{string} sees the request marked overdue")]
async fn marked_overdue(w: &mut FrtWorld, name: String) {
    let item = item_seen_by(w, &name).await;
    assert!(item["overdue_since"].is_string(), "{item}");
}

#[when(expr = "{string} asks for the risk targets of {word}")]
async fn risk_targets(w: &mut FrtWorld, name: String, province: String) {
    // Every page, so that a deployment with many processors is read whole.
    let mut all = Vec::new();
    for page in 0.. {
        let reply = w
            .send_as(
                &name,
                Method::GET,
                &format!(
                    "/api/v1/inspections/risk-candidates?province={province}&limit=500&offset={}",
                    page * 500
                ),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let got = reply.body.as_array().cloned().unwrap_or_default();
        let done = got.len() < 500;
        all.extend(got);
        if done {
            break;
        }
    }
    w.keep(Reply::new(200, Value::Array(all)));
}

#[then(expr = "{string} is among them because it {string}")]
async fn among_risk_targets(w: &mut FrtWorld, processor: String, code: String) {
    let org = w.processor(&processor).org_id.clone();
    let list = &w.last().body;
    let this = list
        .as_array()
        .and_then(|l| l.iter().find(|c| c["organisation_id"] == org.as_str()))
        .unwrap_or_else(|| panic!("{processor} is not a risk target"));
    assert!(
        this["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .any(|r| r["code"] == code.as_str()),
        "{this}"
    );
}

#[when(expr = "{string} opens the page of {string}")]
async fn opens_page(w: &mut FrtWorld, name: String, processor: String) {
    let org = w.processor(&processor).org_id.clone();
    let reply = w
        .send_as(
            &name,
            Method::GET,
            &format!("/api/v1/organisations/{org}/timeline"),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[then("the page lists the inspection")]
async fn page_lists(w: &mut FrtWorld) {
    let id = inspection(w);
    let body = &w.last().body;
    assert!(
        body["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .any(|c| c["case_type"] == "inspection" && c["id"] == id.as_str()),
        "{body}"
    );
}

#[then(expr = "the page's latest event is {string}")]
async fn latest_event(w: &mut FrtWorld, action: String) {
    let body = &w.last().body;
    assert_eq!(body["events"][0]["action"], action.as_str(), "{body}");
}

#[then(expr = "{string} downloads the material and gets the PDF as given")]
async fn downloads_material(w: &mut FrtWorld, name: String) {
    let item = item_seen_by(w, &name).await;
    let material = item["materials"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no material: {item}"))
        .to_owned();
    let id = inspection(w);
    let (service, token) = w.actor(&name);
    let url = format!(
        "{}/api/v1/inspections/{id}/materials/{material}",
        w.base(service)
    );
    let r = w
        .client()
        .request(Method::GET, url)
        .bearer_auth(token)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status().as_u16(), 200);
    let bytes = r.bytes().await.expect("the file");
    assert_eq!(bytes.as_ref(), frt_testkit::app::PDF);
}
