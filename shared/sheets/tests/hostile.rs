//! The reader against real workbooks and hostile files: each is refused with its own code
//! before anything large is allocated, and a good workbook reads back as written (formulas by
//! their cached values).

use frt_sheets::columns::{CellProblem, Column, Spec};
use frt_sheets::{read, read_into, Limits, Row, Rows, SheetError, Value};
use rust_xlsxwriter::{Formula, Workbook};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

/// A workbook put together part by part, as a hostile file would be.
fn handmade(sheet_xml: &[u8], shared_strings: Option<&[u8]>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut part = |name: &str, body: &[u8]| {
        zip.start_file(name, opts).expect("part");
        zip.write_all(body).expect("write");
    };
    part("[Content_Types].xml", CONTENT_TYPES.as_bytes());
    part("_rels/.rels", RELS.as_bytes());
    part("xl/workbook.xml", WORKBOOK.as_bytes());
    part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes());
    part("xl/worksheets/sheet1.xml", sheet_xml);
    if let Some(s) = shared_strings {
        part("xl/sharedStrings.xml", s);
    }
    zip.finish().expect("zip").into_inner()
}

fn sheet(dimension: &str, rows: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>"#).into_bytes()
}

fn small() -> Limits {
    Limits {
        max_bytes: 5 * 1024 * 1024,
        max_rows: 1_000,
        max_columns: 20,
        max_cells: 10_000,
        max_uncompressed_bytes: 8 * 1024 * 1024,
        max_shared_strings_bytes: 1024 * 1024,
        max_zip_entries: 50,
    }
}

#[test]
fn a_workbook_reads_back_as_written_and_formulas_give_their_cached_values() {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("数据").expect("name");
    ws.write_string(0, 0, "名称").expect("h");
    ws.write_string(0, 1, "金额").expect("h");
    ws.write_string(0, 2, "日期").expect("h");
    ws.write_string(1, 0, "=cmd|' /C calc'!A0").expect("text");
    ws.write_formula(1, 1, Formula::new("=1+1").set_result("2"))
        .expect("formula");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 10, 8).expect("date");
    let fmt = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    ws.write_date_with_format(1, 2, &date, &fmt).expect("date");
    // A blank row between is left out; the row after keeps its own number.
    ws.write_string(3, 0, "第二行").expect("text");
    let bytes = book.save_to_buffer().expect("save");
    let table = read(&bytes, &small(), Some("数据")).expect("read");
    assert_eq!(table.header, vec!["名称", "金额", "日期"]);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(table.rows[0].number, 2);
    assert_eq!(
        table.rows[0].cells[0],
        Value::Text("=cmd|' /C calc'!A0".into())
    );
    assert_eq!(table.rows[0].cells[1].text().as_deref(), Some("2"));
    assert_eq!(
        table.rows[0].cells[2],
        Value::Date(chrono::NaiveDate::from_ymd_opt(2026, 10, 8).expect("d"))
    );
    assert_eq!(table.rows[1].number, 4);
}

#[test]
fn not_a_spreadsheet_is_refused() {
    let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00PE\0\0";
    assert_eq!(read(exe, &small(), None), Err(SheetError::NotASpreadsheet));
    // A zip that is not a workbook (a renamed archive).
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("setup.exe", SimpleFileOptions::default())
        .expect("part");
    zip.write_all(exe).expect("write");
    let bytes = zip.finish().expect("zip").into_inner();
    assert_eq!(
        read(&bytes, &small(), None),
        Err(SheetError::NotASpreadsheet)
    );
    assert_eq!(read(b"", &small(), None), Err(SheetError::NotASpreadsheet));
}

#[test]
fn a_zip_bomb_is_refused_by_its_declared_and_by_its_actual_size() {
    // 20 MB of one repeated cell compresses to a few kilobytes; the limit is 8 MB.
    let row = r#"<row r="2"><c r="A2" t="inlineStr"><is><t>aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</t></is></c></row>"#;
    let body = row.repeat(20 * 1024 * 1024 / row.len());
    let bytes = handmade(&sheet("A1:A2", &body), None);
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
    assert_eq!(
        read(&bytes, &small(), None),
        Err(SheetError::ZipBomb {
            max: 8 * 1024 * 1024
        })
    );

    // The same bomb whose archive claims the sheet is 1 KB: caught while inflating.
    let mut lying = bytes.clone();
    let name = b"xl/worksheets/sheet1.xml";
    let mut patched = 0;
    for at in 0..lying.len().saturating_sub(46) {
        let local = lying[at..].starts_with(b"PK\x03\x04") && lying[at + 30..].starts_with(name);
        let central = lying[at..].starts_with(b"PK\x01\x02") && lying[at + 46..].starts_with(name);
        if local {
            lying[at + 22..at + 26].copy_from_slice(&1024u32.to_le_bytes());
            patched += 1;
        }
        if central {
            lying[at + 24..at + 28].copy_from_slice(&1024u32.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers of the sheet patched");
    let refused = read(&lying, &small(), None);
    assert_eq!(
        refused,
        Err(SheetError::ZipBomb {
            max: 8 * 1024 * 1024
        })
    );
}

#[test]
fn a_sheet_declaring_a_million_rows_or_columns_is_refused_before_its_cells_are_read() {
    let one = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c></row>"#;
    let rows = handmade(&sheet("A1:A1048576", one), None);
    assert_eq!(
        read(&rows, &small(), None),
        Err(SheetError::TooManyRows {
            rows: 1_048_575,
            max: 1_000
        })
    );
    let cols = handmade(&sheet("A1:XFD1", one), None);
    assert_eq!(
        read(&cols, &small(), None),
        Err(SheetError::TooManyColumns {
            columns: 16_384,
            max: 20
        })
    );
    // Declared small, but more rows than allowed in fact.
    let many: String = (1..=1_200)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>x</t></is></c></row>"#))
        .collect();
    let liar = handmade(&sheet("A1:A2", &many), None);
    assert!(matches!(
        read(&liar, &small(), None),
        Err(SheetError::TooManyRows { max: 1_000, .. })
    ));
}

/// Records what a streaming read hands over, in order.
#[derive(Default)]
struct Seen {
    events: Vec<String>,
}

impl Rows for Seen {
    fn header(&mut self, sheet: &str, header: Vec<String>) {
        self.events.push(format!("{sheet}: {}", header.join("|")));
    }

    fn row(&mut self, row: Row) {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| c.text().unwrap_or_default())
            .collect();
        self.events
            .push(format!("{}: {}", row.number, cells.join("|")));
    }
}

#[test]
fn a_streaming_read_hands_over_the_header_then_each_row_padded_to_its_width() {
    let cell = |r: &str, v: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
    let rows = format!(
        r#"<row r="2">{}{}{}</row><row r="3">{}</row><row r="5">{}{}</row>"#,
        cell("A2", "名称"),
        cell("B2", "地址"),
        cell("C2", "电话"),
        cell("A3", "甲"),
        cell("B5", "乙地"),
        cell("D5", "多出"),
    );
    let book = handmade(&sheet("A2:D5", &rows), None);
    let mut seen = Seen::default();
    read_into(&book, &small(), None, &mut seen).expect("reads");
    assert_eq!(
        seen.events,
        vec![
            "数据: 名称|地址|电话".to_owned(),
            "3: 甲||".to_owned(),
            "5: |乙地||多出".to_owned(),
        ]
    );
    // The row limit holds while streaming: rows already handed over are the caller's to drop.
    let mut seen = Seen::default();
    assert!(matches!(
        read_into(&book, &small_with_rows(1), None, &mut seen),
        Err(SheetError::TooManyRows { max: 1, .. })
    ));
    // An empty sheet still has its (empty) header handed over.
    let mut seen = Seen::default();
    read_into(&handmade(&sheet("A1", ""), None), &small(), None, &mut seen).expect("reads");
    assert_eq!(seen.events, vec!["数据: ".to_owned()]);
}

#[test]
fn a_huge_shared_strings_table_is_refused() {
    let si = "<si><t>重复的字符串内容</t></si>";
    let count = 2 * 1024 * 1024 / si.len();
    let sst = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count}" uniqueCount="{count}">{}</sst>"#,
        si.repeat(count)
    );
    let one = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let bytes = handmade(&sheet("A1", one), Some(sst.as_bytes()));
    assert_eq!(
        read(&bytes, &small(), None),
        Err(SheetError::SharedStringsTooLarge { max: 1024 * 1024 })
    );
}

#[test]
fn an_encrypted_workbook_is_refused() {
    // What Excel writes for a workbook with a password: an OLE file with the package
    // encrypted inside.
    let mut ole = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("ole");
    ole.create_stream("EncryptionInfo")
        .and_then(|mut s| s.write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]))
        .expect("info");
    ole.create_stream("EncryptedPackage")
        .and_then(|mut s| s.write_all(&[0u8; 4096]))
        .expect("package");
    ole.flush().expect("flush");
    let bytes = ole.into_inner().into_inner();
    assert_eq!(read(&bytes, &small(), None), Err(SheetError::Encrypted));
}

/// A legacy .xls workbook of one sheet: BIFF8 records as Excel writes them, the sheet
/// declaring `declared` (rows, columns) and holding a number at each of `cells`.
fn xls(declared: (u32, u16), cells: &[(u16, u16)]) -> Vec<u8> {
    fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&u16::try_from(data.len()).expect("short").to_le_bytes());
        out.extend_from_slice(data);
    }
    let bof = |dt: u16| {
        let mut d = Vec::new();
        d.extend_from_slice(&0x0600u16.to_le_bytes());
        d.extend_from_slice(&dt.to_le_bytes());
        d.extend_from_slice(&[0u8; 12]);
        d
    };
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    record(&mut globals, 0x0042, &1200u16.to_le_bytes());
    // BoundSheet8: where the sheet starts (filled in below), a visible worksheet, its name in
    // one byte per character.
    let name = b"Sheet1";
    let at = globals.len() + 4;
    let mut bound = vec![0u8; 4];
    bound.extend_from_slice(&[0, 0, u8::try_from(name.len()).expect("len"), 0]);
    bound.extend_from_slice(name);
    record(&mut globals, 0x0085, &bound);
    record(&mut globals, 0x000A, &[]);
    let sheet_at = u32::try_from(globals.len()).expect("offset");
    globals[at..at + 4].copy_from_slice(&sheet_at.to_le_bytes());
    let mut stream = globals;
    record(&mut stream, 0x0809, &bof(0x0010));
    let mut dims = Vec::new();
    dims.extend_from_slice(&0u32.to_le_bytes());
    dims.extend_from_slice(&declared.0.to_le_bytes());
    dims.extend_from_slice(&0u16.to_le_bytes());
    dims.extend_from_slice(&declared.1.to_le_bytes());
    dims.extend_from_slice(&0u16.to_le_bytes());
    record(&mut stream, 0x0200, &dims);
    for (i, (row, col)) in cells.iter().enumerate() {
        let mut n = Vec::new();
        n.extend_from_slice(&row.to_le_bytes());
        n.extend_from_slice(&col.to_le_bytes());
        n.extend_from_slice(&0u16.to_le_bytes());
        n.extend_from_slice(&(i as f64).to_le_bytes());
        record(&mut stream, 0x0203, &n);
    }
    record(&mut stream, 0x000A, &[]);
    let mut ole = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("ole");
    ole.create_stream("Workbook")
        .and_then(|mut s| s.write_all(&stream))
        .expect("workbook stream");
    ole.flush().expect("flush");
    ole.into_inner().into_inner()
}

#[test]
fn a_small_sparse_xls_is_refused_before_it_is_laid_out() {
    // A few kilobytes whose sheet would be laid out as 65,536 × 256 cells (half a gigabyte)
    // by the reader underneath: by two far-apart cells, or by what it declares.
    let far = xls((2, 2), &[(0, 0), (65_535, 255)]);
    assert!(far.len() < 64 * 1024, "{} bytes", far.len());
    assert!(matches!(
        read(&far, &Limits::default(), None),
        Err(SheetError::TooManyRows { .. }
            | SheetError::TooManyColumns { .. }
            | SheetError::TooManyCells { .. })
    ));
    let declared = xls((65_536, 256), &[(0, 0)]);
    assert!(matches!(
        read(&declared, &Limits::default(), None),
        Err(SheetError::TooManyRows { .. }
            | SheetError::TooManyColumns { .. }
            | SheetError::TooManyCells { .. })
    ));
    // A sheet of the shape it says it has reads.
    let fine = xls((2, 2), &[(0, 0), (0, 1), (1, 0), (1, 1)]);
    let t = read(&fine, &Limits::default(), None).expect("a small xls reads");
    assert_eq!(t.rows.len(), 1, "{t:?}");
}

#[test]
fn the_file_size_limit_comes_first() {
    let mut limits = small();
    limits.max_bytes = 10;
    assert_eq!(
        read(&[0u8; 11], &limits, None),
        Err(SheetError::TooLarge { size: 11, max: 10 })
    );
}

#[test]
fn headers_are_matched_by_name_and_the_error_workbook_marks_bad_rows() {
    let spec = Spec {
        kind: "test",
        title: "测试",
        sheet: "数据",
        columns: vec![
            Column::text("name", "名称", 10).required(),
            Column::yes_no("anonymous", "是否匿名"),
            Column::date("occurred_on", "发生日期"),
        ],
        instructions: vec!["每行一条。"],
    };
    let template = frt_sheets::template::template(&spec).expect("template");
    let empty = read(&template, &small(), Some("数据")).expect("template reads");
    assert_eq!(empty.header, vec!["名称", "是否匿名", "发生日期"]);
    assert!(empty.rows.is_empty());

    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("数据").expect("name");
    for (i, h) in ["发生日期", "名称", "备注"].iter().enumerate() {
        ws.write_string(0, i as u16, *h).expect("h");
    }
    let bytes = book.save_to_buffer().expect("save");
    let table = read(&bytes, &small(), None).expect("read");
    let problems = spec
        .locate(&table.sheet, &table.header)
        .expect_err("an unknown header");
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, "sheet.unknown_header");
    assert_eq!(problems[0].column, "备注");

    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("数据").expect("name");
    for (i, h) in ["名称", "是否匿名", "发生日期"].iter().enumerate() {
        ws.write_string(0, i as u16, *h).expect("h");
    }
    ws.write_string(1, 0, "甲").expect("c");
    ws.write_string(1, 1, "是").expect("c");
    ws.write_string(2, 0, "一个非常非常非常长的名称")
        .expect("c");
    ws.write_string(2, 1, "也许").expect("c");
    ws.write_string(2, 2, "2026-13-01").expect("c");
    let bytes = book.save_to_buffer().expect("save");
    let table = read(&bytes, &small(), None).expect("read");
    let located = spec.locate(&table.sheet, &table.header).expect("headers");
    let mut all: Vec<CellProblem> = Vec::new();
    let mut good = 0;
    for row in &table.rows {
        let mut cells = spec.row(&located, &table.sheet, row);
        let name = cells.text("name");
        let anonymous = cells.yes_no("anonymous");
        let _ = cells.date("occurred_on");
        if cells.problems().is_empty() {
            assert_eq!((name.as_deref(), anonymous), (Some("甲"), Some(true)));
            good += 1;
        }
        all.extend(cells.into_problems());
    }
    assert_eq!(good, 1);
    let codes: Vec<(&str, u32, &str)> = all
        .iter()
        .map(|p| (p.column.as_str(), p.row, p.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        vec![
            ("名称", 3, "cell.too_long"),
            ("是否匿名", 3, "cell.invalid_choice"),
            ("发生日期", 3, "cell.invalid_date")
        ]
    );
    let errors = frt_sheets::write::error_workbook(&table, &all).expect("error workbook");
    let back = read(&errors, &small(), None).expect("error workbook reads");
    assert_eq!(back.header, vec!["名称", "是否匿名", "发生日期", "错误"]);
    assert_eq!(
        back.rows[0].cells[3],
        Value::Empty,
        "a good row has no note"
    );
    let note = back.rows[1].cells[3].text().unwrap_or_default();
    assert!(note.contains("名称：at most 10 characters"), "{note}");
    assert!(note.contains("发生日期"), "{note}");
    assert_eq!(back.rows[1].number, 3);
    // Read back against the spec, the error column is ignored.
    assert!(spec.locate(&back.sheet, &back.header).is_ok());
}

#[test]
fn an_export_streams_rows_with_text_never_a_formula_and_real_dates() {
    use frt_sheets::export::{write_sheet, Cell};
    let path = std::env::temp_dir().join(format!("frt-export-{}.xlsx", std::process::id()));
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).expect("date");
    let rows = (0..5_000).map(|i| {
        vec![
            Cell::Text(if i == 0 {
                "=1+1".into()
            } else {
                format!("单位{i}")
            }),
            Cell::Text("@SUM(A1)".into()),
            Cell::Date(day),
            Cell::Number(f64::from(i)),
        ]
    });
    let n = write_sheet(
        &path,
        "备案登记",
        &["单位名称", "备注", "备案日期", "序号"],
        rows,
    )
    .expect("export");
    assert_eq!(n, 5_000);
    let bytes = std::fs::read(&path).expect("file");
    let _ = std::fs::remove_file(&path);
    let table = read(&bytes, &small_with_rows(10_000), None).expect("reads");
    assert_eq!(table.header, vec!["单位名称", "备注", "备案日期", "序号"]);
    assert_eq!(table.rows.len(), 5_000);
    assert_eq!(table.rows[0].cells[0], Value::Text("=1+1".into()));
    assert_eq!(table.rows[0].cells[1], Value::Text("@SUM(A1)".into()));
    assert_eq!(table.rows[0].cells[2], Value::Date(day));
    // No formula anywhere in the sheet: the text went in as shared strings.
    let mut zip = zip::ZipArchive::new(Cursor::new(&bytes)).expect("zip");
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").expect("sheet"),
        &mut xml,
    )
    .expect("xml");
    assert!(!xml.contains("<f>"), "a formula was written");
    assert!(xml.contains("<pane "), "the header row is frozen");
    assert!(xml.contains("<autoFilter "), "the header row has a filter");
}

fn small_with_rows(rows: u32) -> Limits {
    Limits {
        max_rows: rows,
        max_cells: u64::from(rows) * 10,
        ..small()
    }
}
