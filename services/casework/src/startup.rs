//! Casework's route table and server.

use frt_web::auth::Zone;
use frt_web::server::Application;
use frt_web::Core;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

/// Who the service admits.
pub const ZONE: Zone = Zone::Casework;

/// Binds to the configured casework address (port 0 picks a free one).
pub fn build(core: Core) -> anyhow::Result<Application> {
    let listen = core.settings.casework.clone();
    Application::build(
        core,
        &listen,
        ZONE,
        routes,
        crate::openapi::ApiDoc::openapi(),
    )
}

/// Casework's own routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(crate::queue::review_queue)
        .service(crate::filings::show_filing)
        .service(crate::filings::filing_audit_trail)
        .service(crate::filings::download_attachment)
        .service(crate::review::record)
        .service(crate::review::return_for_correction)
        .service(crate::review::refuse)
        .service(crate::assignment::assign)
        .service(crate::assignment::take)
        .service(crate::history::versions)
        .service(crate::history::version_diff)
        .service(crate::registry::list_registry)
        .service(crate::audit::audit_trail)
        .service(crate::sign_off::sign_off)
        .service(crate::staff::create_staff);
}
