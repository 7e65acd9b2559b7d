//! The portal's OpenAPI 3 document, served at `/api/v1/openapi.json` with a docs page at `/docs/`.

use frt_web::server::BearerAuth;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "FRT supervision platform — portal", description = "Processors' filings under Art. 15 of the Facial Recognition Technology Application Security Measures, and public working-day due dates."),
    paths(
        frt_web::health::healthz,
        frt_web::health::readyz,
        frt_web::session::login,
        frt_web::session::logout,
        frt_web::session::me,
        crate::calendar::due_date,
        crate::registration::register,
        crate::organisation::show,
        crate::organisation::list_users,
        crate::organisation::add_user,
        crate::filings::create::create,
        crate::filings::list::list,
        crate::filings::show::show,
        crate::filings::show::history,
        crate::filings::form::save,
        crate::filings::submit::submit_filing,
        crate::filings::attachments::upload,
        crate::filings::attachments::download,
    ),
    components(schemas(frt_web::error::Problem, frt_web::error::FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
