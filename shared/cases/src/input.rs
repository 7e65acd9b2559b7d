//! One set of input checks for every case type, so that the same problem gets the same code
//! everywhere: a body's fields collected as problems (`Problems`: `required` for a blank one,
//! `too_long` past its limit, `invalid` for anything else, every problem at once in a 422),
//! and a query's parameters refused one at a time (`BadParameter`, a 400 that names it). The
//! web layer and the console turn them into answers in one place each.

use chrono::NaiveDate;
pub use frt_domain::form::FieldProblem;
use std::fmt::Display;
use std::ops::RangeInclusive;

/// The problem codes a field can have (besides those of the filing form's own checks).
pub mod code {
    pub const REQUIRED: &str = "required";
    pub const TOO_LONG: &str = "too_long";
    pub const INVALID: &str = "invalid";
    pub const UNKNOWN: &str = "unknown";
}

/// One refused field.
pub fn problem(path: &str, code: &str, message: &str) -> FieldProblem {
    FieldProblem {
        path: path.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// A single field that is not valid, as a list of problems (every case type's error takes
/// it with `?` or `.into()`).
pub fn invalid(path: &str, message: &str) -> Vec<FieldProblem> {
    vec![problem(path, code::INVALID, message)]
}

/// A single field that must be given and was not.
pub fn required(path: &str, message: &str) -> Vec<FieldProblem> {
    vec![problem(path, code::REQUIRED, message)]
}

/// The problems of a body, collected so that every one is told at once.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, path: &str, code: &str, message: &str) {
        self.0.push(problem(path, code, message));
    }

    pub fn invalid(&mut self, path: &str, message: &str) {
        self.add(path, code::INVALID, message);
    }

    /// Whether a problem was found at `path` or below it.
    pub fn at(&self, path: &str) -> bool {
        self.0.iter().any(|p| p.path.starts_with(path))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Required text of at most `max` characters, trimmed.
    pub fn text(&mut self, path: &str, value: &str, max: usize) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.add(path, code::REQUIRED, "not blank");
        } else if v.chars().count() > max {
            self.too_long(path, max);
        }
        v.to_owned()
    }

    /// Optional text of at most `max` characters, trimmed: blank is absent.
    pub fn optional(&mut self, path: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        if v.chars().count() > max {
            self.too_long(path, max);
            return None;
        }
        Some(v.to_owned())
    }

    /// Optional text of at most `max` characters that `parse` takes (a domain type's parser):
    /// blank is absent, a value it refuses is invalid with the parser's message.
    pub fn parsed<T, E: Display>(
        &mut self,
        path: &str,
        value: Option<&str>,
        max: usize,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        let v = self.optional(path, value, max)?;
        match parse(&v) {
            Ok(t) => Some(t),
            Err(e) => {
                self.invalid(path, &e.to_string());
                None
            }
        }
    }

    /// A field that must be given and was not (and has no problem of its own yet).
    pub fn required(&mut self, path: &str, message: &str) {
        if !self.at(path) {
            self.add(path, code::REQUIRED, message);
        }
    }

    fn too_long(&mut self, path: &str, max: usize) {
        self.add(path, code::TOO_LONG, &format!("at most {max} characters"));
    }

    /// `value` when no problem was found, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldProblem>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }

    pub fn into_vec(self) -> Vec<FieldProblem> {
        self.0
    }
}

/// Required text of one field on its own: trimmed, or its problem.
pub fn text(path: &str, value: &str, max: usize) -> Result<String, Vec<FieldProblem>> {
    let mut p = Problems::new();
    let v = p.text(path, value, max);
    p.finish(v)
}

/// A query parameter that cannot be taken (400, naming it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub struct BadParameter {
    pub name: String,
    /// `request.<code>` is the problem's code: `invalid_<name>` for a value the parameter
    /// cannot take, `out_of_range` for a number outside its range, `invalid_date`,
    /// `invalid_province`, `invalid_cursor`, `too_long`.
    pub code: String,
    pub message: String,
}

impl BadParameter {
    pub fn new(name: &str, code: &str, message: impl Into<String>) -> Self {
        Self {
            name: name.to_owned(),
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// A value the parameter `name` cannot take (`invalid_<name>`).
    pub fn invalid(name: &str, message: impl Into<String>) -> Self {
        Self::new(name, &format!("invalid_{name}"), message)
    }
}

fn refused(name: &str, code: &str, message: String) -> BadParameter {
    BadParameter::new(name, code, message)
}

/// A `YYYY-MM-DD` parameter within the supported years.
pub fn date(name: &str, value: &str) -> Result<NaiveDate, BadParameter> {
    frt_domain::civil::parse(value).map_err(|e| refused(name, "invalid_date", e.to_string()))
}

/// A number parameter within `range`.
pub fn within<T: PartialOrd + Display + Copy>(
    name: &str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<T, BadParameter> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(refused(
            name,
            "out_of_range",
            format!(
                "{value} is not between {} and {}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// A text parameter of at most `max` characters.
pub fn bounded<'a>(name: &str, value: &'a str, max: usize) -> Result<&'a str, BadParameter> {
    if value.chars().count() <= max {
        Ok(value)
    } else {
        Err(refused(
            name,
            "too_long",
            format!("at most {max} characters"),
        ))
    }
}

/// A province code parameter (GB/T 2260, `NN0000`), exactly as sent.
pub fn province<'a>(name: &str, value: &'a str) -> Result<&'a str, BadParameter> {
    let ok =
        value.len() == 6 && value.bytes().all(|b| b.is_ascii_digit()) && value.ends_with("0000");
    if ok {
        Ok(value)
    } else {
        Err(refused(
            name,
            "invalid_province",
            "a province code like 310000".into(),
        ))
    }
}

/// A parameter that must be one of `allowed`.
pub fn one_of<'a>(name: &str, value: &'a str, allowed: &[&str]) -> Result<&'a str, BadParameter> {
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(BadParameter::invalid(
            name,
            format!("one of {}", allowed.join(", ")),
        ))
    }
}

/// A parameter read as a value of `T` (`FromStr`), the parse error as its message.
pub fn parsed<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, BadParameter>
where
    T::Err: Display,
{
    value
        .trim()
        .parse()
        .map_err(|e: T::Err| BadParameter::invalid(name, e.to_string()))
}

/// A cursor parameter of `K`'s shape (`crate::cursor`).
pub fn cursor<K: crate::cursor::Key>(
    name: &str,
    value: Option<&str>,
) -> Result<Option<K>, BadParameter> {
    crate::cursor::decode(value).map_err(|_| bad_cursor(name))
}

/// A cursor that is not one of the list's.
pub fn bad_cursor(name: &str) -> BadParameter {
    BadParameter::new(
        name,
        "invalid_cursor",
        format!("{name} must be the 'next' value of a previous page"),
    )
}

/// Page size (1 to `MAX_LIMIT`, by default `DEFAULT_LIMIT`).
pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

pub fn limit(value: Option<i64>) -> Result<i64, BadParameter> {
    within("limit", value.unwrap_or(DEFAULT_LIMIT), 1..=MAX_LIMIT)
}

/// Rows to skip (0 to 1,000,000).
pub fn offset(value: Option<i64>) -> Result<i64, BadParameter> {
    within("offset", value.unwrap_or(0), 0..=1_000_000)
}

/// A page of a list paged by offset, with the total it is part of.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Page<T: utoipa::ToSchema> {
    pub items: Vec<T>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_problem_gets_the_same_code() {
        let mut p = Problems::new();
        assert_eq!(p.text("title", "  ", 10), "");
        assert_eq!(p.text("body", &"x".repeat(11), 10), "x".repeat(11));
        assert_eq!(p.optional("note", Some(" "), 10), None);
        assert_eq!(p.optional("note", Some(" ok "), 10).as_deref(), Some("ok"));
        let all = p.into_vec();
        assert_eq!(
            all.iter()
                .map(|p| (p.path.as_str(), p.code.as_str()))
                .collect::<Vec<_>>(),
            [("title", "required"), ("body", "too_long")]
        );
    }

    #[test]
    fn parameters_are_refused_by_name() {
        let e = date("submitted_from", "-250000-01-01").expect_err("far out");
        assert_eq!(e.name, "submitted_from");
        assert!(within("to", i32::MIN, 1..=10).is_err());
        assert_eq!(within("to", 3, 1..=10).ok(), Some(3));
        assert_eq!(province("province", "310000").ok(), Some("310000"));
        for bad in ["310100", "31000", "３10000", "310000 ", ""] {
            assert!(province("province", bad).is_err(), "{bad:?}");
        }
        let e = one_of("status", "Closed", &["planned", "closed"]).expect_err("case");
        assert!(e.message.contains("planned, closed"));
        assert_eq!(limit(None), Ok(50));
        assert!(limit(Some(0)).is_err() && offset(Some(-1)).is_err());
    }
}
