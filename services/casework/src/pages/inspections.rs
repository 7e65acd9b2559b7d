//! Inspections (监督检查, Art. 16) on casework's pages: `/inspections` (plans and the
//! inspections of every source), `/draws/new` and `/draws/{id}` (a 双随机 draw: its pools by
//! size and digest, its seed, what it drew, and its verification re-run on demand), and
//! `/inspections/{id}` (one inspection's lifecycle from the notice to closing, with the joint
//! agencies, requests, findings, rectification orders and the processor's answers). Every
//! step calls `frt_cases::inspections` as the API does, from the version the page showed.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use frt_access::{Action, Resource};
use frt_cases::inspections::conduct::{self, NewTarget};
use frt_cases::inspections::draws::{self, DrawRequest, DrawView, PoolFilters};
use frt_cases::inspections::{self, AgencyView, InspectionError, InspectionQuery, InspectionView};
use frt_domain::inspection::{InspectionAction, InspectionStatus};
use frt_store::inspections::Plan;
use frt_web::console::{render, render_with, see_other, FieldErrors, Form, Page, PageError};
use frt_web::Core;
use serde::Deserialize;
use uuid::Uuid;

/// A use case's refusal of a form: its field problems beside the fields, or the page's error.
fn field_errors(page: &Page, e: InspectionError) -> Result<FieldErrors, PageError> {
    match e {
        InspectionError::Invalid(_) | InspectionError::Parameter(_) | InspectionError::Draw(_) => {
            let e = frt_web::ApiError::from(e);
            let mut errors = FieldErrors::of(&e, page.lang, |p| p.to_owned());
            if errors.is_empty() {
                errors = FieldErrors::general(&e.problem().detail);
            }
            Ok(errors)
        }
        other => Err(other.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// /inspections: plans and inspections
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: i64,
}

/// A new plan as typed.
#[derive(Debug, Default, Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    province: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    period_start: String,
    #[serde(default)]
    period_end: String,
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct InspectionsPage<'a> {
    page: &'a Page,
    may_plan: bool,
    plans: Vec<Plan>,
    /// The provinces a plan may be made for (the caller's).
    provinces: Vec<String>,
    rows: Vec<InspectionView>,
    status: String,
    statuses: Vec<&'static str>,
    next: Option<String>,
    plan: PlanForm,
    errors: FieldErrors,
}

const PAGE_SIZE: i64 = 50;

async fn inspections_page(
    core: &Core,
    page: &Page,
    q: &ListQuery,
    plan: PlanForm,
    errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let may_plan = caller.may(core, Resource::INSPECTION, Action::Plan, None);
    let plans = if may_plan {
        draws::plans(core, caller).await?
    } else {
        Vec::new()
    };
    let at = q.page.max(0);
    let rows = inspections::list(
        core,
        caller,
        &InspectionQuery {
            status: Some(q.status.clone()).filter(|s| !s.is_empty()),
            limit: Some(PAGE_SIZE + 1),
            offset: Some(at * PAGE_SIZE),
            ..InspectionQuery::default()
        },
    )
    .await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let rows: Vec<_> = rows.into_iter().take(PAGE_SIZE as usize).collect();
    let next = more.then(|| {
        let pairs: Vec<(&str, String)> =
            [("status", q.status.clone()), ("page", (at + 1).to_string())]
                .into_iter()
                .filter(|(_, v)| !v.is_empty())
                .collect();
        format!(
            "/inspections?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let provinces = caller
        .scope()
        .cac_provinces()
        .flatten()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    render_with(
        status,
        &InspectionsPage {
            page,
            may_plan,
            plans,
            provinces,
            rows,
            status: q.status.clone(),
            statuses: InspectionStatus::ALL.iter().map(|s| s.as_str()).collect(),
            next,
            plan,
            errors,
        },
    )
}

#[get("/inspections")]
pub async fn list(
    core: web::Data<Core>,
    page: Page,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    inspections_page(
        &core,
        &page,
        &q,
        PlanForm::default(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

fn date(page: &Page, errors: &mut FieldErrors, field: &str, text: &str) -> Option<NaiveDate> {
    match frt_domain::civil::parse(text.trim()) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, page.t("inspection_case.bad_date"));
            None
        }
    }
}

#[post("/inspections/plans")]
pub async fn create_plan(
    core: web::Data<Core>,
    page: Page,
    Form(f): Form<PlanForm>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let mut errors = FieldErrors::default();
    let start = date(&page, &mut errors, "period_start", &f.period_start);
    let end = date(&page, &mut errors, "period_end", &f.period_end);
    let outcome = match (start, end) {
        (Some(start), Some(end)) => {
            draws::create_plan(&core, caller, f.province.trim(), &f.title, start, end).await
        }
        _ => {
            return inspections_page(
                &core,
                &page,
                &ListQuery::default(),
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    match outcome {
        Ok(_) => Ok(see_other("/inspections#plans")),
        Err(e) => {
            let errors = field_errors(&page, e)?;
            inspections_page(
                &core,
                &page,
                &ListQuery::default(),
                f,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// /draws/new and /draws/{id}
// ---------------------------------------------------------------------------------------------

/// A draw as the form sets it up (also its preview's address).
#[derive(Debug, Default, Deserialize)]
pub struct DrawForm {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    filed_only: String,
    #[serde(default)]
    min_risk: String,
    #[serde(default)]
    targets: String,
    #[serde(default)]
    inspectors: String,
}

impl DrawForm {
    fn filters(&self) -> PoolFilters {
        PoolFilters {
            filed_only: !self.filed_only.is_empty(),
            min_risk: Some(self.min_risk.clone()).filter(|r| !r.is_empty()),
        }
    }
}

#[derive(Template)]
#[template(path = "draw_new.html")]
struct NewDrawPage<'a> {
    page: &'a Page,
    plans: Vec<Plan>,
    f: DrawForm,
    /// The pools' sizes for the chosen plan and filters: (processors, inspectors).
    pools: Option<(usize, usize)>,
    errors: FieldErrors,
}

async fn new_draw_page(
    core: &Core,
    page: &Page,
    f: DrawForm,
    mut errors: FieldErrors,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let plans = draws::plans(core, caller).await?;
    let plan = match Uuid::parse_str(f.plan.trim()) {
        Ok(p) => Some(p),
        Err(_) => plans.first().map(|p| p.id),
    };
    let pools = match plan {
        Some(p) => match draws::pool_sizes(core, caller, p, &f.filters()).await {
            Ok(sizes) => Some(sizes),
            Err(InspectionError::Missing(_)) => None,
            Err(e) => {
                errors = field_errors(page, e)?;
                None
            }
        },
        None => None,
    };
    let f = DrawForm {
        plan: plan.map(|p| p.to_string()).unwrap_or_default(),
        ..f
    };
    render_with(
        status,
        &NewDrawPage {
            page,
            plans,
            f,
            pools,
            errors,
        },
    )
}

#[get("/draws/new")]
pub async fn new_draw(
    core: web::Data<Core>,
    page: Page,
    q: web::Query<DrawForm>,
) -> Result<HttpResponse, PageError> {
    new_draw_page(
        &core,
        &page,
        q.into_inner(),
        FieldErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[post("/draws")]
pub async fn make_draw(
    core: web::Data<Core>,
    page: Page,
    Form(f): Form<DrawForm>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let mut errors = FieldErrors::default();
    let mut number = |field: &str, text: &str| match text.trim().parse::<i32>() {
        Ok(n) => n,
        Err(_) => {
            errors.add(field, page.t("inspection_case.bad_number"));
            -1
        }
    };
    let targets = number("targets", &f.targets);
    let inspectors = number("inspectors", &f.inspectors);
    let plan_id = Uuid::parse_str(f.plan.trim()).ok();
    if plan_id.is_none() {
        errors.add("plan", page.t("inspection_case.choose_plan"));
    }
    let Some(plan_id) = plan_id.filter(|_| errors.is_empty()) else {
        return new_draw_page(&core, &page, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let drawn = draws::draw(
        &core,
        caller,
        DrawRequest {
            plan_id,
            filters: f.filters(),
            targets,
            inspectors,
            seed: None,
        },
    )
    .await;
    match drawn {
        Ok(d) => Ok(see_other(&format!("/draws/{}", d.id))),
        Err(e) => {
            let errors = field_errors(&page, e)?;
            new_draw_page(&core, &page, f, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

#[derive(Template)]
#[template(path = "draw.html")]
struct DrawPage<'a> {
    page: &'a Page,
    d: DrawView,
    /// The verification just re-run: whether the draw matches its record.
    verified: Option<bool>,
    /// Each drawn target, with its inspection when one was opened from this draw.
    targets: Vec<(frt_store::inspections::PoolProcessor, Option<Uuid>)>,
}

async fn draw_page(
    core: &Core,
    page: &Page,
    id: Uuid,
    verified: Option<bool>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let d = draws::get(core, caller, id).await?;
    let opened: Vec<(Uuid, Uuid)> = match d.plan_id {
        Some(plan) => inspections::list(
            core,
            caller,
            &InspectionQuery {
                plan_id: Some(plan),
                limit: Some(200),
                ..InspectionQuery::default()
            },
        )
        .await?
        .into_iter()
        .filter(|i| i.draw_id == Some(d.id))
        .map(|i| (i.organisation.organisation_id, i.id))
        .collect(),
        None => Vec::new(),
    };
    let targets = d
        .targets
        .iter()
        .map(|t| {
            let inspection = opened
                .iter()
                .find(|(org, _)| *org == t.organisation_id)
                .map(|(_, i)| *i);
            (t.clone(), inspection)
        })
        .collect();
    render(&DrawPage {
        page,
        d,
        verified,
        targets,
    })
}

#[get("/draws/{id}")]
pub async fn show_draw(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    draw_page(&core, &page, PageError::id(&id)?, None).await
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

/// Re-runs the draw's verification from its record.
#[post("/draws/{id}/verify")]
pub async fn verify_draw(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
    Form(_): Form<Nothing>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let id = PageError::id(&id)?;
    let ok = draws::verify(&core, caller, id).await?;
    draw_page(&core, &page, id, Some(ok)).await
}

/// Opens an inspection of a drawn target, inspected by the draw's inspectors.
#[derive(Debug, Deserialize)]
pub struct OpenForm {
    organisation_id: Uuid,
}

#[post("/draws/{id}/inspections")]
pub async fn open_from_draw(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
    Form(f): Form<OpenForm>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let id = PageError::id(&id)?;
    let d = draws::get(&core, caller, id).await?;
    let opened = conduct::open(
        &core,
        caller,
        NewTarget {
            organisation_id: f.organisation_id,
            source: "draw".into(),
            plan_id: d.plan_id,
            draw_id: Some(d.id),
            notification_id: None,
            inspector_ids: Vec::new(),
            swap_reason: None,
        },
    )
    .await?;
    Ok(see_other(&format!("/inspections/{}", opened.id)))
}

// ---------------------------------------------------------------------------------------------
// /inspections/{id}
// ---------------------------------------------------------------------------------------------

/// The steps the page offers now, each allowed by the inspection's status and the caller's role.
#[derive(Default)]
struct Steps {
    notify: bool,
    start: bool,
    request: bool,
    findings: bool,
    order: bool,
    verify: bool,
    close: bool,
    invite: Vec<AgencyView>,
}

impl Steps {
    fn any(&self) -> bool {
        self.notify
            || self.start
            || self.request
            || self.findings
            || self.order
            || self.verify
            || self.close
            || !self.invite.is_empty()
    }
}

#[derive(Template)]
#[template(path = "inspection.html")]
struct InspectionPage<'a> {
    page: &'a Page,
    i: InspectionView,
    steps: Steps,
    /// The findings' problems, one per line.
    problems: Vec<String>,
    summary: Option<String>,
    typed: StepForm,
    errors: FieldErrors,
    notice: String,
    may_audit: bool,
}

/// Every step's fields; each step reads those it needs.
#[derive(Debug, Default, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    version: i32,
    #[serde(default)]
    notice: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    working_days: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    requirements: String,
    #[serde(default)]
    accepted: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    agency_id: String,
}

/// How the page is shown after a step.
struct Shown {
    typed: StepForm,
    errors: FieldErrors,
    notice: &'static str,
    status: StatusCode,
}

async fn inspection_page(
    core: &Core,
    page: &Page,
    id: Uuid,
    shown: Shown,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let i = inspections::show(core, caller, id).await?;
    let invite = conduct::invitable(core, caller, id).await?;
    let status = InspectionStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == i.status);
    let conducts = caller.may(
        core,
        Resource::INSPECTION,
        Action::Conduct,
        Some(&i.province_code),
    );
    let allows = |a: InspectionAction| conducts && status.is_some_and(|s| s.apply(a).is_ok());
    let steps = Steps {
        notify: allows(InspectionAction::Notify),
        start: allows(InspectionAction::Start),
        request: allows(InspectionAction::RequestDocuments),
        findings: allows(InspectionAction::RecordFindings),
        order: allows(InspectionAction::OrderRectification),
        verify: allows(InspectionAction::Verify),
        close: allows(InspectionAction::Close),
        invite: if status.is_some_and(InspectionStatus::is_open) {
            invite
        } else {
            Vec::new()
        },
    };
    let summary = i
        .findings
        .as_ref()
        .and_then(|f| f["summary"].as_str())
        .map(str::to_owned);
    let problems = i
        .findings
        .as_ref()
        .and_then(|f| f["problems"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    let may_audit = caller.may(core, Resource::AUDIT, Action::Read, Some(&i.province_code));
    render_with(
        shown.status,
        &InspectionPage {
            page,
            i,
            steps,
            problems,
            summary,
            typed: shown.typed,
            errors: shown.errors,
            notice: shown.notice.to_owned(),
            may_audit,
        },
    )
}

/// The steps a page names after one was taken.
const STEPS: &[&str] = &[
    "notify", "start", "request", "findings", "order", "verify", "close", "invite",
];

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    #[serde(default)]
    done: String,
}

#[get("/inspections/{id}")]
pub async fn show(
    core: web::Data<Core>,
    page: Page,
    id: web::Path<String>,
    q: web::Query<ShowQuery>,
) -> Result<HttpResponse, PageError> {
    let notice = STEPS
        .iter()
        .find(|s| **s == q.done)
        .copied()
        .unwrap_or_default();
    let shown = Shown {
        typed: StepForm::default(),
        errors: FieldErrors::default(),
        notice,
        status: StatusCode::OK,
    };
    inspection_page(&core, &page, PageError::id(&id)?, shown).await
}

/// `POST /inspections/{id}/{step}`: one step, from the version the page showed.
#[post("/inspections/{id}/{step:notify|start|request|findings|order|verify|close|invite}")]
pub async fn step(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
    Form(f): Form<StepForm>,
) -> Result<HttpResponse, PageError> {
    let (id, step) = path.into_inner();
    let id = PageError::id(&id)?;
    let caller = page.caller()?;
    let v = f.version;
    let days = |text: &str| text.trim().parse::<i64>().unwrap_or(0);
    let outcome = match step.as_str() {
        "notify" => conduct::notify(&core, caller, id, v, &f.notice).await,
        "start" => conduct::start(&core, caller, id, v).await,
        "request" => {
            conduct::request_documents(&core, caller, id, &f.description, days(&f.working_days))
                .await
        }
        "findings" => {
            let problems = f
                .problems
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect();
            conduct::record_findings(&core, caller, id, v, &f.summary, problems).await
        }
        "order" => {
            conduct::order_rectification(
                &core,
                caller,
                id,
                v,
                &f.requirements,
                days(&f.working_days),
            )
            .await
        }
        "verify" => {
            let accepted = f.accepted == "yes";
            let again = (!accepted).then(|| days(&f.working_days));
            conduct::verify(&core, caller, id, v, accepted, &f.note, again).await
        }
        "close" => conduct::close(&core, caller, id, v, &f.result).await,
        _ => match Uuid::parse_str(f.agency_id.trim()) {
            Ok(agency) => conduct::invite_agency(&core, caller, id, agency).await,
            Err(_) => Err(InspectionError::Missing("agency")),
        },
    };
    let shown = |typed, errors, notice, status| Shown {
        typed,
        errors,
        notice,
        status,
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/inspections/{id}?done={step}"))),
        Err(InspectionError::VersionConflict { .. } | InspectionError::IllegalStep(_)) => {
            let s = shown(f, FieldErrors::default(), "stale", StatusCode::CONFLICT);
            inspection_page(&core, &page, id, s).await
        }
        Err(e) => {
            let errors = field_errors(&page, e)?;
            let s = shown(f, errors, "", StatusCode::UNPROCESSABLE_ENTITY);
            inspection_page(&core, &page, id, s).await
        }
    }
}

/// A material of the inspection (the processor's, or one given with a request or order).
#[get("/inspections/{id}/materials/{material_id}")]
pub async fn material(
    core: web::Data<Core>,
    page: Page,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let caller = page.caller()?;
    let (id, material) = path.into_inner();
    let opened = frt_cases::inspections::processor::open_material(
        &core,
        caller,
        PageError::id(&id)?,
        PageError::id(&material)?,
    )
    .await?;
    Ok(frt_web::download::respond(opened))
}
