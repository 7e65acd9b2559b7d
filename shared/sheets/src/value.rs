//! A cell's value as read: what the file holds, not a formula.

use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    /// A cell holding an error value (`#N/A`, `#DIV/0!`, …).
    Error(String),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The value as text, as a person reads it in the cell: whole numbers without a decimal
    /// point (a phone number typed as a number), dates as YYYY-MM-DD, yes/no as 是/否.
    /// `None` for an empty cell or an error value.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Empty | Value::Error(_) => None,
            Value::Text(t) => {
                let t = t.trim();
                (!t.is_empty()).then(|| t.to_owned())
            }
            Value::Number(n) => Some(number_text(*n)),
            Value::Bool(b) => Some(if *b { "是" } else { "否" }.to_owned()),
            Value::Date(d) => Some(d.format("%Y-%m-%d").to_string()),
        }
    }
}

/// A number as it shows in a cell with the general format, for whole numbers exactly.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_a_person_reads_them() {
        assert_eq!(
            Value::Number(13800138000.0).text().as_deref(),
            Some("13800138000")
        );
        assert_eq!(Value::Number(2.5).text().as_deref(), Some("2.5"));
        assert_eq!(Value::Bool(true).text().as_deref(), Some("是"));
        assert_eq!(Value::Text("  ".into()).text(), None);
        assert_eq!(Value::Error("#N/A".into()).text(), None);
        let d = NaiveDate::from_ymd_opt(2026, 10, 8).map(Value::Date);
        assert_eq!(d.and_then(|d| d.text()).as_deref(), Some("2026-10-08"));
    }
}
