//! Disputes over a USCC: a second registration of a code reaches the reviewers of the
//! holder's province, who decide it; staff elsewhere see nothing of it.

use frt_testkit::app::PASSWORD;
use frt_testkit::{code, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn claim(uscc: &str, email: &str) -> Value {
    json!({
        "organisation": { "name": "真正的公司", "uscc": uscc, "contact_person": "赵六",
                          "contact_email": email, "contact_phone": "13800138000" },
        "admin": { "email": email, "display_name": "赵六", "password": PASSWORD }
    })
}

/// A registration claiming `uscc` for `email`, answered as every registration is.
async fn claim_it(app: &TestApp, uscc: &str, email: &str) {
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/registrations", app.portal),
            None,
            Some(claim(uscc, email)),
        )
        .await;
    assert_eq!(s, 202, "{b}");
}

/// The holder's USCC, as its admin sees it.
async fn uscc_of(app: &TestApp, token: &str) -> String {
    let (_, org) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/organisation", app.portal),
            Some(token),
            None,
        )
        .await;
    org["uscc"].as_str().expect("uscc").to_owned()
}

#[tokio::test]
async fn reviewers_of_the_province_uphold_a_claim_and_the_organisation_passes_to_the_claimant() {
    let app = TestApp::spawn().await;
    let (squatter, org_id) = app.register_processor("抢注公司", "310000").await;
    let uscc = uscc_of(&app, &squatter).await;
    claim_it(&app, &uscc, "real@owner.example").await;

    let reviewer = app.reviewer("310000").await;
    let elsewhere = app.reviewer("440000").await;
    let list = format!("{}/api/v1/registration-disputes?status=open", app.casework);
    let (s, page) = app.call(Method::GET, &list, Some(&elsewhere), None).await;
    assert_eq!(
        (s, page["items"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{page}"
    );
    let (s, page) = app.call(Method::GET, &list, Some(&reviewer), None).await;
    assert_eq!(s, 200, "{page}");
    let d = &page["items"][0];
    assert_eq!(d["uscc"], uscc.as_str());
    assert_eq!(d["holder"]["id"], org_id.as_str());
    assert_eq!(d["claimant"]["admin_email"], "real@owner.example");
    assert!(d.get("claimant_password_hash").is_none() && !d.to_string().contains("argon2"));
    let id = d["id"].as_str().expect("id").to_owned();
    let one = format!("{}/api/v1/registration-disputes/{id}", app.casework);
    let (s, _) = app.call(Method::GET, &one, Some(&elsewhere), None).await;
    assert_eq!(s, 404, "another province's dispute is not there");
    // A processor has no business here.
    let (s, _) = app.call(Method::GET, &list, Some(&squatter), None).await;
    assert_eq!(s, 401, "a portal token is no key to casework");

    let decision = format!("{one}/decision");
    let (s, b) = app
        .call(
            Method::POST,
            &decision,
            Some(&reviewer),
            Some(json!({ "outcome": "upheld", "note": "  " })),
        )
        .await;
    assert_eq!((s, code(&b)), (422, "dispute.invalid"), "{b}");
    let (s, b) = app
        .call(
            Method::POST,
            &decision,
            Some(&reviewer),
            Some(json!({ "outcome": "upheld", "note": "营业执照原件与申请人一致" })),
        )
        .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("upheld")), "{b}");
    let (s, b) = app
        .call(
            Method::POST,
            &decision,
            Some(&reviewer),
            Some(json!({ "outcome": "dismissed", "note": "后来的决定" })),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "dispute.already_decided"), "{b}");

    // The squatter is out; the claimant confirms the address and holds the organisation.
    let (s, _) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/me", app.portal),
            Some(&squatter),
            None,
        )
        .await;
    assert_eq!(s, 401);
    app.confirm_address("real@owner.example").await;
    let (owner, same_org) = app.signed_in_admin("real@owner.example").await;
    assert_eq!(same_org, org_id);
    let (_, org) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/organisation", app.portal),
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(
        (org["name"].as_str(), org["status"].as_str()),
        (Some("真正的公司"), Some("active"))
    );
    let mut conn = app.core.db.conn().await.expect("conn");
    let trail = frt_store::audit::trail(&mut conn, "organisation", &org_id)
        .await
        .expect("trail");
    let actions: Vec<&str> = trail.iter().map(|r| r.action.as_str()).collect();
    for a in [
        "organisation.registration_disputed",
        "organisation.dispute_upheld",
    ] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

#[tokio::test]
async fn a_dismissed_claim_leaves_the_holder_as_it_was() {
    let app = TestApp::spawn().await;
    let (holder, _) = app.register_processor("原持有公司", "310000").await;
    let uscc = uscc_of(&app, &holder).await;
    claim_it(&app, &uscc, "claimant@other.example").await;
    let reviewer = app.reviewer("310000").await;
    let (_, page) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/registration-disputes", app.casework),
            Some(&reviewer),
            None,
        )
        .await;
    let id = page["items"][0]["id"].as_str().expect("id").to_owned();
    let (s, b) = app
        .call(
            Method::POST,
            &format!(
                "{}/api/v1/registration-disputes/{id}/decision",
                app.casework
            ),
            Some(&reviewer),
            Some(json!({ "outcome": "dismissed", "note": "申请人未能提供营业执照" })),
        )
        .await;
    assert_eq!((s, b["status"].as_str()), (200, Some("dismissed")), "{b}");
    let (s, _) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/me", app.portal),
            Some(&holder),
            None,
        )
        .await;
    assert_eq!(s, 200, "the holder goes on");
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/login", app.portal),
            None,
            Some(json!({ "email": "claimant@other.example", "password": PASSWORD })),
        )
        .await;
    assert_eq!(s, 401, "no account was made for the claimant: {b}");
}

/// Staff an agency admin adds change the password the admin chose before anything else.
#[tokio::test]
async fn staff_added_by_an_admin_change_the_password_at_first_login() {
    let app = TestApp::spawn().await;
    let admin = app
        .staff(
            frt_access::AgencyKind::ProvincialCac,
            Some("310000"),
            frt_access::Role::Admin,
        )
        .await;
    let email = format!("new-{}@staff.example", uuid::Uuid::now_v7().simple());
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/staff", app.casework),
            Some(&admin),
            Some(json!({ "email": email, "display_name": "新人", "password": PASSWORD, "role": "reviewer" })),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, login) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/login", app.casework),
            None,
            Some(json!({ "email": email, "password": PASSWORD })),
        )
        .await;
    assert_eq!(
        (s, login["must_change_password"].as_bool()),
        (200, Some(true)),
        "{login}"
    );
    let token = login["token"].as_str().expect("token");
    let queue = format!("{}/api/v1/review/queue", app.casework);
    let (s, b) = app.call(Method::GET, &queue, Some(token), None).await;
    assert_eq!((s, code(&b)), (403, "auth.password_change_required"), "{b}");
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/password", app.casework),
            Some(token),
            Some(json!({ "current_password": PASSWORD, "new_password": "reviewer-own-2026" })),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    let (s, b) = app.call(Method::GET, &queue, Some(token), None).await;
    assert_eq!(s, 200, "{b}");
}

/// What a hostile or careless client sends to the dispute endpoints gets a 4xx with a code,
/// and changes nothing.
#[tokio::test]
async fn the_dispute_endpoints_refuse_bad_input_with_a_problem() {
    let app = TestApp::spawn().await;
    let (holder, _) = app.register_processor("边界测试公司", "310000").await;
    let uscc = uscc_of(&app, &holder).await;
    claim_it(&app, &uscc, "edge@claim.example").await;
    let reviewer = app.reviewer("310000").await;
    let elsewhere = app.reviewer("440000").await;
    let base = format!("{}/api/v1/registration-disputes", app.casework);
    let (_, page) = app.call(Method::GET, &base, Some(&reviewer), None).await;
    let id = page["items"][0]["id"].as_str().expect("id").to_owned();
    for (query, code_) in [
        ("?after=not-a-cursor", "request.invalid_cursor"),
        ("?status=maybe", "dispute.invalid"),
    ] {
        let (s, b) = app
            .call(
                Method::GET,
                &format!("{base}{query}"),
                Some(&reviewer),
                None,
            )
            .await;
        assert!((400..500).contains(&s), "{query}: {s} {b}");
        assert_eq!(code(&b), code_, "{query}: {b}");
    }
    // Extreme page sizes are held to the allowed range.
    let (s, b) = app
        .call(
            Method::GET,
            &format!("{base}?limit=1000000000"),
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert!(b["items"].as_array().is_some_and(|i| i.len() <= 200), "{b}");
    let decision = format!("{base}/{id}/decision");
    let bad_bodies = [
        json!({ "outcome": "upheld", "note": "含\u{0}空字符" }),
        json!({ "outcome": "maybe", "note": "说明" }),
        json!({ "outcome": "upheld", "note": "长".repeat(2001) }),
        json!({ "outcome": "upheld" }),
    ];
    for body in bad_bodies {
        let (s, b) = app
            .call(Method::POST, &decision, Some(&reviewer), Some(body.clone()))
            .await;
        assert!((400..500).contains(&s), "{body}: {s} {b}");
        assert!(!code(&b).is_empty(), "{b}");
    }
    // Another province's reviewer cannot decide it, and an unknown id is a 404.
    let (s, _) = app
        .call(
            Method::POST,
            &decision,
            Some(&elsewhere),
            Some(json!({ "outcome": "upheld", "note": "越权" })),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .call(
            Method::POST,
            &format!("{base}/{}/decision", uuid::Uuid::now_v7()),
            Some(&reviewer),
            Some(json!({ "outcome": "upheld", "note": "不存在" })),
        )
        .await;
    assert_eq!(s, 404);
    // Nothing was decided by any of it.
    let (_, d) = app
        .call(Method::GET, &format!("{base}/{id}"), Some(&reviewer), None)
        .await;
    assert_eq!(d["status"], "open", "{d}");
    // A confirmation token longer than any link's is refused, not looked up.
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/registrations/confirm", app.portal),
            None,
            Some(json!({ "token": "x".repeat(300) })),
        )
        .await;
    assert_eq!((s, code(&b)), (422, "registration.invalid"), "{b}");
}
