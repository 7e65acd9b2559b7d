//! The access matrix: every operation of the three OpenAPI documents (portal, casework,
//! exchange) called by every kind of caller, on objects of its own and of others, each cell on a
//! fresh session. The expected outcome of every cell is `docs/access-matrix.md`; this test
//! fails on a cell that differs, on an operation the document has no row for, and on a row
//! for an operation the services no longer have. Beside the document, rules that hold whatever
//! it says: no cell answers 5xx, a secured operation refuses the anonymous caller, the
//! exchange takes no bearer token and the other two no signature, and no caller of another
//! organisation, province or agency reaches the objects of this one.
//!
//! `FRT_WRITE_ACCESS_MATRIX=1 cargo test -p exchange --test access_matrix` writes the document
//! from what the services answer (the rules above still hold); review its diff like code.
//! `FRT_ACCESS_MATRIX_EXPLAIN=1` prints the problem code of every 4xx cell.

use frt_access::{signing, AgencyKind, Role};
use frt_cases::exchange::{self as ex, NewClient};
use frt_store::audit::Actor;
use frt_testkit::db::project_root;
use frt_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use uuid::Uuid;

const DOCUMENT: &str = "docs/access-matrix.md";
const NIL: &str = "00000000-0000-0000-0000-000000000000";
/// The province whose objects the matrix reaches for; callers of 110000 and 320000 are others.
const HOME: &str = "310000";

/// Who calls: nobody signed in, a user (a fresh session per cell), or an exchange client.
enum Caller {
    Anonymous,
    User(Uuid),
    Client(NewClient),
}

/// The columns, in order.
struct Column {
    name: &'static str,
    caller: Caller,
}

/// The objects of one operation's cell row, made fresh for it.
#[derive(Default)]
struct Objects {
    filing: Option<String>,
    attachment: Option<String>,
    receipt: Option<String>,
    complaint: Option<String>,
    inspection: Option<String>,
    plan: Option<String>,
    draw: Option<String>,
    notification: Option<String>,
    dispute: Option<String>,
}

struct Matrix {
    app: TestApp,
    exchange: String,
    http: reqwest::Client,
    columns: Vec<Column>,
    /// Who makes the objects: the processor and a supervisor of 310000, each on a session of
    /// its own (a column may end all the sessions of its user).
    processor: Uuid,
    supervisor: Uuid,
    org: String,
    uscc: String,
    inspectors: Vec<Value>,
    joint_agency: Uuid,
    staff_member: Uuid,
}

static SENT: AtomicU64 = AtomicU64::new(0);

/// A distinct timestamp per signed request within the accepted window (the same signature
/// twice is a replay).
fn timestamp() -> String {
    let n = SENT.fetch_add(1, Ordering::Relaxed) % 250;
    (chrono::Utc::now().timestamp() - i64::try_from(n).unwrap_or(0)).to_string()
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    let c = app.db.sql().await;
    let id: String = c
        .query_one("SELECT id::text FROM users WHERE email = $1", &[&email])
        .await
        .expect("the user")
        .get(0);
    id.parse().expect("a uuid")
}

async fn staff(app: &TestApp, kind: AgencyKind, province: Option<&str>, role: Role) -> Uuid {
    let email = app.staff_account(kind, province, role).await;
    user_id(app, &email).await
}

async fn me(app: &TestApp, base: &str, token: &str) -> Value {
    let (s, b) = app
        .call(Method::GET, &format!("{base}/api/v1/me"), Some(token), None)
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

impl Matrix {
    async fn new() -> Self {
        let app = TestApp::spawn_with(&[
            ("FRT__AUTH__REGISTRATIONS_PER_HOUR", "100000"),
            ("FRT__AUTH__MAX_FAILED_LOGINS", "100000"),
            ("FRT__COMPLAINTS__INTAKE_PER_HOUR", "100000"),
            ("FRT__COMPLAINTS__MAX_FAILED_LOOKUPS", "100000"),
            ("FRT__COMPLAINTS__MAX_FAILED_LOOKUPS_PER_ADDRESS", "100000"),
            ("FRT__EXCHANGE__REFUSED_PER_MINUTE", "100000"),
            ("FRT__EXCHANGE__REQUESTS_PER_MINUTE", "100000"),
        ])
        .await;
        let server = exchange::build(app.core.clone()).expect("exchange");
        let exchange = format!("http://127.0.0.1:{}", server.port());
        tokio::spawn(server.run_until_stopped());

        let (processor, org) = app.register_processor("矩阵甲有限公司", HOME).await;
        let processor_id: Uuid = me(&app, &app.portal, &processor).await["user_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("user id");
        let (other, _) = app.register_processor("矩阵乙有限公司", HOME).await;
        let other_id: Uuid = me(&app, &app.portal, &other).await["user_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("user id");
        let (_, organisation) = app
            .call(
                Method::GET,
                &format!("{}/api/v1/organisation", app.portal),
                Some(&processor),
                None,
            )
            .await;
        let uscc = organisation["uscc"].as_str().expect("uscc").to_owned();

        let cac = AgencyKind::ProvincialCac;
        let reviewer = staff(&app, cac, Some(HOME), Role::Reviewer).await;
        let supervisor_id = staff(&app, cac, Some(HOME), Role::Supervisor).await;
        let inspector = staff(&app, cac, Some(HOME), Role::Inspector).await;
        let second_inspector = staff(&app, cac, Some(HOME), Role::Inspector).await;
        let ps = AgencyKind::PublicSecurity;
        let joint = staff(&app, ps, Some(HOME), Role::Inspector).await;
        let joint_token = app.staff(ps, Some(HOME), Role::Inspector).await;
        let joint_agency = app.agency_of(&joint_token).await;
        let columns = vec![
            Column {
                name: "anonymous",
                caller: Caller::Anonymous,
            },
            Column {
                name: "processor",
                caller: Caller::User(processor_id),
            },
            Column {
                name: "processor of another organisation",
                caller: Caller::User(other_id),
            },
            Column {
                name: "reviewer",
                caller: Caller::User(reviewer),
            },
            Column {
                name: "reviewer of another province",
                caller: Caller::User(staff(&app, cac, Some("110000"), Role::Reviewer).await),
            },
            Column {
                name: "supervisor",
                caller: Caller::User(supervisor_id),
            },
            Column {
                name: "supervisor of another province",
                caller: Caller::User(staff(&app, cac, Some("110000"), Role::Supervisor).await),
            },
            Column {
                name: "national CAC",
                caller: Caller::User(
                    staff(&app, AgencyKind::NationalCac, None, Role::Supervisor).await,
                ),
            },
            Column {
                name: "complaint handler",
                caller: Caller::User(staff(&app, cac, Some(HOME), Role::ComplaintHandler).await),
            },
            Column {
                name: "inspector",
                caller: Caller::User(inspector),
            },
            Column {
                name: "public security, joint",
                caller: Caller::User(joint),
            },
            Column {
                name: "public security, not joint",
                caller: Caller::User(staff(&app, ps, Some("320000"), Role::Inspector).await),
            },
            Column {
                name: "agency admin",
                caller: Caller::User(staff(&app, cac, Some(HOME), Role::Admin).await),
            },
        ];
        let mut m = Self {
            exchange,
            http: reqwest::Client::new(),
            columns,
            processor: processor_id,
            supervisor: supervisor_id,
            org,
            uscc,
            inspectors: vec![json!(inspector), json!(second_inspector)],
            joint_agency,
            staff_member: reviewer,
            app,
        };
        for scope in ex::SCOPES {
            let client = ex::create_client(
                &m.app.core,
                &Actor::system("access matrix"),
                &joint_agency.to_string(),
                &[scope.to_owned()],
            )
            .await
            .expect("client");
            m.columns.push(Column {
                name: match scope {
                    "notifications:read" => "exchange client, notifications:read",
                    "notifications:write" => "exchange client, notifications:write",
                    _ => "exchange client, registry:read",
                },
                caller: Caller::Client(client),
            });
        }
        m
    }

    /// A session of its own for one cell, inserted as a login would.
    async fn session(&self, user: Uuid) -> String {
        let (token, hash) = frt_access::token::issue();
        let mut conn = self.app.core.db.conn().await.expect("a connection");
        frt_store::identities::insert_session(
            &mut conn,
            &hash,
            user,
            chrono::Utc::now() + chrono::Duration::minutes(30),
            None,
            Some("127.0.0.1"),
        )
        .await
        .expect("a session");
        token
    }

    fn base(&self, zone: &str) -> &str {
        match zone {
            "portal" => &self.app.portal,
            "casework" => &self.app.casework,
            _ => &self.exchange,
        }
    }

    /// The objects the path of an operation reaches for, made fresh.
    async fn objects(&self, zone: &str, path: &str) -> Objects {
        let mut o = Objects::default();
        let app = &self.app;
        let processor = &self.session(self.processor).await;
        let supervisor = &self.session(self.supervisor).await;
        if path.contains("/filings/{id}") || path.contains("/audit/") {
            let id = app
                .complete_draft(processor, "initial", frt_cases::today_in_china(), None)
                .await;
            if zone != "portal" || path.ends_with("/history") {
                let (s, b) = app.submit(processor, &id, None).await;
                assert_eq!(s, 200, "{b}");
            }
            let (_, detail) = app
                .call(
                    Method::GET,
                    &format!("{}/api/v1/filings/{id}", app.portal),
                    Some(processor),
                    None,
                )
                .await;
            o.attachment = detail["attachments"][0]["id"].as_str().map(str::to_owned);
            o.filing = Some(id);
        }
        if path.contains("/complaints/{") {
            let (s, receipt) = app
                .portal_post(
                    None,
                    "/api/v1/complaints",
                    json!({
                        "processor": { "uscc": self.uscc },
                        "province": HOME,
                        "description": "商场入口的摄像头采集顾客人脸，未设置显著提示标识。",
                        "occurred_on": frt_cases::today_in_china(),
                        "location": "上海市静安区某商场",
                        "reply": { "channel": "mail", "email": "matrix@complainant.example",
                                   "name": "李四", "phone": "13800138000" }
                    }),
                )
                .await;
            assert_eq!(s, 201, "{receipt}");
            let number = receipt["receipt_number"].as_str().expect("receipt");
            let c = app.db.sql().await;
            let id: String = c
                .query_one(
                    "SELECT id::text FROM complaints WHERE receipt_number = $1",
                    &[&number],
                )
                .await
                .expect("the complaint")
                .get(0);
            o.receipt = Some(number.to_owned());
            o.complaint = Some(id.to_string());
        }
        if path.contains("/plans/{") || path.contains("/draws/{") {
            let (s, plan) = app
                .casework_post(
                    supervisor,
                    "/api/v1/inspections/plans",
                    json!({ "province": HOME, "title": "访问矩阵抽查计划",
                            "period_start": "2026-10-01", "period_end": "2026-12-31" }),
                )
                .await;
            assert_eq!(s, 201, "{plan}");
            let plan = plan["id"].as_str().expect("plan").to_owned();
            if path.contains("/draws/{") {
                let (s, d) = app
                    .casework_post(
                        supervisor,
                        "/api/v1/inspections/draws",
                        json!({ "plan_id": plan, "targets": 1, "inspectors": 2 }),
                    )
                    .await;
                assert_eq!(s, 201, "{d}");
                o.draw = d["id"].as_str().map(str::to_owned);
            }
            o.plan = Some(plan);
        }
        if path.contains("/inspections/{id}") {
            let (s, i) = app
                .casework_post(
                    supervisor,
                    "/api/v1/inspections",
                    json!({ "organisation_id": self.org, "source": "risk",
                            "inspector_ids": self.inspectors }),
                )
                .await;
            assert_eq!(s, 201, "{i}");
            let id = i["id"].as_str().expect("inspection").to_owned();
            let (s, b) = app
                .casework_post(
                    supervisor,
                    &format!("/api/v1/inspections/{id}/agencies"),
                    json!({ "agency_id": self.joint_agency }),
                )
                .await;
            assert!(s < 300, "{s} {b}");
            o.inspection = Some(id);
        }
        if path.contains("/notifications/{") {
            let (s, sent) = app
                .casework_post(
                    supervisor,
                    "/api/v1/notifications",
                    json!({
                        "kind": "violation_notice",
                        "recipients": [self.joint_agency],
                        "processor": { "organisation_id": self.org },
                        "title": "访问矩阵通报",
                        "body": "经检查发现该公司强制采集人脸信息，现予通报。",
                        "ack_required": true,
                        "ack_working_days": 3
                    }),
                )
                .await;
            assert_eq!(s, 201, "{sent}");
            o.notification = sent["id"].as_str().map(str::to_owned);
            app.feed_settled().await;
        }
        if path.contains("/registration-disputes/{") {
            let email = format!("claimant-{}@matrix.example", Uuid::now_v7().simple());
            let (s, b) = app
                .call(
                    Method::POST,
                    &format!("{}/api/v1/registrations", app.portal),
                    None,
                    Some(json!({
                        "organisation": { "name": "真正的公司", "uscc": self.uscc,
                            "contact_person": "赵六", "contact_email": email,
                            "contact_phone": "13800138000" },
                        "admin": { "email": email, "display_name": "赵六",
                                   "password": frt_testkit::app::PASSWORD }
                    })),
                )
                .await;
            assert_eq!(s, 202, "{b}");
            let c = app.db.sql().await;
            let id: String = c
                .query_one(
                    "SELECT id::text FROM registration_disputes ORDER BY created_at DESC LIMIT 1",
                    &[],
                )
                .await
                .expect("the dispute")
                .get(0);
            o.dispute = Some(id.to_string());
        }
        o
    }

    /// The path with its parameters filled from `o`: each parameter is named by the segment
    /// before it.
    fn fill(&self, path: &str, o: &Objects) -> String {
        let segments: Vec<&str> = path.split('/').collect();
        let mut out = Vec::new();
        for (i, seg) in segments.iter().enumerate() {
            if !(seg.starts_with('{') && seg.ends_with('}')) {
                out.push((*seg).to_owned());
                continue;
            }
            let before = if i > 0 { segments[i - 1] } else { "" };
            let value = match (before, *seg) {
                ("complaints", "{receipt_number}") => o.receipt.clone(),
                ("filings", _) => o.filing.clone(),
                ("attachments", _) => o.attachment.clone(),
                ("complaints", _) => o.complaint.clone(),
                ("inspections", _) => o.inspection.clone(),
                ("plans", _) => o.plan.clone(),
                ("draws", _) => o.draw.clone(),
                ("notifications", _) => o.notification.clone(),
                ("registration-disputes", _) => o.dispute.clone(),
                ("organisations", _) => Some(self.org.clone()),
                ("staff", _) => Some(self.staff_member.to_string()),
                ("audit", _) => Some("filing".to_owned()),
                (_, "{entity_id}") => o.filing.clone(),
                ("imports", _) => Some("filings".to_owned()),
                ("clocks", _) | ("exchange-clients", _) => Some("matrix".to_owned()),
                _ => None,
            };
            out.push(value.unwrap_or_else(|| NIL.to_owned()));
        }
        out.join("/")
    }

    /// One cell: the operation called by `column` with a request its document describes.
    async fn call(&self, zone: &str, op: &Operation, url_path: &str, column: &Column) -> u16 {
        let url = format!("{}{url_path}", self.base(zone));
        let mut req = self.http.request(op.method.clone(), &url);
        for (name, value) in &op.headers {
            req = req.header(name.as_str(), value.as_str());
        }
        if zone == "exchange" && op.method == Method::POST {
            // A push names itself for its retries (docs/api.md, "Exchange").
            req = req.header("Idempotency-Key", Uuid::now_v7().to_string());
        }
        let body: Option<(Vec<u8>, String)> = match &op.body {
            Body::None => None,
            Body::Json(v) => Some((v.to_string().into_bytes(), "application/json".into())),
            Body::Multipart(parts) => {
                let boundary = "frt-access-matrix-boundary";
                let mut bytes = Vec::new();
                for (name, part) in parts {
                    bytes.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
                    match part {
                        Part::Text(t) => bytes.extend_from_slice(
                            format!(
                                "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{t}\r\n"
                            )
                            .as_bytes(),
                        ),
                        Part::File => {
                            bytes.extend_from_slice(
                                format!(
                                    "Content-Disposition: form-data; name=\"{name}\"; \
                                     filename=\"matrix.pdf\"\r\nContent-Type: application/pdf\r\n\r\n"
                                )
                                .as_bytes(),
                            );
                            bytes.extend_from_slice(b"%PDF-1.4\n% access matrix\n%%EOF\n\r\n");
                        }
                    }
                }
                bytes.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
                Some((bytes, format!("multipart/form-data; boundary={boundary}")))
            }
        };
        match &column.caller {
            Caller::Anonymous => {}
            Caller::User(id) => req = req.bearer_auth(self.session(*id).await),
            Caller::Client(c) => {
                let ts = timestamp();
                let raw = body.as_ref().map_or(&[][..], |(b, _)| b.as_slice());
                let sig = signing::sign(
                    &c.secret,
                    &signing::canonical(op.method.as_str(), url_path, &ts, raw),
                );
                req = req
                    .header("X-FRT-Key", &c.key_id)
                    .header("X-FRT-Timestamp", ts)
                    .header("X-FRT-Signature", sig);
            }
        }
        if let Some((bytes, content_type)) = body {
            req = req.header("content-type", content_type).body(bytes);
        }
        let r = match req.send().await {
            Ok(r) => r,
            Err(e) => panic!("{} {url}: {e}", op.method),
        };
        let status = r.status().as_u16();
        if (400..500).contains(&status) && std::env::var("FRT_ACCESS_MATRIX_EXPLAIN").is_ok() {
            let problem: Value = r.json().await.unwrap_or(Value::Null);
            eprintln!(
                "{zone} {} {url_path} × {}: {status} {}",
                op.method, column.name, problem["code"]
            );
        }
        status
    }
}

enum Part {
    Text(String),
    File,
}

enum Body {
    None,
    Json(Value),
    Multipart(Vec<(String, Part)>),
}

struct Operation {
    method: Method,
    path: String,
    secured: bool,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Body,
}

/// The schema `s` with its `$ref` followed.
fn resolve<'a>(doc: &'a Value, s: &'a Value) -> &'a Value {
    match s["$ref"].as_str() {
        Some(r) => r
            .strip_prefix("#/components/schemas/")
            .and_then(|name| doc["components"]["schemas"].get(name))
            .map_or(s, |target| resolve(doc, target)),
        None => s,
    }
}

/// A value its schema accepts in form (required fields only), so that what a cell answers
/// comes from who asks, not from a body that does not parse.
fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    let s = resolve(doc, schema);
    if depth > 8 {
        return Value::Null;
    }
    if let Some(e) = s.get("example") {
        return e.clone();
    }
    if let Some(values) = s["enum"].as_array() {
        // Of the provinces, this one.
        let home = values.iter().find(|v| *v == HOME);
        return home.or(values.first()).cloned().unwrap_or(Value::Null);
    }
    if let Some(c) = s.get("const") {
        return c.clone();
    }
    let typed = s.get("type").is_some() || s.get("properties").is_some();
    for key in ["oneOf", "anyOf"] {
        if let (false, Some(options)) = (typed, s[key].as_array()) {
            let pick = options
                .iter()
                .find(|o| resolve(doc, o)["type"] != "null")
                .or(options.first());
            return pick.map_or(Value::Null, |o| example(doc, o, depth + 1));
        }
    }
    if let (false, Some(parts)) = (typed, s["allOf"].as_array()) {
        let mut merged = serde_json::Map::new();
        for p in parts {
            match example(doc, p, depth + 1) {
                Value::Object(m) => merged.extend(m),
                Value::Null => {}
                // A named type (a string or a number) narrowed by the others: itself.
                other => return other,
            }
        }
        return Value::Object(merged);
    }
    let ty = match &s["type"] {
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null")
            .to_owned(),
        _ if s.get("properties").is_some() => "object".to_owned(),
        _ => "null".to_owned(),
    };
    match ty.as_str() {
        "object" => {
            let mut m = serde_json::Map::new();
            for name in s["required"].as_array().into_iter().flatten() {
                if let Some(name) = name.as_str() {
                    m.insert(
                        name.to_owned(),
                        example(doc, &s["properties"][name], depth + 1),
                    );
                }
            }
            Value::Object(m)
        }
        "array" => json!([example(doc, &s["items"], depth + 1)]),
        "integer" | "number" => json!(s["minimum"].as_i64().unwrap_or(1).max(1)),
        "boolean" => json!(false),
        "string" => match s["format"].as_str() {
            Some("uuid") => json!(NIL),
            Some("date") => json!(frt_cases::today_in_china()),
            Some("date-time") => json!(chrono::Utc::now().to_rfc3339()),
            Some("email") => json!("matrix@example.com"),
            _ => json!(string_for(s["pattern"].as_str().unwrap_or_default())),
        },
        _ => Value::Null,
    }
}

/// A string of the pattern's form where the pattern names its values (`^(a|b)$`) or a month;
/// otherwise words.
fn string_for(pattern: &str) -> String {
    if let Some(choices) = pattern
        .strip_prefix("^(")
        .and_then(|p| p.strip_suffix(")$"))
        .filter(|p| {
            p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '|')
        })
    {
        return choices.split('|').next().unwrap_or_default().to_owned();
    }
    if pattern.ends_with("-(0[1-9]|1[0-2])$") {
        return frt_cases::today_in_china().format("%Y-%m").to_string();
    }
    "访问矩阵".to_owned()
}

fn as_text(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// Every operation of one OpenAPI document, with a request it describes.
fn operations(doc: &Value) -> Vec<Operation> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            let (mut query, mut headers) = (Vec::new(), Vec::new());
            for p in op["parameters"].as_array().into_iter().flatten() {
                let p = resolve(doc, p);
                if p["required"] != true {
                    continue;
                }
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                let value = as_text(&example(doc, &p["schema"], 0));
                match p["in"].as_str() {
                    Some("query") => query.push((name, value)),
                    Some("header") => headers.push((name, value)),
                    _ => {}
                }
            }
            let rb = resolve(doc, &op["requestBody"]);
            let content = &rb["content"];
            let body = if rb["required"] != true {
                Body::None
            } else if let Some(schema) = content.get("application/json").map(|c| &c["schema"]) {
                Body::Json(example(doc, schema, 0))
            } else if let Some(schema) = content.get("multipart/form-data").map(|c| &c["schema"]) {
                let s = resolve(doc, schema);
                let mut parts = Vec::new();
                for (name, prop) in s["properties"].as_object().into_iter().flatten() {
                    let prop = resolve(doc, prop);
                    let file = prop["format"] == "binary"
                        || prop["items"]["format"] == "binary"
                        || prop["contentMediaType"].is_string();
                    let required = s["required"]
                        .as_array()
                        .is_some_and(|r| r.iter().any(|n| n == name.as_str()));
                    if file {
                        parts.push((name.clone(), Part::File));
                    } else if required {
                        parts.push((name.clone(), Part::Text(as_text(&example(doc, prop, 0)))));
                    }
                }
                Body::Multipart(parts)
            } else {
                Body::None
            };
            ops.push(Operation {
                method,
                path: path.clone(),
                secured: op["security"].as_array().is_some_and(|s| !s.is_empty()),
                query,
                headers,
                body,
            });
        }
    }
    ops.sort_by(|a, b| (&a.path, a.method.as_str()).cmp(&(&b.path, b.method.as_str())));
    ops
}

/// The rows of the document: (zone, "METHOD path") → cells by column name.
type Rows = BTreeMap<(String, String), Vec<String>>;

fn read_document(text: &str) -> (Vec<String>, Rows) {
    let mut header = Vec::new();
    let mut rows = Rows::new();
    for line in text.lines() {
        let cells: Vec<String> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect();
        if cells.len() < 3 {
            continue;
        }
        if cells[0] == "zone" {
            header = cells[2..].to_vec();
        } else if ["portal", "casework", "exchange"].contains(&cells[0].as_str()) {
            let op = cells[1].trim_matches('`').to_owned();
            rows.insert((cells[0].clone(), op), cells[2..].to_vec());
        }
    }
    (header, rows)
}

fn write_document(columns: &[&str], rows: &Rows) -> String {
    let mut out = String::from(
        "# The access matrix\n\n\
         Every operation of the three OpenAPI documents (`/api/v1/openapi.json` of portal, \
         casework and exchange) against every kind of caller: the HTTP status each answers. \
         `services/exchange/tests/access_matrix.rs` makes these calls against a fresh platform \
         and fails on any cell that differs from this table, on an operation without a row and \
         on a row without an operation. `FRT_WRITE_ACCESS_MATRIX=1 cargo test -p exchange \
         --test access_matrix` rewrites the table from what the services answer; review the \
         diff as code.\n\n\
         How the cells are made:\n\n\
         - The objects an operation reaches for (a filing, a complaint, an inspection, a plan \
         or draw, a notification, a registration dispute) are made fresh for each operation, \
         in province 310000 and of the organisation of the column *processor*; the columns \
         are then taken in order on them, each on a session of its own. A change one column \
         makes (a filing recorded, a complaint accepted) is what the later columns meet: a 409 \
         after an earlier 2xx is a column allowed to act on an object already acted on.\n\
         - The body and the required query and header parameters are made from the operation's \
         schema (its required fields, an example value of each type; ids the nil UUID), so a \
         4xx of 400 or 422 is mostly a caller let through to the checks of the request itself, \
         and 404 is an object the caller may not see or that is not there.\n\
         - *processor of another organisation* is registered in the same province; *reviewer* \
         and *supervisor of another province* are of 110000; *national CAC* is a supervisor \
         of the national office; *public security, joint* is the bureau of 310000, invited to \
         the inspection and the notification's recipient; *not joint* is the bureau of \
         320000. The exchange clients are the joint bureau's systems, each with one scope.\n\
         - Beside the table, the test holds rules whatever it says: no cell answers 5xx; a \
         secured operation answers 401 to anonymous callers; the exchange answers 401 to \
         bearer tokens and portal and casework to signatures alone; a staff session is no \
         session in the portal, nor a processor's in casework; no caller of another \
         organisation, province or bureau gets a 2xx on an object of 310000's. \
         `FRT_ACCESS_MATRIX_EXPLAIN=1` prints the problem code behind every 4xx cell.\n\n",
    );
    out.push_str("| zone | operation |");
    for c in columns {
        out.push_str(&format!(" {c} |"));
    }
    out.push_str("\n|---|---|");
    for _ in columns {
        out.push_str("---|");
    }
    out.push('\n');
    for ((zone, op), cells) in rows {
        out.push_str(&format!("| {zone} | `{op}` |"));
        for c in cells {
            out.push_str(&format!(" {c} |"));
        }
        out.push('\n');
    }
    out
}

/// Whether the path reaches for an object of 310000's (and of the processor's organisation).
fn reaches_home_object(path: &str) -> bool {
    [
        "/filings/{id}",
        "/complaints/{",
        "/inspections/{id}",
        "/inspections/plans/{",
        "/inspections/draws/{",
        "/notifications/{",
        "/registration-disputes/{",
        "/organisations/{",
        "/audit/{",
    ]
    .iter()
    .any(|p| path.contains(p))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_every_caller_as_the_access_matrix_says() {
    let m = Matrix::new().await;
    let names: Vec<&str> = m.columns.iter().map(|c| c.name).collect();
    let mut rows = Rows::new();
    let mut broken = Vec::new();
    for zone in ["portal", "casework", "exchange"] {
        let doc: Value = m
            .http
            .get(format!("{}/api/v1/openapi.json", m.base(zone)))
            .send()
            .await
            .expect("the OpenAPI document")
            .json()
            .await
            .expect("JSON");
        for op in operations(&doc) {
            let objects = m.objects(zone, &op.path).await;
            let mut path = m.fill(&op.path, &objects);
            if !op.query.is_empty() {
                let q: Vec<String> = op
                    .query
                    .iter()
                    .map(|(k, v)| format!("{k}={}", urlencode(v)))
                    .collect();
                path = format!("{path}?{}", q.join("&"));
            }
            let key = format!("{} {}", op.method, op.path);
            let mut cells = Vec::new();
            for column in &m.columns {
                let status = m.call(zone, &op, &path, column).await;
                let cell = format!("{zone} {key} × {}: {status}", column.name);
                if status >= 500 {
                    broken.push(format!("{cell} (a server error)"));
                }
                let ok = (200..300).contains(&status);
                match &column.caller {
                    Caller::Anonymous if op.secured && zone != "exchange" && status != 401 => {
                        broken.push(format!("{cell} (secured: 401 expected)"));
                    }
                    Caller::Anonymous | Caller::User(_)
                        if zone == "exchange" && op.path.starts_with("/api/") && status != 401 =>
                    {
                        broken.push(format!("{cell} (the exchange takes signatures only)"));
                    }
                    Caller::Client(_) if zone != "exchange" && op.secured && status != 401 => {
                        broken.push(format!("{cell} (a signature is no session)"));
                    }
                    _ => {}
                }
                let processor = matches!(
                    column.name,
                    "processor" | "processor of another organisation"
                );
                if let (Caller::User(_), true) = (&column.caller, op.secured && status != 401) {
                    if zone == "portal" && !processor {
                        broken.push(format!("{cell} (a staff session in the portal)"));
                    }
                    if zone == "casework" && processor {
                        broken.push(format!("{cell} (a processor's session in casework)"));
                    }
                }
                let foreign = matches!(
                    column.name,
                    "processor of another organisation"
                        | "reviewer of another province"
                        | "supervisor of another province"
                        | "public security, not joint"
                );
                if foreign && ok && reaches_home_object(&op.path) {
                    broken.push(format!("{cell} (another's object reached)"));
                }
                cells.push(status.to_string());
            }
            rows.insert((zone.to_owned(), key), cells);
        }
    }
    assert!(
        broken.is_empty(),
        "{} cells break the rules:\n{}",
        broken.len(),
        broken.join("\n")
    );

    let file = project_root().join(DOCUMENT);
    if std::env::var("FRT_WRITE_ACCESS_MATRIX").is_ok_and(|v| v == "1") {
        std::fs::write(&file, write_document(&names, &rows)).expect("write the matrix");
        eprintln!(
            "access matrix: {} operations written to {DOCUMENT}",
            rows.len()
        );
        return;
    }
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    let (header, expected) = read_document(&text);
    assert_eq!(
        header, names,
        "{DOCUMENT}: the columns differ from the callers the test makes"
    );
    let mut differ = Vec::new();
    for ((zone, op), cells) in &rows {
        match expected.get(&(zone.clone(), op.clone())) {
            None => differ.push(format!("{zone} {op}: no row in {DOCUMENT}")),
            Some(want) => {
                for (i, (got, want)) in cells.iter().zip(want).enumerate() {
                    if got != want {
                        differ.push(format!(
                            "{zone} {op} × {}: {got}, the matrix says {want}",
                            names[i]
                        ));
                    }
                }
                if want.len() != cells.len() {
                    differ.push(format!("{zone} {op}: {} cells in {DOCUMENT}", want.len()));
                }
            }
        }
    }
    for key in expected.keys() {
        if !rows.contains_key(key) {
            differ.push(format!("{} {}: a row for no operation", key.0, key.1));
        }
    }
    assert!(
        differ.is_empty(),
        "{} cells differ from {DOCUMENT}:\n{}",
        differ.len(),
        differ.join("\n")
    );
    eprintln!(
        "access matrix: {} operations × {} callers as {DOCUMENT} says",
        rows.len(),
        names.len()
    );
}

fn urlencode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
