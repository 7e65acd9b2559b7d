//! Reading a workbook from untrusted bytes.
//!
//! The bytes are judged before calamine sees them: an xlsx is a zip archive, which is read on
//! its own first (entry count, encrypted entries, every entry's declared size and then its
//! actual size while inflating into nothing, the shared-strings part), so a zip bomb or an
//! oversized strings table is refused before anything is allocated for it. The sheet's
//! declared dimension is checked before its cells are read, and its actual rows, columns and
//! cells while they stream in.

use crate::value::Value;
use calamine::{Data, DataRef, Reader, Xls, Xlsx, XlsxError};
use chrono::NaiveDate;
use serde::Deserialize;
use std::io::{Cursor, Read};

/// What an upload may be. Every limit is a setting (`[imports]` in the configuration).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// The file itself.
    pub max_bytes: u64,
    /// Data rows (the header row not counted).
    pub max_rows: u32,
    pub max_columns: u32,
    /// Non-empty cells in the sheet.
    pub max_cells: u64,
    /// All entries of the archive, inflated.
    pub max_uncompressed_bytes: u64,
    /// The shared-strings part, inflated (calamine holds it whole).
    pub max_shared_strings_bytes: u64,
    pub max_zip_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 50 * 1024 * 1024,
            max_rows: 200_000,
            max_columns: 100,
            max_cells: 5_000_000,
            max_uncompressed_bytes: 500 * 1024 * 1024,
            max_shared_strings_bytes: 200 * 1024 * 1024,
            max_zip_entries: 1_000,
        }
    }
}

/// Why a file cannot be read. Each has a stable code and a message for the person uploading.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SheetError {
    #[error("the file is not an Excel workbook (.xlsx or .xls)")]
    NotASpreadsheet,
    #[error("the workbook is encrypted or password-protected: save it without a password")]
    Encrypted,
    #[error("the file is {size} bytes; at most {max} are taken")]
    TooLarge { size: u64, max: u64 },
    #[error("the workbook inflates to more than {max} bytes (or its archive misstates its sizes): it is refused as a possible zip bomb")]
    ZipBomb { max: u64 },
    #[error("the workbook's archive has more than {max} parts")]
    TooManyParts { max: usize },
    #[error("the shared-strings table is larger than {max} bytes")]
    SharedStringsTooLarge { max: u64 },
    #[error("the sheet has {rows} data rows (declared or read); at most {max} are taken")]
    TooManyRows { rows: u64, max: u32 },
    #[error("the sheet has {columns} columns (declared or read); at most {max} are taken")]
    TooManyColumns { columns: u64, max: u32 },
    #[error("the sheet has more than {max} filled cells")]
    TooManyCells { max: u64 },
    #[error("the workbook has no sheet named {0}")]
    NoSuchSheet(String),
    #[error("the workbook cannot be read: {0}")]
    Malformed(String),
}

impl SheetError {
    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::NotASpreadsheet => "sheet.not_a_spreadsheet",
            SheetError::Encrypted => "sheet.encrypted",
            SheetError::TooLarge { .. } => "sheet.too_large",
            SheetError::ZipBomb { .. } => "sheet.zip_bomb",
            SheetError::TooManyParts { .. } => "sheet.too_many_parts",
            SheetError::SharedStringsTooLarge { .. } => "sheet.shared_strings_too_large",
            SheetError::TooManyRows { .. } => "sheet.too_many_rows",
            SheetError::TooManyColumns { .. } => "sheet.too_many_columns",
            SheetError::TooManyCells { .. } => "sheet.too_many_cells",
            SheetError::NoSuchSheet(_) => "sheet.no_such_sheet",
            SheetError::Malformed(_) => "sheet.malformed",
        }
    }
}

/// One data row: its number in the sheet (1-based, as Excel shows it) and its cells, one per
/// column of the header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: u32,
    pub cells: Vec<Value>,
}

/// A sheet as read: the header row's texts and the data rows below it (blank rows left out).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub sheet: String,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Receives a sheet while it is read: the header row once, then each data row in sheet order,
/// so a caller can turn rows into its own values without the whole sheet in memory.
pub trait Rows {
    /// The header row's texts: called once, before the first data row (with no texts for a
    /// sheet with nothing in it).
    fn header(&mut self, sheet: &str, header: Vec<String>);
    /// A data row, padded to the header's width.
    fn row(&mut self, row: Row);
}

impl Rows for Table {
    fn header(&mut self, sheet: &str, header: Vec<String>) {
        sheet.clone_into(&mut self.sheet);
        self.header = header;
    }

    fn row(&mut self, row: Row) {
        self.rows.push(row);
    }
}

/// Reads the sheet named `sheet` (the first sheet when none is named, or when the workbook has
/// no sheet of that name but only one sheet) of an xlsx or xls workbook.
pub fn read(bytes: &[u8], limits: &Limits, sheet: Option<&str>) -> Result<Table, SheetError> {
    let mut table = Table {
        sheet: String::new(),
        header: Vec::new(),
        rows: Vec::new(),
    };
    read_into(bytes, limits, sheet, &mut table)?;
    Ok(table)
}

/// Reads a sheet as [`read`] does, handing its header and rows to `rows` as they stream in.
/// On an error, what was handed over so far is incomplete and should be dropped.
pub fn read_into(
    bytes: &[u8],
    limits: &Limits,
    sheet: Option<&str>,
    rows: &mut impl Rows,
) -> Result<(), SheetError> {
    let size = bytes.len() as u64;
    if size > limits.max_bytes {
        return Err(SheetError::TooLarge {
            size,
            max: limits.max_bytes,
        });
    }
    if bytes.starts_with(ZIP_MAGIC) {
        inspect_archive(bytes, limits)?;
        let mut book = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
        let name = pick_sheet(book.sheet_names(), sheet)?;
        read_xlsx_sheet(&mut book, &name, limits, rows)
    } else if bytes.starts_with(OLE_MAGIC) {
        // An encrypted xlsx is an OLE file holding an EncryptedPackage; calamine's xlsx
        // reader says so. Anything else of this shape should be a legacy .xls.
        if let Err(XlsxError::Password) = Xlsx::new(Cursor::new(bytes)) {
            return Err(SheetError::Encrypted);
        }
        crate::xls::inspect(bytes, limits)?;
        let mut book = Xls::new(Cursor::new(bytes)).map_err(|e| match e {
            calamine::XlsError::Password => SheetError::Encrypted,
            calamine::XlsError::Cfb(_) => SheetError::NotASpreadsheet,
            other => SheetError::Malformed(other.to_string()),
        })?;
        let name = pick_sheet(book.sheet_names(), sheet)?;
        let range = book
            .worksheet_range(&name)
            .map_err(|e| SheetError::Malformed(e.to_string()))?;
        read_range(&name, &range, limits, rows)
    } else {
        Err(SheetError::NotASpreadsheet)
    }
}

fn xlsx_error(e: XlsxError) -> SheetError {
    match e {
        XlsxError::Password => SheetError::Encrypted,
        XlsxError::Zip(_) => SheetError::NotASpreadsheet,
        other => SheetError::Malformed(other.to_string()),
    }
}

fn pick_sheet(names: Vec<String>, wanted: Option<&str>) -> Result<String, SheetError> {
    match wanted {
        Some(w) if names.iter().any(|n| n == w) => Ok(w.to_owned()),
        Some(w) if names.len() != 1 => Err(SheetError::NoSuchSheet(w.to_owned())),
        _ => names
            .into_iter()
            .next()
            .ok_or_else(|| SheetError::Malformed("the workbook has no sheet".into())),
    }
}

/// The archive, judged before calamine reads it.
fn inspect_archive(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| SheetError::NotASpreadsheet)?;
    if zip.len() > limits.max_zip_entries {
        return Err(SheetError::TooManyParts {
            max: limits.max_zip_entries,
        });
    }
    let bomb = SheetError::ZipBomb {
        max: limits.max_uncompressed_bytes,
    };
    let mut declared: u64 = 0;
    let mut has_workbook = false;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| SheetError::Malformed(e.to_string()))?;
        if entry.encrypted() {
            return Err(SheetError::Encrypted);
        }
        let name = entry
            .name()
            .map(|n| n.to_ascii_lowercase())
            .unwrap_or_default();
        has_workbook |= name == "xl/workbook.xml" || name == "xl/workbook.bin";
        if name.ends_with("sharedstrings.xml") && entry.size() > limits.max_shared_strings_bytes {
            return Err(SheetError::SharedStringsTooLarge {
                max: limits.max_shared_strings_bytes,
            });
        }
        declared = declared.saturating_add(entry.size());
    }
    if !has_workbook {
        return Err(SheetError::NotASpreadsheet);
    }
    if declared > limits.max_uncompressed_bytes {
        return Err(bomb);
    }
    // The declared sizes may lie: inflate every entry into nothing, counting, and stop as soon
    // as it passes what it declared or the whole passes the limit.
    let mut actual: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| SheetError::Malformed(e.to_string()))?;
        let stated = entry.size();
        let shared = entry
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"));
        let room = limits.max_uncompressed_bytes.saturating_sub(actual);
        let cap = stated.min(room).saturating_add(1);
        let read = match std::io::copy(&mut (&mut entry).take(cap), &mut std::io::sink()) {
            Ok(n) => n,
            // The archive layer notices a part inflating past its stated size itself.
            Err(e) if e.to_string().contains("declared") => return Err(bomb),
            Err(e) => {
                return Err(SheetError::Malformed(format!(
                    "a part cannot be inflated: {e}"
                )))
            }
        };
        if read > stated || read > room {
            return Err(bomb);
        }
        if shared && read > limits.max_shared_strings_bytes {
            return Err(SheetError::SharedStringsTooLarge {
                max: limits.max_shared_strings_bytes,
            });
        }
        actual += read;
    }
    Ok(())
}

fn check_dimensions(rows: u64, columns: u64, limits: &Limits) -> Result<(), SheetError> {
    // The header row is not a data row.
    let data_rows = rows.saturating_sub(1);
    if data_rows > u64::from(limits.max_rows) {
        return Err(SheetError::TooManyRows {
            rows: data_rows,
            max: limits.max_rows,
        });
    }
    if columns > u64::from(limits.max_columns) {
        return Err(SheetError::TooManyColumns {
            columns,
            max: limits.max_columns,
        });
    }
    Ok(())
}

/// Streams an xlsx sheet's cells, row by row, within the limits.
fn read_xlsx_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    limits: &Limits,
    rows: &mut impl Rows,
) -> Result<(), SheetError> {
    let mut cells = book.worksheet_cells_reader(name).map_err(xlsx_error)?;
    let dims = cells.dimensions();
    if dims.end != (0, 0) || dims.start != (0, 0) {
        check_dimensions(u64::from(dims.end.0) + 1, u64::from(dims.end.1) + 1, limits)?;
    }
    let mut builder = Builder::new(name, limits, rows);
    while let Some(cell) = cells.next_cell().map_err(xlsx_error)? {
        let (row, col) = cell.get_position();
        builder.put(row, col, value_of_ref(cell.get_value()))?;
    }
    builder.finish();
    Ok(())
}

fn read_range(
    name: &str,
    range: &calamine::Range<Data>,
    limits: &Limits,
    rows: &mut impl Rows,
) -> Result<(), SheetError> {
    if let Some((end_row, end_col)) = range.end() {
        check_dimensions(u64::from(end_row) + 1, u64::from(end_col) + 1, limits)?;
    }
    let mut builder = Builder::new(name, limits, rows);
    for (row, col, v) in range.used_cells() {
        let (start_row, start_col) = range.start().unwrap_or((0, 0));
        let (row, col) = (
            u32::try_from(row)
                .unwrap_or(u32::MAX)
                .saturating_add(start_row),
            u32::try_from(col)
                .unwrap_or(u32::MAX)
                .saturating_add(start_col),
        );
        builder.put(row, col, value_of_data(v))?;
    }
    builder.finish();
    Ok(())
}

/// Gathers cells (in row order) into the header and data rows, counting against the limits,
/// and hands each row on as soon as the next one begins.
struct Builder<'a, R: Rows> {
    limits: &'a Limits,
    sheet: &'a str,
    sink: &'a mut R,
    /// The header row while it is read; taken when it is handed on.
    header: Vec<String>,
    header_row: Option<u32>,
    header_sent: bool,
    width: usize,
    current: Option<Row>,
    rows: usize,
    cells: u64,
}

impl<'a, R: Rows> Builder<'a, R> {
    fn new(sheet: &'a str, limits: &'a Limits, sink: &'a mut R) -> Self {
        Self {
            limits,
            sheet,
            sink,
            header: Vec::new(),
            header_row: None,
            header_sent: false,
            width: 0,
            current: None,
            rows: 0,
            cells: 0,
        }
    }

    fn put(&mut self, row: u32, col: u32, value: Value) -> Result<(), SheetError> {
        if value.is_empty() {
            return Ok(());
        }
        if col >= self.limits.max_columns {
            return Err(SheetError::TooManyColumns {
                columns: u64::from(col) + 1,
                max: self.limits.max_columns,
            });
        }
        self.cells += 1;
        if self.cells > self.limits.max_cells {
            return Err(SheetError::TooManyCells {
                max: self.limits.max_cells,
            });
        }
        let number = row.saturating_add(1);
        // The first row with anything in it is the header row.
        let header_row = *self.header_row.get_or_insert(number);
        let col = col as usize;
        if number == header_row {
            if self.header.len() <= col {
                self.header.resize(col + 1, String::new());
            }
            self.header[col] = value.text().unwrap_or_default();
            return Ok(());
        }
        if self.current.as_ref().is_none_or(|r| r.number != number) {
            self.send_header();
            self.flush();
            if self.rows >= self.limits.max_rows as usize {
                return Err(SheetError::TooManyRows {
                    rows: self.rows as u64 + 1,
                    max: self.limits.max_rows,
                });
            }
            self.rows += 1;
        }
        let current = self.current.get_or_insert_with(|| Row {
            number,
            cells: Vec::new(),
        });
        if current.cells.len() <= col {
            current.cells.resize(col + 1, Value::Empty);
        }
        current.cells[col] = value;
        Ok(())
    }

    fn send_header(&mut self) {
        if !self.header_sent {
            self.header_sent = true;
            self.width = self.header.len();
            self.sink
                .header(self.sheet, std::mem::take(&mut self.header));
        }
    }

    /// Hands on the row being gathered, padded to the header's width.
    fn flush(&mut self) {
        if let Some(mut row) = self.current.take() {
            let width = self.width.max(row.cells.len());
            row.cells.resize(width, Value::Empty);
            self.sink.row(row);
        }
    }

    fn finish(mut self) {
        self.send_header();
        self.flush();
    }
}

fn date_of(dt: &calamine::ExcelDateTime) -> Option<NaiveDate> {
    dt.as_datetime().map(|d| d.date())
}

fn iso_date(text: &str) -> Value {
    text.get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map_or_else(|| Value::Text(text.to_owned()), Value::Date)
}

fn value_of_ref(v: &DataRef<'_>) -> Value {
    match v {
        DataRef::Empty => Value::Empty,
        DataRef::String(s) => Value::Text(s.clone()),
        DataRef::SharedString(s) => Value::Text((*s).to_owned()),
        DataRef::Int(i) => Value::Number(*i as f64),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(dt) => date_of(dt).map_or(Value::Number(dt.as_f64()), Value::Date),
        DataRef::DateTimeIso(s) => iso_date(s),
        DataRef::DurationIso(s) => Value::Text(s.clone()),
        DataRef::Error(e) => Value::Error(e.to_string()),
    }
}

fn value_of_data(v: &Data) -> Value {
    match v {
        Data::Empty => Value::Empty,
        Data::String(s) => Value::Text(s.clone()),
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) => date_of(dt).map_or(Value::Number(dt.as_f64()), Value::Date),
        Data::DateTimeIso(s) => iso_date(s),
        Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Error(e) => Value::Error(e.to_string()),
    }
}
