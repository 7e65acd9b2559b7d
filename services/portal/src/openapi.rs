//! The base of the portal's OpenAPI 3 document (title, description, shared schemas); the
//! operations are added from the handlers the route table registers. Served at
//! `/api/v1/openapi.json` with a docs page at `/docs/`.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "FRT supervision platform — portal",
        description = "Processors' filings under Art. 15 and their side of inspections under Art. 16 of the Facial Recognition Technology Application Security Measures; for the public, complaints and reports under Art. 17, published inspection outcomes and working-day due dates."
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
