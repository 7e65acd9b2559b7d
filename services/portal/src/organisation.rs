//! The caller's own organisation and its users: org admins add filers (and other admins).

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use frt_access::accounts::{FirstLogin, Owner};
use frt_access::{Action, Resource, Role};
use frt_store::identities;
use frt_store::ScopedFutureExt;
use frt_web::{ApiError, ApiResult, Auth, Core};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use uuid::Uuid;

fn own_org(auth: &Auth) -> ApiResult<Uuid> {
    auth.principal
        .organisation_id()
        .ok_or_else(|| ApiError::forbidden("only a processor's users have an organisation"))
}

/// The caller's organisation.
#[utoipa::path(tag = "organisations", security(("bearer" = [])),
    responses((status = 200, body = identities::Organisation)))]
#[get("/api/v1/organisation")]
pub async fn show_organisation(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    let org_id = own_org(&auth)?;
    let org = core
        .db
        .query(|conn| identities::organisation(conn, org_id).scope_boxed())
        .await?
        .ok_or_else(|| ApiError::not_found("organisation"))?;
    Ok(HttpResponse::Ok().json(org))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

impl From<identities::User> for UserView {
    fn from(u: identities::User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            active: u.active,
            created_at: u.created_at,
        }
    }
}

/// Users of the caller's organisation.
#[utoipa::path(tag = "organisations", security(("bearer" = [])),
    responses((status = 200, body = [UserView])))]
#[get("/api/v1/organisation/users")]
pub async fn list_users(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    let org_id = own_org(&auth)?;
    auth.require(&core, Resource::ORGANISATION_USER, Action::Manage, None)?;
    let users: Vec<UserView> = core
        .db
        .query(|conn| identities::users_of_organisation(conn, org_id).scope_boxed())
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(HttpResponse::Ok().json(users))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrgUser {
    #[schema(max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub display_name: String,
    /// 10 to 256 characters.
    #[schema(min_length = 10, max_length = 256)]
    pub password: String,
    /// `filer` (default) or `org_admin`.
    #[schema(pattern = "^(filer|org_admin)$")]
    pub role: Option<String>,
}

/// Add a user to the caller's organisation (org admins only).
#[utoipa::path(tag = "organisations", security(("bearer" = [])),
    request_body = NewOrgUser, responses(
    (status = 201, body = UserView),
    (status = 403, description = "not an org admin", content_type = "application/problem+json"),
    (status = 409, description = "email taken", content_type = "application/problem+json")))]
#[post("/api/v1/organisation/users")]
pub async fn add_user(
    core: web::Data<Core>,
    auth: Auth,
    body: frt_web::Json<NewOrgUser>,
) -> ApiResult<HttpResponse> {
    let org_id = own_org(&auth)?;
    auth.require(&core, Resource::ORGANISATION_USER, Action::Manage, None)?;
    let NewOrgUser {
        email,
        display_name,
        password,
        role,
    } = body.into_inner();
    let role = match role.as_deref() {
        None => Role::Filer,
        Some(r) => match Role::from_str(r) {
            Ok(r @ (Role::Filer | Role::OrgAdmin)) => r,
            _ => {
                return Err(ApiError::unprocessable(
                    "user.invalid_role",
                    "role must be 'filer' or 'org_admin'",
                ));
            }
        },
    };
    let user = frt_cases::accounts::create(
        &core,
        &auth.actor,
        frt_cases::accounts::NewAccount {
            email,
            display_name,
            password,
            role,
            owner: Owner::Organisation(org_id),
            first_login: FirstLogin::ChangePassword,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(UserView::from(user)))
}
