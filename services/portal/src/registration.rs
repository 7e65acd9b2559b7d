//! Self-registration of a processor organisation (个人信息处理者) with its first admin user
//! (`frt_cases::accounts::register` checks and records it).

use actix_web::post;
use actix_web::{web, HttpRequest, HttpResponse};
use frt_cases::accounts::{self, Links, NewOrganisationInput, Registration, Warning};
use frt_store::identities::Organisation;
use frt_web::auth::anonymous_actor;
use frt_web::client::throttle_source;
use frt_web::{ApiResult, Core};
use serde::{Deserialize, Serialize};

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
    /// Always `mailed`: what happened is mailed to the admin's address, so that the answer
    /// tells nobody which organisations and addresses are on the platform.
    pub status: &'static str,
    /// Where the mail went.
    pub mailed_to: String,
    pub message: String,
    /// Things a reviewer will verify (e.g. `uscc.checksum`), from the input alone.
    pub warnings: Vec<Warning>,
}

/// The portal's address as the request reached it, for the links in the registration's mail.
pub fn links(req: &HttpRequest) -> Links {
    let info = req.connection_info();
    Links {
        portal: format!("{}://{}", info.scheme(), info.host()),
    }
}

/// Register an organisation and its first admin. Valid input is always answered 202 and the
/// outcome is mailed to the admin's address: a new organisation stays `pending`, and its admin
/// cannot log in (403 `auth.address_unconfirmed`), until the mailed link is followed; an
/// address that has an account makes nothing; a USCC another organisation holds goes to the
/// province's reviewers as a dispute. Registrations from one address are held to
/// `auth.registrations_per_hour`.
#[utoipa::path(tag = "organisations", request_body = RegistrationRequest, responses(
    (status = 202, body = RegistrationResponse),
    (status = 422, description = "invalid fields, all listed", content_type = "application/problem+json"),
    (status = 429, description = "registration.too_many_registrations; see Retry-After", content_type = "application/problem+json")))]
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
    let done = accounts::register(
        &core,
        registration,
        anonymous_actor(&req, "registration"),
        &throttle_source(&req),
        &links(&req),
    )
    .await?;
    Ok(HttpResponse::Accepted().json(RegistrationResponse {
        status: "mailed",
        message: format!(
            "a message went to {}: follow it to go on (a new registration is confirmed from it)",
            done.mailed_to
        ),
        mailed_to: done.mailed_to,
        warnings: done.warnings,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirmation {
    /// The token of the mailed link (the last part of `/register/confirm/{token}`).
    #[schema(max_length = 256)]
    pub token: String,
}

/// Confirm a registration's address with the mailed link's token: the admin can log in from
/// now on and the organisation is active. The link works once, for `auth.confirm_hours`.
#[utoipa::path(tag = "organisations", request_body = Confirmation, responses(
    (status = 200, body = Organisation),
    (status = 404, description = "registration.link_expired: unknown, used or expired", content_type = "application/problem+json"),
    (status = 422, description = "registration.invalid: the token is too long", content_type = "application/problem+json")))]
#[post("/api/v1/registrations/confirm")]
pub async fn confirm(
    core: web::Data<Core>,
    req: HttpRequest,
    body: frt_web::Json<Confirmation>,
) -> ApiResult<HttpResponse> {
    let actor = anonymous_actor(&req, "address confirmation");
    let org = accounts::confirm(&core, &body.into_inner().token, &actor).await?;
    Ok(HttpResponse::Ok().json(org))
}
