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
        Some(crate::pages::PAGES),
    )
}

/// Casework's own routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(crate::queue::review_queue)
        .service(crate::filings::show_filing)
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
        .service(crate::audit::processor_timeline)
        .service(crate::sign_off::sign_off)
        .service(crate::staff::create_staff)
        .service(crate::staff::reset_second_factor)
        .service(crate::disputes::list_disputes)
        .service(crate::disputes::show_dispute)
        .service(crate::disputes::decide_dispute)
        // Inspections: the fixed paths before `{id}`.
        .service(crate::inspections::create_plan)
        .service(crate::inspections::list_plans)
        .service(crate::inspections::show_plan)
        .service(crate::inspections::create_draw)
        .service(crate::inspections::show_draw)
        .service(crate::inspections::verify_draw)
        .service(crate::inspections::declare_conflict)
        .service(crate::inspections::risk_candidates)
        .service(crate::inspections::open_inspection)
        .service(crate::inspections::list_inspections)
        .service(crate::inspections::show_inspection)
        .service(crate::inspections::notify)
        .service(crate::inspections::start)
        .service(crate::inspections::request_documents)
        .service(crate::inspections::record_findings)
        .service(crate::inspections::order_rectification)
        .service(crate::inspections::verify_rectification)
        .service(crate::inspections::close)
        .service(crate::inspections::invite_agency)
        .service(crate::inspections::download_material)
        .service(crate::exports::registry)
        .service(crate::exports::review_queue)
        .service(crate::exports::inspections)
        .service(crate::exports::statistics)
        .service(crate::imports::error_workbook)
        .service(crate::imports::template)
        .service(crate::imports::import)
        .service(crate::complaints::enter_complaint)
        .service(crate::complaints::complaint_queue)
        .service(crate::complaints::show_complaint)
        .service(crate::complaints::accept)
        .service(crate::complaints::refuse)
        .service(crate::complaints::transfer)
        .service(crate::complaints::assign)
        .service(crate::complaints::investigate)
        .service(crate::complaints::decide)
        .service(crate::complaints::reply)
        .service(crate::complaints::approve_reply)
        .service(crate::complaints::close)
        .service(crate::complaints::download_evidence)
        .service(crate::notifications::list_agencies)
        .service(crate::notifications::send_notification)
        .service(crate::notifications::list_notifications)
        .service(crate::notifications::show_notification)
        .service(crate::notifications::acknowledge)
        .service(crate::notifications::feedback)
        .service(crate::notifications::attach)
        .service(crate::notifications::download_material);
}
