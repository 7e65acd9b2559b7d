//! Public working-day arithmetic: the due date N working days after a date, with the days
//! skipped and the calendar versions used.

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_domain::calendar::DueDate;
use frt_web::{ApiResult, Core};
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
    let due = frt_cases::calendar::due_date(&core, &q.from, &q.working_days).await?;
    Ok(HttpResponse::Ok().json(due))
}
