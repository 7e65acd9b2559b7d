//! The portal's route table and server.

use actix_web::web;
use frt_web::auth::Zone;
use frt_web::server::Application;
use frt_web::Core;

/// Binds to the configured portal address (port 0 picks a free one).
pub fn build(core: Core) -> anyhow::Result<Application> {
    let listen = core.settings.portal.clone();
    Application::build(
        core,
        &listen,
        Zone::Portal,
        routes,
        crate::openapi::document(),
    )
}

/// The portal's own routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/v1/calendar/due-date",
        web::get().to(crate::calendar::due_date),
    )
    .route(
        "/api/v1/registrations",
        web::post().to(crate::registration::register),
    )
    .route(
        "/api/v1/organisation",
        web::get().to(crate::organisation::show),
    )
    .route(
        "/api/v1/organisation/users",
        web::get().to(crate::organisation::list_users),
    )
    .route(
        "/api/v1/organisation/users",
        web::post().to(crate::organisation::add_user),
    )
    .route(
        "/api/v1/filings",
        web::post().to(crate::filings::create::create),
    )
    .route("/api/v1/filings", web::get().to(crate::filings::list::list))
    .route(
        "/api/v1/filings/{id}",
        web::get().to(crate::filings::show::show),
    )
    .route(
        "/api/v1/filings/{id}/form",
        web::put().to(crate::filings::form::save),
    )
    .route(
        "/api/v1/filings/{id}/submit",
        web::post().to(crate::filings::submit::submit_filing),
    )
    .route(
        "/api/v1/filings/{id}/history",
        web::get().to(crate::filings::show::history),
    )
    .route(
        "/api/v1/filings/{id}/attachments",
        web::post().to(crate::filings::attachments::upload),
    )
    .route(
        "/api/v1/filings/{id}/attachments/{attachment_id}",
        web::get().to(crate::filings::attachments::download),
    );
}
