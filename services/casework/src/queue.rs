//! The review queue: `frt_cases::filings::queue` does the work.

use actix_web::get;
use actix_web::{web, HttpResponse};
use frt_cases::filings::queue::{self, QueueQuery, ReviewQueuePage};
use frt_web::{ApiResult, Auth, Core};

/// Filings waiting for review in the caller's jurisdiction.
#[utoipa::path(tag = "review", security(("bearer" = [])), params(QueueQuery),
    responses((status = 200, body = ReviewQueuePage), (status = 400, content_type = "application/problem+json")))]
#[get("/api/v1/review/queue")]
pub async fn review_queue(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<QueueQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(queue::review_queue(&core, &auth, &q).await?))
}
