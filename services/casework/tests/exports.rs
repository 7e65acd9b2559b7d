//! Exports over HTTP: the registry and the review queue as real xlsx files, read back cell by
//! cell; text that looks like a formula stays text; contacts masked for a role that may not
//! read filings; every export audited with its filters and row count.

use frt_access::{AgencyKind, Role};
use frt_sheets::{read, Limits, Value};
use frt_testkit::TestApp;

async fn xlsx(app: &TestApp, token: &str, path: &str) -> (u16, Vec<u8>) {
    app.get_bytes(token, &format!("{}{path}", app.casework))
        .await
}

fn column(table: &frt_sheets::Table, header: &str) -> usize {
    table
        .header
        .iter()
        .position(|h| h == header)
        .unwrap_or_else(|| panic!("no {header} in {:?}", table.header))
}

#[tokio::test]
async fn the_registry_and_the_queue_export_as_xlsx_with_contacts_masked_for_inspectors() {
    let app = TestApp::spawn().await;
    app.recorded_filing("310000", "=HYPERLINK(\"http://x\")科技有限公司")
        .await;
    app.recorded_filing("310000", "上海某某智能科技有限公司")
        .await;
    app.recorded_filing("110000", "北京某某科技有限公司").await;
    let supervisor = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Supervisor)
        .await;
    let inspector = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Inspector)
        .await;

    let (s, bytes) = xlsx(&app, &supervisor, "/api/v1/exports/registry.xlsx").await;
    assert_eq!(s, 200);
    let table = read(&bytes, &Limits::default(), Some("备案登记")).expect("registry");
    assert_eq!(table.rows.len(), 2, "Shanghai's two, not Beijing's");
    let name = column(&table, "单位名称");
    let names: Vec<Option<String>> = table.rows.iter().map(|r| r.cells[name].text()).collect();
    assert!(
        names.contains(&Some("=HYPERLINK(\"http://x\")科技有限公司".to_owned())),
        "formula-like text kept as text: {names:?}"
    );
    let number = column(&table, "备案编号");
    assert!(table.rows.iter().all(|r| r.cells[number].text().is_some()));
    let filed = column(&table, "备案日期");
    assert!(
        matches!(table.rows[0].cells[filed], Value::Date(_)),
        "a real date cell: {:?}",
        table.rows[0].cells[filed]
    );
    assert_eq!(
        table.rows[0].cells[column(&table, "备案状态")]
            .text()
            .as_deref(),
        Some("已备案")
    );
    let contact = column(&table, "联系人");
    let clear = table.rows[0].cells[contact].text().expect("a contact");

    // An inspector exports the same registry with the contact masked.
    let (s, bytes) = xlsx(&app, &inspector, "/api/v1/exports/registry.xlsx").await;
    assert_eq!(s, 200);
    let masked = read(&bytes, &Limits::default(), None).expect("registry");
    let shown = masked.rows[0].cells[contact]
        .text()
        .expect("a masked contact");
    assert_ne!(shown, clear);
    assert!(
        shown.contains('*') && shown.starts_with(clear.chars().next().unwrap_or('?')),
        "{shown}"
    );
    let phone = masked.rows[0].cells[column(&masked, "联系电话")]
        .text()
        .unwrap_or_default();
    assert!(phone.contains("****"), "{phone}");

    // The queue export takes the queue's filters: nothing is waiting once all are recorded.
    let (s, bytes) = xlsx(
        &app,
        &supervisor,
        "/api/v1/exports/review-queue.xlsx?kind=initial",
    )
    .await;
    assert_eq!(s, 200);
    let queue = read(&bytes, &Limits::default(), Some("审查队列")).expect("queue");
    assert_eq!(queue.header[0], "备案类型");
    assert!(queue.rows.is_empty());
    let (s, _) = xlsx(
        &app,
        &supervisor,
        "/api/v1/exports/review-queue.xlsx?sort=sideways",
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = xlsx(&app, &inspector, "/api/v1/exports/review-queue.xlsx").await;
    assert_eq!(s, 403);

    // Monthly statistics: Shanghai's two filings, recorded this month, with a chart sheet.
    let month = (chrono::Utc::now() + chrono::Duration::hours(8))
        .format("%Y-%m")
        .to_string();
    let (s, bytes) = xlsx(
        &app,
        &supervisor,
        &format!("/api/v1/exports/statistics.xlsx?month={month}"),
    )
    .await;
    assert_eq!(s, 200);
    let stats = read(&bytes, &Limits::default(), Some("按省份统计")).expect("statistics");
    assert_eq!(stats.rows.len(), 1, "Shanghai only: {:?}", stats.rows);
    let cell = |h: &str| stats.rows[0].cells[column(&stats, h)].clone();
    assert_eq!(cell("省份"), Value::Text("上海市".into()));
    assert_eq!(cell("提交备案"), Value::Number(2.0));
    assert_eq!(cell("已备案"), Value::Number(2.0));
    assert_eq!(cell("本月审结"), Value::Number(2.0));
    assert!(matches!(cell("审结用时中位数（工作日）"), Value::Number(_)));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    assert!(
        zip.by_name("xl/chartsheets/sheet1.xml").is_ok(),
        "a chart sheet"
    );
    let (s, _) = xlsx(
        &app,
        &supervisor,
        "/api/v1/exports/statistics.xlsx?month=2026-13",
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = xlsx(
        &app,
        &supervisor,
        &format!("/api/v1/exports/statistics.xlsx?month={month}&province=110000"),
    )
    .await;
    assert_eq!(s, 403, "another province's statistics");

    // Published inspection results: none closed yet, the sheet has its headers.
    let (s, bytes) = xlsx(&app, &inspector, "/api/v1/exports/inspections.xlsx").await;
    assert_eq!(s, 200);
    let published = read(&bytes, &Limits::default(), None).expect("inspections");
    assert_eq!(published.header[0], "被检查单位");

    // Each export is audited with its filters and rows.
    let mut conn = app.core.db.conn().await.expect("conn");
    let rows = frt_store::audit::trail_page(&mut conn, "export", "registry", None, 10)
        .await
        .expect("trail");
    assert_eq!(rows.len(), 2, "two registry exports audited");
    assert!(rows.iter().all(|r| r.action == "export.registry"));
}

/// An export whose request is abandoned mid-way (its future dropped while the writer thread
/// still writes) leaves no file behind once the thread is done.
#[tokio::test]
async fn an_abandoned_export_leaves_no_file() {
    use frt_cases::exports::{self, Reader};
    use frt_sheets::export::Cell;
    let app = TestApp::spawn().await;
    let reader = Reader {
        scope: frt_store::scope::Scope::PLATFORM,
        personal: false,
        actor: frt_store::audit::Actor::system("test"),
    };
    let folder = app
        .core
        .settings
        .path(&app.core.settings.paths.work_dir)
        .join("exports");
    let files = || std::fs::read_dir(&folder).map_or(0, |d| d.count());
    let export = exports::stream(
        &app.core,
        &reader,
        "test",
        serde_json::json!({}),
        "表",
        &["列"],
        |tx| async move {
            for i in 0.. {
                if tx.send(vec![Cell::from(format!("{i}"))]).await.is_err() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            Ok(())
        },
    );
    let abandoned = tokio::time::timeout(std::time::Duration::from_millis(300), export).await;
    assert!(abandoned.is_err(), "the export was to be abandoned mid-way");
    // The writer thread goes on to save the few hundred rows it had, then lets go of the
    // file; a file left behind would appear within this time and stay.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(files(), 0, "the abandoned export left its file");
}
