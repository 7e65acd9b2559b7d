//! The exchange API. Every handler reads the raw body, checks the request's signature
//! (`frt_cases::exchange::authenticate`: key, time window, signature, no replay; the call is
//! audited) and the client's rate, then does the work for the client's agency.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};
use frt_access::signing;
use frt_cases::exchange::{self as ex, Caller, RegistryPage, Signed, SyncPage};
use frt_cases::notifications::{self, Feedback, NotificationInput, NotificationView, Receipt};
use frt_web::auth::RequestId;
use frt_web::error::ApiError;
use frt_web::{ApiResult, Core};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Deserialize;
use std::num::NonZeroU32;
use std::sync::OnceLock;
use uuid::Uuid;

/// The raw body, as signed (the documented request body is named on each operation).
pub struct RawBody(pub web::Bytes);

impl actix_web::FromRequest for RawBody {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move { Ok(Self(bytes.await?)) })
    }
}

/// Requests per client and minute, one limiter for the whole process.
static LIMITER: OnceLock<DefaultKeyedRateLimiter<String>> = OnceLock::new();

fn header<'a>(req: &'a HttpRequest, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

/// The signed parts of a request, its body given by its SHA-256.
fn signed_parts<'a>(req: &'a HttpRequest, body_sha256: &'a str) -> Signed<'a> {
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or_else(|| req.path());
    Signed {
        method: req.method().as_str(),
        path_and_query,
        key_id: header(req, "x-frt-key"),
        timestamp: header(req, "x-frt-timestamp"),
        signature: header(req, "x-frt-signature"),
        body_sha256,
        client_ip: frt_web::auth::client_ip(req),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
    }
}

/// The client behind a signed request, within its rate.
async fn client(core: &Core, req: &HttpRequest, body: &[u8]) -> Result<Caller, ApiError> {
    client_of_digest(core, req, &signing::body_sha256(body)).await
}

/// As `client`, for a body already streamed in and hashed.
async fn client_of_digest(
    core: &Core,
    req: &HttpRequest,
    body_sha256: &str,
) -> Result<Caller, ApiError> {
    let caller = ex::authenticate(core, &signed_parts(req, body_sha256)).await?;
    let limiter = LIMITER.get_or_init(|| {
        let n =
            NonZeroU32::new(core.settings.exchange.requests_per_minute).unwrap_or(NonZeroU32::MIN);
        RateLimiter::keyed(Quota::per_minute(n))
    });
    if let Err(not_until) = limiter.check_key(&caller.key_id) {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "exchange.too_many_requests",
            "this client has made too many requests; slow down",
        )
        .with_retry_after(wait.as_secs().max(1)));
    }
    Ok(caller)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SyncQuery {
    /// The `next_cursor` of the previous page; none to start from the beginning.
    #[param(max_length = 80)]
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

impl SyncQuery {
    /// The cursor (at most 80 characters) and the page size (1 to 1000, default 100).
    fn checked(&self) -> Result<(Option<&str>, i64), ApiError> {
        let limit = frt_web::params::within("limit", self.limit.unwrap_or(100), 1..=1000)?;
        let cursor = self
            .cursor
            .as_deref()
            .map(|c| frt_web::params::text("cursor", c, 80))
            .transpose()?;
        Ok((cursor, limit))
    }
}

/// The events of notifications addressed to the client's agency (received) and of those it
/// sent (acknowledged, feedback), in the order they became visible: a client that follows
/// `next_cursor` sees every item exactly once. Scope `notifications:read`.
#[utoipa::path(tag = "sync", params(SyncQuery),
    responses((status = 200, body = SyncPage)))]
#[get("/api/v1/sync/notifications")]
pub async fn sync_notifications(
    core: web::Data<Core>,
    req: HttpRequest,
    RawBody(body): RawBody,
    q: web::Query<SyncQuery>,
) -> ApiResult<HttpResponse> {
    let caller = client(&core, &req, &body).await?;
    let (cursor, limit) = q.checked()?;
    let page = ex::sync_notifications(&core, &caller, cursor, limit).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The changes of the registry of recorded processors (a filing recorded, changed or
/// deregistered) in the client's agency's province (every province for a national agency),
/// paged like the notification sync. Scope `registry:read`.
#[utoipa::path(tag = "sync", params(SyncQuery),
    responses((status = 200, body = RegistryPage)))]
#[get("/api/v1/sync/registry")]
pub async fn sync_registry(
    core: web::Data<Core>,
    req: HttpRequest,
    RawBody(body): RawBody,
    q: web::Query<SyncQuery>,
) -> ApiResult<HttpResponse> {
    let caller = client(&core, &req, &body).await?;
    let (cursor, limit) = q.checked()?;
    let page = ex::sync_registry(&core, &caller, cursor, limit).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Send a notification from the client's agency. `Idempotency-Key` is required: a retry with
/// the same key and body answers as the first time; the same key with another body is refused
/// (422). Scope `notifications:write`.
#[utoipa::path(tag = "notifications", request_body = NotificationInput,
    params(("Idempotency-Key" = String, Header, max_length = 100)),
    responses((status = 201, body = NotificationView)))]
#[post("/api/v1/notifications")]
pub async fn push_notification(
    core: web::Data<Core>,
    req: HttpRequest,
    RawBody(body): RawBody,
) -> ApiResult<HttpResponse> {
    let caller = client(&core, &req, &body).await?;
    let key = header(&req, "idempotency-key").ok_or_else(|| {
        ApiError::bad_request(
            "exchange.idempotency_key_required",
            "send an Idempotency-Key header, the same for every retry of this push",
        )
    })?;
    let input: NotificationInput = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "request.invalid_json",
            format!("the JSON body cannot be read: {e}"),
        )
    })?;
    let pushed = ex::push(&core, &caller, key, &body, &input).await?;
    let status = StatusCode::from_u16(pushed.status).unwrap_or(StatusCode::CREATED);
    Ok(HttpResponse::build(status).json(pushed.body))
}

/// Acknowledge receipt (签收) for the client's agency. Scope `notifications:write`.
#[utoipa::path(tag = "notifications", params(("id" = Uuid, Path)),
    responses((status = 200, body = NotificationView)))]
#[post("/api/v1/notifications/{id}/acknowledge")]
pub async fn acknowledge(
    core: web::Data<Core>,
    req: HttpRequest,
    RawBody(body): RawBody,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let caller = client(&core, &req, &body).await?;
    caller.require("notifications:write")?;
    let v = notifications::receive(
        &core,
        &caller.origin(),
        id.into_inner(),
        Receipt::Acknowledge,
    )
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Answer with feedback (反馈) for the client's agency, once. Scope `notifications:write`.
#[utoipa::path(tag = "notifications", params(("id" = Uuid, Path)), request_body = Feedback,
    responses((status = 200, body = NotificationView)))]
#[post("/api/v1/notifications/{id}/feedback")]
pub async fn feedback(
    core: web::Data<Core>,
    req: HttpRequest,
    RawBody(body): RawBody,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let caller = client(&core, &req, &body).await?;
    caller.require("notifications:write")?;
    let f: Feedback = serde_json::from_slice(&body).map_err(|e| {
        ApiError::bad_request(
            "request.invalid_json",
            format!("the JSON body cannot be read: {e}"),
        )
    })?;
    let v = notifications::receive(
        &core,
        &caller.origin(),
        id.into_inner(),
        Receipt::Feedback(f.feedback),
    )
    .await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AttachQuery {
    /// The file's name as the recipients will see it.
    #[param(min_length = 1, max_length = 255)]
    pub filename: String,
}

/// A file, sent as the raw request body.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct File(#[allow(dead_code)] Vec<u8>);

/// Attach a file to a notification the client's agency sent: the raw body is the file (any
/// `Content-Type`; its type is judged by content, under the filing upload rules and size
/// limit), signed like any request, its digest being the file's SHA-256. An `Idempotency-Key`
/// makes a retry of the same file answer as the first time. Scope `notifications:write`.
#[utoipa::path(tag = "notifications", params(("id" = Uuid, Path), AttachQuery,
        ("Idempotency-Key" = Option<String>, Header, max_length = 100)),
    request_body(content = File, content_type = "application/octet-stream"),
    responses((status = 201, body = frt_store::notifications::Material)))]
#[post("/api/v1/notifications/{id}/materials")]
pub async fn attach(
    core: web::Data<Core>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    q: web::Query<AttachQuery>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    // Nothing is stored for a request that cannot be a client's.
    ex::precheck(&core, &signed_parts(&req, "")).await?;
    let name = frt_web::params::text("filename", &q.filename, 255)?;
    let filename = frt_cases::filings::materials::display_filename(Some(name));
    let max = core.settings.uploads.max_bytes;
    let received = frt_cases::filings::materials::receive(&core, body, max, filename).await?;
    let caller = match client_of_digest(&core, &req, &received.blob.sha256).await {
        Ok(c) => c,
        Err(e) => {
            core.blobs.remove(&received.blob.key).await;
            return Err(e);
        }
    };
    let key = header(&req, "idempotency-key");
    let pushed = ex::attach(&core, &caller, key, id.into_inner(), received).await?;
    let status = StatusCode::from_u16(pushed.status).unwrap_or(StatusCode::CREATED);
    Ok(HttpResponse::build(status).json(pushed.body))
}

/// Download an attachment of a notification the client's agency sent or received (audited).
/// Scope `notifications:read`.
#[utoipa::path(tag = "notifications",
    params(("id" = Uuid, Path), ("material_id" = Uuid, Path)),
    responses((status = 200, description = "the file")))]
#[get("/api/v1/notifications/{id}/materials/{material_id}")]
pub async fn download_material(
    core: web::Data<Core>,
    req: HttpRequest,
    RawBody(body): RawBody,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let caller = client(&core, &req, &body).await?;
    caller.require("notifications:read")?;
    let (id, material) = path.into_inner();
    let opened = notifications::open_material(&core, &caller.origin(), id, material).await?;
    Ok(frt_web::download::respond(opened))
}
