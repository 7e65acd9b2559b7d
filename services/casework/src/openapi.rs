//! The portal's OpenAPI 3 document, served at `/api/v1/openapi.json` with a docs page at `/docs/`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
        crate::staff::create,
    ),
    components(schemas(frt_web::error::Problem, frt_web::error::FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
