//! Keyset paging of the review queue in every order: following `next` visits every filing
//! exactly once, in the order of the first page, including the queue of returned filings whose
//! review clock is paused.

use frt_testkit::{days_ago, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn all_pages(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..50 {
        let url = match &after {
            Some(a) => format!(
                "{}/api/v1/review/queue?{query}&limit=2&after={a}",
                app.casework
            ),
            None => format!("{}/api/v1/review/queue?{query}&limit=2", app.casework),
        };
        let (s, b) = app.call(Method::GET, &url, Some(token), None).await;
        assert_eq!(s, 200, "{query}: {b}");
        seen.extend(
            b["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].as_str().expect("id").to_owned()),
        );
        match b["next"].as_str() {
            Some(n) => after = Some(n.to_owned()),
            None => return seen,
        }
    }
    panic!("{query}: paging did not end");
}

#[tokio::test]
async fn every_order_pages_through_each_filing_once() {
    let app = TestApp::spawn().await;
    let r = app.reviewer("310000").await;
    let mut ids = Vec::new();
    for (n, name) in ["甲", "乙", "丙", "丁", "戊"].iter().enumerate() {
        let (p, _) = app
            .register_processor(&format!("分页{name}有限公司"), "310000")
            .await;
        let id = app
            .complete_draft(&p, "initial", days_ago(3 + 9 * n as i64), None)
            .await;
        let (s, b) = app.submit(&p, &id, None).await;
        assert_eq!(s, 200, "{b}");
        ids.push(id);
    }
    for sort in ["review_due", "statutory_due", "submitted", "risk"] {
        let seen = all_pages(&app, &r, &format!("sort={sort}")).await;
        // The order pages follow is the order one page with all of them shows.
        let (s, whole) = app
            .call(
                Method::GET,
                &format!("{}/api/v1/review/queue?sort={sort}&limit=50", app.casework),
                Some(&r),
                None,
            )
            .await;
        assert_eq!(s, 200, "{whole}");
        let expected: Vec<String> = whole["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["id"].as_str().expect("id").to_owned())
            .collect();
        assert_eq!(expected.len(), 5, "{sort}: {whole}");
        assert_eq!(seen, expected, "{sort}: pages follow the queue's order");
    }
    // The statutory order is known independently: the oldest trigger first, so the reverse
    // of the order the drafts were made in.
    let statutory = all_pages(&app, &r, "sort=statutory_due").await;
    let oldest_first: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(statutory, oldest_first, "oldest statutory deadline first");
    // Three returned: their review clocks are paused, and the queue of them still pages.
    for id in &ids[..3] {
        let (s, b) = app
            .call(
                Method::POST,
                &format!("{}/api/v1/filings/{id}/return", app.casework),
                Some(&r),
                Some(json!({ "reasons": [{ "path": null, "message": "请补正" }] })),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
    let mut returned = all_pages(&app, &r, "status=returned").await;
    assert_eq!(returned.len(), 3, "{returned:?}");
    returned.sort();
    let mut first_three = ids[..3].to_vec();
    first_three.sort();
    assert_eq!(returned, first_three, "each returned filing once");
    let waiting = all_pages(&app, &r, "status=submitted").await;
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    let (_, bad) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/review/queue?after=not-a-cursor", app.casework),
            Some(&r),
            None,
        )
        .await;
    assert_eq!(bad["code"], Value::from("request.invalid_cursor"));
}
