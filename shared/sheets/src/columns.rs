//! What an import's sheet holds, column by column: the Chinese header a person sees, whether
//! it is required, and what kind of value it takes. The same description makes the template
//! (instructions and drop-down lists) and reads the upload (headers matched by name, in any
//! order; cells read into text, dates, yes/no and choices).

use crate::read::{Row, Table};
use crate::value::Value;
use chrono::NaiveDate;
use serde::Serialize;

/// The header of the column that an error workbook adds; ignored when read back.
pub const ERROR_HEADER: &str = "错误";

#[derive(Debug, Clone)]
pub enum ColumnKind {
    /// Free text of at most this many characters.
    Text { max: usize },
    /// A date cell, or text as YYYY-MM-DD.
    Date,
    /// 是 or 否 (a TRUE/FALSE cell too).
    YesNo,
    /// One of a list: the person picks the label, the code is taken.
    Choice(Vec<(String, String)>),
    /// Any of a list, separated by 、 , ， ; or ；.
    Choices(Vec<(String, String)>),
    /// A whole number from 0 to `max` (a number cell, or digits as text).
    Integer { max: u64 },
}

#[derive(Debug, Clone)]
pub struct Column {
    /// The field it fills (also accepted as the header).
    pub key: &'static str,
    /// The header in the template.
    pub header: &'static str,
    pub required: bool,
    pub kind: ColumnKind,
    /// How to fill it in, for the instructions sheet.
    pub note: &'static str,
    /// A secret (an initial password): blanked in the error workbook kept after a refusal.
    pub secret: bool,
}

impl Column {
    pub fn text(key: &'static str, header: &'static str, max: usize) -> Self {
        Self {
            key,
            header,
            required: false,
            kind: ColumnKind::Text { max },
            note: "",
            secret: false,
        }
    }

    pub fn date(key: &'static str, header: &'static str) -> Self {
        Self {
            kind: ColumnKind::Date,
            ..Self::text(key, header, 0)
        }
    }

    pub fn yes_no(key: &'static str, header: &'static str) -> Self {
        Self {
            kind: ColumnKind::YesNo,
            ..Self::text(key, header, 0)
        }
    }

    pub fn choice(key: &'static str, header: &'static str, options: Vec<(String, String)>) -> Self {
        Self {
            kind: ColumnKind::Choice(options),
            ..Self::text(key, header, 0)
        }
    }

    pub fn choices(
        key: &'static str,
        header: &'static str,
        options: Vec<(String, String)>,
    ) -> Self {
        Self {
            kind: ColumnKind::Choices(options),
            ..Self::text(key, header, 0)
        }
    }

    pub fn integer(key: &'static str, header: &'static str, max: u64) -> Self {
        Self {
            kind: ColumnKind::Integer { max },
            ..Self::text(key, header, 0)
        }
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn secret(mut self) -> Self {
        self.secret = true;
        self
    }

    pub fn note(mut self, note: &'static str) -> Self {
        self.note = note;
        self
    }
}

/// An import's sheet.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The import kind (`complaints`, `staff`, …).
    pub kind: &'static str,
    /// What the sheet is, for the instructions (e.g. 投诉举报登记表).
    pub title: &'static str,
    /// The data sheet's name.
    pub sheet: &'static str,
    pub columns: Vec<Column>,
    /// General instructions, one paragraph each.
    pub instructions: Vec<&'static str>,
}

/// A problem with one cell (or a whole row, or the header row), as the answer and the error
/// workbook give it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellProblem {
    pub sheet: String,
    /// The row's number in the sheet (1 is the header row).
    pub row: u32,
    /// The column's header.
    pub column: String,
    pub code: String,
    pub message: String,
}

/// The upload's columns matched to the spec's: for each spec column, its position in the
/// sheet when present.
#[derive(Debug, Clone)]
pub struct Located {
    positions: Vec<Option<usize>>,
    /// Each spec column's index by its key.
    index: std::collections::HashMap<&'static str, usize>,
}

impl Spec {
    /// Matches the header row: every required column must be there, and every header must be
    /// one of the spec's (by its Chinese header or its key). Every problem at once.
    pub fn locate(&self, sheet: &str, header: &[String]) -> Result<Located, Vec<CellProblem>> {
        let mut positions = vec![None; self.columns.len()];
        let mut problems = Vec::new();
        let problem = |column: &str, code: &str, message: String| CellProblem {
            sheet: sheet.to_owned(),
            row: 1,
            column: column.to_owned(),
            code: code.to_owned(),
            message,
        };
        for (at, header) in header.iter().enumerate() {
            let h = header.trim();
            if h.is_empty() || h == ERROR_HEADER {
                continue;
            }
            let found = self.columns.iter().position(|c| {
                c.header == h
                    || c.key.eq_ignore_ascii_case(h)
                    || c.header == h.trim_end_matches('*')
            });
            match found {
                Some(i) if positions[i].is_some() => problems.push(problem(
                    h,
                    "sheet.duplicate_header",
                    format!("the column {h} appears twice"),
                )),
                Some(i) => positions[i] = Some(at),
                None => problems.push(problem(
                    h,
                    "sheet.unknown_header",
                    format!(
                        "the column {h} is not one of this template's; the columns are: {}",
                        self.headers().join("、")
                    ),
                )),
            }
        }
        for (c, at) in self.columns.iter().zip(&positions) {
            if c.required && at.is_none() {
                problems.push(problem(
                    c.header,
                    "sheet.missing_header",
                    format!("the required column {} is missing", c.header),
                ));
            }
        }
        if problems.is_empty() {
            let index = self
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.key, i))
                .collect();
            Ok(Located { positions, index })
        } else {
            Err(problems)
        }
    }

    /// Blanks the cells of secret columns (matched by header, as `locate` does).
    pub fn blank_secrets(&self, table: &mut Table) {
        let secret: Vec<usize> = table
            .header
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                let h = h.trim().trim_end_matches('*');
                self.columns
                    .iter()
                    .any(|c| c.secret && (c.header == h || c.key.eq_ignore_ascii_case(h)))
            })
            .map(|(i, _)| i)
            .collect();
        if secret.is_empty() {
            return;
        }
        for row in &mut table.rows {
            for at in &secret {
                if let Some(cell) = row.cells.get_mut(*at) {
                    *cell = Value::Empty;
                }
            }
        }
    }

    pub fn headers(&self) -> Vec<&'static str> {
        self.columns.iter().map(|c| c.header).collect()
    }

    /// A reader of one data row.
    pub fn row<'a>(&'a self, located: &'a Located, sheet: &'a str, row: &'a Row) -> Cells<'a> {
        Cells {
            spec: self,
            located,
            sheet,
            row,
            problems: Vec::new(),
        }
    }
}

/// One data row read against the spec; problems gather as the cells are read.
pub struct Cells<'a> {
    spec: &'a Spec,
    located: &'a Located,
    sheet: &'a str,
    row: &'a Row,
    problems: Vec<CellProblem>,
}

impl Cells<'_> {
    pub fn number(&self) -> u32 {
        self.row.number
    }

    fn column(&self, key: &str) -> Option<&Column> {
        self.located
            .index
            .get(key)
            .and_then(|i| self.spec.columns.get(*i))
    }

    fn value(&self, key: &str) -> &Value {
        self.located
            .index
            .get(key)
            .and_then(|i| self.located.positions.get(*i).copied().flatten())
            .and_then(|at| self.row.cells.get(at))
            .unwrap_or(&Value::Empty)
    }

    /// Adds a problem with the cell of `key`.
    pub fn problem(&mut self, key: &str, code: &str, message: impl Into<String>) {
        let column = self
            .column(key)
            .map_or_else(|| key.to_owned(), |c| c.header.to_owned());
        self.problems.push(CellProblem {
            sheet: self.sheet.to_owned(),
            row: self.row.number,
            column,
            code: code.to_owned(),
            message: message.into(),
        });
    }

    /// The cell's text; a problem when it is required and empty, or longer than allowed.
    pub fn text(&mut self, key: &str) -> Option<String> {
        let value = self.value(key).clone();
        if let Value::Error(e) = &value {
            self.problem(
                key,
                "cell.error_value",
                format!("the cell holds the error {e}"),
            );
            return None;
        }
        let text = value.text();
        let (required, max) = match self.column(key) {
            Some(c) => (
                c.required,
                match c.kind {
                    ColumnKind::Text { max } => max,
                    _ => 0,
                },
            ),
            None => (false, 0),
        };
        match &text {
            None if required => self.problem(key, "cell.required", "this cell is required"),
            Some(t) if max > 0 && t.chars().count() > max => {
                self.problem(key, "cell.too_long", format!("at most {max} characters"));
                return None;
            }
            _ => {}
        }
        text
    }

    /// The cell as a date: a date cell, or text written YYYY-MM-DD.
    pub fn date(&mut self, key: &str) -> Option<NaiveDate> {
        match self.value(key).clone() {
            Value::Date(d) => Some(d),
            Value::Empty => {
                if self.column(key).is_some_and(|c| c.required) {
                    self.problem(key, "cell.required", "this cell is required");
                }
                None
            }
            other => {
                let text = other.text().unwrap_or_default();
                let parsed = NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .or_else(|_| NaiveDate::parse_from_str(&text, "%Y/%m/%d"))
                    .ok();
                if parsed.is_none() {
                    self.problem(
                        key,
                        "cell.invalid_date",
                        format!("{text} is not a date; write it as YYYY-MM-DD"),
                    );
                }
                parsed
            }
        }
    }

    /// 是/否 (or a TRUE/FALSE cell); empty is `None`.
    pub fn yes_no(&mut self, key: &str) -> Option<bool> {
        match self.value(key).clone() {
            Value::Bool(b) => Some(b),
            other => match other.text().as_deref() {
                None => {
                    if self.column(key).is_some_and(|c| c.required) {
                        self.problem(key, "cell.required", "this cell is required");
                    }
                    None
                }
                Some("是" | "Y" | "y" | "yes" | "Yes" | "YES" | "TRUE" | "true" | "1") => {
                    Some(true)
                }
                Some("否" | "N" | "n" | "no" | "No" | "NO" | "FALSE" | "false" | "0") => {
                    Some(false)
                }
                Some(t) => {
                    self.problem(key, "cell.invalid_choice", format!("{t} is not 是 or 否"));
                    None
                }
            },
        }
    }

    /// One of the column's choices, by its label or its code; answers the code.
    pub fn choice(&mut self, key: &str) -> Option<String> {
        let text = self.text(key)?;
        let Some(ColumnKind::Choice(options)) = self.column(key).map(|c| &c.kind) else {
            return Some(text);
        };
        if let Some((code, _)) = options
            .iter()
            .find(|(code, label)| *label == text || *code == text)
        {
            return Some(code.clone());
        }
        let labels: Vec<&str> = options.iter().map(|(_, l)| l.as_str()).take(12).collect();
        let message = format!("{text} is not one of the list ({}…)", labels.join("、"));
        self.problem(key, "cell.invalid_choice", message);
        None
    }

    /// The codes of every choice in the cell (empty when the cell is).
    pub fn choices(&mut self, key: &str) -> Vec<String> {
        let Some(text) = self.text(key) else {
            return Vec::new();
        };
        let Some(ColumnKind::Choices(options)) = self.column(key).map(|c| &c.kind) else {
            return vec![text];
        };
        let mut codes = Vec::new();
        let mut unknown = Vec::new();
        for part in text
            .split(['、', ',', '，', ';', '；'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            match options
                .iter()
                .find(|(code, label)| label == part || code == part)
            {
                Some((code, _)) if !codes.contains(code) => codes.push(code.clone()),
                Some(_) => {}
                None => unknown.push(part.to_owned()),
            }
        }
        if !unknown.is_empty() {
            let labels: Vec<&str> = options.iter().map(|(_, l)| l.as_str()).collect();
            self.problem(
                key,
                "cell.invalid_choice",
                format!(
                    "{} is not in the list ({}); separate several with 、",
                    unknown.join("、"),
                    labels.join("、")
                ),
            );
        }
        codes
    }

    /// The cell as a whole number within the column's range.
    pub fn integer(&mut self, key: &str) -> Option<u64> {
        let max = match self.column(key).map(|c| &c.kind) {
            Some(ColumnKind::Integer { max }) => *max,
            _ => u64::MAX,
        };
        let value = match self.value(key) {
            Value::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= max as f64 => {
                Some(*n as u64)
            }
            Value::Number(n) => {
                let n = *n;
                self.problem(
                    key,
                    "cell.invalid_number",
                    format!("{n} is not a whole number from 0 to {max}"),
                );
                return None;
            }
            _ => None,
        };
        if value.is_some() {
            return value;
        }
        let text = self.text(key)?;
        let digits: String = text
            .chars()
            .filter(|c| !matches!(c, ',' | '，' | ' '))
            .collect();
        match digits.parse::<u64>() {
            Ok(n) if n <= max => Some(n),
            _ => {
                self.problem(
                    key,
                    "cell.invalid_number",
                    format!("{text} is not a whole number from 0 to {max}"),
                );
                None
            }
        }
    }

    /// The problems found in this row so far.
    pub fn problems(&self) -> &[CellProblem] {
        &self.problems
    }

    pub fn into_problems(self) -> Vec<CellProblem> {
        self.problems
    }
}
