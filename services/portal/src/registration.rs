//! Self-registration of a processor organisation (个人信息处理者) with its first admin user.
//! A USCC with a bad check character is kept with a warning a reviewer sees, never silently
//! accepted or rejected; the province is derived from the USCC and may be confirmed.

use actix_web::{web, HttpRequest, HttpResponse};
use frt_access::accounts::{self, AccountError, Owner};
use frt_access::Role;
use frt_domain::ids::Uscc;
use frt_domain::region::ProvinceCode;
use frt_store::identities::{self, NewOrganisation, Organisation};
use frt_store::{audit, ScopedFutureExt};
use frt_web::auth::anonymous_actor;
use frt_web::error::FieldError;
use frt_web::{ApiError, ApiResult, Core};
use serde::{Deserialize, Serialize};
use serde_json::json;
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
pub struct Warning {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegistrationResponse {
    pub organisation: Organisation,
    pub admin_user_id: Uuid,
    pub warnings: Vec<Warning>,
}

fn field(path: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        path: path.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

/// A plausible phone number: digits with optional +, -, spaces and parentheses, 7 to 20 long.
pub fn plausible_phone(phone: &str) -> bool {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    (7..=20).contains(&phone.len())
        && digits >= 7
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || "+-() ".contains(c))
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
    let mut errors = Vec::new();
    let name = o.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(field(
            "organisation.name",
            "required",
            "the organisation's name is required (at most 200 characters)",
        ));
    }
    let uscc = match Uscc::parse(&o.uscc) {
        Ok(u) => Some(u),
        Err(e) => {
            errors.push(field("organisation.uscc", "invalid_uscc", e.to_string()));
            None
        }
    };
    let derived = uscc.as_ref().map(|u| u.area_code().province());
    let chosen = match o.province_code.as_deref().map(str::trim) {
        Some(p) => match ProvinceCode::parse(p) {
            Ok(p) => Some(p),
            Err(e) => {
                errors.push(field(
                    "organisation.province_code",
                    "invalid_province",
                    e.to_string(),
                ));
                None
            }
        },
        None => derived.clone(),
    };
    let confirmed = o.province_code.is_some();
    let contact_person = o.contact_person.trim().to_owned();
    if contact_person.is_empty() || contact_person.chars().count() > 100 {
        errors.push(field(
            "organisation.contact_person",
            "required",
            "a contact person is required (at most 100 characters)",
        ));
    }
    let contact_email = o.contact_email.trim().to_lowercase();
    if !accounts::plausible_email(&contact_email) {
        errors.push(field(
            "organisation.contact_email",
            "invalid_email",
            "the contact email is not a valid address",
        ));
    }
    let contact_phone = o.contact_phone.trim().to_owned();
    if !plausible_phone(&contact_phone) {
        errors.push(field(
            "organisation.contact_phone",
            "invalid_phone",
            "the contact phone must be 7 to 20 digits, with optional + - ( ) and spaces",
        ));
    }
    let locale = match o.locale.as_deref().map(str::trim) {
        None => frt_mail::Locale::ZhCn,
        Some(l) => l.parse().unwrap_or_else(|e: String| {
            errors.push(field("organisation.locale", "invalid_locale", e));
            frt_mail::Locale::ZhCn
        }),
    };
    let owner = Owner::Organisation(Uuid::nil());
    for problem in accounts::problems(
        &admin.email,
        &admin.display_name,
        &admin.password,
        Role::OrgAdmin,
        owner,
    ) {
        errors.push(match problem {
            AccountError::InvalidEmail(_) => field(
                "admin.email",
                "invalid_email",
                "the admin's email is not a valid address",
            ),
            AccountError::InvalidName => field(
                "admin.display_name",
                "required",
                "the admin's name is required (at most 100 characters)",
            ),
            AccountError::Password(p) => field("admin.password", "weak_password", p.to_string()),
            other => return Err(ApiError::internal(other)),
        });
    }
    // Hashing is slow: only for otherwise valid input, and off the async workers.
    let new_user = if errors.is_empty() {
        let (email, display_name, pw) = (admin.email, admin.display_name, admin.password);
        Some(
            web::block(move || {
                accounts::prepare(&email, &display_name, &pw, Role::OrgAdmin, owner)
            })
            .await
            .map_err(ApiError::internal)??,
        )
    } else {
        None
    };
    let (Some(uscc), Some(province), Some(mut new_user), true) =
        (uscc, chosen, new_user, errors.is_empty())
    else {
        return Err(ApiError::unprocessable(
            "registration.invalid",
            "the registration has invalid fields; see errors",
        )
        .with_errors(errors));
    };

    let actor = anonymous_actor(&req, &format!("registration {}", uscc.as_str()));
    let org_id = Uuid::now_v7();
    new_user.organisation_id = Some(org_id);
    let mut warnings = Vec::new();
    if !uscc.checksum_ok() {
        warnings.push(Warning {
            code: "uscc.checksum".into(),
            message: format!(
                "the USCC's check character should be '{}'; the code is kept and a reviewer will verify it",
                uscc.expected_check_char()
            ),
        });
    }
    if derived.as_ref().is_some_and(|d| *d != province) {
        warnings.push(Warning {
            code: "province.differs_from_uscc".into(),
            message:
                "the province given differs from the one in the USCC; a reviewer will verify it"
                    .into(),
        });
    }
    let new_org = NewOrganisation {
        id: org_id,
        name,
        uscc: uscc.as_str().to_owned(),
        uscc_checksum_ok: uscc.checksum_ok(),
        province_code: province.as_str().to_owned(),
        province_confirmed: confirmed,
        contact_person,
        contact_email,
        contact_phone,
        locale: locale.as_str().to_owned(),
    };
    let warnings_json = serde_json::to_value(&warnings).map_err(ApiError::internal)?;
    let (org, user_id) = core
        .db
        .tx(|conn| {
            async move {
                if !identities::region_exists(conn, province.as_str()).await? {
                    return Err(ApiError::unprocessable(
                        "registration.invalid",
                        "the province is not known",
                    )
                    .with_errors(vec![field(
                        "organisation.province_code",
                        "unknown_province",
                        format!(
                            "{} is not a GB/T 2260 province code; send province_code to choose one",
                            province.as_str()
                        ),
                    )]));
                }
                // A USCC or email already registered is the database's unique violation,
                // answered as 409 in one place; two registrations at once cannot both pass.
                let org = identities::insert_organisation(conn, &new_org).await?;
                let actor = audit::Actor {
                    label: format!("{} (registration)", new_user.email),
                    ..actor
                };
                audit::record(
                    conn,
                    &actor,
                    "organisation.registered",
                    "organisation",
                    &org.id.to_string(),
                    None,
                    Some(json!({ "organisation": org, "warnings": warnings_json })),
                )
                .await?;
                let user = accounts::insert(conn, &actor, new_user).await?;
                Ok((org, user.id))
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Created().json(RegistrationResponse {
        organisation: org,
        admin_user_id: user_id,
        warnings,
    }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn phones() {
        assert!(super::plausible_phone("+86 21 5555-1234"));
        assert!(super::plausible_phone("13800138000"));
        assert!(!super::plausible_phone("12345"));
        assert!(!super::plausible_phone("call me maybe"));
    }
}
