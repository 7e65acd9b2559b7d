//! Exports that stream: rows come from an iterator (fed by a database cursor) and go to a
//! worksheet in rust_xlsxwriter's constant-memory mode, which flushes each row to a temporary
//! file as soon as the next begins, so a sheet of a million rows never sits in memory.

use crate::write::{col_num, date, filter, header_row, text, Formats};
use chrono::NaiveDate;
pub use rust_xlsxwriter::XlsxError;
use rust_xlsxwriter::{Workbook, Worksheet};
use std::path::Path;

/// A cell of an export.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    /// Always a string cell: text beginning with `=`, `+`, `-` or `@` is not a formula.
    Text(String),
    Date(NaiveDate),
    Number(f64),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Self {
        s.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<Option<NaiveDate>> for Cell {
    fn from(d: Option<NaiveDate>) -> Self {
        d.map_or(Cell::Empty, Cell::Date)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Number(n as f64)
    }
}

/// Writes one sheet named `sheet` with `headers` and the `rows` to `path`; answers the number
/// of data rows written.
pub fn write_sheet<I>(path: &Path, sheet: &str, headers: &[&str], rows: I) -> Result<u64, XlsxError>
where
    I: IntoIterator<Item = Vec<Cell>>,
{
    let f = Formats::default();
    let mut book = Workbook::new();
    let ws = book.add_worksheet_with_constant_memory()?;
    ws.set_name(sheet)?;
    header_row(ws, headers, &f)?;
    let mut row: u32 = 0;
    for cells in rows {
        row = row.checked_add(1).ok_or(XlsxError::RowColumnLimitError)?;
        write_row(ws, row, cells, headers.len(), &f)?;
    }
    filter(ws, row, headers.len())?;
    book.save(path)?;
    Ok(u64::from(row))
}

/// One row of cells (at most `width`), each as its kind.
fn write_row(
    ws: &mut Worksheet,
    row: u32,
    cells: Vec<Cell>,
    width: usize,
    f: &Formats,
) -> Result<(), XlsxError> {
    for (i, cell) in cells.into_iter().enumerate().take(width) {
        let col = col_num(i)?;
        match cell {
            Cell::Empty => {}
            Cell::Text(t) => text(ws, row, col, &t)?,
            Cell::Date(d) => date(ws, row, col, d, f)?,
            Cell::Number(n) => {
                ws.write_number(row, col, n)?;
            }
        }
    }
    Ok(())
}

/// Masks personal data for a reader who may not see it: a name keeps its first character, a
/// number its first three and last four digits, anything else its first character.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n == 0 {
        return String::new();
    }
    if n >= 11 && chars.iter().filter(|c| c.is_ascii_digit()).count() >= n - 1 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[n - 4..].iter().collect();
        return format!("{head}{}{tail}", "*".repeat(n - 7));
    }
    let first = chars[0];
    format!("{first}{}", "*".repeat((n - 1).clamp(1, 8)))
}

/// A column chart over a table sheet: categories from one column, a series per value column.
pub struct ChartSpec {
    pub sheet: &'static str,
    pub title: &'static str,
    pub category_col: u16,
    pub value_cols: Vec<u16>,
}

/// A small table (statistics) with a chart sheet drawn from it, written to `path`.
pub fn write_table_with_chart(
    path: &Path,
    sheet: &str,
    headers: &[&str],
    rows: Vec<Vec<Cell>>,
    notes: &[String],
    chart: &ChartSpec,
) -> Result<u64, XlsxError> {
    use rust_xlsxwriter::{Chart, ChartType};
    let f = Formats::default();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet)?;
    header_row(ws, headers, &f)?;
    let count = u32::try_from(rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
    for (r, cells) in rows.into_iter().enumerate() {
        let row = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        write_row(ws, row, cells, headers.len(), &f)?;
    }
    filter(ws, count, headers.len())?;
    if !notes.is_empty() {
        // What the figures mean, on a sheet of its own so that the table stays a table.
        let about = book.add_worksheet();
        about.set_name("说明")?;
        about.set_column_width(0, 100)?;
        for (i, note) in notes.iter().enumerate() {
            let row = u32::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)?;
            text(about, row, 0, note)?;
        }
    }
    let mut c = Chart::new(ChartType::Column);
    c.title().set_name(chart.title);
    for &col in &chart.value_cols {
        c.add_series()
            .set_name((sheet, 0, col))
            .set_categories((
                sheet,
                1,
                chart.category_col,
                count.max(1),
                chart.category_col,
            ))
            .set_values((sheet, 1, col, count.max(1), col));
    }
    let cs = book.add_chartsheet();
    cs.set_name(chart.sheet)?;
    cs.insert_chart(0, 0, &c)?;
    book.save(path)?;
    Ok(u64::from(count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_only_what_identifies_nothing() {
        assert_eq!(mask("张三丰"), "张**");
        assert_eq!(mask("13800138000"), "138****8000");
        assert_eq!(mask("110101199003078515"), "110***********8515");
        assert_eq!(mask("李"), "李*");
        assert_eq!(mask(""), "");
    }
}
