//! Imports from spreadsheets: templates downloaded and filled in, uploads checked row by row
//! with nothing stored when a row is bad, the error workbook read cell by cell, and hostile
//! files refused.

use crate::support::{FrtWorld, Reply};
use cucumber::gherkin::Step;
use cucumber::{then, when};
use frt_sheets::{read, Limits, Table};
use reqwest::Method;
use serde_json::Value;
use std::io::{Cursor, Read, Write};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Downloads `path` as `name`, keeping the bytes.
pub(crate) async fn download(w: &mut FrtWorld, name: &str, path: &str) {
    let (service, token) = w.actor(name);
    let r = w
        .client()
        .request(Method::GET, format!("{}{path}", w.base(service)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let bytes = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    w.workbook = Some(bytes);
    w.keep(Reply {
        status,
        body,
        headers: Default::default(),
    });
}

pub(crate) fn sheet_of(w: &FrtWorld, name: Option<&str>) -> Table {
    let bytes = w.workbook.as_deref().expect("a workbook was downloaded");
    read(bytes, &Limits::default(), name).expect("the workbook reads")
}

async fn upload(w: &mut FrtWorld, name: &str, kind: &str, query: &str, bytes: Vec<u8>) {
    let (service, token) = w.actor(name);
    let r = w
        .client()
        .request(
            Method::POST,
            format!("{}/api/v1/imports/{kind}{query}", w.base(service)),
        )
        .bearer_auth(&token)
        .header("content-type", XLSX)
        .body(bytes)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.json().await.unwrap_or(Value::Null);
    w.keep(Reply {
        status,
        body,
        headers,
    });
}

#[when(expr = "{string} downloads the {word} import template")]
async fn downloads_template(w: &mut FrtWorld, name: String, kind: String) {
    download(w, &name, &format!("/api/v1/imports/{kind}/template")).await;
}

#[then(expr = "the template's sheet {string} has the headers:")]
async fn template_headers(w: &mut FrtWorld, sheet: String, step: &Step) {
    let table = sheet_of(w, Some(&sheet));
    for row in step.table.as_ref().expect("a table").rows.iter().skip(1) {
        assert!(
            table.header.contains(&row[0]),
            "{} not in {:?}",
            row[0],
            table.header
        );
    }
    assert!(table.rows.is_empty(), "the template has no data rows");
}

#[then(expr = "the template explains every column on the sheet {string}")]
async fn template_instructions(w: &mut FrtWorld, sheet: String) {
    let notes = sheet_of(w, Some(&sheet));
    let text: Vec<String> = notes
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().filter_map(frt_sheets::Value::text))
        .collect();
    for column in ["受理渠道", "投诉举报内容", "是否匿名"] {
        assert!(
            text.iter().any(|t| t == column),
            "{column} explained: {text:?}"
        );
    }
}

#[then(expr = "the template offers the choices {string} in a drop-down list")]
async fn template_dropdown(w: &mut FrtWorld, choices: String) {
    let bytes = w.workbook.as_deref().expect("a workbook");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("xlsx");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("data sheet")
        .read_to_string(&mut xml)
        .expect("xml");
    let list = format!("\"{}\"", choices.replace('、', ","));
    assert!(
        xml.contains("<dataValidation ") && xml.contains(&list),
        "no list {list} in the data sheet"
    );
}

/// The workbook a person fills in: the table's first row is the header row.
pub(crate) fn filled(step: &Step, unique: &str) -> Vec<u8> {
    filled_sheet(step, unique, "投诉举报")
}

fn filled_sheet(step: &Step, unique: &str, sheet: &str) -> Vec<u8> {
    let rows = &step.table.as_ref().expect("a table").rows;
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).expect("name");
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let v = v.replace("{unique}", unique);
            if !v.is_empty() {
                ws.write_string(r as u32, c as u16, v).expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

#[when(regex = r#"^"([^"]+)" imports a hotline log( as a dry run)? with these rows:$"#)]
async fn imports_log(w: &mut FrtWorld, name: String, dry: String, step: &Step) {
    let bytes = filled(step, &w.unique.clone());
    let query = if dry.is_empty() {
        "?dry_run=false"
    } else {
        "?dry_run=true"
    };
    upload(w, &name, "complaints", query, bytes).await;
}

/// Paper submissions of `n` new processors in `province`, received two days ago; `gap` blanks
/// a field of the row at that sheet row and marks its paper materials incomplete.
fn paper_filings(w: &FrtWorld, n: usize, province: &str, gap: Option<(usize, &str)>) -> Vec<u8> {
    use frt_domain::filing::FilingKind;
    let received = crate::support::today_in_china() - chrono::Duration::days(2);
    let trigger = received - chrono::Duration::days(10);
    let rows = (0..n).map(|i| {
        let mut form = frt_domain::form::example_complete(FilingKind::Initial, trigger);
        if let Some(basic) = form.basic.as_mut() {
            basic.processor_name = Some(format!("纸质申报单位 {} {i}", w.unique));
        }
        let blanked = gap.filter(|(row, _)| *row == i + 2);
        if let Some((_, field)) = blanked {
            match field {
                "处理目的" => form.purposes.iter_mut().for_each(|p| p.purpose = None),
                "联系人" => form.basic.iter_mut().for_each(|b| b.contact_person = None),
                "法定代表人" => form
                    .basic
                    .iter_mut()
                    .for_each(|b| b.legal_representative_name = None),
                other => panic!("the step blanks 处理目的, 联系人 or 法定代表人, not {other}"),
            }
        }
        frt_cases::imports::PaperFiling {
            kind: FilingKind::Initial,
            uscc: frt_testkit::app::valid_uscc(province),
            received_on: received,
            previous_filing_number: None,
            province: None,
            materials_complete: blanked.is_none(),
            form,
        }
    });
    let path = std::env::temp_dir().join(format!("paper-{}.xlsx", uuid::Uuid::now_v7()));
    frt_cases::imports::write_filings_workbook(&path, rows.collect::<Vec<_>>()).expect("workbook");
    let bytes = std::fs::read(&path).expect("read back");
    let _ = std::fs::remove_file(&path);
    bytes
}

#[when(
    regex = r#"^"([^"]+)" imports paper filings of (\d+) new processors in (\d{6})( as a dry run)?$"#
)]
async fn imports_paper(w: &mut FrtWorld, name: String, n: usize, province: String, dry: String) {
    let bytes = paper_filings(w, n, &province, None);
    let query = if dry.is_empty() { "" } else { "?dry_run=true" };
    upload(w, &name, "filings", query, bytes).await;
}

#[when(
    regex = r#"^"([^"]+)" imports paper filings of (\d+) new processors in (\d{6}) where row (\d+) has no "([^"]+)" and incomplete paper materials$"#
)]
async fn imports_paper_with_gap(
    w: &mut FrtWorld,
    name: String,
    n: usize,
    province: String,
    row: usize,
    field: String,
) {
    let bytes = paper_filings(w, n, &province, Some((row, &field)));
    upload(w, &name, "filings", "", bytes).await;
}

#[then(expr = "every imported filing waits for review as a paper submission seen by {string}")]
async fn imported_paper_filings(w: &mut FrtWorld, name: String) {
    let created = w.last().body["created"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!created.is_empty(), "nothing was created");
    let (service, token) = w.actor(&name);
    for c in created {
        let id = c["id"].as_str().expect("id");
        let r = w
            .client()
            .request(
                Method::GET,
                format!("{}/api/v1/filings/{id}", w.base(service)),
            )
            .bearer_auth(&token)
            .send()
            .await
            .expect("request");
        assert_eq!(r.status().as_u16(), 200);
        let f: Value = r.json().await.expect("json");
        assert_eq!(
            (f["status"].as_str(), f["submitted_via"].as_str()),
            (Some("submitted"), Some("paper")),
            "{f}"
        );
        assert!(f["review_deadline"]["due_date"].is_string(), "{f}");
    }
}

#[when(expr = "{string} imports these staff accounts:")]
async fn imports_staff(w: &mut FrtWorld, name: String, step: &Step) {
    let bytes = filled_sheet(step, &w.unique.clone(), "工作人员");
    upload(w, &name, "staff", "", bytes).await;
}

#[then(expr = "{string} signs in to casework with the password {string}")]
async fn signs_in(w: &mut FrtWorld, email: String, password: String) {
    let email = email.replace("{unique}", &w.unique);
    let token = w
        .client()
        .request(
            Method::POST,
            format!(
                "{}/api/v1/auth/login",
                w.base(crate::support::Service::Casework)
            ),
        )
        .json(&serde_json::json!({ "email": email, "password": password }))
        .send()
        .await
        .expect("request");
    assert_eq!(token.status().as_u16(), 200, "{email} cannot sign in");
}

#[when(expr = "{string} imports a zip bomb")]
async fn imports_bomb(w: &mut FrtWorld, name: String) {
    // A small archive whose sheet says it inflates to 4 GB: refused on its declared size,
    // before anything is inflated.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/workbook.xml", opts).expect("part");
    zip.write_all(b"<workbook/>").expect("write");
    let sheet = b"xl/worksheets/sheet1.xml";
    zip.start_file("xl/worksheets/sheet1.xml", opts)
        .expect("part");
    zip.write_all(&vec![b' '; 64 * 1024]).expect("write");
    let mut bytes = zip.finish().expect("zip").into_inner();
    for at in 0..bytes.len().saturating_sub(46) {
        if bytes[at..].starts_with(b"PK\x03\x04") && bytes[at + 30..].starts_with(sheet) {
            bytes[at + 22..at + 26].copy_from_slice(&u32::MAX.to_le_bytes());
        }
        if bytes[at..].starts_with(b"PK\x01\x02") && bytes[at + 46..].starts_with(sheet) {
            bytes[at + 24..at + 28].copy_from_slice(&u32::MAX.to_le_bytes());
        }
    }
    upload(w, &name, "complaints", "", bytes).await;
}

#[then(regex = r"^(\d+) rows were read and (committed|nothing was committed)$")]
async fn rows_read(w: &mut FrtWorld, rows: u64, what: String) {
    let body = &w.last().body;
    assert_eq!(body["rows"].as_u64(), Some(rows), "{body}");
    assert_eq!(
        body["committed"].as_bool(),
        Some(what == "committed"),
        "{body}"
    );
}

#[then("the problem lists these cells:")]
async fn problem_cells(w: &mut FrtWorld, step: &Step) {
    let body = w.last().body.clone();
    let errors = body["errors"].as_array().expect("errors");
    for row in step.table.as_ref().expect("a table").rows.iter().skip(1) {
        let found = errors.iter().any(|e| {
            e["row"].as_u64().map(|r| r.to_string()).as_deref() == Some(row[0].as_str())
                && e["column"] == row[1].as_str()
                && e["code"] == row[2].as_str()
        });
        assert!(found, "{row:?} not among {body}");
    }
}

#[when(expr = "{string} downloads the error workbook")]
async fn downloads_error_workbook(w: &mut FrtWorld, name: String) {
    let url = w.last().body["error_workbook"]
        .as_str()
        .expect("an error workbook")
        .to_owned();
    download(w, &name, &url).await;
}

#[then("the error workbook holds these cells:")]
async fn error_workbook_cells(w: &mut FrtWorld, step: &Step) {
    let table = sheet_of(w, None);
    for row in step.table.as_ref().expect("a table").rows.iter().skip(1) {
        let number: u32 = row[0].parse().expect("a row number");
        let col = table
            .header
            .iter()
            .position(|h| *h == row[1])
            .unwrap_or_else(|| panic!("no column {} in {:?}", row[1], table.header));
        let cell = table
            .rows
            .iter()
            .find(|r| r.number == number)
            .and_then(|r| r.cells.get(col))
            .and_then(frt_sheets::Value::text)
            .unwrap_or_default();
        let want = row[2].replace("{unique}", &w.unique);
        if want.is_empty() {
            assert!(cell.is_empty(), "row {number} {}: {cell:?}", row[1]);
        } else {
            assert!(
                cell.contains(&want),
                "row {number} {}: {cell:?} lacks {want:?}",
                row[1]
            );
        }
    }
}

#[when(expr = "{string} exports the {word}")]
async fn exports(w: &mut FrtWorld, name: String, export: String) {
    let path = match export.as_str() {
        "registry" => "/api/v1/exports/registry.xlsx",
        "queue" => "/api/v1/exports/review-queue.xlsx",
        other => panic!("no export {other}"),
    };
    download(w, &name, path).await;
}

/// The exported row of a processor of the scenario (found by its USCC).
fn exported_row(w: &FrtWorld, processor: &str) -> (Table, usize) {
    let uscc = w.processor(processor).uscc.clone();
    let table = sheet_of(w, None);
    let col = table
        .header
        .iter()
        .position(|h| h == "统一社会信用代码")
        .expect("a USCC column");
    let at = table
        .rows
        .iter()
        .position(|r| r.cells.get(col).and_then(frt_sheets::Value::text) == Some(uscc.clone()))
        .unwrap_or_else(|| panic!("no row for {processor} ({uscc})"));
    (table, at)
}

fn cell_of(table: &Table, at: usize, column: &str) -> frt_sheets::Value {
    let col = table
        .header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", table.header));
    table.rows[at]
        .cells
        .get(col)
        .cloned()
        .unwrap_or(frt_sheets::Value::Empty)
}

#[then(expr = "the export's row for {string} holds:")]
async fn export_row_holds(w: &mut FrtWorld, processor: String, step: &Step) {
    let (table, at) = exported_row(w, &processor);
    for row in step.table.as_ref().expect("a table").rows.iter().skip(1) {
        let got = cell_of(&table, at, &row[0]);
        match row[1].as_str() {
            "a date" => assert!(
                matches!(got, frt_sheets::Value::Date(_)),
                "{}: {got:?} is not a date cell",
                row[0]
            ),
            "a masked text" => {
                let t = got.text().unwrap_or_default();
                assert!(t.contains('*'), "{}: {t:?} is not masked", row[0]);
            }
            "a clear text" => {
                let t = got.text().unwrap_or_default();
                assert!(!t.is_empty() && !t.contains('*'), "{}: {t:?}", row[0]);
            }
            want => assert_eq!(got, frt_sheets::Value::Text(want.to_owned()), "{}", row[0]),
        }
    }
}

#[then("no cell of the export is a formula")]
async fn no_formula(w: &mut FrtWorld) {
    let bytes = w.workbook.as_deref().expect("a workbook");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("xlsx");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("the sheet")
        .read_to_string(&mut xml)
        .expect("xml");
    assert!(
        !xml.contains("<f>") && !xml.contains("<f "),
        "a formula was written"
    );
}
