//! Self-registration of a processor organisation (个人信息处理者) with its first admin user
//! (`frt_cases::accounts::register` checks and records it).

use actix_web::post;
use actix_web::{web, HttpRequest, HttpResponse};
use frt_cases::accounts::{self, NewOrganisationInput, Registration, Warning};
use frt_store::identities::Organisation;
use frt_web::auth::anonymous_actor;
use frt_web::{ApiResult, Core};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub name: String,
    /// Unified Social Credit Code (统一社会信用代码, GB 32100-2015); a wrong check character
    /// is kept with a warning.
    #[schema(pattern = "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$")]
    pub uscc: String,
    /// Province (GB/T 2260, e.g. 310000). Omit to use the one derived from the USCC; sending
    /// it confirms it.
    #[schema(pattern = "^[0-9]{2}0000$")]
    pub province_code: Option<String>,
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub contact_person: String,
    #[schema(max_length = 254)]
    pub contact_email: String,
    /// 7 to 20 characters: at least 7 digits, with optional + - ( ) and spaces.
    #[schema(
        min_length = 7,
        max_length = 20,
        pattern = "^[-+() ]*([0-9][-+() ]*){7,20}$"
    )]
    pub contact_phone: String,
    /// Language of the organisation's mail: `zh-CN` (default) or `en`.
    #[schema(pattern = "^(zh-CN|en)$")]
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminInput {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub display_name: String,
    /// 10 to 256 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationRequest {
    pub organisation: OrganisationInput,
    pub admin: AdminInput,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegistrationResponse {
    pub organisation: Organisation,
    pub admin_user_id: Uuid,
    pub warnings: Vec<Warning>,
}

/// Register an organisation and its first admin user.
#[utoipa::path(tag = "organisations", request_body = RegistrationRequest, responses(
    (status = 201, body = RegistrationResponse),
    (status = 409, description = "USCC or email already registered", content_type = "application/problem+json"),
    (status = 422, description = "invalid fields, all listed", content_type = "application/problem+json")))]
#[post("/api/v1/registrations")]
pub async fn register(
    core: web::Data<Core>,
    req: HttpRequest,
    body: frt_web::Json<RegistrationRequest>,
) -> ApiResult<HttpResponse> {
    let RegistrationRequest {
        organisation: o,
        admin,
    } = body.into_inner();
    let registration = Registration {
        organisation: NewOrganisationInput {
            name: o.name,
            uscc: o.uscc,
            province_code: o.province_code,
            contact_person: o.contact_person,
            contact_email: o.contact_email,
            contact_phone: o.contact_phone,
            locale: o.locale,
        },
        admin_email: admin.email,
        admin_name: admin.display_name,
        admin_password: admin.password,
    };
    let done =
        accounts::register(&core, registration, anonymous_actor(&req, "registration")).await?;
    Ok(HttpResponse::Created().json(RegistrationResponse {
        organisation: done.organisation,
        admin_user_id: done.admin_user_id,
        warnings: done.warnings,
    }))
}
