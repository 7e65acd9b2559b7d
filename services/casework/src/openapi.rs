//! The portal's OpenAPI 3 document, served at `/api/v1/openapi.json` with a docs page at `/docs/`.

use frt_web::server::BearerAuth;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "FRT supervision platform — casework", description = "Regulator staff: the filing review queue and decisions, materials, audit trails and staff administration."),
    paths(
        frt_web::health::healthz,
        frt_web::health::readyz,
        frt_web::session::login,
        frt_web::session::logout,
        frt_web::session::me,
        crate::queue::queue,
        crate::filings::show,
        crate::filings::audit_trail,
        crate::filings::download,
        crate::review::record,
        crate::review::return_for_correction,
        crate::review::refuse,
        crate::assignment::assign,
        crate::assignment::take,
        crate::history::list,
        crate::history::diff,
        crate::registry::list,
        crate::audit::trail,
        crate::sign_off::sign_off,
        crate::staff::create,
    ),
    components(schemas(frt_web::error::Problem, frt_web::error::FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
