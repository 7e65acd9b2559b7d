//! Numbers and dates taken from the query string, range-checked with a 400 that names the
//! parameter, so no input reaches arithmetic or storage unchecked.

use crate::error::{ApiError, FieldError};
use chrono::NaiveDate;
use std::fmt::Display;
use std::ops::RangeInclusive;

fn refused(name: &str, code: &str, message: String) -> ApiError {
    ApiError::bad_request(format!("request.{code}"), format!("{name}: {message}")).with_errors(
        vec![FieldError {
            path: name.to_owned(),
            code: code.to_owned(),
            message,
        }],
    )
}

/// A `YYYY-MM-DD` parameter within the supported years.
pub fn date(name: &str, value: &str) -> Result<NaiveDate, ApiError> {
    frt_domain::civil::parse(value).map_err(|e| refused(name, "invalid_date", e.to_string()))
}

/// A number parameter within `range`.
pub fn within<T: PartialOrd + Display + Copy>(
    name: &str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<T, ApiError> {
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
pub fn text<'a>(name: &str, value: &'a str, max: usize) -> Result<&'a str, ApiError> {
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
pub fn province<'a>(name: &str, value: &'a str) -> Result<&'a str, ApiError> {
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
pub fn one_of<'a>(name: &str, value: &'a str, allowed: &[&str]) -> Result<&'a str, ApiError> {
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(refused(
            name,
            "invalid_value",
            format!("one of {}", allowed.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_parameter() {
        let e = date("submitted_from", "-250000-01-01").expect_err("far out");
        assert_eq!(e.status().as_u16(), 400);
        assert!(e.problem().detail.starts_with("submitted_from:"));
        assert!(within("to", i32::MIN, 1..=10).is_err());
        assert_eq!(within("to", 3, 1..=10).ok(), Some(3));
    }

    #[test]
    fn provinces_and_choices_are_taken_exactly() {
        assert_eq!(province("province", "310000").ok(), Some("310000"));
        for bad in ["310100", "31000", "３10000", "310000 ", ""] {
            assert!(province("province", bad).is_err(), "{bad:?}");
        }
        assert!(one_of("status", "closed", &["planned", "closed"]).is_ok());
        let e = one_of("status", "Closed", &["planned", "closed"]).expect_err("case");
        assert!(e.problem().detail.contains("planned, closed"));
    }
}
