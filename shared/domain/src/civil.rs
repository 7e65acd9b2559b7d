//! Civil dates (日期) taken from outside: exactly `YYYY-MM-DD`, within the years the platform
//! deals in. Anything further out is refused at the edge, before any arithmetic or storage
//! (PostgreSQL's date range and chrono's are both narrower than what a parser accepts).

use chrono::NaiveDate;

/// The first year a date from outside may fall in.
pub const MIN_YEAR: i32 = 1900;
/// The last year a date from outside may fall in.
pub const MAX_YEAR: i32 = 2999;

/// Why a text is not an acceptable date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateInputError {
    #[error("'{0}' is not a date in the form YYYY-MM-DD")]
    Malformed(String),
    #[error("{0} is outside the years {MIN_YEAR} to {MAX_YEAR}")]
    OutOfRange(NaiveDate),
}

/// Whether a date lies in the supported years.
pub fn check(date: NaiveDate) -> Result<NaiveDate, DateInputError> {
    use chrono::Datelike;
    if (MIN_YEAR..=MAX_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(DateInputError::OutOfRange(date))
    }
}

/// Parses `YYYY-MM-DD` (four-digit year, two-digit month and day) within the supported years.
pub fn parse(text: &str) -> Result<NaiveDate, DateInputError> {
    let t = text;
    let shape_ok = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(DateInputError::Malformed(text.chars().take(40).collect()));
    }
    let date = NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map_err(|_| DateInputError::Malformed(t.to_owned()))?;
    check(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_dates_in_range_pass() {
        assert_eq!(
            parse("2026-12-02"),
            Ok(NaiveDate::from_ymd_opt(2026, 12, 2).expect("date"))
        );
        for bad in [
            "-250000-01-01",
            "+250000-01-01",
            "2026-2-1",
            "2026-02-30",
            "20260202",
            "",
            "2026-12-02T00:00",
        ] {
            assert!(
                matches!(parse(bad), Err(DateInputError::Malformed(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            parse("0001-01-01"),
            Err(DateInputError::OutOfRange(_))
        ));
        assert!(matches!(
            parse("9999-12-31"),
            Err(DateInputError::OutOfRange(_))
        ));
        assert!(parse("1900-01-01").is_ok() && parse("2999-12-31").is_ok());
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,24}") {
            let _ = parse(&s);
        }
    }
}
