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
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("投诉举报").expect("name");
    for (c, h) in HEADERS.iter().enumerate() {
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

async fn upload(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> (u16, Json) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v1/imports/complaints{query}", app.casework))
        .bearer_auth(token)
        .header("content-type", XLSX)
        .body(bytes)
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Json::Null))
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
