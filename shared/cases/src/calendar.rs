//! Public working-day arithmetic: the due date N working days after a date, with the days
//! skipped and the calendar versions used (the API's calculator and the portal's page).

use crate::context::Core;
use crate::error::StoreError;
use chrono::NaiveDate;
use frt_domain::calendar::{DueDate, WorkingDays};

#[derive(Debug, thiserror::Error)]
pub enum DueDateError {
    #[error("from: {0}")]
    InvalidDate(String),
    #[error("working_days must be a whole number from 1 to 3650")]
    InvalidWorkingDays,
    #[error("{0}")]
    OutOfRange(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

crate::error::store_errors!(DueDateError);

/// The day `working_days` working days after `from` (both as typed: a date `YYYY-MM-DD` and a
/// whole number from 1 to 3650).
pub async fn due_date(
    core: &Core,
    from: &str,
    working_days: &str,
) -> Result<DueDate, DueDateError> {
    let from =
        frt_domain::civil::parse(from).map_err(|e| DueDateError::InvalidDate(e.to_string()))?;
    let n: i64 = working_days
        .trim()
        .parse()
        .map_err(|_| DueDateError::InvalidWorkingDays)?;
    explain(core, from, n).await
}

/// The day `n` working days after `from`, with every day skipped on the way and why: the
/// explanation of a deadline ("why this date").
pub async fn explain(core: &Core, from: NaiveDate, n: i64) -> Result<DueDate, DueDateError> {
    let n = WorkingDays::new(n).map_err(|_| DueDateError::InvalidWorkingDays)?;
    let calendar = core.calendar().await?;
    calendar
        .add_working_days(from, n)
        .map_err(|e| DueDateError::OutOfRange(e.to_string()))
}

/// Working days from `today` to `due` on `calendar`: negative once `due` has passed (the
/// "days left" every list and case page shows beside a time limit).
pub fn working_days_left(
    calendar: &frt_domain::calendar::Calendar,
    today: NaiveDate,
    due: NaiveDate,
) -> i64 {
    if due >= today {
        calendar.working_days_between(today, due).days
    } else {
        -calendar.working_days_between(due, today).days
    }
}
