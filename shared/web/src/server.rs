//! Pieces every service's `App` is assembled from: extractor error handlers, request ids and
//! access logs, health routes, the fallback 404, the OpenAPI document and its docs page.

use crate::auth::RequestId;
use crate::error::{query_config, ApiError};
use crate::extract::BodyLimit;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse, ResponseError};
use frt_cases::Core;
use std::path::Path;
use std::sync::Arc;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub use actix_web::dev::ServerHandle;

/// Shared app data: the context, the body limit and the extractors' error handlers.
fn common(core: &Core) -> impl FnOnce(&mut web::ServiceConfig) + '_ {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(core.clone()))
            .app_data(BodyLimit(core.settings.http.json_limit_bytes))
            .app_data(query_config())
            .app_data(path_config());
    }
}

/// The paths a service serves and their methods, read from its OpenAPI document (which is
/// generated from the handlers), so that the fallback can tell a wrong method from a wrong path.
#[derive(Clone, Default)]
pub struct KnownRoutes(Arc<Vec<(ResourceDef, Vec<&'static str>)>>);

impl KnownRoutes {
    pub fn of(openapi: &utoipa::openapi::OpenApi) -> Self {
        let routes = openapi
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(Arc::new(routes))
    }

    /// The methods served at `path`, if it is a known path.
    pub fn methods(&self, path: &str) -> Option<Vec<&'static str>> {
        // A fixed path (`/inspections/draws`) wins over a pattern that also matches it
        // (`/inspections/{id}`), as in the router.
        if let Some(methods) = self.fixed(path) {
            return Some(methods.clone());
        }
        let matching: Vec<&'static str> = self
            .0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, m)| m.iter().copied())
            .collect();
        (!matching.is_empty()).then_some(matching)
    }

    /// The methods of a path served as written, without parameters.
    fn fixed(&self, path: &str) -> Option<&Vec<&'static str>> {
        self.0
            .iter()
            .find(|(def, _)| def.pattern() == Some(path))
            .map(|(_, m)| m)
    }
}

/// The answer to a request no route took: 405 with `Allow` for a known path asked with
/// another method, otherwise 404.
pub async fn no_route(req: HttpRequest) -> HttpResponse {
    let known = req
        .app_data::<web::Data<KnownRoutes>>()
        .and_then(|k| k.methods(req.path()));
    match known {
        Some(methods) if !methods.is_empty() => wrong_method(&req, &methods),
        _ => ApiError::new(
            StatusCode::NOT_FOUND,
            "request.no_route",
            "there is no such endpoint",
        )
        .error_response(),
    }
}

/// 405 with `Allow`.
fn wrong_method(req: &HttpRequest, methods: &[&str]) -> HttpResponse {
    let allow = methods.join(", ");
    let mut resp = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "request.method_not_allowed",
        format!("{} is not served here; use {allow}", req.method()),
    )
    .error_response();
    if let Ok(v) = HeaderValue::from_str(&allow) {
        resp.headers_mut().insert(header::ALLOW, v);
    }
    resp
}

/// Path parameters that do not parse: a fixed path asked with a method only a parameterised
/// neighbour serves (`GET /inspections/draws` against `GET /inspections/{id}`) is a wrong
/// method (405); otherwise a malformed id names nothing, the same 404 as an id not there.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req| {
        let fixed = req
            .app_data::<web::Data<KnownRoutes>>()
            .and_then(|k| k.fixed(req.path()).cloned());
        if let Some(methods) = fixed {
            let resp = wrong_method(req, &methods);
            return actix_web::error::InternalError::from_response(err, resp).into();
        }
        tracing::debug!(error = %err, "malformed path parameter");
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "nothing was found at this address",
        )
        .into()
    })
}

/// The default service: 404 or 405 problem+json.
pub fn fallback() -> actix_web::Route {
    web::route().to(no_route)
}

/// Whether a raw path or query carries an encoded NUL (`%00`).
fn has_encoded_nul(raw: &str) -> bool {
    raw.as_bytes().windows(3).any(|w| w == b"%00") || raw.contains('\0')
}

/// The edge every request passes: NUL characters in the address are refused (PostgreSQL text
/// cannot hold them), any error answer that is not yet problem+json (a body limit, a method,
/// anything actix refuses itself) becomes one, and every answer carries the security headers:
/// `nosniff`, no framing, and `no-store` on everything but the API docs page.
pub async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let docs = req.path().starts_with("/docs");
    let mut res = if has_encoded_nul(req.path()) || has_encoded_nul(req.query_string()) {
        let refusal = ApiError::bad_request(
            "request.nul_character",
            "the address may not contain the NUL character (%00)",
        )
        .error_response();
        req.into_response(refusal)
    } else {
        let res = next.call(req).await?.map_into_boxed_body();
        as_problem(res)
    };
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if docs {
            "frame-ancestors 'none'"
        } else {
            CONTENT_SECURITY_POLICY
        }),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !docs && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}

/// Every answer but the API docs page's: the page's own origin only, no inline script or
/// style, no plugin, no framing, forms posted back to the service only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// An error answer that is not problem+json, rewritten as one with a code for its status.
fn as_problem(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    // A console page drawn for an error (a form shown again with its problems) stays a page.
    let is_problem_or_page = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/problem+json")
            || (v.as_bytes().starts_with(b"text/html")
                && crate::console::is_page_path(res.request().path()))
    });
    if !(status.is_client_error() || status.is_server_error()) || is_problem_or_page {
        return res;
    }
    let (code, detail) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("request.too_large", "the body is larger than accepted"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "request.content_type",
            "the body's content type is not accepted here",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "request.method_not_allowed",
            "the method is not served here",
        ),
        StatusCode::NOT_FOUND => ("request.no_route", "there is no such endpoint"),
        StatusCode::URI_TOO_LONG => ("request.uri_too_long", "the address is too long"),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            ("request.headers_too_large", "the headers are too large")
        }
        s if s.is_server_error() => (
            "internal",
            "an unexpected error occurred; it has been logged",
        ),
        _ => ("request.invalid", "the request cannot be read"),
    };
    if status.is_server_error() {
        tracing::error!(
            status = status.as_u16(),
            "an error answer was not a problem"
        );
    }
    let problem = ApiError::new(status, code, detail).error_response();
    let (req, old) = res.into_parts();
    let mut new = problem;
    for (name, value) in old.headers() {
        if name == header::ALLOW || name == header::RETRY_AFTER {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(req, new)
}

/// Serves the OpenAPI document at `/api/v1/openapi.json` (as `openapi::served` writes it) and
/// the interactive page at `/docs/`.
pub fn docs(openapi: &utoipa::openapi::OpenApi) -> SwaggerUi {
    SwaggerUi::new("/docs/{_:.*}")
        .external_url_unchecked("/api/v1/openapi.json", crate::openapi::served(openapi))
}

/// Gives each request an id (kept from `X-Request-Id` when sane) and works out the client's
/// address (`client::resolve`, through trusted proxies only), returns the id in the response
/// and writes one access-log line. Query strings and headers are not logged: they may carry
/// tokens or personal data.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
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
    if let Some(peer) = req.peer_addr() {
        let trusted = req
            .app_data::<web::Data<crate::client::TrustedProxies>>()
            .map(|t| t.get_ref().clone())
            .unwrap_or_default();
        let client = crate::client::resolve(peer.ip(), req.headers(), &trusted);
        req.extensions_mut()
            .insert(crate::client::ClientAddr(client));
    }
    let method = req.method().clone();
    let path = req.path().to_owned();
    let started = std::time::Instant::now();
    let mut res = next.call(req).await?.map_into_boxed_body();
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
    frt_cases::logging::init(level, json);
}

/// A service's HTTP server: bound (port 0 in tests) and holding its route table.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
}

/// A service's routes: each handler registered with `service(...)`, so that its path, method
/// and documentation come from the handler itself.
pub type Routes = fn(&mut ServiceConfig);

/// Every route of a service, registered into an app that collects their documentation: health,
/// the zone's login routes and the service's own.
fn routed(
    zone: crate::auth::Zone,
    routes: Routes,
    base: utoipa::openapi::OpenApi,
    test_support: bool,
) -> (
    actix_web::App<
        impl actix_web::dev::ServiceFactory<
            ServiceRequest,
            Config = (),
            Response = ServiceResponse,
            Error = actix_web::Error,
            InitError = (),
        >,
    >,
    utoipa::openapi::OpenApi,
) {
    actix_web::App::new()
        .into_utoipa_app()
        .openapi(base)
        .configure(crate::health::routes)
        .configure(|cfg| {
            if zone != crate::auth::Zone::Exchange {
                crate::session::routes(zone)(cfg);
            }
        })
        .configure(routes)
        .configure(|cfg| {
            if test_support {
                crate::test_support::routes(cfg);
            }
        })
        .split_for_parts()
}

/// A service's console pages: the menu and the routes, served beside the API.
#[derive(Clone, Copy)]
pub struct Pages {
    pub menu: &'static [crate::console::MenuItem],
    pub routes: fn(&mut web::ServiceConfig),
}

/// A service's OpenAPI document as it serves it in production: the base document (title,
/// description, shared schemas), every registered handler's operation, and the answers every
/// operation can give (`openapi::documented`).
pub fn document(
    zone: crate::auth::Zone,
    routes: Routes,
    base: utoipa::openapi::OpenApi,
) -> utoipa::openapi::OpenApi {
    crate::openapi::documented(routed(zone, routes, base, false).1)
}

/// A service's app, from the same route table as its document.
fn app(
    core: &Core,
    zone: crate::auth::Zone,
    routes: Routes,
    base: utoipa::openapi::OpenApi,
    pages: Option<Pages>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // Casework carries the test-support API, outside production and with a QA token only.
    let test_support = zone == crate::auth::Zone::Casework && core.settings.qa_token().is_some();
    if zone == crate::auth::Zone::Casework
        && core.settings.is_production()
        && !frt_settings::secret_is_empty(&core.settings.qa.token)
    {
        tracing::warn!("qa.token is set in production: the test-support API stays absent");
    }
    let (app, api) = routed(zone, routes, base, test_support);
    let api = crate::openapi::documented(api);
    let console = pages.map(|p| crate::console::Console {
        zone,
        secure: core.settings.is_production() || listen_of(core, zone).tls().is_some(),
        menu: p.menu,
    });
    crate::metrics::handle();
    app.configure(common(core))
        .configure(crate::metrics::routes)
        .configure(|cfg| {
            if let (Some(p), Some(c)) = (pages, console) {
                cfg.app_data(web::Data::new(c))
                    .service(crate::console::assets::asset)
                    .configure(p.routes);
            }
        })
        .wrap(actix_web::middleware::from_fn(
            crate::test_support::test_clock,
        ))
        .wrap(actix_web::middleware::from_fn(edge))
        // Outside the edge, which makes every error problem+json: pages turn them into pages.
        .wrap(actix_web::middleware::from_fn(crate::console::middleware))
        .wrap(actix_web::middleware::from_fn(request_context))
        .wrap(actix_web::middleware::from_fn(crate::metrics::requests))
        .app_data(web::Data::new(crate::metrics::ServiceName(zone.as_str())))
        .app_data(web::Data::new(KnownRoutes::of(&api)))
        .app_data(web::Data::new(crate::client::TrustedProxies::new(
            core.settings.server.trusted_networks().unwrap_or_default(),
        )))
        .service(docs(&api))
        .default_service(fallback())
}

/// The listening settings of a zone's service.
fn listen_of(core: &Core, zone: crate::auth::Zone) -> frt_settings::Listen {
    match zone {
        crate::auth::Zone::Portal => core.settings.portal.clone(),
        crate::auth::Zone::Casework | crate::auth::Zone::Exchange => core.settings.casework.clone(),
    }
}

/// The server's TLS settings (rustls on ring) from a PEM certificate chain and private key.
pub fn tls_config(cert: &Path, key: &Path) -> anyhow::Result<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| anyhow::anyhow!("cannot read the TLS certificate {}: {e}", cert.display()))?;
    if chain.is_empty() {
        anyhow::bail!(
            "the TLS certificate file {} holds no certificate",
            cert.display()
        );
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| anyhow::anyhow!("cannot read the TLS private key {}: {e}", key.display()))?;
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| anyhow::anyhow!("the TLS certificate and key do not fit together: {e}"))
}

impl Application {
    /// Binds to `listen` and assembles the app: common pieces, the zone's login routes, the
    /// service's own `routes` and the OpenAPI document generated from them.
    pub fn build(
        core: Core,
        listen: &frt_settings::Listen,
        zone: crate::auth::Zone,
        routes: Routes,
        base: utoipa::openapi::OpenApi,
        pages: Option<Pages>,
    ) -> anyhow::Result<Self> {
        let addr = format!("{}:{}", listen.host, listen.port);
        let listener = std::net::TcpListener::bind(&addr)
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        let port = listener.local_addr()?.port();
        let workers = core.settings.http.workers.max(1);
        let tls = listen
            .tls()
            .map(|(cert, key)| tls_config(&core.settings.path(cert), &core.settings.path(key)))
            .transpose()?;
        let server =
            actix_web::HttpServer::new(move || app(&core, zone, routes, base.clone(), pages))
                .workers(workers);
        let server = match tls {
            Some(tls) => server.listen_rustls_0_23(listener, tls)?,
            None => server.listen(listener)?,
        }
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
