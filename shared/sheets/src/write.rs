//! Writing xlsx with the platform's conventions: a bold header row, frozen, with a filter;
//! dates as real date cells; text always as text, so that a value beginning with `=`, `+`,
//! `-` or `@` is never taken for a formula by Excel.

use crate::columns::{CellProblem, ERROR_HEADER};
use crate::read::Table;
use crate::value::Value;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatBorder, Worksheet, XlsxError};
use std::collections::BTreeMap;

/// The formats a sheet of ours uses.
pub struct Formats {
    pub header: Format,
    pub date: Format,
    pub bad: Format,
    pub wrap: Format,
}

impl Default for Formats {
    fn default() -> Self {
        Self {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border_bottom(FormatBorder::Thin),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            bad: Format::new().set_background_color(Color::RGB(0xFFC7CE)),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// Writes the header row (bold, frozen) and sets column widths from the header texts.
pub fn header_row(ws: &mut Worksheet, headers: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (i, h) in headers.iter().enumerate() {
        let col = col_num(i)?;
        ws.write_string_with_format(0, col, *h, &f.header)?;
        let width = (h.chars().count() as f64 * 2.2 + 4.0).clamp(10.0, 40.0);
        ws.set_column_width(col, width)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// A filter over the header row and `last_row` rows below it.
pub fn filter(ws: &mut Worksheet, last_row: u32, columns: usize) -> Result<(), XlsxError> {
    if columns > 0 {
        ws.autofilter(0, 0, last_row, col_num(columns - 1)?)?;
    }
    Ok(())
}

/// Text as a string cell, whatever it begins with (never a formula).
pub fn text(ws: &mut Worksheet, row: u32, col: u16, value: &str) -> Result<(), XlsxError> {
    ws.write_string(row, col, value)?;
    Ok(())
}

pub fn date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: NaiveDate,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.write_date_with_format(row, col, &excel_date(value)?, &f.date)?;
    Ok(())
}

pub fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

pub fn col_num(i: usize) -> Result<u16, XlsxError> {
    u16::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

/// A cell read from an upload, written back as it was.
fn value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: &Value,
    f: &Formats,
    bad: bool,
) -> Result<(), XlsxError> {
    match v {
        Value::Empty if bad => {
            ws.write_blank(row, col, &f.bad)?;
        }
        Value::Empty => {}
        Value::Text(t) | Value::Error(t) if bad => {
            ws.write_string_with_format(row, col, t, &f.bad)?;
        }
        Value::Text(t) | Value::Error(t) => text(ws, row, col, t)?,
        Value::Number(n) if bad => {
            ws.write_number_with_format(row, col, *n, &f.bad)?;
        }
        Value::Number(n) => {
            ws.write_number(row, col, *n)?;
        }
        Value::Bool(b) => {
            ws.write_string(row, col, if *b { "是" } else { "否" })?;
        }
        Value::Date(d) => {
            let fmt = if bad {
                f.date.clone().set_background_color(Color::RGB(0xFFC7CE))
            } else {
                f.date.clone()
            };
            ws.write_date_with_format(row, col, &excel_date(*d)?, &fmt)?;
        }
    }
    Ok(())
}

/// The upload given back with an error column: every row as it was read (under its own row
/// number, so that row numbers in the answer point at the same rows here), bad rows shaded,
/// and beside each bad row what is wrong with it, column by column.
pub fn error_workbook(table: &Table, problems: &[CellProblem]) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::default();
    let mut by_row: BTreeMap<u32, Vec<&CellProblem>> = BTreeMap::new();
    for p in problems {
        by_row.entry(p.row).or_default().push(p);
    }
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(&table.sheet)?;
    // Headers where they were, less an error column from an earlier round.
    let header: Vec<&str> = table
        .header
        .iter()
        .map(|h| if h == ERROR_HEADER { "" } else { h.as_str() })
        .collect();
    let error_col = col_num(header.len())?;
    let mut headers = header.clone();
    headers.push(ERROR_HEADER);
    header_row(ws, &headers, &f)?;
    ws.set_column_width(error_col, 60)?;
    let header_problems = by_row.get(&1).map(|ps| messages(ps));
    if let Some(m) = header_problems {
        ws.write_string_with_format(0, error_col, m, &f.bad)?;
    }
    let mut last = 0;
    for row in &table.rows {
        let r = row.number.saturating_sub(1);
        let bad = by_row.get(&row.number);
        for (i, v) in row.cells.iter().enumerate().take(header.len()) {
            if header[i].is_empty() {
                continue;
            }
            value(ws, r, col_num(i)?, v, &f, bad.is_some())?;
        }
        if let Some(ps) = bad {
            ws.write_string_with_format(r, error_col, messages(ps), &f.wrap)?;
        }
        last = r;
    }
    filter(ws, last, headers.len())?;
    book.save_to_buffer()
}

fn messages(ps: &[&CellProblem]) -> String {
    ps.iter()
        .map(|p| format!("{}：{}", p.column, p.message))
        .collect::<Vec<_>>()
        .join("；")
}
