//! The base of the exchange service's OpenAPI 3 document; the operations are added from the
//! handlers the route table registers. Served at `/api/v1/openapi.json`.

use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "FRT supervision platform — exchange",
        description = "Other agencies' systems. Every request is signed: X-FRT-Key (the key id), X-FRT-Timestamp (Unix seconds, within 300 s) and X-FRT-Signature (lowercase hex of HMAC-SHA256(secret, METHOD \\n path with query \\n timestamp \\n lowercase hex SHA-256 of the body)); with X-FRT-Signature-Alg: hmac-sm3 the same with HMAC-SM3 and the body's SM3 (the national suite); a signature is accepted once."
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
