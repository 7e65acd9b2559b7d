//! Staff administration: an admin adds staff to their own agency.

use actix_web::post;
use actix_web::{web, HttpResponse};
use frt_web::{ApiResult, Auth, Core};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub display_name: String,
    /// 10 to 256 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// reviewer, inspector, complaint_handler, supervisor or admin.
    #[schema(pattern = "^(reviewer|inspector|complaint_handler|supervisor|admin)$")]
    pub role: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffCreated {
    pub id: Uuid,
    pub email: String,
    pub role: String,
    pub agency_id: Uuid,
}

/// Reset a member's second factor (a lost phone; admins of the same agency only): their
/// secret and recovery codes are removed, every session of theirs ends, and they enrol again
/// at their next login. Audited.
#[utoipa::path(tag = "staff", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "the member of staff")),
    responses(
    (status = 204),
    (status = 403, description = "not an admin", content_type = "application/problem+json"),
    (status = 404, description = "no such member of the admin's agency", content_type = "application/problem+json")))]
#[post("/api/v1/staff/{id}/second-factor/reset")]
pub async fn reset_second_factor(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    frt_cases::staff::reset_second_factor(&core, &auth, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add a staff member to the caller's agency (admins only).
#[utoipa::path(tag = "staff", security(("bearer" = [])), request_body = NewStaff,
    responses(
    (status = 201, body = StaffCreated),
    (status = 403, description = "not an admin", content_type = "application/problem+json"),
    (status = 409, description = "email taken", content_type = "application/problem+json")))]
#[post("/api/v1/staff")]
pub async fn create_staff(
    core: web::Data<Core>,
    auth: Auth,
    body: frt_web::Json<NewStaff>,
) -> ApiResult<HttpResponse> {
    let NewStaff {
        email,
        display_name,
        password,
        role,
    } = body.into_inner();
    let user = frt_cases::staff::create(&core, &auth, email, display_name, password, &role).await?;
    Ok(HttpResponse::Created().json(StaffCreated {
        id: user.id,
        email: user.email,
        role: user.role,
        agency_id: user.agency_id.unwrap_or_default(),
    }))
}
