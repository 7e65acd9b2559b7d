//! Imports over HTTP: the template, a dry run, an upload with a bad row that stores nothing and
//! gives back an error workbook for its uploader alone, the same upload corrected, and hostile
//! files refused before anything is parsed or stored.

use frt_access::{AgencyKind, Role};
use frt_sheets::{read, Limits, Value};
use frt_testkit::TestApp;
use reqwest::Method;
use rust_xlsxwriter::Workbook;
use serde_json::Value as Json;
use std::io::{Cursor, Write};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const HEADERS: [&str; 8] = [
    "受理渠道",
    "被投诉单位名称",
    "所在省份",
    "投诉举报内容",
    "发生日期",
    "是否匿名",
    "答复方式",
    "电子邮箱",
];

/// A hotline log as a person fills it in; `rows` cells in the order of HEADERS.
fn log(rows: &[[&str; 8]]) -> Vec<u8> {
    let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.to_vec()).collect();
    sheet("投诉举报", &HEADERS, &rows)
}

async fn upload(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> (u16, Json) {
    upload_kind(app, token, "complaints", query, bytes).await
}

async fn get_bytes(app: &TestApp, token: &str, path: &str) -> (u16, Vec<u8>) {
    app.get_bytes(token, &format!("{}{path}", app.casework))
        .await
}

async fn queue_len(app: &TestApp, token: &str) -> usize {
    let (_, q) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/complaints", app.casework),
            Some(token),
            None,
        )
        .await;
    q["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_hotline_log_imports_all_rows_or_none_with_an_error_workbook_for_its_uploader() {
    let app = TestApp::spawn().await;
    let handler = app
        .staff(
            AgencyKind::ProvincialCac,
            Some("310000"),
            Role::ComplaintHandler,
        )
        .await;
    let other = app
        .staff(
            AgencyKind::ProvincialCac,
            Some("310000"),
            Role::ComplaintHandler,
        )
        .await;
    let reviewer = app.reviewer("310000").await;

    // The template: the headers, an instructions sheet, and a role that may not import is refused.
    let (s, template) = get_bytes(&app, &handler, "/api/v1/imports/complaints/template").await;
    assert_eq!(s, 200);
    let sheet = read(&template, &Limits::default(), Some("投诉举报")).expect("template");
    for h in HEADERS {
        assert!(
            sheet.header.iter().any(|x| x == h),
            "{h} in {:?}",
            sheet.header
        );
    }
    read(&template, &Limits::default(), Some("填写说明")).expect("instructions sheet");
    let (s, _) = get_bytes(&app, &reviewer, "/api/v1/imports/complaints/template").await;
    assert_eq!(s, 403);
    let (s, b) = upload(&app, &handler, "", b"not a workbook".to_vec()).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (415, Some("sheet.not_a_spreadsheet")),
        "{b}"
    );

    let good = [
        "电话",
        "某某科技有限公司",
        "上海市",
        "小区门禁强制刷脸，不提供其他方式。",
        "2026-11-20",
        "否",
        "电子邮件",
        "resident@example.com",
    ];
    let anonymous = [
        "来信",
        "某商场",
        "上海市",
        "商场入口摄像头人脸识别未设置提示。",
        "",
        "是",
        "",
        "",
    ];
    let bad = [
        "电话",
        "某酒店",
        "火星",
        "",
        "2026-13-40",
        "也许",
        "电子邮件",
        "",
    ];
    let before = queue_len(&app, &handler).await;

    // One bad row: nothing stored, every problem named by row and column.
    let (s, refused) = upload(&app, &handler, "", log(&[good, bad, anonymous])).await;
    assert_eq!(s, 422, "{refused}");
    assert_eq!(refused["code"], "import.rows_invalid");
    let errors = refused["errors"].as_array().expect("errors");
    let at: Vec<(u64, &str, &str)> = errors
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or(0),
                e["column"].as_str().unwrap_or(""),
                e["code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    for want in [
        (3, "所在省份", "cell.invalid_choice"),
        (3, "投诉举报内容", "cell.required"),
        (3, "发生日期", "cell.invalid_date"),
        (3, "是否匿名", "cell.invalid_choice"),
    ] {
        assert!(at.contains(&want), "{want:?} in {at:?}");
    }
    assert!(at.iter().all(|(row, _, _)| *row == 3), "{at:?}");
    assert_eq!(errors[0]["sheet"], "投诉举报");
    assert_eq!(queue_len(&app, &handler).await, before, "nothing committed");

    // The error workbook: the upload with an error column beside the bad row; its uploader's only.
    let url = refused["error_workbook"].as_str().expect("error workbook");
    let (s, book) = get_bytes(&app, &handler, url).await;
    assert_eq!(s, 200);
    let back = read(&book, &Limits::default(), None).expect("error workbook reads");
    assert_eq!(back.header.last().map(String::as_str), Some("错误"));
    assert_eq!(back.rows.len(), 3);
    assert_eq!(back.rows[0].cells.get(8), Some(&Value::Empty));
    let note = back.rows[1].cells[8].text().unwrap_or_default();
    assert!(
        note.contains("投诉举报内容") && note.contains("所在省份"),
        "{note}"
    );
    assert_eq!(back.rows[1].cells[1], Value::Text("某酒店".into()));
    let (s, _) = get_bytes(&app, &other, url).await;
    assert_eq!(s, 404, "another user cannot fetch it");

    // A dry run of the corrected log stores nothing; the real run stores both rows.
    let (s, dry) = upload(&app, &handler, "?dry_run=true", log(&[good, anonymous])).await;
    assert_eq!(
        (s, dry["rows"].as_u64(), dry["committed"].as_bool()),
        (200, Some(2), Some(false)),
        "{dry}"
    );
    assert_eq!(queue_len(&app, &handler).await, before);
    let (s, done) = upload(&app, &handler, "?dry_run=false", log(&[good, anonymous])).await;
    assert_eq!(
        (s, done["rows"].as_u64(), done["committed"].as_bool()),
        (200, Some(2), Some(true)),
        "{done}"
    );
    assert_eq!(queue_len(&app, &handler).await, before + 2);
    let receipt = done["created"][0]["reference"].as_str().expect("receipt");
    assert!(receipt.starts_with("TS-310000-"), "{receipt}");
}

#[tokio::test]
async fn hostile_workbooks_are_refused_before_anything_is_stored() {
    let app = TestApp::spawn_with(&[("FRT__IMPORTS__MAX_UNCOMPRESSED_BYTES", "4194304")]).await;
    let handler = app
        .staff(
            AgencyKind::ProvincialCac,
            Some("310000"),
            Role::ComplaintHandler,
        )
        .await;
    // A workbook whose sheet inflates to 16 MB from a few kilobytes.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/workbook.xml", opts).expect("part");
    zip.write_all(b"<workbook/>").expect("write");
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("part");
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..16 {
        zip.write_all(&zeros).expect("write");
    }
    let bomb = zip.finish().expect("zip").into_inner();
    let (s, b) = upload(&app, &handler, "", bomb).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (413, Some("sheet.zip_bomb")),
        "{b}"
    );

    // Wrong headers are named.
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "姓名").expect("h");
    ws.write_string(1, 0, "张三").expect("c");
    let (s, b) = upload(&app, &handler, "", book.save_to_buffer().expect("xlsx")).await;
    assert_eq!(s, 422, "{b}");
    let codes: Vec<&str> = b["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["code"].as_str()).collect())
        .unwrap_or_default();
    assert!(codes.contains(&"sheet.unknown_header"), "{codes:?}");
    assert!(codes.contains(&"sheet.missing_header"), "{codes:?}");
    let (s, _) = upload(&app, &handler, "", Vec::new()).await;
    assert_eq!(s, 415);
}

/// The paper submissions of a `filings` import, written as a person would fill them in.
fn paper_workbook(rows: Vec<frt_cases::imports::PaperFiling>) -> Vec<u8> {
    let path = std::env::temp_dir().join(format!("paper-{}.xlsx", uuid::Uuid::now_v7()));
    frt_cases::imports::write_filings_workbook(&path, rows).expect("workbook");
    let bytes = std::fs::read(&path).expect("read back");
    let _ = std::fs::remove_file(&path);
    bytes
}

async fn upload_kind(
    app: &TestApp,
    token: &str,
    kind: &str,
    query: &str,
    bytes: Vec<u8>,
) -> (u16, Json) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/imports/{kind}{query}", app.casework))
        .bearer_auth(token)
        .header("content-type", XLSX)
        .body(bytes)
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Json::Null))
}

/// Whether the 422 names a problem at this row, column and code.
fn names(body: &Json, row: u64, column: &str, code: &str) -> bool {
    body["errors"].as_array().is_some_and(|es| {
        es.iter().any(|e| {
            e["row"].as_u64() == Some(row)
                && e["column"].as_str() == Some(column)
                && e["code"].as_str() == Some(code)
        })
    })
}

async fn sql_count(app: &TestApp, query: &str) -> i64 {
    let (sql, conn) = tokio_postgres::connect(&app.db.url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    sql.query_one(query, &[]).await.expect("count").get(0)
}

#[tokio::test]
async fn paper_filings_enter_the_review_queue_recorded_as_paper_or_nothing_does() {
    use frt_cases::imports::PaperFiling;
    use frt_domain::filing::FilingKind;
    use frt_domain::form::example_complete;
    let app = TestApp::spawn().await;
    let reviewer = app.reviewer("310000").await;
    let recorded = app.recorded_filing("310000", "纸质变更测试有限公司").await;
    let (s, detail) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{recorded}", app.casework),
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(s, 200, "{detail}");
    let number = detail["filing_number"].as_str().expect("number").to_owned();
    let registered_uscc = detail["organisation"]["uscc"]
        .as_str()
        .expect("uscc")
        .to_owned();

    let today = frt_cases::today_in_china();
    let received = today - chrono::Duration::days(2);
    let trigger = received - chrono::Duration::days(10);
    let paper = |kind, uscc: String, form| PaperFiling {
        kind,
        uscc,
        received_on: received,
        previous_filing_number: None,
        province: None,
        materials_complete: true,
        form,
    };
    let initial = paper(
        FilingKind::Initial,
        frt_testkit::app::valid_uscc("310000"),
        example_complete(FilingKind::Initial, trigger),
    );
    let change = PaperFiling {
        previous_filing_number: Some(number),
        ..paper(
            FilingKind::Change,
            registered_uscc,
            example_complete(FilingKind::Change, trigger),
        )
    };
    let mut without_purpose = example_complete(FilingKind::Initial, trigger);
    if let Some(p) = without_purpose.purposes.as_mut() {
        p.purpose = None;
    }
    let incomplete = PaperFiling {
        materials_complete: false,
        ..paper(
            FilingKind::Initial,
            frt_testkit::app::valid_uscc("310000"),
            without_purpose,
        )
    };
    let beijing = paper(
        FilingKind::Initial,
        frt_testkit::app::valid_uscc("110000"),
        example_complete(FilingKind::Initial, trigger),
    );

    // Two bad rows among four: every problem named by row and column, nothing stored.
    let (s, b) = upload_kind(
        &app,
        &reviewer,
        "filings",
        "",
        paper_workbook(vec![initial.clone(), change.clone(), incomplete, beijing]),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert!(names(&b, 4, "处理目的", "field.required"), "{b}");
    assert!(names(&b, 4, "书面材料齐全", "field.required"), "{b}");
    assert!(
        names(&b, 5, "统一社会信用代码", "field.outside_jurisdiction"),
        "{b}"
    );
    assert!(
        !b["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["row"].as_u64() < Some(4)),
        "{b}"
    );
    let paper_rows = "SELECT count(*) FROM filings WHERE submitted_via = 'paper'";
    assert_eq!(sql_count(&app, paper_rows).await, 0);

    // The good rows: a dry run stores nothing, then the import puts them in the queue.
    let good = paper_workbook(vec![initial, change]);
    let (s, b) = upload_kind(&app, &reviewer, "filings", "?dry_run=true", good.clone()).await;
    assert_eq!((s, b["committed"].as_bool()), (200, Some(false)), "{b}");
    assert_eq!(sql_count(&app, paper_rows).await, 0);
    let (s, b) = upload_kind(&app, &reviewer, "filings", "", good.clone()).await;
    assert_eq!((s, b["rows"].as_u64()), (200, Some(2)), "{b}");
    let id = b["created"][0]["id"].as_str().expect("id").to_owned();
    let (s, f) = app
        .call(
            Method::GET,
            &format!("{}/api/v1/filings/{id}", app.casework),
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(s, 200, "{f}");
    assert_eq!(f["status"], "submitted", "{f}");
    assert_eq!(f["submitted_via"], "paper", "{f}");
    assert_eq!(f["kind"], "initial", "{f}");
    // Lateness is judged by the day the paper arrived; the review clock starts that day.
    assert_eq!(
        f["statutory_deadline"]["met_on"],
        received.to_string(),
        "{f}"
    );
    assert_eq!(
        f["review_deadline"]["start_date"],
        received.to_string(),
        "{f}"
    );
    let entered = "SELECT count(*) FROM audit_log WHERE action = 'filing.entered_from_paper'";
    assert_eq!(sql_count(&app, entered).await, 2);
    let change_id = b["created"][1]["id"].as_str().expect("change id");
    let linked = format!(
        "SELECT count(*) FROM filings WHERE id = '{change_id}' AND previous_filing_id = '{recorded}'"
    );
    assert_eq!(sql_count(&app, &linked).await, 1);
    // Each has its first version: the form as entered, no attachment rows, by the reviewer.
    let first_versions =
        "SELECT count(*) FROM filing_versions v JOIN filings f ON f.id = v.filing_id \
         WHERE f.submitted_via = 'paper' AND v.seq = 1 AND v.form = f.form \
         AND v.attachments = '[]'::jsonb AND v.submitted_by = f.created_by \
         AND v.submitted_at = f.submitted_at";
    assert_eq!(sql_count(&app, first_versions).await, 2);

    // The same sheet again: each processor already has a filing in progress.
    let (s, b) = upload_kind(&app, &reviewer, "filings", "", good).await;
    assert_eq!(s, 422, "{b}");
    assert!(names(&b, 2, "统一社会信用代码", "field.open_filing"), "{b}");
    assert_eq!(sql_count(&app, paper_rows).await, 2);
}

/// A sheet with a header row and string cells.
fn sheet(name: &str, headers: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(name).expect("name");
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

#[tokio::test]
async fn staff_accounts_import_into_the_admins_agency_without_keeping_passwords_on_refusal() {
    let app = TestApp::spawn().await;
    let admin = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Admin)
        .await;
    let reviewer = app.reviewer("310000").await;
    let headers = ["电子邮箱", "姓名", "角色", "初始密码"];
    let first = format!("paper-{}@sh.cac.example", uuid::Uuid::now_v7().simple());
    let second = format!("hotline-{}@sh.cac.example", uuid::Uuid::now_v7().simple());
    let bad = sheet(
        "工作人员",
        &headers,
        &[
            vec![&first, "王审核", "审核员", "first-password-2026"],
            vec![&second, "赵受理", "投诉处理员", "short"],
            vec![&first, "王审核", "审核员", "first-password-2026"],
        ],
    );
    let (s, _) = upload_kind(&app, &reviewer, "staff", "", bad.clone()).await;
    assert_eq!(s, 403);
    let (s, b) = upload_kind(&app, &admin, "staff", "", bad).await;
    assert_eq!(s, 422, "{b}");
    assert!(names(&b, 3, "初始密码", "field.invalid"), "{b}");
    assert!(names(&b, 4, "电子邮箱", "field.duplicate"), "{b}");
    // The error workbook keeps every cell but the passwords.
    let url = b["error_workbook"].as_str().expect("workbook url");
    let path = url
        .split_once("/api/")
        .map_or(url.to_owned(), |(_, p)| format!("/api/{p}"));
    let (s, book) = get_bytes(&app, &admin, &path).await;
    assert_eq!(s, 200);
    let back = read(&book, &Limits::default(), Some("工作人员")).expect("error workbook");
    let pw = back
        .header
        .iter()
        .position(|h| h == "初始密码")
        .expect("password column");
    assert!(back
        .rows
        .iter()
        .all(|r| r.cells.get(pw).is_none_or(|c| *c == Value::Empty)));
    assert_eq!(back.rows[0].cells[0], Value::Text(first.clone()));

    let good = sheet(
        "工作人员",
        &headers,
        &[
            vec![&first, "王审核", "审核员", "first-password-2026"],
            vec![
                &second,
                "赵受理",
                "complaint_handler",
                "second-password-2026",
            ],
        ],
    );
    let (s, b) = upload_kind(&app, &admin, "staff", "", good.clone()).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["created"][1]["reference"], second.as_str(), "{b}");
    // The same sheet again: both accounts exist now.
    let (s, b) = upload_kind(&app, &admin, "staff", "", good).await;
    assert_eq!(s, 422, "{b}");
    assert!(names(&b, 2, "电子邮箱", "field.taken"), "{b}");
    assert!(names(&b, 3, "电子邮箱", "field.taken"), "{b}");
    // The new accounts sign in to casework with their initial passwords, and change them
    // before doing anything else.
    let token = app
        .login(&app.casework, &second, "second-password-2026")
        .await;
    let (s, _) = get_bytes(&app, &token, "/api/v1/imports/complaints/template").await;
    assert_eq!(s, 403, "the password an import set is changed first");
    let (s, b) = app
        .call(
            Method::POST,
            &format!("{}/api/v1/auth/password", app.casework),
            Some(&token),
            Some(serde_json::json!({
                "current_password": "second-password-2026",
                "new_password": "handler-own-password-2026"
            })),
        )
        .await;
    assert_eq!(s, 204, "{b}");
    let (s, _) = get_bytes(&app, &token, "/api/v1/imports/complaints/template").await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn a_calendar_year_imports_as_a_new_version_for_national_administrators_only() {
    let app = TestApp::spawn().await;
    let national = app.staff(AgencyKind::NationalCac, None, Role::Admin).await;
    let provincial = app
        .staff(AgencyKind::ProvincialCac, Some("310000"), Role::Admin)
        .await;
    let headers = [
        "年份",
        "版本号",
        "发布依据",
        "类型",
        "节日名称",
        "开始日期",
        "结束日期",
    ];
    let source = "国务院办公厅关于2027年部分节假日安排的通知";
    let row = |kind: &'static str, name: &'static str, from: &'static str, to: &'static str| {
        vec!["2027", "CN-2027.1", source, kind, name, from, to]
    };
    let rows_with_weekday_makeup = [
        row("放假", "元旦", "2027-01-01", "2027-01-03"),
        row("放假", "春节", "2027-02-06", "2027-02-13"),
        // 2027-02-15 is a Monday: not a make-up working day.
        row("调休上班", "", "2027-02-15", ""),
    ];
    let bad = sheet("节假日安排", &headers, &rows_with_weekday_makeup);
    let (s, _) = upload_kind(&app, &provincial, "calendar", "", bad.clone()).await;
    assert_eq!(s, 403);
    let (s, b) = upload_kind(&app, &national, "calendar", "", bad).await;
    assert_eq!(s, 422, "{b}");
    assert!(names(&b, 4, "开始日期", "calendar.invalid"), "{b}");
    let versions = "SELECT count(*) FROM calendar_versions WHERE version = 'CN-2027.1'";
    assert_eq!(sql_count(&app, versions).await, 0);

    let good = sheet(
        "节假日安排",
        &headers,
        &[
            row("放假", "元旦", "2027-01-01", "2027-01-03"),
            row("放假", "春节", "2027-02-06", "2027-02-13"),
            row("调休上班", "", "2027-02-20", ""),
        ],
    );
    let (s, b) = upload_kind(&app, &national, "calendar", "", good).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["created"][0]["reference"], "CN-2027.1", "{b}");
    let active = "SELECT count(*) FROM calendar_versions WHERE version = 'CN-2027.1' AND active";
    assert_eq!(sql_count(&app, active).await, 1);
    let days = "SELECT count(*) FROM calendar_days WHERE version = 'CN-2027.1'";
    assert_eq!(sql_count(&app, days).await, 3 + 8 + 1);
}
