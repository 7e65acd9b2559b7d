//! Prometheus metrics: the process's recorder (the `metrics` facade with its Prometheus
//! exporter), the latency of every request, and `GET /metrics`, which answers only a scraper
//! that sends `Authorization: Bearer <metrics.token>` (anyone else gets the 404 of an address
//! that does not exist). The worker serves the same page, with `/healthz`, on `worker.listen`.

use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use frt_cases::Core;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Histogram buckets (seconds) of requests, imports and exports.
const BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use; `None` when another recorder was installed
/// first (then nothing is served).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .and_then(|b| b.install_recorder());
            match built {
                Ok(h) => Some(h),
                Err(e) => {
                    tracing::warn!(error = %e, "no metrics recorder");
                    None
                }
            }
        })
        .as_ref()
}

/// Which service a request reached, for the latency's `service` label.
#[derive(Debug, Clone, Copy)]
pub struct ServiceName(pub &'static str);

/// Records every request's latency by service, route template (not the path: ids would make
/// a series each), method and status class.
pub async fn requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = std::time::Instant::now();
    let service = req
        .app_data::<web::Data<ServiceName>>()
        .map_or("unknown", |s| s.0);
    let method = req.method().as_str().to_owned();
    let res = next.call(req).await?.map_into_boxed_body();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let class = match res.status().as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    metrics::histogram!(
        frt_cases::metrics::HTTP_REQUEST_SECONDS,
        "service" => service,
        "route" => route,
        "method" => method,
        "status" => class
    )
    .record(started.elapsed().as_secs_f64());
    Ok(res)
}

/// Whether the request carries the configured metrics token.
fn carries_token(core: &Core, req: &HttpRequest) -> bool {
    let expected = core.settings.metrics_token().map(frt_access::token::digest);
    let given = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| frt_access::token::digest(t.trim()));
    // Digests compared, so the comparison's time tells nothing about the token.
    matches!((expected, given), (Some(e), Some(g)) if e == g)
}

/// `GET /metrics`: the Prometheus text format, for the scraper that holds the token.
pub async fn scrape(core: web::Data<Core>, req: HttpRequest) -> HttpResponse {
    let Some(handle) = handle().filter(|_| carries_token(&core, &req)) else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "request.no_route",
            "there is no such endpoint",
        )
        .error_response();
    };
    if let Err(e) = frt_cases::metrics::observe(&core).await {
        // The page still answers, with frt_database_up 0 and the last values read.
        tracing::warn!(error = %e, "metrics: the database's state could not be read");
    }
    handle.run_upkeep();
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}

/// Adds `GET /metrics` to an app (not in its OpenAPI document: it is for operators).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(scrape));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(crate::health::Health { status: "ok" })
}

/// The worker's own listener: `/healthz` (the process is up) and `/metrics`. Bound on
/// `listen` ("host:port"); answers the server and the address it took.
pub fn worker_server(
    core: Core,
    listen: &str,
) -> anyhow::Result<(actix_web::dev::Server, std::net::SocketAddr)> {
    handle();
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| anyhow::anyhow!("the worker cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr()?;
    let data = web::Data::new(core);
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(data.clone())
            .app_data(web::Data::new(ServiceName("worker")))
            .route("/healthz", web::get().to(healthz))
            .configure(routes)
            .wrap(actix_web::middleware::from_fn(requests))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    Ok((server, addr))
}
