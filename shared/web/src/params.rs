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
}
