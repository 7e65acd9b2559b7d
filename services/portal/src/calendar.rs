//! Public working-day arithmetic: the due date N working days after a date, with the days
//! skipped and the calendar versions used.

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_domain::calendar::{DueDate, WorkingDays};
use frt_web::{ApiError, ApiResult, Core};
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DueDateQuery {
    /// The day of the event (not counted), YYYY-MM-DD, in the years 1900 to 2999.
    #[param(format = Date, pattern = "^(19[0-9]{2}|2[0-9]{3})-")]
    pub from: String,
    /// Working days allowed, 1 to 3650.
    #[param(value_type = i64, minimum = 1, maximum = 3650)]
    pub working_days: String,
}

/// The N-th working day after `from` (Civil Code Art. 201: the start day is not counted).
#[utoipa::path(tag = "calendar", params(DueDateQuery), responses(
    (status = 200, body = DueDate),
    (status = 400, description = "bad date or count", content_type = "application/problem+json")))]
#[get("/api/v1/calendar/due-date")]
pub async fn due_date(
    core: web::Data<Core>,
    q: web::Query<DueDateQuery>,
) -> ApiResult<HttpResponse> {
    let from = frt_domain::civil::parse(&q.from)
        .map_err(|e| ApiError::bad_request("calendar.invalid_date", format!("from: {e}")))?;
    let n: i64 = q.working_days.trim().parse().map_err(|_| {
        ApiError::bad_request(
            "calendar.invalid_working_days",
            "working_days must be a whole number from 1 to 3650",
        )
    })?;
    let n = WorkingDays::new(n).map_err(|_| {
        ApiError::bad_request(
            "calendar.invalid_working_days",
            "working_days must be from 1 to 3650",
        )
    })?;
    let mut conn = core.db.conn().await?;
    let calendar = core.calendars.get(&mut conn).await?;
    drop(conn);
    let due = calendar
        .add_working_days(from, n)
        .map_err(|e| ApiError::bad_request("calendar.out_of_range", e.to_string()))?;
    Ok(HttpResponse::Ok().json(due))
}
