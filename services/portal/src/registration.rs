//! Self-registration of a processor organisation (个人信息处理者) with its first admin user
//! (`frt_cases::accounts::register` checks and records it).

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
    pub name: String,
    pub uscc: String,
    /// Province (GB/T 2260, e.g. 310000). Omit to use the one derived from the USCC; sending
    /// it confirms it.
    pub province_code: Option<String>,
    pub contact_person: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// Language of the organisation's mail: `zh-CN` (default) or `en`.
    pub locale: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminInput {
    pub email: String,
    pub display_name: String,
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
#[utoipa::path(post, path = "/api/v1/registrations", tag = "organisations", request_body = RegistrationRequest, responses(
    (status = 201, body = RegistrationResponse),
    (status = 409, description = "USCC or email already registered", content_type = "application/problem+json"),
    (status = 422, description = "invalid fields, all listed", content_type = "application/problem+json")))]
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
