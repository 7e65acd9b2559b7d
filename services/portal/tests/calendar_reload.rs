//! A deadline that runs into a year with no published calendar is provisional; loading that
//! year's arrangement recomputes it and records the version used.

use frt_store::{bootstrap, ScopedFutureExt};
use frt_testkit::TestApp;
use reqwest::Method;

#[tokio::test]
async fn provisional_deadlines_are_recomputed_when_the_year_is_loaded() {
    let app = TestApp::spawn().await;
    let (token, _) = app.register_processor("跨年公司", "310000").await;
    // 30 working days from late November 2026 end in January 2027, a year with no calendar.
    let trigger = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("date");
    let id = app.complete_draft(&token, "initial", trigger, None).await;
    let (s, b) = app.submit(&token, &id, None).await;
    assert_eq!(s, 200, "{b}");
    let before = b["statutory_deadline"].clone();
    assert_eq!(before["provisional"], true, "{before}");
    assert_eq!(
        before["due_date"], "2027-01-04",
        "weekends and the statutory New Year's Day (2027-01-01, a Friday) are skipped"
    );

    // A 2027 arrangement (made up for the test) with New Year's Day and the Monday after off.
    let dir = std::env::temp_dir().join(format!("frt-cal-{}", app.db.name()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("CN-2027.toml");
    std::fs::write(
        &file,
        r#"year = 2027
version = "CN-2027.test"
source = "test arrangement"
makeup_working_days = []
[[holidays]]
name = "元旦"
name_en = "New Year's Day"
from = 2027-01-01
to = 2027-01-04
"#,
    )
    .expect("write calendar");
    let recomputed = app
        .core
        .db
        .tx(|conn| {
            async move {
                bootstrap::load_calendar_file(conn, &file).await?;
                bootstrap::recompute_deadlines(conn).await
            }
            .scope_boxed()
        })
        .await
        .expect("load calendar");
    assert_eq!(recomputed, 1);

    let (_, after) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.portal),
            Some(&token),
            None,
        )
        .await;
    let d = &after["statutory_deadline"];
    assert_eq!(d["provisional"], false, "{d}");
    assert_eq!(
        d["due_date"], "2027-01-05",
        "the published holiday moves it to the next working day"
    );
    assert!(d["calendar_versions"]
        .as_array()
        .expect("versions")
        .iter()
        .any(|v| v == "CN-2027.test"));
    let _ = std::fs::remove_dir_all(dir);
}
