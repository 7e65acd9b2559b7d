//! Inspections over HTTP: reproducible draws that are never changed, conflicts of interest,
//! joint inspections with public security, and a full rectification cycle with the
//! processor's side in the portal.

use frt_access::{AgencyKind, Role};
use frt_testkit::app::PDF;
use frt_testkit::{code, days_ago, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A supervisor and three inspectors of `province`, and `n` registered processors.
async fn office(app: &TestApp, province: &str, n: usize) -> (String, Vec<String>, Vec<String>) {
    let sup = app
        .staff(AgencyKind::ProvincialCac, Some(province), Role::Supervisor)
        .await;
    let mut inspectors = Vec::new();
    for _ in 0..3 {
        inspectors.push(
            app.staff(AgencyKind::ProvincialCac, Some(province), Role::Inspector)
                .await,
        );
    }
    let mut processors = Vec::new();
    for i in 0..n {
        let (token, _) = app
            .register_processor(&format!("抽查对象{i}有限公司"), province)
            .await;
        processors.push(token);
    }
    (sup, inspectors, processors)
}

/// A plan of `province` made by `sup`; answers its id.
async fn plan(app: &TestApp, sup: &str, province: &str) -> String {
    let (s, plan) = app
        .casework_post(
            sup,
            "/api/v1/inspections/plans",
            json!({ "province": province, "title": "2026年第四季度双随机抽查",
                "period_start": "2026-10-01", "period_end": "2026-12-31" }),
        )
        .await;
    assert_eq!(s, 201, "{plan}");
    plan["id"].as_str().expect("plan id").to_owned()
}

/// Where acceptance tests run: a QA token makes test support, and given seeds, available.
async fn with_test_support() -> TestApp {
    TestApp::spawn_with(&[("FRT__QA__TOKEN", "qa-token-for-tests")]).await
}

#[tokio::test]
async fn a_draw_is_reproducible_recorded_once_and_refused_beyond_its_pool() {
    let app = with_test_support().await;
    let (sup, _, _) = office(&app, "310000", 5).await;
    let plan_id = plan(&app, &sup, "310000").await;
    let plan_id = plan_id.as_str();
    let seed = "ab".repeat(32);
    let ask = json!({ "plan_id": plan_id, "targets": 2, "inspectors": 2, "seed": seed });
    let (s, first) = app
        .casework_post(&sup, "/api/v1/inspections/draws", ask.clone())
        .await;
    assert_eq!(s, 201, "{first}");
    for field in [
        "id",
        "seed",
        "algorithm",
        "pool_size",
        "pool_sha256",
        "targets",
        "inspectors",
    ] {
        assert!(!first[field].is_null(), "{field} missing: {first}");
    }
    assert_eq!(first["pool_size"], 5);
    assert_eq!(first["targets"].as_array().map(Vec::len), Some(2));
    assert!(first["targets"][0]["uscc"].is_string() && first["inspectors"][0]["name"].is_string());
    // The same seed over the same pool draws the same.
    let (_, second) = app
        .casework_post(&sup, "/api/v1/inspections/draws", ask)
        .await;
    assert_eq!(first["targets"], second["targets"]);
    assert_eq!(first["inspectors"], second["inspectors"]);
    // Without a seed, one from the OS, recorded.
    let (s, random) = app
        .casework_post(
            &sup,
            "/api/v1/inspections/draws",
            json!({ "plan_id": plan_id, "targets": 1, "inspectors": 1 }),
        )
        .await;
    assert_eq!(s, 201, "{random}");
    assert_eq!(random["seed"].as_str().map(str::len), Some(64));
    assert_eq!(random["seed_given"], false);
    for d in [&first, &random] {
        let (s, v) = app
            .casework_get(
                &sup,
                &format!(
                    "/api/v1/inspections/draws/{}/verify",
                    d["id"].as_str().expect("id")
                ),
            )
            .await;
        assert_eq!((s, &v["matches"]), (200, &json!(true)), "{v}");
    }
    // The plan lists every draw made for it: drawing again shows.
    let (_, p) = app
        .casework_get(&sup, &format!("/api/v1/inspections/plans/{plan_id}"))
        .await;
    assert_eq!(p["draws"].as_array().map(Vec::len), Some(3), "{p}");

    // Beyond the pool, or beyond the eligible staff: 422 saying so, and nothing recorded.
    let (s, b) = app
        .casework_post(
            &sup,
            "/api/v1/inspections/draws",
            json!({ "plan_id": plan_id, "targets": 6, "inspectors": 1 }),
        )
        .await;
    assert_eq!((s, code(&b)), (422, "inspection.pool_too_small"), "{b}");
    assert!(
        b["detail"]
            .as_str()
            .is_some_and(|d| d.contains("6") && d.contains("5")),
        "{b}"
    );
    let (s, b) = app
        .casework_post(
            &sup,
            "/api/v1/inspections/draws",
            json!({ "plan_id": plan_id, "targets": 1, "inspectors": 4 }),
        )
        .await;
    assert_eq!((s, code(&b)), (422, "inspection.pool_too_small"), "{b}");
    let (_, p) = app
        .casework_get(&sup, &format!("/api/v1/inspections/plans/{plan_id}"))
        .await;
    assert_eq!(
        p["draws"].as_array().map(Vec::len),
        Some(3),
        "refused draws leave nothing"
    );

    // The database itself refuses to change or delete a completed draw.
    let (sql, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("sql");
    tokio::spawn(conn);
    let id = first["id"].as_str().expect("id").to_owned();
    let edit = sql
        .batch_execute(&format!(
            "UPDATE inspection_draws SET seed = repeat('0', 64) WHERE id = '{id}'"
        ))
        .await;
    assert!(edit.is_err(), "a completed draw was edited");
    let delete = sql
        .batch_execute(&format!("DELETE FROM inspection_draws WHERE id = '{id}'"))
        .await;
    assert!(delete.is_err(), "a draw was deleted");
    let (_, v) = app
        .casework_get(&sup, &format!("/api/v1/inspections/draws/{id}/verify"))
        .await;
    assert_eq!(v["matches"], true);
}

/// Nobody steers a draw: the seed is the platform's outside acceptance runs, every draw
/// belongs to a plan of the caller's own province (another province's is not found), the drawn
/// inspectors go unless a reason for others is audited, and a pool put back in another order
/// no longer verifies, even with its digest recomputed.
#[tokio::test]
async fn nobody_steers_a_draw() {
    let app = TestApp::spawn().await;
    let (sup, inspectors, processors) = office(&app, "310000", 4).await;
    let plan_id = plan(&app, &sup, "310000").await;
    let (s, b) = app
        .casework_post(
            &sup,
            "/api/v1/inspections/draws",
            json!({ "plan_id": plan_id, "targets": 1, "inspectors": 2, "seed": "ab".repeat(32) }),
        )
        .await;
    assert_eq!((s, code(&b)), (422, "inspection.seed_not_allowed"), "{b}");
    let (s, b) = app
        .casework_post(
            &sup,
            "/api/v1/inspections/draws",
            json!({ "province": "310000", "targets": 1, "inspectors": 2 }),
        )
        .await;
    assert!(s == 400 || s == 422, "a draw without a plan: {s} {b}");
    let beijing = app
        .staff(AgencyKind::ProvincialCac, Some("110000"), Role::Supervisor)
        .await;
    let (s, b) = app
        .casework_post(
            &beijing,
            "/api/v1/inspections/draws",
            json!({ "plan_id": plan_id, "targets": 1, "inspectors": 2 }),
        )
        .await;
    assert_eq!(s, 404, "another province's plan: {b}");
    let (s, d) = app
        .casework_post(
            &sup,
            "/api/v1/inspections/draws",
            json!({ "plan_id": plan_id, "targets": 2, "inspectors": 2 }),
        )
        .await;
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["seed_given"], false);
    let draw_id = d["id"].as_str().expect("draw id").to_owned();
    let (s, _) = app
        .casework_get(&beijing, &format!("/api/v1/inspections/draws/{draw_id}"))
        .await;
    assert_eq!(s, 404, "another province's draw");

    // The drawn inspectors go; others only with a reason, which is audited.
    let target = d["targets"][0]["organisation_id"]
        .as_str()
        .expect("target")
        .to_owned();
    let drawn: Vec<String> = d["inspectors"]
        .as_array()
        .expect("inspectors")
        .iter()
        .map(|i| i["user_id"].as_str().expect("id").to_owned())
        .collect();
    let mut everyone = Vec::new();
    for t in &inspectors {
        everyone.push(
            app.casework_get(t, "/api/v1/me").await.1["user_id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    let spare = everyone
        .iter()
        .find(|u| !drawn.contains(u))
        .expect("a third inspector")
        .clone();
    let swapped = json!([drawn[0], spare]);
    let (s, b) = app
        .casework_post(
            &sup,
            "/api/v1/inspections",
            json!({ "organisation_id": target,
        "source": "draw", "draw_id": draw_id, "inspector_ids": swapped }),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["path"].as_str()),
        (422, Some("swap_reason")),
        "{b}"
    );
    let (s, i) = app
        .casework_post(
            &sup,
            "/api/v1/inspections",
            json!({ "organisation_id": target,
        "source": "draw", "draw_id": draw_id, "inspector_ids": swapped,
        "swap_reason": "检查员病假" }),
        )
        .await;
    assert_eq!(s, 201, "{i}");
    let (_, trail) = app
        .casework_get(
            &sup,
            &format!("/api/v1/audit/inspection/{}", i["id"].as_str().expect("id")),
        )
        .await;
    let swap = trail["items"]
        .as_array()
        .expect("trail")
        .iter()
        .find(|r| r["action"] == "inspection.inspectors_swapped")
        .unwrap_or_else(|| panic!("no swap audited: {trail}"))
        .clone();
    assert_eq!(swap["after"]["out"], json!([drawn[1]]), "{swap}");
    assert_eq!(swap["after"]["in"], json!([spare]), "{swap}");
    assert_eq!(swap["after"]["reason"], "检查员病假", "{swap}");
    let (s, b) = app
        .casework_post(
            &sup,
            "/api/v1/inspections",
            json!({ "organisation_id": target,
        "source": "risk", "inspector_ids": swapped, "swap_reason": "无" }),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["path"].as_str()),
        (422, Some("swap_reason")),
        "{b}"
    );
    let _ = processors;

    // The pool rewritten in another order, its digest and result recomputed to match: the
    // verification sees a pool that is not in id order.
    let (sql, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("sql");
    tokio::spawn(conn);
    let mut pool: Vec<String> = d["pool"]
        .as_array()
        .expect("pool")
        .iter()
        .map(|p| p.as_str().expect("id").to_owned())
        .collect();
    pool.reverse();
    let seed =
        frt_domain::inspection::Seed::parse(d["seed"].as_str().expect("seed")).expect("seed");
    let targets = frt_domain::inspection::draw(&pool, 2, &seed, "targets").expect("draw");
    let list = |ids: &[String]| {
        format!(
            "ARRAY[{}]::uuid[]",
            ids.iter()
                .map(|i| format!("'{i}'"))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    sql.batch_execute(&format!(
        "ALTER TABLE inspection_draws DISABLE TRIGGER inspection_draws_frozen; \
         UPDATE inspection_draws SET pool = {}, pool_sha256 = '{}', target_ids = {} WHERE id = '{draw_id}'; \
         ALTER TABLE inspection_draws ENABLE TRIGGER inspection_draws_frozen;",
        list(&pool),
        frt_domain::inspection::pool_sha256(&pool),
        list(&targets),
    ))
    .await
    .expect("a rewritten pool");
    let (s, v) = app
        .casework_get(&sup, &format!("/api/v1/inspections/draws/{draw_id}/verify"))
        .await;
    assert_eq!((s, &v["matches"]), (200, &json!(false)), "{v}");
    // Nor may the draws be emptied wholesale.
    let truncate = sql.batch_execute("TRUNCATE inspection_draws CASCADE").await;
    assert!(truncate.is_err(), "the draws were truncated");
}

#[tokio::test]
async fn a_declared_conflict_keeps_the_inspector_out_of_the_draw() {
    let app = with_test_support().await;
    let (sup, inspectors, processors) = office(&app, "310000", 1).await;
    let plan_id = plan(&app, &sup, "310000").await;
    let (_, org) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/organisation", app.portal),
            Some(&processors[0]),
            None,
        )
        .await;
    let org_id = org["id"].as_str().expect("org id");
    let (s, b) = app
        .casework_post(
            &inspectors[0],
            "/api/v1/inspections/conflicts",
            json!({ "organisation_id": org_id, "reason": "曾在该公司任职" }),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    let (_, me) = app.casework_get(&inspectors[0], "/api/v1/me").await;
    let conflicted = me["user_id"].as_str().expect("id").to_owned();
    for seed in 0..8u8 {
        let (s, d) = app.casework_post(&sup, "/api/v1/inspections/draws",
            json!({ "plan_id": plan_id, "targets": 1, "inspectors": 2, "seed": format!("{seed:02x}").repeat(32) })).await;
        assert_eq!(s, 201, "{d}");
        assert_eq!(d["staff_pool_size"], 2, "{d}");
        assert!(
            d["inspectors"]
                .as_array()
                .expect("inspectors")
                .iter()
                .all(|i| i["user_id"] != conflicted.as_str()),
            "{d}"
        );
    }
    let (s, b) = app
        .casework_post(
            &sup,
            "/api/v1/inspections/draws",
            json!({ "plan_id": plan_id, "targets": 1, "inspectors": 3 }),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (422, "inspection.pool_too_small"),
        "only two may inspect it: {b}"
    );
}

/// An inspection of a Shanghai processor opened from a draw, with the office's supervisor,
/// its inspectors and the processor's token.
struct Drawn {
    app: TestApp,
    sup: String,
    inspectors: Vec<String>,
    p: String,
    org_id: String,
    i: Value,
    id: String,
}

async fn drawn_inspection() -> Drawn {
    let app = TestApp::spawn().await;
    let (sup, inspectors, processors) = office(&app, "310000", 1).await;
    let p = processors[0].clone();
    let (_, org) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/organisation", app.portal),
            Some(&p),
            None,
        )
        .await;
    let org_id = org["id"].as_str().expect("org id").to_owned();
    let plan_id = plan(&app, &sup, "310000").await;
    let (_, d) = app
        .casework_post(
            &sup,
            "/api/v1/inspections/draws",
            json!({ "plan_id": plan_id, "targets": 1, "inspectors": 2 }),
        )
        .await;
    let (s, i) = app
        .casework_post(
            &sup,
            "/api/v1/inspections",
            json!({ "organisation_id": org_id, "source": "draw", "draw_id": d["id"] }),
        )
        .await;
    assert_eq!(s, 201, "{i}");
    let id = i["id"].as_str().expect("id").to_owned();
    assert_eq!(i["status"], "planned");
    Drawn {
        app,
        sup,
        inspectors,
        p,
        org_id,
        i,
        id,
    }
}

#[tokio::test]
async fn a_joint_inspection_is_seen_by_the_invited_unit_only() {
    let Drawn {
        app,
        sup,
        inspectors,
        org_id,
        id,
        ..
    } = drawn_inspection().await;
    // Public security of the province is invited; its staff see this one, and only this one.
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Inspector)
        .await;
    let (s, b) = app
        .casework_post(
            &sup,
            "/api/v1/inspections",
            json!({ "organisation_id": org_id, "source": "risk" }),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["path"].as_str()),
        (422, Some("inspector_ids")),
        "inspectors go two together: {b}"
    );
    let mut pair = Vec::new();
    for t in &inspectors[1..] {
        pair.push(app.casework_get(t, "/api/v1/me").await.1["user_id"].clone());
    }
    let (s, other) = app
        .casework_post(
            &sup,
            "/api/v1/inspections",
            json!({ "organisation_id": org_id, "source": "risk", "inspector_ids": pair }),
        )
        .await;
    assert_eq!(s, 201, "{other}");
    let mut conn = app.core.db.conn().await.expect("conn");
    let agency = frt_store::identities::ensure_agency(
        &mut conn,
        "public_security",
        "public_security 310000",
        Some("310000"),
    )
    .await
    .expect("agency");
    drop(conn);
    let (s, b) = app
        .casework_post(
            &sup,
            &format!("/api/v1/inspections/{id}/agencies"),
            json!({ "agency_id": agency.id }),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, seen) = app
        .casework_get(&police, &format!("/api/v1/inspections/{id}"))
        .await;
    assert_eq!(s, 200, "{seen}");
    let (_, listed) = app.casework_get(&police, "/api/v1/inspections").await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let (s, _) = app
        .casework_get(
            &police,
            &format!("/api/v1/inspections/{}", other["id"].as_str().expect("id")),
        )
        .await;
    assert_eq!(s, 404, "not the inspection it was not invited to");
    let (s, _) = app
        .casework_post(
            &police,
            &format!("/api/v1/inspections/{id}/start"),
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!(s, 403, "an invited unit reads; the office conducts");
    let beijing = app
        .staff(AgencyKind::ProvincialCac, Some("110000"), Role::Inspector)
        .await;
    let (s, _) = app
        .casework_get(&beijing, &format!("/api/v1/inspections/{id}"))
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn an_inspection_runs_from_its_notice_to_publication() {
    let Drawn {
        app,
        sup,
        inspectors,
        p,
        i,
        id,
        ..
    } = drawn_inspection().await;
    let p = &p;
    let beijing = app
        .staff(AgencyKind::ProvincialCac, Some("110000"), Role::Inspector)
        .await;
    // The cycle, by one of the drawn inspectors.
    let drawn = i["inspectors"][0]["user_id"]
        .as_str()
        .expect("inspector")
        .to_owned();
    let mut token = None;
    for t in &inspectors {
        let (_, me) = app.casework_get(t, "/api/v1/me").await;
        if me["user_id"] == drawn.as_str() {
            token = Some(t.clone());
        }
    }
    let ins = token.expect("a drawn inspector");
    let step = |path: &str, body: Value| {
        let (app, ins, id) = (&app, ins.clone(), id.clone());
        let path = path.to_owned();
        async move {
            app.casework_post(&ins, &format!("/api/v1/inspections/{id}/{path}"), body)
                .await
        }
    };
    let (s, v) = step(
        "notify",
        json!({ "version": 1, "notice": "12月8日上午现场检查，请准备门禁系统日志。" }),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("notified")), "{v}");
    let (s, v) = step("start", json!({ "version": v["version"] })).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = step(
        "requests",
        json!({ "description": "最近三个月的门禁日志", "working_days": 5 }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let item = v["items"][0]["id"].as_str().expect("item").to_owned();
    assert!(v["items"][0]["due_date"].is_string(), "{v}");

    // The processor sees it in the portal, answers and gives a material.
    let (s, mine) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/inspections", app.portal),
            Some(p),
            None,
        )
        .await;
    assert_eq!(s, 200, "{mine}");
    let this = mine
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["id"] == id.as_str())
        .expect("the inspection in the portal")
        .clone();
    assert_eq!(this["items"][0]["status"], "open", "{this}");
    assert!(this["items"][0]["due_date"].is_string(), "{this}");
    assert!(
        this["inspectors"].is_null(),
        "internal arrangements stay internal: {this}"
    );
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("门禁日志.pdf"),
    );
    let r = app
        .http
        .post(format!(
            "{}/api/v1/inspections/{id}/items/{item}/materials",
            app.portal
        ))
        .bearer_auth(p)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(r.status().as_u16(), 201);
    let (s, v) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/inspections/{id}/items/{item}/answer", app.portal),
            Some(p),
            Some(json!({ "answer": "日志已上传。" })),
        )
        .await;
    assert_eq!(
        (s, v["items"][0]["status"].as_str()),
        (200, Some("answered")),
        "{v}"
    );

    let (_, cur) = app
        .casework_get(&ins, &format!("/api/v1/inspections/{id}"))
        .await;
    assert_eq!(
        cur["items"][0]["materials"].as_array().map(Vec::len),
        Some(1),
        "{cur}"
    );
    // The inspector reads the material as given, and the reading is in the trail.
    let material = cur["items"][0]["materials"][0]["id"]
        .as_str()
        .expect("material")
        .to_owned();
    let file = format!(
        "{}/api/v1/inspections/{id}/materials/{material}",
        app.casework
    );
    let r = app
        .http
        .get(&file)
        .bearer_auth(&ins)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().contains_key("x-content-sha256"));
    assert_eq!(r.bytes().await.expect("bytes").as_ref(), PDF);
    let r = app
        .http
        .get(&file)
        .bearer_auth(&beijing)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status().as_u16(), 404, "not another province's");
    let (s, v) = step(
        "findings",
        json!({ "version": cur["version"], "summary": "人脸数据保存期限过长",
        "problems": ["离职人员人脸数据未删除"] }),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = step("orders", json!({ "version": v["version"], "requirements": "删除离职人员人脸数据", "working_days": 10 })).await;
    assert_eq!(
        (s, v["status"].as_str()),
        (200, Some("rectification_ordered")),
        "{v}"
    );
    let order = v["items"][1]["id"].as_str().expect("order").to_owned();
    let (s, v) = app
        .call(
            Method::POST,
            &format!(
                "{}/api/v1/inspections/{id}/items/{order}/answer",
                app.portal
            ),
            Some(p),
            Some(json!({ "answer": "已删除，附删除记录。" })),
        )
        .await;
    assert_eq!(
        (s, v["status"].as_str()),
        (200, Some("rectification_reported")),
        "{v}"
    );
    let (_, cur) = app
        .casework_get(&ins, &format!("/api/v1/inspections/{id}"))
        .await;
    let (s, v) = step(
        "verification",
        json!({ "version": cur["version"], "accepted": true, "note": "已核实" }),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("verified")), "{v}");
    let (s, v) = step(
        "close",
        json!({ "version": v["version"], "result": "发现问题已整改" }),
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("closed")), "{v}");

    let (s, published) = app
        .call(
            Method::GET,
            &format!(
                "{}/api/v1/inspections/published?province=310000",
                app.portal
            ),
            None,
            None,
        )
        .await;
    assert_eq!(s, 200, "{published}");
    assert_eq!(published[0]["result"], "发现问题已整改");
    assert_eq!(published[0]["rectified"], true);
    let text = published.to_string();
    assert!(
        !text.contains("@") && !text.contains("张三"),
        "no personal data: {text}"
    );

    let mut conn = app.core.db.conn().await.expect("conn");
    let mail = frt_store::outbox::for_entity(&mut conn, "inspection", id.parse().expect("uuid"))
        .await
        .expect("outbox");
    let templates: Vec<&str> = mail.iter().map(|m| m.template.as_str()).collect();
    assert_eq!(
        templates,
        [
            "inspection.notified",
            "inspection.documents_requested",
            "inspection.rectification_ordered",
            "inspection.closed"
        ]
    );
    let (_, trail) = app
        .casework_get(&sup, &format!("/api/v1/audit/inspection/{id}?limit=500"))
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["action"].as_str())
        .collect();
    for a in [
        "inspection.planned",
        "inspection.notified",
        "inspection.documents_requested",
        "inspection.material_given",
        "inspection.documents_given",
        "inspection.material_downloaded",
        "inspection.findings_recorded",
        "inspection.rectification_ordered",
        "inspection.rectification_reported",
        "inspection.rectification_verified",
        "inspection.closed",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
}

async fn org_id(app: &TestApp, processor: &str) -> String {
    let (_, org) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/organisation", app.portal),
            Some(processor),
            None,
        )
        .await;
    org["id"].as_str().expect("org id").to_owned()
}

#[tokio::test]
async fn risk_targets_come_most_pressing_first_and_the_processor_page_joins_every_case() {
    let app = TestApp::spawn().await;
    let (sup, inspectors, p) = office(&app, "310000", 5).await;
    // p[0] registered and never filed; p[1] left a draft past its time limit; p[2] filed
    // late; p[3] filed a critical-risk filing; p[4] filed on time and clean.
    app.complete_draft(&p[1], "initial", days_ago(120), None)
        .await;
    let late = app
        .complete_draft(&p[2], "initial", days_ago(120), None)
        .await;
    assert_eq!(app.submit(&p[2], &late, None).await.0, 200);
    let risky = app
        .complete_draft(&p[3], "initial", days_ago(3), None)
        .await;
    let (_, draft) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{risky}", app.portal),
            Some(&p[3]),
            None,
        )
        .await;
    let mut form = draft["form"].clone();
    form["purposes"]["device_locations"]
        .as_array_mut()
        .expect("locations")
        .push(json!({ "description": "更衣室入口", "location_kind": "private_space", "device_count": 1 }));
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("{}/api/v1/filings/{risky}/form", app.portal),
            Some(&p[3]),
            Some(json!({ "version": draft["version"], "form": form })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(app.submit(&p[3], &risky, None).await.0, 200);
    let clean = app
        .complete_draft(&p[4], "initial", days_ago(3), None)
        .await;
    assert_eq!(app.submit(&p[4], &clean, None).await.0, 200);
    let mut orgs = Vec::new();
    for t in &p {
        orgs.push(org_id(&app, t).await);
    }

    let (s, list) = app
        .casework_get(&sup, "/api/v1/inspections/risk-candidates")
        .await;
    assert_eq!(s, 200, "{list}");
    let got: Vec<(&str, &str)> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|c| {
            (
                c["organisation_id"].as_str().unwrap_or_default(),
                c["reasons"][0]["code"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (orgs[1].as_str(), "overdue_unfiled"),
            (orgs[3].as_str(), "high_risk"),
            (orgs[2].as_str(), "late_filing"),
            (orgs[0].as_str(), "never_filed"),
        ],
        "{list}"
    );
    let beijing = app
        .staff(AgencyKind::ProvincialCac, Some("110000"), Role::Supervisor)
        .await;
    let (s, _) = app
        .casework_get(
            &beijing,
            "/api/v1/inspections/risk-candidates?province=310000",
        )
        .await;
    assert_eq!(s, 404, "another province's processors");
    let (s, _) = app
        .casework_get(&inspectors[0], "/api/v1/inspections/risk-candidates")
        .await;
    assert_eq!(s, 403, "inspectors do not plan");

    // The late filer becomes a risk target; its page joins the filing and the inspection.
    let mut pair = Vec::new();
    for t in &inspectors[..2] {
        pair.push(app.casework_get(t, "/api/v1/me").await.1["user_id"].clone());
    }
    let (s, i) = app
        .casework_post(
            &sup,
            "/api/v1/inspections",
            json!({ "organisation_id": orgs[2], "source": "risk", "inspector_ids": pair }),
        )
        .await;
    assert_eq!(s, 201, "{i}");
    let (_, again) = app
        .casework_get(&sup, "/api/v1/inspections/risk-candidates")
        .await;
    assert_eq!(again[2]["under_inspection"], true, "{again}");
    let page = format!("/api/v1/organisations/{}/timeline", orgs[2]);
    let (s, t) = app.casework_get(&sup, &page).await;
    assert_eq!(s, 200, "{t}");
    let cases: Vec<&str> = t["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter_map(|c| c["case_type"].as_str())
        .collect();
    assert_eq!(cases, ["filing", "inspection"], "{t}");
    let actions: Vec<&str> = t["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions.first(),
        Some(&"inspection.planned"),
        "newest first: {t}"
    );
    assert_eq!(actions.last(), Some(&"organisation.registered"), "{t}");
    assert!(actions.contains(&"filing.submitted"), "{actions:?}");
    // A reviewer reads filings, not inspections: the page shows what the role may read.
    let reviewer = app.reviewer("310000").await;
    let (_, t) = app.casework_get(&reviewer, &page).await;
    assert_eq!(t["cases"].as_array().map(Vec::len), Some(1), "{t}");
    assert!(!t.to_string().contains("inspection."), "{t}");
    // Paged by row: one event at a time walks back in order.
    let (_, first) = app.casework_get(&sup, &format!("{page}?limit=1")).await;
    let before = first["next"].as_str().expect("more").to_owned();
    let (_, second) = app
        .casework_get(&sup, &format!("{page}?limit=1&before={before}"))
        .await;
    assert_eq!(second["events"][0]["action"], actions[1]);
    // Another province, or an agency that is not a CAC office: nothing to see.
    let (s, _) = app.casework_get(&beijing, &page).await;
    assert_eq!(s, 404);
    let police = app
        .staff(AgencyKind::PublicSecurity, Some("310000"), Role::Inspector)
        .await;
    let (s, _) = app.casework_get(&police, &page).await;
    assert_eq!(s, 403);
    let (s, _) = app
        .casework_get(
            &sup,
            &format!("/api/v1/organisations/{}/timeline", uuid_nil()),
        )
        .await;
    assert_eq!(s, 404);
}

fn uuid_nil() -> &'static str {
    "00000000-0000-0000-0000-000000000000"
}
