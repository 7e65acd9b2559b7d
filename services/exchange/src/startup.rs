//! The exchange service's route table and server.

use frt_web::auth::Zone;
use frt_web::server::Application;
use frt_web::Core;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

pub const ZONE: Zone = Zone::Exchange;

/// Binds to the configured exchange address (port 0 picks a free one).
pub fn build(core: Core) -> anyhow::Result<Application> {
    let listen = core.settings.exchange.listen();
    Application::build(
        core,
        &listen,
        ZONE,
        routes,
        crate::openapi::ApiDoc::openapi(),
        None,
    )
}

/// The exchange service's own routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(crate::api::sync_notifications)
        .service(crate::api::sync_registry)
        .service(crate::api::push_notification)
        .service(crate::api::acknowledge)
        .service(crate::api::feedback)
        .service(crate::api::attach)
        .service(crate::api::download_material);
}
