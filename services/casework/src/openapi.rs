//! The base of the casework's OpenAPI 3 document (title, description, shared schemas); the
//! operations are added from the handlers the route table registers. Served at
//! `/api/v1/openapi.json` with a docs page at `/docs/`.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "FRT supervision platform — casework",
        description = "Regulator staff: the filing review queue and decisions, inspections, complaints and their replies, notifications between agencies, processors' pages, materials, audit trails and staff administration."
    ),
    components(schemas(frt_web::error::Problem, frt_web::error::FieldError))
)]
pub struct ApiDoc;

/// The whole document as the service serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    frt_web::server::document(
        crate::startup::ZONE,
        crate::startup::routes,
        ApiDoc::openapi(),
    )
}
