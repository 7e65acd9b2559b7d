//! Hostile input at the edge of both services: NUL characters, far-out numbers and dates,
//! bodies over the limit or of the wrong type, unknown methods, the security headers every
//! answer carries, and what staff may not see (drafts) or learn (the database's error text).

use frt_testkit::app::PASSWORD;
use frt_testkit::{code, days_ago, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A filing submitted by a new processor, its token and the reviewer of its province.
async fn submitted(app: &TestApp) -> (String, String, String) {
    let (p, _) = app.register_processor("边界测试有限公司", "310000").await;
    let id = app.complete_draft(&p, "initial", days_ago(3), None).await;
    let (s, b) = app.submit(&p, &id, None).await;
    assert_eq!(s, 200, "{b}");
    let r = app.reviewer("310000").await;
    (p, id, r)
}

#[tokio::test]
async fn nul_characters_are_refused_on_every_path_in() {
    let app = TestApp::spawn().await;
    let (p, id, r) = submitted(&app).await;
    let admin = app
        .staff(
            frt_access::AgencyKind::ProvincialCac,
            Some("310000"),
            frt_access::Role::Admin,
        )
        .await;
    let nul = "a\u{0}b";
    let bodies: Vec<(&str, String, Option<&str>, Value)> = vec![
        (
            "portal login",
            format!("{}/api/v1/auth/login", app.portal),
            None,
            json!({ "email": format!("{nul}@x.cn"), "password": nul }),
        ),
        (
            "casework login",
            format!("{}/api/v1/auth/login", app.casework),
            None,
            json!({ "email": format!("{nul}@x.cn"), "password": "x" }),
        ),
        (
            "registration",
            format!("{}/api/v1/registrations", app.portal),
            None,
            json!({
                "organisation": { "name": nul, "uscc": "x", "contact_person": "x",
                    "contact_email": "a@b.cn", "contact_phone": "13800138000" },
                "admin": { "email": "a@b.cn", "display_name": "x", "password": PASSWORD }
            }),
        ),
        (
            "filing creation",
            format!("{}/api/v1/filings", app.portal),
            Some(&p),
            json!({ "kind": "initial", "form": { "basic": { "processor_name": nul } } }),
        ),
        (
            "adding a user",
            format!("{}/api/v1/organisation/users", app.portal),
            Some(&p),
            json!({ "email": "new@b.cn", "display_name": nul, "password": PASSWORD }),
        ),
        (
            "adding staff",
            format!("{}/api/v1/staff", app.casework),
            Some(&admin),
            json!({ "email": "s@b.cn", "display_name": nul, "password": PASSWORD, "role": "reviewer" }),
        ),
        (
            "a return's reasons",
            format!("{}/api/v1/filings/{id}/return", app.casework),
            Some(&r),
            json!({ "reasons": [{ "path": null, "message": nul }] }),
        ),
    ];
    for (what, url, token, body) in bodies {
        let (s, b) = app.call(Method::POST, &url, token, Some(body)).await;
        assert_eq!((s, code(&b)), (422, "request.nul_character"), "{what}: {b}");
    }
    for (what, url) in [
        (
            "queue filter",
            format!("{}/api/v1/review/queue?processor=a%00b", app.casework),
        ),
        (
            "registry filter",
            format!("{}/api/v1/registry?processor=%00", app.casework),
        ),
        (
            "filing list",
            format!("{}/api/v1/filings?status=%00", app.portal),
        ),
    ] {
        let token = if url.starts_with(&app.portal) { &p } else { &r };
        let (s, b) = app.call(Method::GET, &url, Some(token), None).await;
        assert_eq!((s, code(&b)), (400, "request.nul_character"), "{what}: {b}");
    }
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(
        (s, b["status"].as_str()),
        (200, Some("submitted")),
        "nothing changed: {b}"
    );
}

#[tokio::test]
async fn far_out_numbers_and_dates_are_refused_naming_the_parameter() {
    let app = TestApp::spawn().await;
    let (_, id, r) = submitted(&app).await;
    let queue = |q: &str| format!("{}/api/v1/review/queue?{q}", app.casework);
    for (q, expected, param) in [
        (
            "submitted_from=-250000-01-01",
            "request.invalid_date",
            "submitted_from",
        ),
        (
            "submitted_to=+250000-01-01",
            "request.invalid_date",
            "submitted_to",
        ),
        (
            "submitted_to=9999-12-31",
            "request.invalid_date",
            "submitted_to",
        ),
        ("limit=99999999999999999999", "request.invalid_query", ""),
    ] {
        let (s, b) = app.call(Method::GET, &queue(q), Some(&r), None).await;
        assert_eq!((s, code(&b)), (400, expected), "{q}: {b}");
        assert!(
            b["detail"].as_str().unwrap_or_default().contains(param),
            "{q}: {b}"
        );
    }
    let uuid = "0196a000-0000-7000-8000-000000000000";
    for cursor in [
        format!("d-250000-01-01_{uuid}"),
        format!("d+250000-01-01_{uuid}"),
        format!("s9223372036854775807_{uuid}"),
        format!("s-9223372036854775808_{uuid}"),
        format!("v-250000-01-01.2026-01-01_{uuid}"),
        format!("r4.99999-01-01_{uuid}"),
    ] {
        let (s, b) = app
            .call(
                Method::GET,
                &queue(&format!("after={cursor}")),
                Some(&r),
                None,
            )
            .await;
        assert_eq!(
            (s, code(&b)),
            (400, "request.invalid_cursor"),
            "{cursor}: {b}"
        );
    }
    let diff = |q: &str| format!("{}/api/v1/filings/{id}/versions/diff?{q}", app.casework);
    for (q, param) in [
        ("to=-2147483648", "to"),
        ("from=-2147483648&to=1", "from"),
        ("to=2147483647", "to"),
        ("to=0", "to"),
    ] {
        let (s, b) = app.call(Method::GET, &diff(q), Some(&r), None).await;
        assert_eq!((s, code(&b)), (400, "request.out_of_range"), "{q}: {b}");
        assert_eq!(b["errors"][0]["path"], param, "{q}: {b}");
    }
    let (s, b) = app
        .call(
            Method::GET,
            &format!(
                "{}/api/v1/calendar/due-date?from=-250000-01-01&working_days=30",
                app.portal
            ),
            None,
            None,
        )
        .await;
    assert_eq!((s, code(&b)), (400, "calendar.invalid_date"), "{b}");
}

#[tokio::test]
async fn every_refusal_is_a_problem_and_every_answer_carries_the_security_headers() {
    let app = TestApp::spawn_with(&[("FRT__HTTP__JSON_LIMIT_BYTES", "32768")]).await;
    let (_, id, r) = submitted(&app).await;
    let record = format!("{}/api/v1/filings/{id}/record", app.casework);

    // Over the JSON limit, on the endpoint whose body is optional.
    let big = format!("{{\"version\": 1, \"pad\": \"{}\"}}", "x".repeat(40_000));
    let resp = app
        .http
        .post(&record)
        .bearer_auth(&r)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 413);
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let b: Value = resp.json().await.expect("problem");
    assert_eq!(code(&b), "request.too_large", "{b}");

    // JSON sent as text/plain is not read as JSON.
    for url in [
        record.clone(),
        format!("{}/api/v1/filings/{id}/return", app.casework),
    ] {
        let resp = app
            .http
            .post(&url)
            .bearer_auth(&r)
            .header("content-type", "text/plain")
            .body(r#"{"reasons":[{"path":null,"message":"x"}]}"#)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status().as_u16(), 415, "{url}");
        let b: Value = resp.json().await.expect("problem");
        assert_eq!(code(&b), "request.content_type", "{b}");
    }

    // An unknown method on a known path is 405 with Allow; an unknown path is 404.
    let resp = app
        .http
        .request(
            Method::from_bytes(b"TRACE").expect("method"),
            format!("{}/api/v1/filings", app.portal),
        )
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 405);
    let allow = resp.headers()["allow"].to_str().expect("allow").to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
    assert_eq!(resp.headers()["content-type"], "application/problem+json");
    let resp = app
        .http
        .delete(format!("{}/api/v1/filings/{id}/record", app.casework))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 405);
    // A fixed path beside a parameterised one (`/inspections/draws`, `/inspections/{id}`)
    // allows only its own methods, even where the parameterised route would take the method.
    let resp = app
        .http
        .get(format!("{}/api/v1/inspections/draws", app.casework))
        .bearer_auth(&r)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 405);
    assert_eq!(resp.headers()["allow"], "POST");
    let resp = app
        .http
        .get(format!("{}/api/v1/inspections/not-an-id", app.casework))
        .bearer_auth(&r)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status().as_u16(), 404);

    // The login answer carries the token: never cached, never sniffed, never framed.
    let resp = app
        .http
        .post(format!("{}/api/v1/auth/login", app.portal))
        .json(&json!({ "email": "nobody@x.cn", "password": "x" }))
        .send()
        .await
        .expect("send");
    for check in [
        resp,
        app.http
            .get(format!("{}/api/v1/nothing-here", app.casework))
            .send()
            .await
            .expect("send"),
        app.http
            .get(format!("{}/healthz", app.portal))
            .send()
            .await
            .expect("send"),
    ] {
        let h = check.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{h:?}");
        assert_eq!(h["cache-control"], "no-store", "{h:?}");
        assert_eq!(h["x-frame-options"], "DENY", "{h:?}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .is_ok_and(|v| v.contains("frame-ancestors 'none'")),
            "{h:?}"
        );
    }
}

#[tokio::test]
async fn staff_never_see_a_draft_nor_edits_not_yet_resubmitted() {
    let app = TestApp::spawn().await;
    let (p, _) = app.register_processor("草稿保密有限公司", "310000").await;
    let r = app.reviewer("310000").await;
    let id = app.complete_draft(&p, "initial", days_ago(3), None).await;
    for path in [
        format!("filings/{id}"),
        format!("filings/{id}/versions"),
        format!("audit/filing/{id}"),
    ] {
        let (s, b) = app
            .call(
                Method::GET,
                &format!("{}/api/v1/{path}", app.casework),
                Some(&r),
                None,
            )
            .await;
        assert_eq!(s, 404, "a draft is the processor's own ({path}): {b}");
    }
    let (s, b) = app.submit(&p, &id, None).await;
    assert_eq!(s, 200, "{b}");
    let submitted_name = b["form"]["basic"]["processor_name"].clone();
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{id}/return", app.casework),
            Some(&r),
            Some(json!({ "reasons": [{ "path": null, "message": "请补正" }] })),
        )
        .await;
    assert_eq!(s, 200, "{b}");

    // The processor starts correcting: staff keep seeing what was submitted.
    let (_, mine) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.portal),
            Some(&p),
            None,
        )
        .await;
    let mut form = mine["form"].clone();
    form["basic"]["processor_name"] = json!("尚未提交的新名称");
    let (s, b) = app
        .call(
            Method::PUT,
            &format!("{}/api/v1/filings/{id}/form", app.portal),
            Some(&p),
            Some(json!({ "version": mine["version"], "form": form })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, seen) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(s, 200, "{seen}");
    assert_eq!(
        seen["form"]["basic"]["processor_name"], submitted_name,
        "{seen}"
    );
    assert_eq!(
        seen["attachments"].as_array().map(Vec::len),
        mine["attachments"].as_array().map(Vec::len),
        "the submitted materials: {seen}"
    );
}

#[tokio::test]
async fn readiness_does_not_tell_the_database_error() {
    let app = TestApp::spawn().await;
    // Nothing listens on port 1: the driver's error names the refused connection.
    let wrong = "postgres://frt:frt@127.0.0.1:1/frt";
    let settings = frt_testkit::app::test_settings(
        wrong,
        &std::env::temp_dir(),
        &[("FRT__DATABASE__URL", wrong)],
    );
    let core = frt_web::Core::build(settings).await.expect("core");
    let server = casework::build(core).expect("casework");
    let url = format!("http://127.0.0.1:{}/readyz", server.port());
    let handle = server.handle();
    tokio::spawn(server.run_until_stopped());
    let (s, b) = app.call(Method::GET, &url, None, None).await;
    assert_eq!((s, code(&b)), (503, "service.unavailable"), "{b}");
    let detail = b["detail"].as_str().unwrap_or_default().to_lowercase();
    for leak in ["connect", "refused", "127.0.0.1", "error"] {
        assert!(!detail.contains(leak), "'{leak}' in {b}");
    }
    handle.stop(false).await;
}

#[tokio::test]
async fn every_documented_operation_is_served_and_answers_as_documented() {
    let app = TestApp::spawn().await;
    for base in [&app.portal, &app.casework] {
        let (s, doc) = app
            .call(
                Method::GET,
                &format!("{base}/api/v1/openapi.json"),
                None,
                None,
            )
            .await;
        assert_eq!(s, 200);
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.len() > 10, "{base}: {}", paths.len());
        for (path, item) in paths {
            let concrete = path
                .replace("{entity_type}", "filing")
                .replace("{id}", "0196a000-0000-7000-8000-000000000000")
                .replace("{entity_id}", "0196a000-0000-7000-8000-000000000000")
                .replace("{attachment_id}", "0196a000-0000-7000-8000-000000000000");
            for (method, op) in item.as_object().expect("path item") {
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                let (s, b) = app.call(m, &format!("{base}{concrete}"), None, None).await;
                assert!(
                    !matches!(code(&b), "request.no_route" | "request.method_not_allowed"),
                    "{method} {path} is documented but not served: {b}"
                );
                let documented = op["responses"]
                    .as_object()
                    .expect("responses")
                    .contains_key(&s.to_string());
                assert!(
                    documented,
                    "{method} {path} answered {s}, undocumented: {b}"
                );
                if s >= 400 {
                    assert!(b["code"].is_string(), "{method} {path}: not a problem: {b}");
                }
            }
        }
    }
}
