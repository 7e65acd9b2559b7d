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

#[cfg(test)]
mod tests {
    /// Every keyset list's cursor is documented with the one pattern the codec describes.
    #[test]
    fn every_cursor_is_documented_as_the_codec_reads_it() {
        let doc = serde_json::to_value(super::document()).expect("the document as JSON");
        let mut cursors = 0;
        for (path, operations) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in operations.as_object().expect("operations") {
                let Some(parameters) = operation["parameters"].as_array() else {
                    continue;
                };
                for p in parameters {
                    if p["name"] == "after" || p["name"] == "before" {
                        cursors += 1;
                        assert_eq!(
                            p["schema"]["pattern"].as_str(),
                            Some(frt_cases::cursor::PATTERN),
                            "{method} {path} {}",
                            p["name"]
                        );
                    }
                }
            }
        }
        assert!(cursors >= 6, "{cursors} cursors documented");
    }
}
