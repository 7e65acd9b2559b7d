//! The portal's HTTP surface against a real database: health, due dates, registration, login,
//! drafts, materials, submission and errors.

use frt_testkit::app::{valid_uscc, PASSWORD, PDF};
use frt_testkit::{days_ago, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn health_readiness_and_openapi() {
    let app = TestApp::spawn().await;
    let (s, b) = app
        .call(Method::GET, &format!("{}/healthz", app.portal), None, None)
        .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("ok")));
    let (s, b) = app
        .call(Method::GET, &format!("{}/readyz", app.portal), None, None)
        .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("ready")));
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/openapi.json", app.portal),
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert!(
        b["paths"]["/api/v1/filings/{id}/submit"]["post"].is_object(),
        "{b}"
    );
    let r = app
        .http
        .get(format!("{}/docs/", app.portal))
        .send()
        .await
        .expect("docs");
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn due_dates_follow_the_official_calendar() {
    let app = TestApp::spawn().await;
    let url = |from: &str, n: &str| {
        format!(
            "{}/api/v1/calendar/due-date?from={from}&working_days={n}",
            app.portal
        )
    };
    let (s, b) = app
        .call(Method::GET, &url("2025-06-01", "30"), None, None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(b["due_date"], "2025-07-14");
    assert_eq!(b["provisional"], false);
    assert_eq!(b["calendar_versions"], json!(["CN-2025.1"]));
    assert!(b["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .any(|d| d["date"] == "2025-06-02" && d["reason"] == "holiday"));
    let (_, b) = app
        .call(Method::GET, &url("2026-01-20", "30"), None, None)
        .await;
    assert_eq!(b["due_date"], "2026-03-09");
    let (_, b) = app
        .call(Method::GET, &url("2027-03-01", "5"), None, None)
        .await;
    assert_eq!(b["provisional"], true);
    for (from, n, code) in [
        ("2025-13-01", "30", "calendar.invalid_date"),
        ("yesterday", "30", "calendar.invalid_date"),
        ("2025-06-01", "0", "calendar.invalid_working_days"),
        ("2025-06-01", "3651", "calendar.invalid_working_days"),
        ("2025-06-01", "ten", "calendar.invalid_working_days"),
    ] {
        let (s, b) = app.call(Method::GET, &url(from, n), None, None).await;
        assert_eq!(
            (s, b["code"].as_str()),
            (400, Some(code)),
            "{from} {n}: {b}"
        );
    }
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/calendar/due-date?from=2025-06-01", app.portal),
            None,
            None,
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("request.invalid_query"))
    );
}

fn registration(uscc: &str, email: &str) -> Value {
    json!({
        "organisation": { "name": "测试科技有限公司", "uscc": uscc, "contact_person": "李四",
                          "contact_email": email, "contact_phone": "13800138000" },
        "admin": { "email": email, "display_name": "李四", "password": PASSWORD }
    })
}

#[tokio::test]
async fn registration_validates_and_flags_bad_checksums() {
    let app = TestApp::spawn().await;
    let url = format!("{}/api/v1/registrations", app.portal);
    let good = valid_uscc("310000");
    let (s, b) = app
        .call(
            Method::POST,
            &url,
            None,
            Some(registration(&good, "a@one.example")),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    assert_eq!(b["status"], "mailed");
    assert_eq!(b["warnings"], json!([]));
    app.confirm_address("a@one.example").await;
    let (token, _) = app.signed_in_admin("a@one.example").await;
    let (_, org) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/organisation", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(org["province_code"], "310000");
    assert_eq!(org["uscc_checksum_ok"], true);
    assert_eq!(org["status"], "active");

    let mut bad = valid_uscc("440000");
    let last = if bad.ends_with('0') { '1' } else { '0' };
    bad.pop();
    bad.push(last);
    let (s, b) = app
        .call(
            Method::POST,
            &url,
            None,
            Some(registration(&bad, "c@two.example")),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    assert_eq!(b["warnings"][0]["code"], "uscc.checksum");
    app.confirm_address("c@two.example").await;
    let (token, _) = app.signed_in_admin("c@two.example").await;
    let (_, org) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/organisation", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(org["uscc_checksum_ok"], false);
    assert_eq!(org["province_code"], "440000");

    let (s, b) = app
        .call(Method::POST, &url, None, Some(json!({
            "organisation": { "name": "", "uscc": "123", "contact_person": "", "contact_email": "nope", "contact_phone": "x" },
            "admin": { "email": "bad", "display_name": "", "password": "short" }
        })))
        .await;
    assert_eq!((s, b["code"].as_str()), (422, Some("registration.invalid")));
    let paths: Vec<&str> = b["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["path"].as_str())
        .collect();
    for p in [
        "organisation.name",
        "organisation.uscc",
        "organisation.contact_person",
        "organisation.contact_email",
        "organisation.contact_phone",
    ] {
        assert!(paths.contains(&p), "missing {p} in {paths:?}");
    }
}

#[tokio::test]
async fn login_logout_and_lockout() {
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("登录测试公司", "310000").await;
    let (s, me) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/me", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(s, 200);
    let email = me["email"].as_str().expect("email").to_owned();
    assert_eq!(me["role"], "org_admin");

    let (s, _) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/logout", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/me", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (401, Some("auth.unauthenticated")));

    // A processor account cannot log in to casework.
    let (s, _) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/login", app.casework),
            None,
            Some(json!({"email": email, "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, 401);

    let login = |pw: &'static str| {
        let body = json!({ "email": email.clone(), "password": pw });
        let url = format!("{}/api/v1/auth/login", app.portal);
        let app = &app;
        async move { app.call(Method::POST, &url, None, Some(body)).await }
    };
    for _ in 0..4 {
        assert_eq!(login("wrong password!").await.0, 401);
    }
    // The fifth failure from this address holds the address back, even with the right password.
    let (s, b) = login("wrong password!").await;
    assert_eq!(
        (s, b["code"].as_str()),
        (429, Some("auth.too_many_attempts")),
        "{b}"
    );
    let (s, b) = login(PASSWORD).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (429, Some("auth.too_many_attempts")),
        "{b}"
    );
}

#[tokio::test]
async fn initial_filing_on_time_with_idempotent_submit() {
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("按时公司", "310000").await;
    let id = app
        .complete_draft(&token, "initial", days_ago(3), None)
        .await;

    let (s1, b1) = app.submit(&token, &id, Some("submit-1")).await;
    assert_eq!(s1, 200, "{b1}");
    assert_eq!(b1["status"], "submitted");
    assert_eq!(b1["statutory_deadline"]["late"], false);
    assert_eq!(b1["statutory_deadline"]["late_by_working_days"], 0);
    assert_eq!(b1["statutory_deadline"]["working_days"], 30);

    let (s2, b2) = app.submit(&token, &id, Some("submit-1")).await;
    assert_eq!((s2, &b2), (200, &b1), "a retry returns the first result");

    let (s3, b3) = app.submit(&token, &id, None).await;
    assert_eq!(
        (s3, b3["code"].as_str()),
        (409, Some("filing.illegal_transition"))
    );

    let (_, history) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}/history", app.portal),
            Some(&token),
            None,
        )
        .await;
    let submits = history
        .as_array()
        .expect("history")
        .iter()
        .filter(|h| h["action"] == "filing.submitted")
        .count();
    assert_eq!(submits, 1, "{history}");

    let (_, list) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings?status=submitted", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id.as_str());
}

#[tokio::test]
async fn late_filing_across_spring_festival() {
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("迟报公司", "310000").await;
    let trigger = chrono::NaiveDate::from_ymd_opt(2026, 1, 20).expect("date");
    let id = app.complete_draft(&token, "initial", trigger, None).await;
    let (s, b) = app.submit(&token, &id, None).await;
    assert_eq!(s, 200, "{b}");
    let d = &b["statutory_deadline"];
    assert_eq!(d["due_date"], "2026-03-09");
    assert_eq!(d["late"], true);
    let cal = frt_domain::calendar::Calendar::builtin().expect("calendar");
    let expected = cal
        .working_days_between(
            chrono::NaiveDate::from_ymd_opt(2026, 3, 9).expect("date"),
            frt_web::today_in_china(),
        )
        .days;
    assert_eq!(d["late_by_working_days"], expected);
}

#[tokio::test]
async fn incomplete_submission_lists_every_problem() {
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("草稿公司", "310000").await;
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings", app.portal),
            Some(&token),
            Some(
                json!({ "kind": "initial", "form": { "basic": { "processor_name": "草稿公司" } } }),
            ),
        )
        .await;
    assert_eq!(s, 201);
    let id = b["id"].as_str().expect("id");
    let (s, b) = app.submit(&token, id, Some("k")).await;
    assert_eq!((s, b["code"].as_str()), (422, Some("filing.incomplete")));
    let errors = b["errors"].as_array().expect("errors");
    assert!(errors.len() > 10, "{b}");
    assert!(errors.iter().any(|e| e["path"] == "storage.people_stored"));
    assert!(errors
        .iter()
        .any(|e| e["path"] == "attachments.commitment_letter"));
    // Nothing changed: still a draft, and the key was not spent on a failure.
    let (_, f) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(f["status"], "draft");
}

#[tokio::test]
async fn drafts_save_with_version_checks() {
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("版本公司", "310000").await;
    let (_, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings", app.portal),
            Some(&token),
            Some(json!({ "kind": "initial" })),
        )
        .await;
    let id = b["id"].as_str().expect("id");
    let v = b["version"].as_i64().expect("version");
    let url = format!("{}/api/v1/filings/{id}/form", app.portal);
    let form = json!({ "basic": { "processor_name": "版本公司" } });
    let (s, b) = app
        .call(
            Method::PUT,
            &url,
            Some(&token),
            Some(json!({ "version": v, "form": form })),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["form"]["basic"]["processor_name"], "版本公司");
    let (s, b) = app
        .call(
            Method::PUT,
            &url,
            Some(&token),
            Some(json!({ "version": v, "form": form })),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("filing.version_conflict"))
    );
    let (s, b) = app
        .call(
            Method::PUT,
            &url,
            Some(&token),
            Some(json!({ "version": v + 1, "form": { "basic": { "nonsense": 1 } } })),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("request.invalid_field")),
        "{b}"
    );
}

#[tokio::test]
async fn change_needs_a_filed_record() {
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("变更公司", "310000").await;
    let url = format!("{}/api/v1/filings", app.portal);
    let (s, b) = app
        .call(
            Method::POST,
            &url,
            Some(&token),
            Some(json!({ "kind": "change" })),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["code"].as_str()),
        (422, Some("required"))
    );
    let draft = app
        .complete_draft(&token, "initial", days_ago(2), None)
        .await;
    let (s, b) = app
        .call(
            Method::POST,
            &url,
            Some(&token),
            Some(json!({ "kind": "deregistration", "previous_filing_id": draft })),
        )
        .await;
    assert_eq!(
        (s, b["errors"][0]["code"].as_str()),
        (422, Some("not_filed"))
    );
}

#[tokio::test]
async fn attachments_are_checked_stored_and_private() {
    let app = TestApp::spawn_with(&[("FRT__UPLOADS__MAX_BYTES", "2048")]).await;
    let (token, _) = app.register_processor("附件公司", "310000").await;
    let (other, _) = app.register_processor("别家公司", "310000").await;
    let (_, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings", app.portal),
            Some(&token),
            Some(json!({ "kind": "initial" })),
        )
        .await;
    let id = b["id"].as_str().expect("id").to_owned();

    let (s, b) = app
        .upload(
            &token,
            &id,
            "commitment_letter",
            PDF.to_vec(),
            "../../etc/passwd.pdf",
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["content_type"], "application/pdf");
    assert_eq!(b["filename"], "passwd.pdf");
    let att = b["id"].as_str().expect("id").to_owned();
    let sha = b["sha256"].as_str().expect("sha").to_owned();
    // The name's extension is the content's; bidirectional overrides are taken out.
    let (s, b) = app
        .upload(
            &token,
            &id,
            "commitment_letter",
            PDF.to_vec(),
            "承诺书\u{202E}fdp.hta",
        )
        .await;
    assert_eq!(
        (s, b["filename"].as_str()),
        (201, Some("承诺书fdp.pdf")),
        "{b}"
    );

    let (s, b) = app
        .upload(
            &token,
            &id,
            "commitment_letter",
            b"just some text".to_vec(),
            "a.pdf",
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (415, Some("attachment.unsupported_type"))
    );
    let mut big = PDF.to_vec();
    big.resize(2049, b' ');
    let (s, b) = app
        .upload(&token, &id, "commitment_letter", big, "big.pdf")
        .await;
    assert_eq!((s, b["code"].as_str()), (413, Some("attachment.too_large")));
    let mut exact = PDF.to_vec();
    exact.resize(2048, b' ');
    let (s, _) = app
        .upload(&token, &id, "filer_id", exact, "exact.pdf")
        .await;
    assert_eq!(s, 201, "exactly at the limit is accepted");
    let (s, b) = app
        .upload(&token, &id, "passport", PDF.to_vec(), "a.pdf")
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("attachment.invalid_kind"))
    );

    let url = format!("{}/api/v1/filings/{id}/attachments/{att}", app.portal);
    let r = app
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .expect("download");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let disposition = r.headers()["content-disposition"].to_str().expect("ascii");
    assert!(
        disposition.contains("filename=\"passwd.pdf\"")
            && disposition.contains("filename*=UTF-8''"),
        "{disposition}"
    );
    let bytes = r.bytes().await.expect("bytes");
    assert_eq!(bytes.as_ref(), PDF);
    use sha2::Digest;
    assert_eq!(hex::encode(sha2::Sha256::digest(&bytes)), sha);

    let (s, _) = app.call(Method::GET, &url, Some(&other), None).await;
    assert_eq!(s, 404, "another organisation cannot download");
    let (s, _) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.portal),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(s, 404, "another organisation cannot see the filing");
    let (s, _) = app.call(Method::GET, &url, None, None).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn bad_requests_are_problems_not_crashes() {
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("错误公司", "310000").await;
    let r = app
        .http
        .post(format!("{}/api/v1/filings", app.portal))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"kind\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let b: Value = r.json().await.expect("json");
    assert_eq!(b["code"], "request.malformed_json");

    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/not-a-uuid", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (404, Some("not_found")));
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/nothing-here", app.portal),
            None,
            None,
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (404, Some("request.no_route")));
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings?limit=0", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (400, Some("request.out_of_range")));
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings?status=bogus", app.portal),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("request.invalid_status"))
    );

    let huge = "x".repeat(300_000);
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings", app.portal),
            Some(&token),
            Some(json!({ "kind": "initial", "form": { "basic": { "processor_name": huge } } })),
        )
        .await;
    assert_eq!((s, b["code"].as_str()), (413, Some("request.too_large")));
    let (s, _) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings", app.portal),
            Some("frt_forged"),
            None,
        )
        .await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn an_upload_that_is_not_multipart_is_a_problem() {
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("上传公司", "310000").await;
    let (_, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings", app.portal),
            Some(&token),
            Some(json!({ "kind": "initial" })),
        )
        .await;
    let id = b["id"].as_str().expect("id");
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings/{id}/attachments", app.portal),
            Some(&token),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (400, Some("attachment.malformed")),
        "{b}"
    );
}

/// An upload the client abandons half-way (the connection closed mid-file) leaves no partial
/// file in the blob store.
#[tokio::test]
async fn an_abandoned_upload_leaves_nothing_behind() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("半途公司", "310000").await;
    let (_, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/filings", app.portal),
            Some(&token),
            Some(json!({ "kind": "initial" })),
        )
        .await;
    let id = b["id"].as_str().expect("id").to_owned();
    let partials = || {
        std::fs::read_dir(&app.core.settings.uploads.blob_dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|d| std::fs::read_dir(d.path()).ok())
            .flat_map(|files| files.flatten())
            .filter(|f| f.file_name().to_string_lossy().ends_with(".part"))
            .count()
    };
    let addr = app.portal.trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /api/v1/filings/{id}/attachments HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary=frt\r\nContent-Length: 1000000\r\n\r\n\
         --frt\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\ncommitment_letter\r\n\
         --frt\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n"
    );
    conn.write_all(head.as_bytes()).await.expect("head");
    conn.write_all(PDF).await.expect("part of the file");
    conn.write_all(&[b'x'; 16 * 1024])
        .await
        .expect("more of it");
    conn.flush().await.expect("flush");
    let started = std::time::Instant::now();
    while partials() == 0 && started.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        partials(),
        1,
        "the upload was streaming into a partial file"
    );
    drop(conn);
    let started = std::time::Instant::now();
    while partials() > 0 && started.elapsed() < std::time::Duration::from_secs(5) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(partials(), 0, "the abandoned upload left its partial file");
}
