//! Inspections (监督检查, Art. 16) for staff: plans, random draws and their verification,
//! conflicts of interest, and each inspection's lifecycle (`frt_cases::inspections` decides).

use actix_web::{get, post, web, HttpResponse};
use chrono::NaiveDate;
use frt_cases::inspections::conduct::{self, NewTarget};
use frt_cases::inspections::draws::{self, DrawRequest, DrawView, PlanView, PoolFilters};
use frt_cases::inspections::risk::{self, RiskCandidate, RiskQuery};
use frt_cases::inspections::{self, InspectionQuery, InspectionView};
use frt_store::inspections::Plan;
use frt_web::{ApiResult, Auth, Core, Json};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    #[schema(pattern = "^[0-9]{2}0000$")]
    pub province: String,
    #[schema(min_length = 1, max_length = 200, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub title: String,
    #[schema(value_type = String, format = Date)]
    pub period_start: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub period_end: NaiveDate,
}

/// Make an inspection plan for a province and period (supervisors).
#[utoipa::path(tag = "inspections", security(("bearer" = [])), request_body = NewPlan,
    responses((status = 201, body = Plan)))]
#[post("/api/v1/inspections/plans")]
pub async fn create_plan(
    core: web::Data<Core>,
    auth: Auth,
    body: Json<NewPlan>,
) -> ApiResult<HttpResponse> {
    let p = body.into_inner();
    let plan = draws::create_plan(
        &core,
        &auth,
        &p.province,
        &p.title,
        p.period_start,
        p.period_end,
    )
    .await?;
    Ok(HttpResponse::Created().json(plan))
}

/// The plans of the caller's province(s), newest period first.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), responses((status = 200, body = [Plan])))]
#[get("/api/v1/inspections/plans")]
pub async fn list_plans(core: web::Data<Core>, auth: Auth) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(draws::plans(&core, &auth).await?))
}

/// A plan with every draw made for it.
#[utoipa::path(tag = "inspections", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = PlanView)))]
#[get("/api/v1/inspections/plans/{id}")]
pub async fn show_plan(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(draws::plan(&core, &auth, id.into_inner()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDraw {
    /// The plan the draw is for: its province's processors and inspectors are drawn, and the
    /// plan lists every draw made for it.
    pub plan_id: Uuid,
    /// Which processors the pool holds; without any, every processor of the province.
    #[serde(default)]
    pub filters: PoolFilters,
    /// How many processors to draw (N).
    #[schema(minimum = 0, maximum = 10000)]
    pub targets: i32,
    /// How many inspectors to draw (M).
    #[schema(minimum = 0, maximum = 1000)]
    pub inspectors: i32,
    /// Where acceptance tests run only (422 `inspection.seed_not_allowed` elsewhere): 64
    /// hexadecimal digits. By default, and always in production, the seed comes from the
    /// operating system's CSPRNG.
    #[schema(pattern = "^[0-9a-fA-F]{64}$")]
    pub seed: Option<String>,
}

/// Draw N processors and M inspectors at random (双随机), reproducibly (supervisors).
#[utoipa::path(tag = "inspections", security(("bearer" = [])), request_body = NewDraw,
    responses((status = 201, body = DrawView),
        (status = 404, description = "a processor, plan, draw or inspector named in the body is not in the caller's scope")))]
#[post("/api/v1/inspections/draws")]
pub async fn create_draw(
    core: web::Data<Core>,
    auth: Auth,
    body: Json<NewDraw>,
) -> ApiResult<HttpResponse> {
    let d = body.into_inner();
    let drawn = draws::draw(
        &core,
        &auth,
        DrawRequest {
            plan_id: d.plan_id,
            filters: d.filters,
            targets: d.targets,
            inspectors: d.inspectors,
            seed: d.seed.map(|s| s.to_lowercase()),
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(drawn))
}

/// A draw as recorded.
#[utoipa::path(tag = "inspections", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = DrawView)))]
#[get("/api/v1/inspections/draws/{id}")]
pub async fn show_draw(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(draws::get(&core, &auth, id.into_inner()).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verification {
    /// Whether re-running the draw from what it recorded gives the same result.
    pub matches: bool,
}

/// Re-run a draw from its recorded seed and pools: does it give the same answer?
#[utoipa::path(tag = "inspections", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = Verification)))]
#[get("/api/v1/inspections/draws/{id}/verify")]
pub async fn verify_draw(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let matches = draws::verify(&core, &auth, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Verification { matches }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    pub organisation_id: Uuid,
    #[schema(min_length = 1, max_length = 1000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub reason: String,
}

/// Declare one's own conflict of interest (回避) with a processor: later draws leave the
/// declarer out whenever they pick that processor.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), request_body = Conflict,
    responses((status = 204),
        (status = 404, description = "a processor, plan, draw or inspector named in the body is not in the caller's scope")))]
#[post("/api/v1/inspections/conflicts")]
pub async fn declare_conflict(
    core: web::Data<Core>,
    auth: Auth,
    body: Json<Conflict>,
) -> ApiResult<HttpResponse> {
    let c = body.into_inner();
    draws::declare_conflict(&core, &auth, c.organisation_id, &c.reason).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Risk targets for a plan (supervisors): processors a submitted filing of which was assessed
/// high or critical risk, that filed late, whose draft's statutory time limit ran out
/// unsubmitted, or that registered and never filed; most pressing first, each with its
/// reasons. Open one with `source` `risk`.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(RiskQuery),
    responses((status = 200, body = [RiskCandidate]),
        (status = 404, description = "a province outside the caller's jurisdiction")))]
#[get("/api/v1/inspections/risk-candidates")]
pub async fn risk_candidates(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<RiskQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(risk::candidates(&core, &auth, &q).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInspection {
    pub organisation_id: Uuid,
    /// draw, risk, complaint or notification.
    #[schema(pattern = "^(draw|risk|complaint|notification)$")]
    pub source: String,
    pub plan_id: Option<Uuid>,
    /// The draw that picked the processor (source `draw`).
    pub draw_id: Option<Uuid>,
    /// The notification about the processor that prompted it (source `notification`): one
    /// the caller's agency sent or received. The inspection is then linked to it.
    pub notification_id: Option<Uuid>,
    /// Default for a drawn target: the draw's inspectors. Others in their place need
    /// `swap_reason`.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub inspector_ids: Vec<Uuid>,
    /// Why a drawn target is inspected by others than the draw picked (an inspector ill, a
    /// conflict found late); audited with who went out and who came in.
    #[schema(max_length = 1000)]
    pub swap_reason: Option<String>,
}

/// Open an inspection of a processor (planned) from a draw, a risk, a complaint or a
/// notification (supervisors).
#[utoipa::path(tag = "inspections", security(("bearer" = [])), request_body = NewInspection,
    responses((status = 201, body = InspectionView),
        (status = 404, description = "a processor, plan, draw or inspector named in the body is not in the caller's scope")))]
#[post("/api/v1/inspections")]
pub async fn open_inspection(
    core: web::Data<Core>,
    auth: Auth,
    body: Json<NewInspection>,
) -> ApiResult<HttpResponse> {
    let n = body.into_inner();
    let view = conduct::open(
        &core,
        &auth,
        NewTarget {
            organisation_id: n.organisation_id,
            source: n.source,
            plan_id: n.plan_id,
            draw_id: n.draw_id,
            notification_id: n.notification_id,
            inspector_ids: n.inspector_ids,
            swap_reason: n.swap_reason,
        },
    )
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// Inspections the caller may see: a province's for its office, the joint ones for an
/// invited agency; newest first.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(InspectionQuery),
    responses((status = 200, body = [InspectionView])))]
#[get("/api/v1/inspections")]
pub async fn list_inspections(
    core: web::Data<Core>,
    auth: Auth,
    q: web::Query<InspectionQuery>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(inspections::list(&core, &auth, &q).await?))
}

/// One inspection with its requests, orders, materials, inspectors and invited agencies.
#[utoipa::path(tag = "inspections", security(("bearer" = [])),
    params(("id" = Uuid, Path)), responses((status = 200, body = InspectionView)))]
#[get("/api/v1/inspections/{id}")]
pub async fn show_inspection(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(inspections::show(&core, &auth, id.into_inner()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub version: i32,
    /// What the processor is told: when, where, what to prepare.
    #[schema(min_length = 1, max_length = 4000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub notice: String,
}

/// Send the notice of inspection to the processor (mail and portal).
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Notice, responses((status = 200, body = InspectionView)))]
#[post("/api/v1/inspections/{id}/notify")]
pub async fn notify(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Notice>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    Ok(HttpResponse::Ok()
        .json(conduct::notify(&core, &auth, id.into_inner(), b.version, &b.notice).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionOnly {
    pub version: i32,
}

/// The inspection begins.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = VersionOnly, responses((status = 200, body = InspectionView)))]
#[post("/api/v1/inspections/{id}/start")]
pub async fn start(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<VersionOnly>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .json(conduct::start(&core, &auth, id.into_inner(), body.into_inner().version).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentRequest {
    #[schema(min_length = 1, max_length = 4000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub description: String,
    /// The processor's time limit in working days.
    #[schema(minimum = 1, maximum = 3650)]
    pub working_days: i64,
}

/// Request documents (调取材料) from the processor within a time limit.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = DocumentRequest, responses((status = 200, body = InspectionView),
        (status = 409, description = "inspection.illegal_step: the inspection is not in progress", content_type = "application/problem+json")))]
#[post("/api/v1/inspections/{id}/requests")]
pub async fn request_documents(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<DocumentRequest>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    Ok(HttpResponse::Ok().json(
        conduct::request_documents(
            &core,
            &auth,
            id.into_inner(),
            &b.description,
            b.working_days,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Findings {
    pub version: i32,
    #[schema(min_length = 1, max_length = 4000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub summary: String,
    /// The problems found; none means nothing to rectify.
    #[serde(default)]
    #[schema(value_type = ProblemList)]
    pub problems: Vec<String>,
}

/// Up to 100 problems, each of 1 to 2000 characters and not blank.
pub struct ProblemList;

impl utoipa::PartialSchema for ProblemList {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        let item = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(2000))
            .pattern(Some("[^\\s\\u0085]|\\uFEFF"));
        ArrayBuilder::new().items(item).max_items(Some(100)).into()
    }
}

impl utoipa::ToSchema for ProblemList {}

/// Record the findings (检查结论).
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Findings, responses((status = 200, body = InspectionView)))]
#[post("/api/v1/inspections/{id}/findings")]
pub async fn record_findings(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Findings>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    Ok(HttpResponse::Ok().json(
        conduct::record_findings(
            &core,
            &auth,
            id.into_inner(),
            b.version,
            &b.summary,
            b.problems,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Order {
    pub version: i32,
    #[schema(min_length = 1, max_length = 4000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub requirements: String,
    /// The time limit to rectify, in working days.
    #[schema(minimum = 1, maximum = 3650)]
    pub working_days: i64,
}

/// Order rectification (责令改正) within a time limit.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Order, responses((status = 200, body = InspectionView)))]
#[post("/api/v1/inspections/{id}/orders")]
pub async fn order_rectification(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Order>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    Ok(HttpResponse::Ok().json(
        conduct::order_rectification(
            &core,
            &auth,
            id.into_inner(),
            b.version,
            &b.requirements,
            b.working_days,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    pub version: i32,
    /// true: rectified; false: ordered again within `working_days`.
    pub accepted: bool,
    #[schema(min_length = 1, max_length = 4000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub note: String,
    #[schema(minimum = 1, maximum = 3650)]
    pub working_days: Option<i64>,
}

/// Verify the rectification the processor reported, or order it again.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Verify, responses((status = 200, body = InspectionView)))]
#[post("/api/v1/inspections/{id}/verification")]
pub async fn verify_rectification(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Verify>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    Ok(HttpResponse::Ok().json(
        conduct::verify(
            &core,
            &auth,
            id.into_inner(),
            b.version,
            b.accepted,
            &b.note,
            b.working_days,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Close {
    pub version: i32,
    /// The result as published (一公开).
    #[schema(min_length = 1, max_length = 2000, pattern = "[^\\s\\u0085]|\\uFEFF")]
    pub result: String,
}

/// Close the inspection with its result; the processor is told.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Close, responses((status = 200, body = InspectionView)))]
#[post("/api/v1/inspections/{id}/close")]
pub async fn close(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Close>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    Ok(HttpResponse::Ok()
        .json(conduct::close(&core, &auth, id.into_inner(), b.version, &b.result).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invitation {
    pub agency_id: Uuid,
}

/// Invite a public-security unit (or another department) of the province to inspect jointly
/// (会同): its staff then see this inspection, and only this one.
#[utoipa::path(tag = "inspections", security(("bearer" = [])), params(("id" = Uuid, Path)),
    request_body = Invitation, responses((status = 200, body = InspectionView)))]
#[post("/api/v1/inspections/{id}/agencies")]
pub async fn invite_agency(
    core: web::Data<Core>,
    auth: Auth,
    id: web::Path<Uuid>,
    body: Json<Invitation>,
) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        conduct::invite_agency(&core, &auth, id.into_inner(), body.into_inner().agency_id).await?,
    ))
}

/// Download a material the processor gave for a request or an order (audited).
#[utoipa::path(tag = "inspections", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("material_id" = Uuid, Path)),
    responses((status = 200, description = "the file")))]
#[get("/api/v1/inspections/{id}/materials/{material_id}")]
pub async fn download_material(
    core: web::Data<Core>,
    auth: Auth,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    let (id, material) = path.into_inner();
    let opened = inspections::processor::open_material(&core, &auth, id, material).await?;
    Ok(frt_web::download::respond(opened))
}
