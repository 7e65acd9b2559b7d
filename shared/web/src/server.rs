//! Pieces every service's `App` is assembled from: extractor error handlers, request ids and
//! access logs, health routes, the fallback 404, the OpenAPI document and its docs page.

use crate::auth::RequestId;
use crate::error::{json_config, no_route, path_config, query_config};
use crate::state::Core;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use utoipa_swagger_ui::SwaggerUi;

pub use actix_web::dev::ServerHandle;

/// Shared app data, health routes and the fallback for unknown routes.
pub fn common(core: &Core) -> impl FnOnce(&mut web::ServiceConfig) + '_ {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(core.clone()))
            .app_data(json_config(core.settings.http.json_limit_bytes))
            .app_data(query_config())
            .app_data(path_config())
            .configure(crate::health::routes);
    }
}

/// The default service answering 404 problem+json.
pub fn fallback() -> actix_web::Route {
    web::route().to(no_route)
}

/// Serves the OpenAPI document at `/api/v1/openapi.json` and the interactive page at `/docs/`.
pub fn docs(openapi: utoipa::openapi::OpenApi) -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", openapi)
}

/// Gives each request an id (kept from `X-Request-Id` when sane), returns it in the response
/// and writes one access-log line. Query strings and headers are not logged: they may carry
/// tokens or personal data.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().clone();
    let path = req.path().to_owned();
    let started = std::time::Instant::now();
    let mut res = next.call(req).await?;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), v);
    }
    tracing::info!(
        request_id = %id,
        %method,
        %path,
        status = res.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    Ok(res)
}

/// Logging to stderr, as text or JSON, filtered by `RUST_LOG` or the configured level.
pub fn init_tracing(level: &str, json: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// A service's HTTP server: bound (port 0 in tests) and holding its route table.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
}

impl Application {
    /// Binds to `listen` and assembles the app: common pieces, the zone's login routes, the
    /// service's own `routes` and its OpenAPI document.
    pub fn build(
        core: Core,
        listen: &crate::config::Listen,
        zone: crate::session::Zone,
        routes: fn(&mut web::ServiceConfig),
        openapi: utoipa::openapi::OpenApi,
    ) -> anyhow::Result<Self> {
        let addr = format!("{}:{}", listen.host, listen.port);
        let listener = std::net::TcpListener::bind(&addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let port = listener.local_addr()?.port();
        let workers = core.settings.http.workers.max(1);
        let server = actix_web::HttpServer::new(move || {
            actix_web::App::new()
                .wrap(actix_web::middleware::from_fn(request_context))
                .configure(common(&core))
                .configure(crate::session::routes(zone))
                .configure(routes)
                .service(docs(openapi.clone()))
                .default_service(fallback())
        })
        .workers(workers)
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Declares the bearer-token security scheme named "bearer" in a service's OpenAPI document.
pub struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}
