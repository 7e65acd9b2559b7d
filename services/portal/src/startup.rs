//! The portal's route table and server.

use frt_web::auth::Zone;
use frt_web::server::Application;
use frt_web::Core;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;

/// Who the service admits.
pub const ZONE: Zone = Zone::Portal;

/// Binds to the configured portal address (port 0 picks a free one).
pub fn build(core: Core) -> anyhow::Result<Application> {
    let listen = core.settings.portal.clone();
    Application::build(
        core,
        &listen,
        ZONE,
        routes,
        crate::openapi::ApiDoc::openapi(),
        Some(crate::pages::PAGES),
    )
}

/// The portal's own routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(crate::calendar::due_date)
        .service(crate::account::request_reset)
        .service(crate::account::confirm_reset)
        .service(crate::registration::register)
        .service(crate::registration::confirm)
        .service(crate::organisation::show_organisation)
        .service(crate::organisation::list_users)
        .service(crate::organisation::add_user)
        .service(crate::filings::create::create_filing)
        .service(crate::filings::list::list_filings)
        .service(crate::filings::show::show_filing)
        .service(crate::filings::form::save_form)
        .service(crate::filings::submit::submit_filing)
        .service(crate::filings::show::filing_history)
        .service(crate::filings::attachments::upload_attachment)
        .service(crate::filings::attachments::download_attachment)
        // Inspections: the public list before `{id}`.
        .service(crate::inspections::published)
        .service(crate::inspections::my_inspections)
        .service(crate::inspections::my_inspection)
        .service(crate::inspections::answer)
        .service(crate::inspections::give_material)
        .service(crate::inspections::download_material)
        // Complaints: the fixed path before `{receipt_number}`.
        .service(crate::complaints::file_complaint)
        .service(crate::complaints::complaint_status)
        .service(crate::complaints::rate_complaint)
        .service(crate::complaints::give_evidence);
}
