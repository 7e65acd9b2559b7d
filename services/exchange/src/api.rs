//! The exchange API. Every handler first establishes the client
//! (`frt_cases::exchange::authenticate`: key, time window, the operation's scope, the client's
//! rate, signature, no replay; the call is audited, a refusal too), and only then reads the
//! path, query and body and does the work for the client's agency.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};
use frt_access::signing;
use frt_cases::exchange::{self as ex, Caller, RegistryPage, Signed, SyncPage, SyncQuery};
use frt_cases::notifications::{self, Feedback, NotificationInput, NotificationView, Receipt};
use frt_web::auth::RequestId;
use frt_web::error::ApiError;
use frt_web::{ApiResult, Core};
use serde::Deserialize;
use uuid::Uuid;

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
        signature_alg: header(req, "x-frt-signature-alg"),
        body_sha256,
        client_ip: frt_web::auth::client_ip(req),
        source: frt_web::client::throttle_source(req),
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
    }
}

/// The client behind a signed request, holding `scope` and within its rate, and the body it
/// signed: every operation asks this first. The key, time, scope and rate are checked before
/// a byte of the body is read; the body is then read within `http.json_limit_bytes` and the
/// signature checked over it, before the path, query or body is looked at.
async fn client(
    core: &Core,
    req: &HttpRequest,
    payload: web::Payload,
    scope: &'static str,
) -> Result<(Caller, web::Bytes), ApiError> {
    let admitted = ex::admit(core, &signed_parts(req, ""), scope).await?;
    let body = frt_web::extract::read_body(req, payload).await?;
    // The body's digest under the signature's hash; an unknown algorithm signs nothing (the
    // verification refuses it, audited like any bad signature).
    let digest = signing::SignatureAlg::from_header(header(req, "x-frt-signature-alg"))
        .unwrap_or(signing::SignatureAlg::HmacSha256)
        .body_digest(&body);
    let caller = ex::verify(core, &signed_parts(req, &digest), admitted).await?;
    Ok((caller, body))
}

/// The query of a request, read once the client is known.
fn query<T: serde::de::DeserializeOwned>(req: &HttpRequest) -> Result<T, ApiError> {
    web::Query::<T>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .map_err(|e| {
            ApiError::bad_request(
                "request.invalid_query",
                format!("the query cannot be read: {e}"),
            )
        })
}

/// A path parameter that is an id, read once the client is known: a malformed one names
/// nothing (404, as an id not there).
fn path_id(req: &HttpRequest, name: &str) -> Result<Uuid, ApiError> {
    req.match_info()
        .get(name)
        .and_then(|v| Uuid::parse_str(v).ok())
        .ok_or_else(|| ApiError::not_found("notification"))
}

/// The JSON body of a request, read once the client is known, as every JSON body is read.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    frt_web::extract::parse_json(body)
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
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, _) = client(&core, &req, payload, "notifications:read").await?;
    let q: SyncQuery = query(&req)?;
    let page = ex::sync_notifications(&core, &caller, &q).await?;
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
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, _) = client(&core, &req, payload, "registry:read").await?;
    let q: SyncQuery = query(&req)?;
    let page = ex::sync_registry(&core, &caller, &q).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Send a notification from the client's agency. `Idempotency-Key` is required: a retry with
/// the same key and body answers as the first time; the same key with another body is refused
/// (422). Scope `notifications:write`.
#[utoipa::path(tag = "notifications", request_body = NotificationInput,
    params(("Idempotency-Key" = String, Header, pattern = "^[!-~]{1,100}$")),
    responses((status = 201, body = NotificationView)))]
#[post("/api/v1/notifications")]
pub async fn push_notification(
    core: web::Data<Core>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, body) = client(&core, &req, payload, "notifications:write").await?;
    let key = header(&req, "idempotency-key").ok_or_else(|| {
        ApiError::bad_request(
            "exchange.idempotency_key_required",
            "send an Idempotency-Key header, the same for every retry of this push",
        )
    })?;
    let input: NotificationInput = json_body(&body)?;
    let pushed = ex::push(&core, &caller, key, &body, &input).await?;
    let status = StatusCode::from_u16(pushed.status).unwrap_or(StatusCode::CREATED);
    Ok(HttpResponse::build(status).json(pushed.body))
}

/// Acknowledge receipt (签收) for the client's agency. Scope `notifications:write`.
#[utoipa::path(tag = "notifications", params(("id" = Uuid, Path)),
    responses((status = 200, body = NotificationView),
        (status = 409, description = "notification.already_done: acknowledged before", content_type = "application/problem+json")))]
#[post("/api/v1/notifications/{id}/acknowledge")]
pub async fn acknowledge(
    core: web::Data<Core>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, _) = client(&core, &req, payload, "notifications:write").await?;
    let id = path_id(&req, "id")?;
    let v = notifications::receive(&core, &caller.origin(), id, Receipt::Acknowledge).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Answer with feedback (反馈) for the client's agency, once. Scope `notifications:write`.
#[utoipa::path(tag = "notifications", params(("id" = Uuid, Path)), request_body = Feedback,
    responses((status = 200, body = NotificationView),
        (status = 409, description = "notification.already_done: answered before", content_type = "application/problem+json")))]
#[post("/api/v1/notifications/{id}/feedback")]
pub async fn feedback(
    core: web::Data<Core>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, body) = client(&core, &req, payload, "notifications:write").await?;
    let id = path_id(&req, "id")?;
    let f: Feedback = json_body(&body)?;
    let v =
        notifications::receive(&core, &caller.origin(), id, Receipt::Feedback(f.feedback)).await?;
    Ok(HttpResponse::Ok().json(v))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,100}$")),
    request_body(content = File, content_type = "application/octet-stream"),
    responses((status = 201, body = frt_store::materials::Material),
        (status = 409, description = "notification.not_the_sender: only the sending agency attaches files", content_type = "application/problem+json")))]
#[post("/api/v1/notifications/{id}/materials")]
pub async fn attach(
    core: web::Data<Core>,
    req: HttpRequest,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    // Key, time, scope and rate before a byte is read; the signature once the file's digest is
    // known, before it is kept.
    let admitted = ex::admit(&core, &signed_parts(&req, ""), "notifications:write").await?;
    let id = path_id(&req, "id")?;
    let q: AttachQuery = query(&req)?;
    let name = frt_cases::input::bounded("filename", &q.filename, 255)?;
    let max = core.settings.uploads.max_bytes;
    let pending = frt_cases::materials::stream_in(&core, body, max, Some(name)).await?;
    let digest = pending.sha256();
    let caller = match ex::verify(&core, &signed_parts(&req, &digest), admitted).await {
        Ok(c) => c,
        Err(e) => {
            pending.abort().await;
            return Err(e.into());
        }
    };
    let received = pending.keep().await?;
    let key = header(&req, "idempotency-key");
    let pushed = ex::attach(&core, &caller, key, id, received).await?;
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
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let (caller, _) = client(&core, &req, payload, "notifications:read").await?;
    let (id, material) = (path_id(&req, "id")?, path_id(&req, "material_id")?);
    let opened = notifications::open_material(&core, &caller.origin(), id, material).await?;
    Ok(frt_web::download::respond(opened))
}
