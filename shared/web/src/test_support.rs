//! The test-support API for acceptance tests against a deployment (`frt_cases::testing`),
//! and the test clock. Both exist only in an environment that allows test support and only
//! with `qa.token` set: the routes are not mounted otherwise, and the clock header is never
//! read. Every call, and every request naming a clock, carries the token in `X-QA-Token`.

use crate::error::{ApiError, ApiResult};
use crate::extract::Json;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{delete, post, put, web, FromRequest, HttpRequest, HttpResponse, ResponseError};
use chrono::NaiveDate;
use frt_access::{AgencyKind, Role};
use frt_cases::sweep::SweepReport;
use frt_cases::{testing, Core};
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;

/// The header naming a scenario's test clock.
pub const CLOCK_HEADER: &str = "x-frt-test-clock";
/// The header carrying the QA token.
pub const TOKEN_HEADER: &str = "x-qa-token";

/// A request that carried the deployment's QA token.
pub struct QaCaller;

/// Whether the request carries the deployment's QA token (where test support may exist).
fn carries_qa_token(core: &Core, headers: &actix_web::http::header::HeaderMap) -> bool {
    let expected = core.settings.qa_token().map(frt_access::token::digest);
    let given = headers
        .get(TOKEN_HEADER)
        .map(|v| frt_access::token::digest(&String::from_utf8_lossy(v.as_bytes())));
    // Digests compared, so the comparison's time tells nothing about the token.
    matches!((expected, given), (Some(e), Some(g)) if e == g)
}

impl FromRequest for QaCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let ok = req
            .app_data::<web::Data<Core>>()
            .is_some_and(|c| carries_qa_token(c, req.headers()));
        Box::pin(async move {
            if ok {
                Ok(QaCaller)
            } else {
                Err(ApiError::unauthenticated(
                    "the test-support API needs the deployment's QA token in X-QA-Token",
                ))
            }
        })
    }
}

/// Runs each request of a scenario that names its test clock, and carries the QA token, on
/// the clock's day; without the token the header is not read.
pub async fn test_clock(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let core = req.app_data::<web::Data<Core>>().cloned();
    let enabled = core
        .as_ref()
        .is_some_and(|c| carries_qa_token(c, req.headers()));
    let scope = req
        .headers()
        .get(CLOCK_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (Some(core), Some(scope), true) = (core, scope, enabled) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    match testing::clock(&core, &scope).await {
        Ok(Some(day)) => Ok(testing::with_today(day, next.call(req))
            .await?
            .map_into_boxed_body()),
        Ok(None) => Ok(req.into_response(
            ApiError::bad_request(
                "test_support.unknown_clock",
                format!("no test clock named '{scope}' is set"),
            )
            .error_response(),
        )),
        Err(e) => Ok(req.into_response(ApiError::from(e).error_response())),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaffRequest {
    /// provincial_cac, national_cac, public_security or other_department.
    #[schema(pattern = "^(provincial_cac|national_cac|public_security|other_department)$")]
    pub agency_kind: String,
    /// The agency's province (GB/T 2260); none for the national CAC.
    #[schema(pattern = "^[0-9]{2}0000$")]
    pub province: Option<String>,
    /// Made if missing; by default one agency per kind and province.
    #[schema(max_length = 200)]
    pub agency_name: Option<String>,
    /// reviewer, inspector, complaint_handler, supervisor or admin.
    #[schema(pattern = "^(reviewer|inspector|complaint_handler|supervisor|admin)$")]
    pub role: String,
    /// Default: a new unique address.
    #[schema(max_length = 254)]
    pub email: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    /// Default: `qa-password-2026`.
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffMade {
    pub user_id: Uuid,
    pub email: String,
    pub password: String,
}

/// Make a staff account in an agency (test support, outside production only).
#[utoipa::path(tag = "test-support", request_body = NewStaffRequest,
    params(("X-QA-Token" = String, Header, description = "the deployment's QA token")),
    responses((status = 201, body = StaffMade), (status = 401, description = "no or a wrong QA token", content_type = "application/problem+json")))]
#[post("/api/v1/test-support/staff")]
pub async fn make_staff(
    core: web::Data<Core>,
    _qa: QaCaller,
    body: Json<NewStaffRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let invalid = |what: &str| ApiError::unprocessable("test_support.invalid", what.to_owned());
    let agency_kind = AgencyKind::from_str(&b.agency_kind).map_err(|e| invalid(&e))?;
    let role = Role::from_str(&b.role)
        .ok()
        .filter(|r| r.is_staff())
        .ok_or_else(|| invalid("role must be a staff role"))?;
    let email = b
        .email
        .unwrap_or_else(|| format!("qa-{}@staff.example", Uuid::now_v7().simple()));
    let password = b.password.unwrap_or_else(|| "qa-password-2026".into());
    let user = testing::create_staff(
        &core,
        testing::NewStaff {
            agency_kind,
            agency_name: b.agency_name,
            province: b.province,
            role,
            email,
            display_name: b.display_name.unwrap_or_else(|| "QA".into()),
            password: password.clone(),
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(StaffMade {
        user_id: user.id,
        email: user.email,
        password,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressConfirmation {
    /// The portal account's address.
    #[schema(max_length = 254)]
    pub email: String,
}

/// Confirm a registration's address as its mailed link would (test support, outside
/// production only), for suites that cannot read the mail.
#[utoipa::path(tag = "test-support", request_body = AddressConfirmation,
    params(("X-QA-Token" = String, Header, description = "the deployment's QA token")),
    responses((status = 204), (status = 404, description = "no portal account has that address", content_type = "application/problem+json"),
        (status = 401, description = "no or a wrong QA token", content_type = "application/problem+json")))]
#[post("/api/v1/test-support/address-confirmations")]
pub async fn confirm_address(
    core: web::Data<Core>,
    _qa: QaCaller,
    body: Json<AddressConfirmation>,
) -> ApiResult<HttpResponse> {
    if testing::confirm_address(&core, &body.into_inner().email).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("portal account"))
    }
}

#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Clock {
    /// The day requests naming this clock see as today.
    #[schema(value_type = String, format = Date)]
    pub today: NaiveDate,
}

/// Set a test clock: requests carrying `X-FRT-Test-Clock: {scope}` see `today` as today.
#[utoipa::path(tag = "test-support", request_body = Clock,
    params(("scope" = String, Path, max_length = 100),
           ("X-QA-Token" = String, Header, description = "the deployment's QA token")),
    responses((status = 200, body = Clock), (status = 401, description = "no or a wrong QA token", content_type = "application/problem+json")))]
#[put("/api/v1/test-support/clocks/{scope}")]
pub async fn set_clock(
    core: web::Data<Core>,
    _qa: QaCaller,
    scope: web::Path<String>,
    body: Json<Clock>,
) -> ApiResult<HttpResponse> {
    let scope = frt_cases::input::bounded("scope", &scope, 100)?.to_owned();
    let clock = body.into_inner();
    frt_domain::civil::check(clock.today)
        .map_err(|e| ApiError::unprocessable("test_support.invalid", e.to_string()))?;
    testing::set_clock(&core, &scope, clock.today).await?;
    Ok(HttpResponse::Ok().json(clock))
}

/// Remove a test clock.
#[utoipa::path(tag = "test-support",
    params(("scope" = String, Path, max_length = 100),
           ("X-QA-Token" = String, Header, description = "the deployment's QA token")),
    responses((status = 204), (status = 401, description = "no or a wrong QA token", content_type = "application/problem+json")))]
#[delete("/api/v1/test-support/clocks/{scope}")]
pub async fn clear_clock(
    core: web::Data<Core>,
    _qa: QaCaller,
    scope: web::Path<String>,
) -> ApiResult<HttpResponse> {
    testing::clear_clock(&core, &scope).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepRequest {
    /// Sweep as of this day.
    #[schema(value_type = String, format = Date)]
    pub on: NaiveDate,
    /// Only this entity's deadlines (so that other data on the deployment stays untouched).
    pub entity_id: Option<Uuid>,
}

/// Run the deadline sweep as of a day (what the worker does daily).
#[utoipa::path(tag = "test-support", request_body = SweepRequest,
    params(("X-QA-Token" = String, Header, description = "the deployment's QA token")),
    responses((status = 200, body = SweepReport), (status = 401, description = "no or a wrong QA token", content_type = "application/problem+json")))]
#[post("/api/v1/test-support/sweeps")]
pub async fn sweep(
    core: web::Data<Core>,
    _qa: QaCaller,
    body: Json<SweepRequest>,
) -> ApiResult<HttpResponse> {
    let SweepRequest { on, entity_id } = body.into_inner();
    frt_domain::civil::check(on)
        .map_err(|e| ApiError::unprocessable("test_support.invalid", e.to_string()))?;
    let report = testing::sweep(&core, on, entity_id).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExchangeClient {
    /// The agency the client acts for: its id or unique name.
    #[schema(min_length = 1, max_length = 200)]
    pub agency: String,
    /// notifications:read, notifications:write, registry:read.
    #[schema(min_items = 1, max_items = 3)]
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExchangeCredentials {
    pub key_id: String,
    pub secret: String,
}

/// Register an exchange client (what `frtctl exchange clients create` does).
#[utoipa::path(tag = "test-support", request_body = NewExchangeClient,
    params(("X-QA-Token" = String, Header, description = "the deployment's QA token")),
    responses((status = 201, body = ExchangeCredentials), (status = 401, description = "no or a wrong QA token", content_type = "application/problem+json")))]
#[post("/api/v1/test-support/exchange-clients")]
pub async fn make_exchange_client(
    core: web::Data<Core>,
    _qa: QaCaller,
    req: HttpRequest,
    body: Json<NewExchangeClient>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let actor = crate::auth::anonymous_actor(&req, "test-support");
    let c = frt_cases::exchange::create_client(&core, &actor, &b.agency, &b.scopes).await?;
    Ok(HttpResponse::Created().json(ExchangeCredentials {
        key_id: c.key_id,
        secret: c.secret,
    }))
}

/// Revoke an exchange client (what `frtctl exchange clients revoke` does).
#[utoipa::path(tag = "test-support",
    params(("key_id" = String, Path, max_length = 40),
           ("X-QA-Token" = String, Header, description = "the deployment's QA token")),
    responses((status = 204), (status = 401, description = "no or a wrong QA token", content_type = "application/problem+json")))]
#[delete("/api/v1/test-support/exchange-clients/{key_id}")]
pub async fn revoke_exchange_client(
    core: web::Data<Core>,
    _qa: QaCaller,
    req: HttpRequest,
    key_id: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let actor = crate::auth::anonymous_actor(&req, "test-support");
    if frt_cases::exchange::revoke_client(&core, &actor, &key_id).await? {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::not_found("exchange client"))
    }
}

/// The test-support routes.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(make_staff)
        .service(confirm_address)
        .service(set_clock)
        .service(clear_clock)
        .service(sweep)
        .service(make_exchange_client)
        .service(revoke_exchange_client);
}
