//! The template of an import: the data sheet with its Chinese headers, a drop-down list on
//! every column that takes a choice (kinds, provinces, yes/no), date columns formatted as
//! dates, and an instructions sheet (填写说明) naming every column, whether it is required,
//! how to fill it in and what it may hold.

use crate::columns::{ColumnKind, Spec};
use crate::write::{col_num, header_row, Formats};
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, Format, Formula, Workbook, XlsxError,
};

/// Rows of the data sheet that carry the drop-down lists.
const VALIDATED_ROWS: u32 = 100_000;
/// The sheet holding lists too long for Excel's inline list (255 characters).
const LISTS_SHEET: &str = "选项";

pub fn template(spec: &Spec) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::default();
    let mut book = Workbook::new();
    // Lists too long to write inline go to a hidden sheet, one column each.
    let long_lists: Vec<(usize, Vec<String>)> = spec
        .columns
        .iter()
        .enumerate()
        .filter_map(|(i, c)| match &c.kind {
            ColumnKind::Choice(options) => {
                let labels: Vec<String> = options.iter().map(|(_, l)| l.clone()).collect();
                (labels.iter().map(|l| l.chars().count() + 1).sum::<usize>() > 250)
                    .then_some((i, labels))
            }
            _ => None,
        })
        .collect();

    let data = book.add_worksheet();
    data.set_name(spec.sheet)?;
    header_row(data, &spec.headers(), &f)?;
    for (i, c) in spec.columns.iter().enumerate() {
        let col = col_num(i)?;
        let rule = match &c.kind {
            ColumnKind::YesNo => Some(DataValidation::new().allow_list_strings(&["是", "否"])?),
            ColumnKind::Choice(options) => match long_lists.iter().position(|(at, _)| *at == i) {
                Some(n) => {
                    let letter = column_letter(n);
                    Some(
                        DataValidation::new().allow_list_formula(Formula::new(format!(
                            "={LISTS_SHEET}!${letter}$1:${letter}${}",
                            options.len()
                        ))),
                    )
                }
                None => {
                    let labels: Vec<&str> = options.iter().map(|(_, l)| l.as_str()).collect();
                    Some(DataValidation::new().allow_list_strings(&labels)?)
                }
            },
            ColumnKind::Date => {
                data.set_column_format(col, &f.date)?;
                None
            }
            ColumnKind::Integer { max } => Some(DataValidation::new().allow_whole_number(
                rust_xlsxwriter::DataValidationRule::Between(
                    0,
                    i32::try_from(*max).unwrap_or(i32::MAX),
                ),
            )),
            ColumnKind::Choices(_) => {
                data.set_column_format(col, &Format::new().set_num_format("@"))?;
                None
            }
            ColumnKind::Text { .. } => {
                data.set_column_format(col, &Format::new().set_num_format("@"))?;
                None
            }
        };
        if let Some(rule) = rule {
            let (title, message) = match &c.kind {
                ColumnKind::Integer { max } => (
                    "请填写整数",
                    format!("{}：请填写 0 至 {max} 的整数。", c.header),
                ),
                _ => (
                    "请从下拉列表中选择",
                    format!("{}：请从下拉列表中选择一项。", c.header),
                ),
            };
            let rule = rule
                .set_error_style(DataValidationErrorStyle::Stop)
                .set_error_title(title)?
                .set_error_message(message)?;
            data.add_data_validation(1, col, VALIDATED_ROWS, col, &rule)?;
        }
    }

    let notes = book.add_worksheet();
    notes.set_name("填写说明")?;
    let bold = Format::new().set_bold();
    notes.write_string_with_format(0, 0, spec.title, &bold.clone().set_font_size(14))?;
    let mut r = 2;
    for line in &spec.instructions {
        notes.write_string(r, 0, *line)?;
        r += 1;
    }
    r += 1;
    for (i, h) in ["列名", "是否必填", "填写要求", "可选值"]
        .iter()
        .enumerate()
    {
        notes.write_string_with_format(r, col_num(i)?, *h, &f.header)?;
    }
    for c in &spec.columns {
        r += 1;
        notes.write_string(r, 0, c.header)?;
        notes.write_string(r, 1, if c.required { "必填" } else { "选填" })?;
        let how = match (&c.kind, c.note) {
            (_, note) if !note.is_empty() => note.to_owned(),
            (ColumnKind::Date, _) => "日期，格式 YYYY-MM-DD".to_owned(),
            (ColumnKind::YesNo, _) => "从下拉列表选择 是 或 否".to_owned(),
            (ColumnKind::Choice(_), _) => "从下拉列表选择".to_owned(),
            (ColumnKind::Choices(_), _) => "可填多项，用顿号“、”分隔".to_owned(),
            (ColumnKind::Integer { max }, _) => format!("0 至 {max} 的整数"),
            (ColumnKind::Text { max }, _) => format!("文字，不超过 {max} 字"),
        };
        notes.write_string(r, 2, how)?;
        let options = match &c.kind {
            ColumnKind::Choice(o) | ColumnKind::Choices(o) => o
                .iter()
                .map(|(_, l)| l.as_str())
                .collect::<Vec<_>>()
                .join("、"),
            ColumnKind::YesNo => "是、否".to_owned(),
            _ => String::new(),
        };
        notes.write_string(r, 3, options)?;
    }
    notes.set_column_width(0, 24)?;
    notes.set_column_width(1, 10)?;
    notes.set_column_width(2, 50)?;
    notes.set_column_width(3, 60)?;

    if !long_lists.is_empty() {
        let lists = book.add_worksheet();
        lists.set_name(LISTS_SHEET)?;
        for (n, (_, labels)) in long_lists.iter().enumerate() {
            for (r, l) in labels.iter().enumerate() {
                let row = u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
                lists.write_string(row, col_num(n)?, l)?;
            }
        }
        lists.set_hidden(true);
    }
    book.save_to_buffer()
}

/// A, B, … Z, AA, … for a 0-based column.
fn column_letter(n: usize) -> String {
    let mut n = n + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    out.iter().rev().collect()
}
