//! Casework's route table and server.

use actix_web::web;
use frt_web::auth::Zone;
use frt_web::server::Application;
use frt_web::Core;

/// Binds to the configured casework address (port 0 picks a free one).
pub fn build(core: Core) -> anyhow::Result<Application> {
    let listen = core.settings.casework.clone();
    Application::build(
        core,
        &listen,
        Zone::Casework,
        routes,
        crate::openapi::document(),
    )
}

/// Casework's own routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/review/queue", web::get().to(crate::queue::queue))
        .route("/api/v1/filings/{id}", web::get().to(crate::filings::show))
        .route(
            "/api/v1/filings/{id}/audit",
            web::get().to(crate::filings::audit_trail),
        )
        .route(
            "/api/v1/filings/{id}/attachments/{attachment_id}",
            web::get().to(crate::filings::download),
        )
        .route(
            "/api/v1/filings/{id}/record",
            web::post().to(crate::review::record),
        )
        .route(
            "/api/v1/filings/{id}/return",
            web::post().to(crate::review::return_for_correction),
        )
        .route(
            "/api/v1/filings/{id}/refuse",
            web::post().to(crate::review::refuse),
        )
        .route(
            "/api/v1/filings/{id}/assign",
            web::post().to(crate::assignment::assign),
        )
        .route(
            "/api/v1/filings/{id}/take",
            web::post().to(crate::assignment::take),
        )
        .route(
            "/api/v1/filings/{id}/versions",
            web::get().to(crate::history::list),
        )
        .route(
            "/api/v1/filings/{id}/versions/diff",
            web::get().to(crate::history::diff),
        )
        .route("/api/v1/registry", web::get().to(crate::registry::list))
        .route(
            "/api/v1/audit/{entity_type}/{entity_id}",
            web::get().to(crate::audit::trail),
        )
        .route(
            "/api/v1/filings/{id}/sign-off",
            web::post().to(crate::sign_off::sign_off),
        )
        .route("/api/v1/staff", web::post().to(crate::staff::create));
}
