//! A legacy `.xls` workbook judged before calamine opens it. Opening one makes calamine read
//! every sheet into a dense grid spanning its cells, after reserving room for the extent the
//! sheet declares: a file of a few kilobytes declaring 65,536 × 256 cells, or holding two
//! cells at opposite corners, would take half a gigabyte before any limit could be checked.
//! So the workbook stream is walked here first (the compound file read with the `cfb` crate,
//! its BIFF records one by one), as calamine will walk it: every sheet the workbook lists, from
//! where it says the sheet starts, and its declared and actual extent held to the limits.

use crate::read::{Limits, SheetError};
use std::io::{Cursor, Read};

/// A BIFF record: its type and its data.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
}

/// The records of a stream from its start.
fn records(stream: &[u8]) -> impl Iterator<Item = Record<'_>> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let head = stream.get(at..at + 4)?;
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some(Record { typ, data })
    })
}

fn u16_at(d: &[u8], at: usize) -> Option<u64> {
    d.get(at..at + 2)
        .map(|b| u64::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(d: &[u8], at: usize) -> Option<u64> {
    d.get(at..at + 4)
        .map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
}

/// The most sheets a workbook may list (calamine reads each, even one listed twice).
const MAX_SHEETS: usize = 256;

/// What one sheet would take: the rows and columns it declares and the box its cells span.
#[derive(Debug, Default, Clone, Copy)]
struct Extent {
    declared_rows: u64,
    declared_columns: u64,
    max_row: Option<u64>,
    max_column: Option<u64>,
}

impl Extent {
    fn cell(&mut self, row: u64, column: u64) {
        self.max_row = Some(self.max_row.map_or(row, |r| r.max(row)));
        self.max_column = Some(self.max_column.map_or(column, |c| c.max(column)));
    }

    /// The rows and columns calamine would lay out (its grid starts at the first cell; from
    /// row and column 0 here, which never says less).
    fn spanned(self) -> (u64, u64) {
        (
            self.max_row.map_or(0, |r| r + 1),
            self.max_column.map_or(0, |c| c + 1),
        )
    }
}

/// The extent of the sheet whose BOF is at `start` of the workbook stream, as calamine reads
/// it: to its EOF, records of nested substreams (embedded charts) left out.
fn extent(stream: &[u8], start: usize) -> Extent {
    let mut e = Extent::default();
    let Some(sheet) = stream.get(start..) else {
        return e;
    };
    let mut seen_bof = false;
    let mut depth = 0usize;
    for r in records(sheet) {
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        let d = r.data;
        match r.typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            // Dimensions: BIFF8 rows as u32, earlier as u16; calamine reserves their product.
            0x0200 => {
                let (first_row, last_row, first_col, last_col) = if d.len() >= 14 {
                    (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10))
                } else {
                    (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6))
                };
                if let (Some(a), Some(b), Some(c), Some(f)) =
                    (first_row, last_row, first_col, last_col)
                {
                    e.declared_rows = e.declared_rows.max(b.saturating_sub(a) + 1);
                    e.declared_columns = e.declared_columns.max(f.saturating_sub(c) + 1);
                }
            }
            // Number, label, RString, bool/error, RK, label-SST, formula, blank: row, column.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 | 0x0201 => {
                if let (Some(row), Some(col)) = (u16_at(d, 0), u16_at(d, 2)) {
                    e.cell(row, col);
                }
            }
            // MulRk and MulBlank: row, first column, …, last column at the end.
            0x00BD | 0x00BE => {
                if let (Some(row), Some(last)) =
                    (u16_at(d, 0), u16_at(d, d.len().saturating_sub(2)))
                {
                    e.cell(row, last);
                }
            }
            _ => {}
        }
    }
    e
}

/// The workbook stream of a compound file (`Workbook`, or `Book` in older files).
fn workbook_stream(bytes: &[u8], max: u64) -> Result<Vec<u8>, SheetError> {
    let mut file =
        cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| SheetError::NotASpreadsheet)?;
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| file.is_stream(n))
        .ok_or(SheetError::NotASpreadsheet)?;
    let mut stream = file
        .open_stream(name)
        .map_err(|e| SheetError::Malformed(e.to_string()))?;
    let mut out = Vec::new();
    // Never more than the file could hold (a stream is made of the file's own sectors).
    (&mut stream)
        .take(max)
        .read_to_end(&mut out)
        .map_err(|e| SheetError::Malformed(e.to_string()))?;
    Ok(out)
}

/// Refuses a `.xls` whose sheets declare or span more rows, columns or cells than `limits`
/// take, counted over every sheet the workbook lists.
pub(crate) fn inspect(bytes: &[u8], limits: &Limits) -> Result<(), SheetError> {
    let stream = workbook_stream(bytes, bytes.len() as u64)?;
    // The sheets the globals list, by where their substreams start.
    let mut starts = Vec::new();
    for r in records(&stream) {
        match r.typ {
            0x0085 => {
                if let Some(at) = u32_at(r.data, 0).and_then(|a| usize::try_from(a).ok()) {
                    starts.push(at);
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    if starts.len() > MAX_SHEETS {
        return Err(SheetError::Malformed(format!(
            "the workbook lists {} sheets; at most {MAX_SHEETS} are read",
            starts.len()
        )));
    }
    let mut total: u64 = 0;
    for start in starts {
        let e = extent(&stream, start);
        let (rows, columns) = e.spanned();
        let rows = rows.max(e.declared_rows);
        let columns = columns.max(e.declared_columns);
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
        total = total.saturating_add(rows.saturating_mul(columns));
        if total > limits.max_cells {
            return Err(SheetError::TooManyCells {
                max: limits.max_cells,
            });
        }
    }
    Ok(())
}
